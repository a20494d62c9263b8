/**
 * `npm start` as a user runs it on a machine without an Electron binary or display: it starts the
 * daemon, says why there is no window, and never leaves the daemon behind when it is stopped —
 * by a signal to npm, or by the launcher dying outright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from './support/daemon.js';

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function environment(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BITTAUDIO_SKIP_BUILD: '1', BITTAUDIO_DATA_DIR: dataDir };
  // No display: the launcher must choose the daemon even where an Electron binary exists.
  delete env['DISPLAY'];
  delete env['WAYLAND_DISPLAY'];
  return env;
}

/** Runs `command args… --port 0` in the repo and waits for the printed link. */
async function start(command: string, args: string[]): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bittaudio-start-'));
  const child = spawn(command, [...args, '--port', '0'], {
    cwd: repoRoot,
    env: environment(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the test can clean up everything it started whatever happens.
    detached: true,
  });
  cleanups.push(() => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No link within 30 s:\n${output}`)), 30_000);
    child.stdout?.on('data', () => {
      const match = /Open the app: http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return { child, port, output: () => output };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until nothing listens on the port; false if something still does after the patience. */
async function closes(port: number, patienceMs = 20_000): Promise<boolean> {
  const until = Date.now() + patienceMs;
  while (Date.now() < until) {
    if (!(await listening(port))) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('npm start without a desktop window', () => {
  it('starts the daemon and says why there is no window', async () => {
    const { port, output } = await start(process.execPath, ['scripts/start.mjs']);
    expect(output()).toMatch(/^No desktop window: .+\nStarting the BittAudio daemon; open the link below/m);
    expect(await listening(port)).toBe(true);
  });

  it('stops the daemon when npm gets SIGTERM', async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { child, port } = await start(npm, ['start', '--silent', '--']);
    child.kill('SIGTERM');
    expect(await closes(port)).toBe(true);
  });

  it('stops the daemon when the launcher is killed outright (SIGKILL)', async () => {
    const { child, port, output } = await start(process.execPath, ['scripts/start.mjs']);
    child.kill('SIGKILL');
    expect(await closes(port)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(output()).not.toMatch(/Error/);
  });
});
