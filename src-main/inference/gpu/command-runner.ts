/**
 * Running an external tool (nvidia-smi, ldconfig) with a time limit, reduced to a result that
 * says what happened instead of throwing. Injected everywhere so that tests can replay captured
 * outputs on a machine without the tool.
 */
import { execFile } from 'node:child_process';

export type CommandResult =
  /** The tool ran and exited; `code` may be non-zero. */
  | { kind: 'exited'; code: number; stdout: string; stderr: string }
  /** The executable does not exist (ENOENT). */
  | { kind: 'not-found' }
  | { kind: 'timeout'; stdout: string; stderr: string }
  /** Killed by a signal that was not our time limit. */
  | { kind: 'signal'; signal: string; stdout: string; stderr: string }
  /** Anything else: permission denied, output too large, … */
  | { kind: 'error'; message: string };

export interface RunOptions {
  timeoutMs?: number;
  /** Added to the parent's environment. */
  env?: Record<string, string>;
}

export type CommandRunner = (file: string, args: readonly string[], options?: RunOptions) => Promise<CommandResult>;

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

interface ExecError extends Error {
  code?: number | string | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

/** The real runner: `execFile` (no shell), killed with SIGKILL at the time limit. */
export const execFileRunner: CommandRunner = (file, args, options = {}) => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<CommandResult>((resolve) => {
    let child: ReturnType<typeof execFile>;
    try {
      child = execFile(
        file,
        [...args],
        {
          encoding: 'utf8',
          timeout: timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: MAX_OUTPUT_BYTES,
          windowsHide: true,
          env: { ...process.env, ...options.env },
        },
        (error, stdout, stderr) => {
          if (!error) return resolve({ kind: 'exited', code: 0, stdout, stderr });
          resolve(classifyExecError(error as ExecError, stdout, stderr));
        },
      );
    } catch (error) {
      // execFile throws synchronously for invalid arguments (e.g. a NUL byte in the path).
      resolve({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    child.stdin?.end();
  });
};

function classifyExecError(error: ExecError, stdout: string, stderr: string): CommandResult {
  if (error.code === 'ENOENT') return { kind: 'not-found' };
  if (typeof error.code === 'number') return { kind: 'exited', code: error.code, stdout, stderr };
  // execFile sets `killed` when it sent the kill signal itself, which it only does at the time limit.
  if (error.killed) return { kind: 'timeout', stdout, stderr };
  if (error.signal) return { kind: 'signal', signal: error.signal, stdout, stderr };
  return { kind: 'error', message: error.message };
}
