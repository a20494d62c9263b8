/**
 * The Host API over the daemon's WebSocket, for the UI opened in a browser.
 *
 * Each attempt first asks `GET /api/v1/hello` over plain HTTP: a browser hides why a WebSocket
 * upgrade failed, but a fetch shows a 401 or 403, which lets us tell a wrong token (stop and say
 * so) from a daemon that is not up yet (retry). Then the socket opens with the token in a
 * subprotocol, because browsers cannot set headers on an upgrade.
 */
import type { ConnectionState, HostClient } from '../../src-shared/api/client.js';
import { PROTOCOL_VERSION, isSlowCommand } from '../../src-shared/api/contract.js';
import type { CommandInput, CommandName, CommandOutput, HostEvent } from '../../src-shared/api/contract.js';
import {
  API_BASE,
  ServerMessageSchema,
  WS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PREFIX,
  WelcomeSchema,
} from '../../src-shared/api/envelope.js';
import type { CallResult, ClientMessage, ServerMessage, Welcome } from '../../src-shared/api/envelope.js';
import { ApiErrorSchema, HostApiError } from '../../src-shared/api/errors.js';
import type { ApiErrorShape } from '../../src-shared/api/errors.js';
import { parseCommandOutput, parseHostEvent } from '../../src-shared/api/validate.js';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { ListenerSet } from './listener-set.js';
import { SOCKET_OPEN } from './socket.js';
import type { SocketConstructor, SocketLike } from './socket.js';

export interface WebSocketClientOptions {
  /** The daemon's HTTP origin, e.g. `location.origin`. */
  readonly baseUrl: string;
  readonly token: string;
  readonly WebSocketImpl: SocketConstructor;
  readonly fetchImpl: typeof fetch;
  /** A call with no reply after this long is rejected with code `timeout`. */
  readonly callTimeoutMs?: number;
  /** The same for the commands the contract marks slow, which legitimately take longer. */
  readonly slowCallTimeoutMs?: number;
  /** How long the hello request and the welcome frame may each take before the attempt is retried. */
  readonly handshakeTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /** Sent in the hello frame so the daemon's log can say who connected. */
  readonly clientName?: string;
}

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/**
 * Commands that may run for minutes by design. gpu.report (with refresh, or the first time) probes
 * CUDA, WebGPU and the CPU one after another in child processes, each with its own time limit
 * (60 + 30 + 20 s), after nvidia-smi and ldconfig (10 s each): the usual 30 s would report a
 * timeout for a check that is still working.
 */
export const DEFAULT_SLOW_CALL_TIMEOUT_MS = 180_000;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export const TOKEN_REFUSED_REASON =
  'The daemon refused the access token. Open the link the daemon printed in its terminal when it last started; it carries the current token.';

interface PendingCall {
  settle(result: CallResult): void;
  fail(error: HostApiError): void;
}

/** What the HTTP hello check decided. */
type HelloOutcome =
  | { kind: 'ok'; welcome: Welcome }
  | { kind: 'retry'; reason: string }
  | { kind: 'fail'; reason: string }
  | { kind: 'stale' };

export class WebSocketHostClient implements HostClient {
  readonly transport = 'websocket' as const;

  readonly #baseUrl: string;
  readonly #token: string;
  readonly #WebSocketImpl: SocketConstructor;
  readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly #callTimeoutMs: number;
  readonly #slowCallTimeoutMs: number;
  readonly #handshakeTimeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #clientName: string;

  readonly #connectionListeners = new ListenerSet<ConnectionState>();
  readonly #eventListeners = new ListenerSet<HostEvent>();
  readonly #pending = new Map<number, PendingCall>();

  #state: ConnectionState = { status: 'connecting' };
  /** Bumped by every attempt and by close(), so late answers from an older attempt are ignored. */
  #attempt = 0;
  /** Attempts that failed since the last welcome; drives the backoff. */
  #failures = 0;
  #socket: SocketLike | null = null;
  #helloAbort: AbortController | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #welcomeTimer: ReturnType<typeof setTimeout> | null = null;
  #nextCallId = 1;
  #closed = false;

  constructor(options: WebSocketClientOptions) {
    this.#baseUrl = options.baseUrl;
    this.#token = options.token;
    this.#WebSocketImpl = options.WebSocketImpl;
    // Called as a plain function: a browser's fetch throws "Illegal invocation" when called as a
    // method of anything but window.
    const fetchImpl = options.fetchImpl;
    this.#fetch = (url, init) => fetchImpl(url, init);
    this.#callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.#slowCallTimeoutMs = options.slowCallTimeoutMs ?? DEFAULT_SLOW_CALL_TIMEOUT_MS;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#clientName = options.clientName ?? 'bittaudio-renderer';
    void this.#connect();
  }

  get connection(): ConnectionState {
    return this.#state;
  }

