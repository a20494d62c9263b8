/**
 * The inference worker under Electron: a `utilityProcess` (a Node process that Electron owns and
 * ends with the app) behind the same `SpawnWorker` interface as the daemon's forked child. This
 * module does not import 'electron': electron.ts passes `utilityProcess.fork` in, so the adapter
 * can be tested without Electron, against anything of UtilityProcess's shape.
 */
import type { SpawnWorker, WorkerProcess } from '../inference/worker/worker-client.js';

/** What this adapter uses of Electron's UtilityProcess. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  /** Electron reports only an exit code (a kill shows as a non-zero code, never a signal name). */
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface UtilityForkOptions {
  env?: NodeJS.ProcessEnv;
  serviceName?: string;
  stdio?: 'inherit' | 'pipe' | 'ignore';
}

/** `utilityProcess.fork`'s signature, as far as it is used here. */
export type UtilityFork = (modulePath: string, args: string[], options: UtilityForkOptions) => UtilityProcessLike;

export function utilityProcessWorker(
  fork: UtilityFork,
  entry: string,
  options: { env?: Record<string, string>; serviceName?: string } = {},
): SpawnWorker {
  return (): WorkerProcess => {
    const child = fork(entry, [], {
      env: { ...process.env, ...options.env },
      serviceName: options.serviceName ?? 'BittAudio inference worker',
      stdio: 'inherit',
    });
    let exited = false;
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    child.on('exit', (code) => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener(code, null);
    });
    return {
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void exitListeners.push(listener),
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
