import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'main', 'cli.js');

export interface RunningDaemon {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts the built `bittaudio daemon` on a free port, as a user would, and reads its link. */
export async function startBuiltDaemon(
  options: {
    dataDir?: string;
    /** Added to this process's environment (a PATH with test tools first). */ env?: NodeJS.ProcessEnv;
  } = {},
): Promise<RunningDaemon> {
  if (!existsSync(cli) || !existsSync(join(repoRoot, 'dist', 'renderer', 'index.html'))) {
    throw new Error('The app is not built: run `npm run build` before the e2e suite (`npm test` does).');
  }
  // A folder given by the test outlives this daemon (a restart on it); one made here goes with it.
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bittaudio-e2e-'));
  const child = spawn(process.execPath, [cli, 'daemon', '--port', '0', '--data-dir', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`The daemon printed no link in 20 s:\n${output}`)), 20_000);
    const look = (): void => {
      const match = /Open the app: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    };
    child.stdout.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The daemon exited with ${code}:\n${output}`));
    });
  });
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '';
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token,
    dataDir,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