  /** The daemon's media route; the token rides in the query because an `<audio>` element sends no header. */
  mediaUrl(path: string): string {
    const url = new URL(`/media/${mediaPathSegments(path)}`, this.#baseUrl);
    url.searchParams.set('token', this.#token);
    return url.href;
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    return this.#connectionListeners.add(listener);
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    return this.#eventListeners.add(listener);
  }

  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
    const socket = this.#socket;
    if (this.#state.status !== 'connected' || socket === null || socket.readyState !== SOCKET_OPEN) {
      return Promise.reject(new HostApiError('not_connected', `Not connected to the daemon; ${command} was not sent.`));
    }
    const id = this.#nextCallId++;
    const timeoutMs = isSlowCommand(command) ? this.#slowCallTimeoutMs : this.#callTimeoutMs;
    return new Promise<CommandOutput<C>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new HostApiError('timeout', `${command} got no reply within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      this.#pending.set(id, {
        settle: (result) => {
          clearTimeout(timer);
          if (!result.ok) {
            reject(HostApiError.from(result.error));
            return;
          }
          try {
            resolve(parseCommandOutput(command, result.output));
          } catch (error) {
            reject(error instanceof HostApiError ? error : new HostApiError('internal', String(error)));
          }
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const message: ClientMessage = { type: 'call', id, command, input };
      try {
        socket.send(JSON.stringify(message));
      } catch (error) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(new HostApiError('not_connected', `Could not send ${command}: ${describe(error)}`));
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#attempt++;
    this.#stopAttempt();
    this.#rejectPending('The client was closed.');
    this.#setState({ status: 'failed', reason: 'The connection was closed.' });
    this.#connectionListeners.clear();
    this.#eventListeners.clear();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const attempt = ++this.#attempt;
    this.#setState({ status: 'connecting' });
    const hello = await this.#checkHello(attempt);
    if (attempt !== this.#attempt || hello.kind === 'stale') return;
    if (hello.kind === 'retry') {
      this.#scheduleRetry(hello.reason);
      return;
    }
    if (hello.kind === 'fail') {
      this.#fail(hello.reason);
      return;
    }
    this.#openSocket(attempt);
  }

  async #checkHello(attempt: number): Promise<HelloOutcome> {
    const abort = new AbortController();
    this.#helloAbort = abort;
    const timer = setTimeout(() => abort.abort(), this.#handshakeTimeoutMs);
    const url = new URL(`${API_BASE}/hello`, this.#baseUrl).href;
    try {
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method: 'GET',
          headers: { Authorization: `Bearer ${this.#token}`, Accept: 'application/json' },
          signal: abort.signal,
          cache: 'no-store',
        });
      } catch (error) {
        if (attempt !== this.#attempt) return { kind: 'stale' };
        return { kind: 'retry', reason: `Cannot reach the daemon at ${this.#baseUrl} (${describe(error)}).` };
      }
      if (attempt !== this.#attempt) return { kind: 'stale' };
      if (response.status === 401) return { kind: 'fail', reason: TOKEN_REFUSED_REASON };
      if (response.status === 403) {
        const detail = await readApiError(response);
        return {
          kind: 'fail',
          reason: `The daemon refused this page (forbidden)${detail ? `: ${detail.message}` : ''}. Open the UI from the link that the daemon printed.`,
        };
      }
      if (!response.ok) {
        return { kind: 'retry', reason: `The daemon answered the hello with HTTP ${response.status}.` };
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        return { kind: 'retry', reason: 'The daemon answered the hello with something that is not JSON.' };
      }
      return welcomeOutcome(body);
    } finally {
      clearTimeout(timer);
      if (this.#helloAbort === abort) this.#helloAbort = null;
    }
  }

  #openSocket(attempt: number): void {
    const url = new URL(WS_PATH, this.#baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let socket: SocketLike;
    try {
      socket = new this.#WebSocketImpl(url.href, [WS_PROTOCOL, WS_TOKEN_PREFIX + this.#token]);
    } catch (error) {
      // The constructor throws synchronously on a token that is not a valid subprotocol name.
      this.#fail(`Cannot open the connection to the daemon: ${describe(error)}`);
      return;
    }
    this.#socket = socket;
    const current = (): boolean => this.#socket === socket && attempt === this.#attempt;

    this.#welcomeTimer = setTimeout(() => {
      if (!current()) return;
      this.#dropSocket();
      this.#scheduleRetry('The daemon did not welcome the connection in time.');
    }, this.#handshakeTimeoutMs);

    socket.addEventListener('open', () => {
      if (!current()) return;
      const hello: ClientMessage = { type: 'hello', protocol: PROTOCOL_VERSION, client: this.#clientName };
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener('message', (event) => {
      if (current()) this.#onFrame(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (!current()) return;
      this.#socket = null;
      this.#clearWelcomeTimer();
      this.#rejectPending('The connection to the daemon was lost before the reply arrived.');
      const why = event.reason ? `: ${event.reason}` : '';
      this.#scheduleRetry(`The connection to the daemon closed (code ${event.code}${why}).`);
    });
    // An error is always followed by a close, which is where the retry happens.
    socket.addEventListener('error', () => undefined);
  }

  #onFrame(data: unknown): void {
    if (typeof data !== 'string') {
      console.warn('Dropped a binary frame from the daemon');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      console.warn('Dropped a frame from the daemon that is not JSON');
      return;
    }
    const parsed = ServerMessageSchema.safeParse(json);
    if (!parsed.success) {
      console.warn('Dropped a frame from the daemon that does not match the envelope', parsed.error.issues);
      return;
    }
    this.#onMessage(parsed.data);
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome': {
        const { type: _type, ...welcome } = message;
        if (welcome.protocol !== PROTOCOL_VERSION) {
          this.#fail(mismatchReason(welcome.protocol));
          return;
        }
        this.#clearWelcomeTimer();
        this.#failures = 0;
        this.#setState({ status: 'connected', welcome });
        return;
      }
      case 'result': {
        const pending = typeof message.id === 'number' ? this.#pending.get(message.id) : undefined;
        if (pending === undefined || typeof message.id !== 'number') {
          console.warn(`Dropped a result for unknown call ${String(message.id)}`);
          return;
        }
        this.#pending.delete(message.id);
        pending.settle(message.result);
        return;
      }
      case 'event': {
        let event: HostEvent;
        try {
          event = parseHostEvent(message.event, message.payload);
        } catch (error) {
          console.warn('Dropped an event from the daemon', error instanceof HostApiError ? error.toJSON() : error);
          return;
        }
        this.#eventListeners.emit(event);
        return;
      }
      case 'error':
        this.#onServerError(message.error);
        return;
    }
  }

  /** An error the server could not tie to a call. Before the welcome it ends the handshake. */
  #onServerError(error: ApiErrorShape): void {
    if (this.#state.status === 'connected') {
      console.warn('The daemon reported an error', error);
      return;
    }
    switch (error.code) {
      case 'protocol_mismatch':
        this.#fail(`The daemon and this page speak different protocols: ${error.message} Reload the page.`);
        return;
      case 'unauthorized':
        this.#fail(TOKEN_REFUSED_REASON);
        return;
      case 'forbidden':
        this.#fail(`The daemon refused this page (forbidden): ${error.message}`);
        return;
      default:
        console.warn('The daemon reported an error during the handshake', error);
    }
  }

