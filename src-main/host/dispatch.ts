/**
 * The one place that runs a command for any transport (IPC, WebSocket, HTTP): look it up in the
 * contract, parse its input, run the handler, check its output. It never throws; every failure
 * becomes a CallResult with a code and a readable message.
 */
import { commands, isCommandName, type CommandName } from '../../src-shared/api/contract.js';
import { HostApiError, describeIssues } from '../../src-shared/api/errors.js';
import type { CallResult } from '../../src-shared/api/envelope.js';
import type { CommandHandlers } from '../engine/engine.js';
import type { Logger } from '../log/logger.js';

export async function dispatch(
  handlers: CommandHandlers,
  command: string,
  rawInput: unknown,
  log: Logger,
): Promise<CallResult> {
  if (!isCommandName(command)) {
    return failure(new HostApiError('unknown_command', `Unknown command "${truncate(command)}"`));
  }
  const input = commands[command].input.safeParse(rawInput ?? {});
  if (!input.success) {
    return failure(new HostApiError('invalid_input', `Invalid input for ${command}`, describeIssues(input.error)));
  }
  try {
    const handler = handlers[command] as (input: unknown) => unknown;
    const output = await handler(input.data);
    const checked = commands[command as CommandName].output.safeParse(output);
    if (!checked.success) {
      log.error(`The handler of ${command} returned output that breaks the contract`, {
        issues: describeIssues(checked.error),
      });
      return failure(new HostApiError('internal', `${command} failed inside the engine`));
    }
    return { ok: true, output: checked.data };
  } catch (error) {
    if (error instanceof HostApiError) return failure(error);
    const message = error instanceof Error ? error.message : String(error);
    log.error(`${command} failed`, { error: message });
    return failure(new HostApiError('internal', `${command} failed: ${message}`));
  }
}

function failure(error: HostApiError): CallResult {
  return { ok: false, error: error.toJSON() };
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
