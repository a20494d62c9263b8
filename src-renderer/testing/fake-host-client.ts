/** A HostClient whose replies and events a test controls: the renderer's stand-in for an engine. */
import type { ConnectionState, HostClient } from '../../src-shared/api/client.js';
import type { CommandInput, CommandName, CommandOutput, HostEvent } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';

export type Handler<C extends CommandName> = (input: CommandInput<C>) => Promise<CommandOutput<C>>;
export type Handlers = { [C in CommandName]?: Handler<C> };

export const WELCOME = {
  protocol: 1,
  version: '1.0.0',
  commands: [],
  events: [],
  capabilities: { extensionSigning: true, tray: false, fileDialogs: false },
};

export class FakeHostClient implements HostClient {
  readonly transport = 'websocket' as const;
  connection: ConnectionState = { status: 'connecting' };
  readonly calls: { command: CommandName; input: unknown }[] = [];
  readonly #connectionListeners = new Set<(state: ConnectionState) => void>();
  readonly #eventListeners = new Set<(event: HostEvent) => void>();

  /** Commands without a handler fail as an engine that lacks them would: `unknown_command`. */
  constructor(public handlers: Handlers = {}) {}

  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
    this.calls.push({ command, input });
    const handler = this.handlers[command] as Handler<C> | undefined;
    return handler ? handler(input) : Promise.reject(new HostApiError('unknown_command', command));
  }
  onEvent(listener: (event: HostEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }
  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.#connectionListeners.add(listener);
    return () => this.#connectionListeners.delete(listener);
  }
  mediaUrl(path: string): string {
    return `http://127.0.0.1:1/media/${path}?token=t`;
  }
  close(): void {}

  setConnection(state: ConnectionState): void {
    this.connection = state;
    for (const listener of this.#connectionListeners) listener(state);
  }
  emit(event: HostEvent): void {
    for (const listener of this.#eventListeners) listener(event);
  }
  /** The inputs of every call of one command, in order. */
  inputsOf(command: CommandName): unknown[] {
    return this.calls.filter((call) => call.command === command).map((call) => call.input);
  }
}

export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((done, fail) => {
    resolve = done;
    reject = fail;
  });
  return { promise, resolve, reject };
}

export const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