  #scheduleRetry(reason: string): void {
    if (this.#closed) return;
    const retryInMs = backoffDelay(this.#failures, this.#backoff);
    this.#failures++;
    this.#setState({ status: 'disconnected', reason, retryInMs });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#connect();
    }, retryInMs);
  }

  /** Stops for good: only the user (new token, reload) can fix what led here. */
  #fail(reason: string): void {
    this.#attempt++;
    this.#stopAttempt();
    this.#rejectPending('The connection to the daemon failed.');
    this.#setState({ status: 'failed', reason });
  }

  #stopAttempt(): void {
    this.#helloAbort?.abort();
    this.#helloAbort = null;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#dropSocket();
  }

  /** Closes the socket after forgetting it, so its close event counts as stale. */
  #dropSocket(): void {
    this.#clearWelcomeTimer();
    const socket = this.#socket;
    this.#socket = null;
    if (socket === null) return;
    try {
      socket.close(1000, 'client closing');
    } catch (error) {
      console.warn('Closing the socket failed', error);
    }
  }

  #clearWelcomeTimer(): void {
    if (this.#welcomeTimer !== null) clearTimeout(this.#welcomeTimer);
    this.#welcomeTimer = null;
  }

  #rejectPending(message: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) call.fail(new HostApiError('not_connected', message));
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#connectionListeners.emit(state);
  }
}

function welcomeOutcome(body: unknown): HelloOutcome {
  const parsed = WelcomeSchema.safeParse(body);
  if (!parsed.success) {
    // Older or newer daemons may shape the hello differently; the protocol number says which.
    const protocol = typeof body === 'object' && body !== null ? (body as { protocol?: unknown }).protocol : undefined;
    if (typeof protocol === 'number' && protocol !== PROTOCOL_VERSION) {
      return { kind: 'fail', reason: mismatchReason(protocol) };
    }
    return {
      kind: 'fail',
      reason: 'The daemon answered the hello in a form this page does not understand. Reload the page.',
    };
  }
  if (parsed.data.protocol !== PROTOCOL_VERSION) return { kind: 'fail', reason: mismatchReason(parsed.data.protocol) };
  return { kind: 'ok', welcome: parsed.data };
}

function mismatchReason(serverProtocol: number): string {
  return `This page speaks Host API protocol ${PROTOCOL_VERSION} but the daemon speaks protocol ${serverProtocol}. Reload the page; if that does not help, update the app.`;
}

async function readApiError(response: Response): Promise<ApiErrorShape | null> {
  try {
    const body: unknown = await response.json();
    const direct = ApiErrorSchema.safeParse(body);
    if (direct.success) return direct.data;
    const wrapped = ApiErrorSchema.safeParse((body as { error?: unknown } | null)?.error);
    return wrapped.success ? wrapped.data : null;
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    // Node's fetch hides the real cause (ECONNREFUSED) one level down.
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

/** Each segment percent-encoded; a path that tries to climb out is refused here already. */
export function mediaPathSegments(path: string): string {
  const segments = path.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new Error(`Not a media path: ${path}`);
  }
  return segments.map(encodeURIComponent).join('/');
}
