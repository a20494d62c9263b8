/**
 * The WebSocket transport against a real HTTP + WebSocket server on a loopback port, speaking the
 * daemon's protocol. Nothing is mocked below the socket: frames really cross TCP.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConnectionState } from '../../src-shared/api/client.js';
import { PROTOCOL_VERSION } from '../../src-shared/api/contract.js';
import type { HostEvent } from '../../src-shared/api/contract.js';
import { ClientMessageSchema, WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../src-shared/api/envelope.js';
import type { CallResult, ClientMessage } from '../../src-shared/api/envelope.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { EngineStatus } from '../../src-shared/schemas/status.js';
import { WebSocketHostClient } from './websocket-client.js';
import type { WebSocketClientOptions } from './websocket-client.js';

const TOKEN = 'test-token_0123456789abcdef';

const WELCOME = {
  protocol: PROTOCOL_VERSION,
  version: '9.9.9-test',
  commands: ['status.get', 'logs.list', 'settings.get', 'settings.update'],
  events: ['status', 'log', 'settings'],
  capabilities: { extensionSigning: true, tray: false, fileDialogs: false },
};

const STATUS: EngineStatus = {
  version: '9.9.9-test',
  host: 'daemon',
  role: 'idle',
  startedAt: '2025-01-01T00:00:00.000Z',
  uptimeSeconds: 42,
  dataDir: '/tmp/bittaudio-test',
  platform: 'linux',
  nodeVersion: 'v20.19.0',
};

type CallMessage = Extract<ClientMessage, { type: 'call' }>;

/** A stand-in for the daemon: the hello route, the token checks and the frame protocol. */
class FakeDaemon {
  helloStatus = 200;
  helloBody: unknown = WELCOME;
  /** Authorization headers of the hello requests, in order. */
  readonly helloAuthorizations: (string | undefined)[] = [];
  /** The subprotocols each WebSocket upgrade offered. */
  readonly offeredProtocols: string[][] = [];
  readonly received: ClientMessage[] = [];
  readonly sockets: WebSocket[] = [];
  /** What to do with a client's hello frame; by default, welcome it. */
  onHello: (socket: WebSocket) => void = (socket) => send(socket, { type: 'welcome', ...WELCOME });
  /** What to do with a call; by default, answer status.get and refuse the rest. */
  onCall: (call: CallMessage, socket: WebSocket) => void = (call, socket) => {
    if (call.command === 'status.get') reply(socket, call.id, { ok: true, output: STATUS });
    else reply(socket, call.id, { ok: false, error: { code: 'unknown_command', message: call.command } });
  };

