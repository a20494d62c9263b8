/**
 * The Host API through the Electron preload bridge (`window.bittaudio`). The bridge is trusted
 * less than it looks: what crosses IPC is parsed here exactly as what crosses the WebSocket.
 */
import type { ConnectionState, ElectronBridge, HostClient } from '../../src-shared/api/client.js';
import { PROTOCOL_VERSION } from '../../src-shared/api/contract.js';
import type { CommandInput, CommandName, CommandOutput, HostEvent } from '../../src-shared/api/contract.js';
import { CallResultSchema, WelcomeSchema } from '../../src-shared/api/envelope.js';
import { HostApiError, describeIssues } from '../../src-shared/api/errors.js';
import { parseCommandOutput, parseHostEvent } from '../../src-shared/api/validate.js';
import { ListenerSet } from './listener-set.js';
import { mediaPathSegments } from './websocket-client.js';

export class ElectronHostClient implements HostClient {
  readonly transport = 'electron' as const;

  readonly #bridge: ElectronBridge;
  readonly #connectionListeners = new ListenerSet<ConnectionState>();
  readonly #eventListeners = new ListenerSet<HostEvent>();
  readonly #unsubscribeBridge: () => void;
  #state: ConnectionState = { status: 'connecting' };
  #closed = false;

  constructor(bridge: ElectronBridge) {
    this.#bridge = bridge;
    this.#unsubscribeBridge = bridge.onEvent((event, payload) => this.#onBridgeEvent(event, payload));
    void this.#hello();
  }

  get connection(): ConnectionState {
    return this.#state;
  }

  /** Served by the app:// handler of the main process, which only the app's own pages can reach. */
  mediaUrl(path: string): string {
    return `app://bittaudio/media/${mediaPathSegments(path)}`;
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    return this.#connectionListeners.add(listener);
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    return this.#eventListeners.add(listener);
  }

  async call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
    if (this.#state.status !== 'connected') {
      throw new HostApiError('not_connected', `The desktop app's engine is not ready; ${command} was not sent.`);
    }
    const invoke: unknown = this.#bridge.commands[command];
    if (typeof invoke !== 'function') {
      throw new HostApiError('unknown_command', `The desktop app does not offer ${command}.`);
    }
    let raw: unknown;
    try {
      raw = await (invoke as (input: CommandInput<C>) => Promise<unknown>)(input);
    } catch (error) {
      // ipcRenderer.invoke rejects only when the main process itself broke, not for API errors.
      throw new HostApiError('internal', `The desktop app failed to run ${command}: ${String(error)}`);
    }
    const result = CallResultSchema.safeParse(raw);
    if (!result.success) {
      throw new HostApiError('internal', `The reply to ${command} is not a call result`, describeIssues(result.error));
    }
    if (!result.data.ok) throw HostApiError.from(result.data.error);
    return parseCommandOutput(command, result.data.output);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribeBridge();
    this.#setState({ status: 'failed', reason: 'The connection was closed.' });
    this.#connectionListeners.clear();
    this.#eventListeners.clear();
  }

  async #hello(): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.#bridge.hello();
    } catch (error) {
      this.#setState({ status: 'failed', reason: `The desktop app's engine did not answer: ${String(error)}` });
      return;
    }
    if (this.#closed) return;
    // The bridge answers hello with a CallResult, like every command.
    const result = CallResultSchema.safeParse(raw);
    if (result.success && !result.data.ok) {
      this.#setState({ status: 'failed', reason: result.data.error.message });
      return;
    }
    const parsed = WelcomeSchema.safeParse(result.success && result.data.ok ? result.data.output : undefined);
    if (!parsed.success) {
      this.#setState({ status: 'failed', reason: "The desktop app's engine answered the hello in an unknown form." });
      return;
    }
    const welcome = parsed.data;
    if (welcome.protocol !== PROTOCOL_VERSION || this.#bridge.protocol !== PROTOCOL_VERSION) {
      const engine = welcome.protocol !== PROTOCOL_VERSION ? welcome.protocol : this.#bridge.protocol;
      this.#setState({
        status: 'failed',
        reason: `This window speaks Host API protocol ${PROTOCOL_VERSION} but the engine speaks protocol ${engine}. Reinstall or update the app.`,
      });
      return;
    }
    this.#setState({ status: 'connected', welcome });
  }

  #onBridgeEvent(name: string, payload: unknown): void {
    if (this.#closed) return;
    let event: HostEvent;
    try {
      event = parseHostEvent(name, payload);
    } catch (error) {
      console.warn('Dropped an event from the engine', error instanceof HostApiError ? error.toJSON() : error);
      return;
    }
    this.#eventListeners.emit(event);
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#connectionListeners.emit(state);
  }
}
