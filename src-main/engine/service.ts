/**
 * What the engine is made of: services by concern, each owning its slice of the Host API's
 * commands. The engine only composes them (engine.ts); a new concern (wallet, chain, neuron) is a
 * new service and one line there.
 */
import type { CommandName, CommandOutput, ParsedCommandInput } from '../../src-shared/api/contract.js';

export type CommandHandler<C extends CommandName> = (
  input: ParsedCommandInput<C>,
) => CommandOutput<C> | Promise<CommandOutput<C>>;

export type CommandHandlers = { [C in CommandName]: CommandHandler<C> };

/** A slice of the handlers: the commands one service answers. */
export type HandlerSlice<C extends CommandName> = { [K in C]: CommandHandler<K> };

/** What the engine needs to stop a service, whatever commands it answers. */
export interface Lifecycle {
  /** For logs: which service failed to stop, say. */
  readonly name: string;
  /** Releases what it holds (timers, downloads, connections). Called once, in reverse order of start. */
  stop(): void | Promise<void>;
}

export interface Service<C extends CommandName> extends Lifecycle {
  readonly handlers: HandlerSlice<C>;
}
