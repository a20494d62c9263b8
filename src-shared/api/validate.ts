/** Receiving-side checks shared by every transport. */
import { commands, events, isCommandName, isEventName } from './contract.js';
import type { CommandName, CommandOutput, HostEvent } from './contract.js';
import { HostApiError, describeIssues } from './errors.js';

/** Parses what a command returned; a mismatch means the two sides disagree on the contract. */
export function parseCommandOutput<C extends CommandName>(command: C, output: unknown): CommandOutput<C> {
  const parsed = commands[command].output.safeParse(output);
  if (!parsed.success) {
    throw new HostApiError(
      'internal',
      `The reply to ${command} does not match the contract`,
      describeIssues(parsed.error),
    );
  }
  return parsed.data as CommandOutput<C>;
}

/** Parses one event; unknown names and bad payloads are errors, never passed on. */
export function parseHostEvent(event: string, payload: unknown): HostEvent {
  if (!isEventName(event)) throw new HostApiError('bad_request', `Unknown event "${event}"`);
  const parsed = events[event].safeParse(payload);
  if (!parsed.success) {
    throw new HostApiError(
      'bad_request',
      `The payload of event ${event} does not match the contract`,
      describeIssues(parsed.error),
    );
  }
  return { event, payload: parsed.data } as HostEvent;
}

export { isCommandName };