  readonly #http: Server;
  readonly #wss = new WebSocketServer({
    noServer: true,
    // Like the daemon: accept only our protocol and never echo the token back.
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  private constructor() {
    this.#http = createServer((request, response) => {
      if (request.url !== '/api/v1/hello') {
        response.writeHead(404).end();
        return;
      }
      this.helloAuthorizations.push(request.headers.authorization);
      response.writeHead(this.helloStatus, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(this.helloStatus === 200 ? this.helloBody : { code: 'forbidden', message: 'foreign origin' }),
      );
    });
    this.#http.on('upgrade', (request: IncomingMessage, socket, head) => {
      const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((part) => part.trim());
      this.offeredProtocols.push(offered);
      if (request.url !== WS_PATH || !offered.includes(WS_TOKEN_PREFIX + TOKEN)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
    });
  }

  static async start(): Promise<FakeDaemon> {
    const daemon = new FakeDaemon();
    await new Promise<void>((resolve) => daemon.#http.listen(0, '127.0.0.1', resolve));
    return daemon;
  }

  get baseUrl(): string {
    const { port } = this.#http.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The socket of the current connection. */
  get socket(): WebSocket {
    const socket = this.sockets.at(-1);
    if (socket === undefined) throw new Error('no client connected');
    return socket;
  }

  #accept(socket: WebSocket): void {
    this.sockets.push(socket);
    socket.on('message', (data) => {
      const message = ClientMessageSchema.parse(JSON.parse(String(data)));
      this.received.push(message);
      if (message.type === 'hello') this.onHello(socket);
      else this.onCall(message, socket);
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.#wss.clients) socket.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}

function send(socket: WebSocket, frame: unknown): void {
  socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
}

function reply(socket: WebSocket, id: string | number, result: CallResult): void {
  send(socket, { type: 'result', id, result });
}

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startDaemon(): Promise<FakeDaemon> {
  const daemon = await FakeDaemon.start();
  cleanups.push(() => daemon.stop());
  return daemon;
}

function connect(daemon: { baseUrl: string }, options: Partial<WebSocketClientOptions> = {}): WebSocketHostClient {
  const client = new WebSocketHostClient({
    baseUrl: daemon.baseUrl,
    token: TOKEN,
    WebSocketImpl: WebSocket,
    fetchImpl: fetch,
    ...options,
  });
  cleanups.push(() => client.close());
  return client;
}

/** Every state the client goes through, starting with the current one. */
function recordStates(client: WebSocketHostClient): ConnectionState[] {
  const states: ConnectionState[] = [client.connection];
  client.onConnection((state) => states.push(state));
  return states;
}

function waitForState<S extends ConnectionState['status']>(
  client: WebSocketHostClient,
  status: S,
): Promise<Extract<ConnectionState, { status: S }>> {
  return new Promise((resolve) => {
    const check = (state: ConnectionState): boolean => {
      if (state.status !== status) return false;
      resolve(state as Extract<ConnectionState, { status: S }>);
      return true;
    };
    if (check(client.connection)) return;
    const stop = client.onConnection((state) => {
      if (check(state)) stop();
    });
  });
}

async function waitUntil(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown>): Promise<HostApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HostApiError);
    return error as HostApiError;
  }
  throw new Error('expected the promise to reject');
}

describe('WebSocketHostClient', () => {
  it('checks the token over HTTP, opens the socket with the token subprotocol and is welcomed', async () => {
    const daemon = await startDaemon();
    const client = connect(daemon);
    expect(client.connection.status).toBe('connecting');

    const connected = await waitForState(client, 'connected');

    expect(connected.welcome).toEqual(WELCOME);
    expect(client.transport).toBe('websocket');
    expect(daemon.helloAuthorizations).toEqual([`Bearer ${TOKEN}`]);
    expect(daemon.offeredProtocols).toEqual([[WS_PROTOCOL, WS_TOKEN_PREFIX + TOKEN]]);
    expect(daemon.received[0]).toEqual({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'bittaudio-renderer' });
  });

  it('sends a call and resolves with the output parsed by the contract', async () => {
    const daemon = await startDaemon();
    daemon.onCall = (call, socket) => {
      if (call.command === 'status.get') {
        reply(socket, call.id, { ok: true, output: STATUS });
        return;
      }
      // An extra key that the contract does not know must not reach the caller.
      const entry = { id: 7, time: STATUS.startedAt, level: 'info', source: 'engine', message: 'up', extra: 1 };
      reply(socket, call.id, { ok: true, output: { entries: [entry] } });
    };
    const client = connect(daemon);
    await waitForState(client, 'connected');

    await expect(client.call('status.get', {})).resolves.toEqual(STATUS);
    const logs = await client.call('logs.list', { limit: 5, minLevel: 'warn' });

    expect(logs.entries).toEqual([{ id: 7, time: STATUS.startedAt, level: 'info', source: 'engine', message: 'up' }]);
    const calls = daemon.received.filter((message) => message.type === 'call');
    expect(calls).toEqual([
      { type: 'call', id: expect.any(Number), command: 'status.get', input: {} },
      { type: 'call', id: expect.any(Number), command: 'logs.list', input: { limit: 5, minLevel: 'warn' } },
    ]);
    expect(calls[0]?.id).not.toBe(calls[1]?.id);
  });

  it('rejects an ok:false result with a HostApiError that carries the code and issues', async () => {
    const daemon = await startDaemon();
    daemon.onCall = (call, socket) =>
      reply(socket, call.id, {
        ok: false,
        error: { code: 'invalid_input', message: 'The input is not valid', issues: ['limit: Too big'] },
      });
    const client = connect(daemon);
    await waitForState(client, 'connected');

    const error = await rejection(client.call('logs.list', { limit: 5000 }));

    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe('The input is not valid');
    expect(error.issues).toEqual(['limit: Too big']);
  });

  it('rejects an output that breaks the contract with code internal', async () => {
    const daemon = await startDaemon();
    daemon.onCall = (call, socket) => reply(socket, call.id, { ok: true, output: { ...STATUS, uptimeSeconds: -1 } });
    const client = connect(daemon);
    await waitForState(client, 'connected');

    const error = await rejection(client.call('status.get', {}));

    expect(error.code).toBe('internal');
    expect(error.issues?.join('\n')).toContain('uptimeSeconds');
  });

  it('fails without retrying when the hello answers 401, and never opens a socket', async () => {
    const daemon = await startDaemon();
    daemon.helloStatus = 401;
    const client = connect(daemon, { backoff: { initialMs: 20, maxMs: 20 } });

    const failed = await waitForState(client, 'failed');

    expect(failed.reason).toMatch(/refused the access token/);
    expect(failed.reason).toMatch(/link/);
    await sleep(150);
    expect(client.connection.status).toBe('failed');
    expect(daemon.helloAuthorizations).toHaveLength(1);
    expect(daemon.offeredProtocols).toHaveLength(0);
  });

  it('fails as forbidden when the hello answers 403', async () => {
    const daemon = await startDaemon();
    daemon.helloStatus = 403;
    const client = connect(daemon);

    const failed = await waitForState(client, 'failed');

    expect(failed.reason).toMatch(/forbidden/);
    expect(failed.reason).toContain('foreign origin');
  });

  it('fails when the daemon speaks another protocol version', async () => {
    const daemon = await startDaemon();
    daemon.helloBody = { ...WELCOME, protocol: PROTOCOL_VERSION + 1 };
    const client = connect(daemon);

    const failed = await waitForState(client, 'failed');

    expect(failed.reason).toContain(`protocol ${PROTOCOL_VERSION + 1}`);
    expect(daemon.offeredProtocols).toHaveLength(0);
  });

  it('fails when the socket answers the hello frame with protocol_mismatch', async () => {
    const daemon = await startDaemon();
    daemon.onHello = (socket) =>
      send(socket, { type: 'error', error: { code: 'protocol_mismatch', message: 'Expected protocol 2.' } });
    const client = connect(daemon);

    const failed = await waitForState(client, 'failed');

    expect(failed.reason).toContain('Expected protocol 2.');
    await waitUntil(() => daemon.socket.readyState === WebSocket.CLOSED);
  });

  it('reports a daemon that cannot be reached as disconnected and retries', async () => {
    // A port that was just free: connecting to it is refused.
    const daemon = await FakeDaemon.start();
    const baseUrl = daemon.baseUrl;
    await daemon.stop();
    const client = connect({ baseUrl }, { backoff: { initialMs: 40, maxMs: 80 } });
    const states = recordStates(client);

    const disconnected = await waitForState(client, 'disconnected');

    expect(disconnected.reason).toMatch(/Cannot reach the daemon/);
    expect(disconnected.retryInMs).toBe(40);
    await waitUntil(() => states.filter((state) => state.status === 'disconnected').length >= 3);
    const waits = states.flatMap((state) => (state.status === 'disconnected' ? [state.retryInMs] : []));
    expect(waits.slice(0, 3)).toEqual([40, 80, 80]);
  });

  it('rejects pending calls when the socket drops, then reconnects with a new hello', async () => {
    const daemon = await startDaemon();
    const client = connect(daemon);
    await waitForState(client, 'connected');
    const states = recordStates(client);
    daemon.onCall = (_call, socket) => socket.terminate();

    const error = await rejection(client.call('status.get', {}));

    expect(error.code).toBe('not_connected');
    const disconnected = await waitForState(client, 'disconnected');
    expect(disconnected.retryInMs).toBe(500);
    daemon.onCall = (call, socket) => reply(socket, call.id, { ok: true, output: STATUS });
    await waitForState(client, 'connected');
    expect(states.map((state) => state.status)).toEqual(['connected', 'disconnected', 'connecting', 'connected']);
    expect(daemon.helloAuthorizations).toHaveLength(2);
    expect(daemon.sockets).toHaveLength(2);
    await expect(client.call('status.get', {})).resolves.toEqual(STATUS);
  });

  it('delivers valid events and drops bad payloads, unknown events and bad frames', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const daemon = await startDaemon();
    const client = connect(daemon);
    const events: HostEvent[] = [];
    client.onEvent((event) => events.push(event));
    await waitForState(client, 'connected');
    const line = { id: 3, time: STATUS.startedAt, level: 'warn', source: 'engine', message: 'hot', fields: { c: 81 } };

    send(daemon.socket, { type: 'event', event: 'status', payload: { ...STATUS, role: 'pirate' } });
    send(daemon.socket, { type: 'event', event: 'gossip', payload: {} });
    send(daemon.socket, 'this is not json');
    send(daemon.socket, { type: 'surprise' });
    send(daemon.socket, { type: 'event', event: 'log', payload: line });
    // Frames arrive in order, so once the good one is here the bad ones were all handled.
    await waitUntil(() => events.length > 0);

    expect(events).toEqual([{ event: 'log', payload: line }]);
    expect(warn).toHaveBeenCalledTimes(4);
    expect(client.connection.status).toBe('connected');
  });

  it('rejects calls made while not connected with not_connected', async () => {
    const daemon = await startDaemon();
    const client = connect(daemon);

    const error = await rejection(client.call('status.get', {}));

    expect(error.code).toBe('not_connected');
    expect(daemon.received.filter((message) => message.type === 'call')).toHaveLength(0);
  });

  it('times out a call that gets no reply', async () => {
    const daemon = await startDaemon();
    daemon.onCall = () => undefined;
    const client = connect(daemon, { callTimeoutMs: 100 });
    await waitForState(client, 'connected');

    const error = await rejection(client.call('status.get', {}));

    expect(error.code).toBe('timeout');
    expect(client.connection.status).toBe('connected');
  });

  it('gives a slow command (gpu.report) its own, longer time limit', async () => {
    const daemon = await startDaemon();
    // Answers only after the ordinary limit has passed.
    daemon.onCall = (call, socket) => {
      setTimeout(
        () => reply(socket, call.id, { ok: false, error: { code: 'internal', message: 'probed slowly' } }),
        250,
      );
    };
    const client = connect(daemon, { callTimeoutMs: 100, slowCallTimeoutMs: 5_000 });
    await waitForState(client, 'connected');

    const slow = await rejection(client.call('gpu.report', { refresh: true }));
    const ordinary = await rejection(client.call('status.get', {}));

    expect(slow.code).toBe('internal');
    expect(slow.message).toBe('probed slowly');
    expect(ordinary.code).toBe('timeout');
  });

  it('still times out a slow command that never answers', async () => {
    const daemon = await startDaemon();
    daemon.onCall = () => undefined;
    const client = connect(daemon, { callTimeoutMs: 5_000, slowCallTimeoutMs: 100 });
    await waitForState(client, 'connected');

    const error = await rejection(client.call('gpu.report', {}));

    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/gpu\.report/);
  });

  it('close() rejects pending calls, closes the socket and stops reconnecting', async () => {
    const daemon = await startDaemon();
    daemon.onCall = () => undefined;
    const client = connect(daemon, { backoff: { initialMs: 20, maxMs: 20 } });
    await waitForState(client, 'connected');
    const pending = rejection(client.call('status.get', {}));
    await waitUntil(() => daemon.received.some((message) => message.type === 'call'));

    client.close();

    expect((await pending).code).toBe('not_connected');
    expect(client.connection.status).toBe('failed');
    await waitUntil(() => daemon.socket.readyState === WebSocket.CLOSED);
    await sleep(100);
    expect(daemon.helloAuthorizations).toHaveLength(1);
  });
});
