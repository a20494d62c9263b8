/** The daemon's Host API over HTTP, as a script or another tool would call it, for e2e tests. */
import type { CommandInput, CommandName, CommandOutput } from '../../src-shared/api/contract.js';
import type { RunningDaemon } from './daemon.js';

export async function callDaemon<C extends CommandName>(
  daemon: Pick<RunningDaemon, 'origin' | 'token'>,
  command: C,
  input: CommandInput<C> | Record<string, never> = {},
): Promise<CommandOutput<C>> {
  const response = await fetch(`${daemon.origin}/api/v1/commands/${command}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; output: CommandOutput<C>; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message ?? `${command} failed`);
  return body.output;
}

/** Polls `check` until it gives a value; a throw counts as "not yet" (the test's timeout bounds it). */
export async function until<T>(check: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
