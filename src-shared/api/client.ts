/**
 * The one interface the renderer talks to. Two transports implement it (the Electron preload
 * bridge and a WebSocket to the daemon); pages and stores never know which one they have.
 */
import type { CommandInput, CommandName, CommandOutput, HostEvent } from './contract.js';
import type { Welcome } from './envelope.js';

export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'connected'; welcome: Welcome }
  /** Lost, will retry; `retryInMs` is the wait before the next try. */
  | { status: 'disconnected'; reason: string; retryInMs: number }
  /** Will not retry without the user: wrong token, incompatible protocol. */
  | { status: 'failed'; reason: string };

export interface HostClient {
  readonly transport: 'electron' | 'websocket';
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>>;
  /** Returns a function that unsubscribes. */
  onEvent(listener: (event: HostEvent) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  readonly connection: ConnectionState;
  /**
   * A URL an `<audio>` element (or fetch) can load for a media path from the API (e.g. a stored
   * generation's `generations/12.wav`): the daemon's `/media/…` route with the session token in the
   * query, or `app://…/media/…` in Electron. An element cannot send a bearer header, hence this.
   */
  mediaUrl(path: string): string;
  close(): void;
}

/** The narrow API that the Electron preload exposes on `window.bittaudio`. */
export interface ElectronBridge {
  readonly protocol: number;
  /** Resolves to a CallResult whose output is a Welcome. */
  hello(): Promise<unknown>;
  /** One function per command of the contract, generated from the table; each resolves to a CallResult. */
  readonly commands: { readonly [C in CommandName]: (input: CommandInput<C>) => Promise<unknown> };
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}
