/**
 * How a terminal command finds the daemon of a data folder: the daemon writes `daemon.json` (its
 * API address, this launch's token and its pid) into the data folder, readable by this user only,
 * and removes it when it stops. A command (`bittaudio chain metagraph`) then calls the Host API
 * over HTTP with that token, the same way a script would. A file left by a daemon that died is
 * recognised by its pid and ignored.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { commands, type CommandInput, type CommandName, type CommandOutput } from '../../src-shared/api/contract.js';
import { ErrorCodeSchema, HostApiError } from '../../src-shared/api/errors.js';

export const DAEMON_FILE = 'daemon.json';

const DaemonFileSchema = z.strictObject({
  /** Base address of the API, e.g. http://127.0.0.1:7850 (no token). */
  api: z.url(),
  token: z.string().min(16),
  pid: z.number().int().positive(),
});
export type DaemonFile = z.infer<typeof DaemonFileSchema>;

/**
 * Written synchronously, temp file then rename: the daemon's start must not yield here (a signal
 * or the launcher's end arriving meanwhile would find no handler yet), and a reader never sees
 * half a file. Readable by this user only: it holds the token.
 */
export function writeDaemonFile(dataDir: string, info: DaemonFile): void {
  const file = join(dataDir, DAEMON_FILE);
  const temp = join(dataDir, `.${DAEMON_FILE}.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** Removes the file if it is still this process's (a newer daemon may have replaced it). */
export function removeDaemonFile(dataDir: string, pid = process.pid): void {
  const current = readFile(dataDir);
  if (current?.pid === pid) rmSync(join(dataDir, DAEMON_FILE), { force: true });
}

/** The running daemon of a data folder, or null when none runs there. */
export function findDaemon(dataDir: string): DaemonFile | null {
  const info = readFile(dataDir);
  return info && processAlive(info.pid) ? info : null;
}

/** One Host API command over HTTP, its output checked against the contract. */
export async function callDaemon<C extends CommandName>(
  daemon: DaemonFile,
  command: C,
  input: CommandInput<C>,
): Promise<CommandOutput<C>> {
  let response: Response;
  try {
    response = await fetch(new URL(`/api/v1/commands/${command}`, daemon.api), {
      method: 'POST',
      headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
  } catch (error) {
    throw new HostApiError(
      'unavailable',
      `The daemon at ${daemon.api} (pid ${daemon.pid}) did not answer: ${String(error)}`,
    );
  }
  const body = (await response.json().catch(() => null)) as
    { ok: true; output: unknown } | { ok: false; error: { code?: string; message?: string } } | null;
  if (!body || typeof body !== 'object') {
    throw new HostApiError('internal', `The daemon at ${daemon.api} answered ${response.status} without a result.`);
  }
  if (!body.ok) {
    const code = ErrorCodeSchema.safeParse(body.error?.code);
    throw new HostApiError(
      code.success ? code.data : 'internal',
      body.error?.message ?? `The daemon refused ${command} (${response.status}).`,
    );
  }
  return commands[command].output.parse(body.output) as CommandOutput<C>;
}

function readFile(dataDir: string): DaemonFile | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, DAEMON_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = DaemonFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's; not our daemon's file then, yet it exists.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
