/**
 * kill -9 of a daemon process that runs the miner, then a new daemon on the same data folder: the
 * history is intact (SQLite + WAV) and the miner starts again by itself and serves its axon.
 *
 * The daemon runs as its own process (src-main/host/testing/devnet-daemon.ts, bundled here with
 * esbuild as the build bundles the CLI) on an in-process devnet, since the network service that
 * gives the real daemon its local network is not part of this build yet. Each daemon process has
 * its own fresh devnet (the same development keys), so "served again" means served on that one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName, CommandOutput } from '../../src-shared/api/contract.js';
import { commandPath } from '../../src-shared/api/envelope.js';
import { musicGeneration } from '../../src-shared/synapse/music-generation.js';
import { devParticipant, devnetKeyring } from '../devnet/index.js';
import { Dendrite } from '../net/dendrite.js';
import { useTempDirs } from '../testing/temp-dir.js';

const root = join(import.meta.dirname, '..', '..');
const TINY = join(root, 'models', 'tiny', 'musicgen');
// Inside the repo, so the bundles' bare imports resolve to node_modules.
const outDir = join(root, '.tmp', `daemon-restart-test-${process.pid}`);
const daemonEntry = join(outDir, 'devnet-daemon.mjs');
const workerEntry = join(outDir, 'inference-worker.mjs');
const tempDir = useTempDirs();
const children: ChildProcess[] = [];

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  const common = { bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'src-main', 'host', 'testing', 'devnet-daemon.ts')],
      outfile: daemonEntry,
    }),
    build({
      ...common,
      entryPoints: [join(root, 'src-main', 'inference', 'worker', 'worker-main.ts')],
      outfile: workerEntry,
    }),
  ]);
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Daemon {
  child: ChildProcess;
  port: number;
  token: string;
  call<C extends CommandName>(command: C, input?: unknown): Promise<CommandOutput<C>>;
}

async function startDaemon(dataDir: string): Promise<Daemon> {
  const child = spawn(process.execPath, [daemonEntry, dataDir, TINY, workerEntry], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open the app: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the daemon exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '';
  const port = Number(parsed.port);
  return {
    child,
    port,
    token,
    call: async (command, input = {}) => {
      const response = await fetch(`http://127.0.0.1:${port}${commandPath(command)}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as { ok: boolean; output?: unknown; error?: { message: string } };
      if (!body.ok) throw new Error(`${command}: ${body.error?.message ?? 'failed'}`);
      return body.output as CommandOutput<typeof command>;
    },
  };
}

async function until<T>(check: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A request from the devnet's validator (//Alice//hotkey, the same in every daemon's devnet). */
async function ask(status: CommandOutput<'neuron.status'>, prompt: string): Promise<number> {
  if (!status.axon || !status.hotkey) throw new Error('the miner does not serve');
  const alice = devParticipant(await devnetKeyring(), 'Alice');
  const answer = await new Dendrite({ hotkey: alice.hotkey }).call(
    { hotkey: status.hotkey, ip: status.axon.externalIp, port: status.axon.port },
    musicGeneration({ text_input: prompt, duration: 28 }),
    { timeoutSeconds: 60 },
  );
  return answer.dendrite.status_code ?? 0;
}

describe('the daemon after kill -9', () => {
  it(
    'keeps its history and serves the miner again on restart with the same data folder',
    { timeout: 180_000 },
    async () => {
      const dataDir = tempDir();
      const first = await startDaemon(dataDir);
      const running = await first.call('neuron.start');
      expect(running).toMatchObject({ state: 'running', worker: { state: 'ready' } });
      expect(await ask(running, 'before the crash')).toBe(200);
      const before = await until(async () => {
        const list = await first.call('generations.list', {});
        return list.total === 1 ? list : undefined;
      });

      const exited = new Promise((resolve) => first.child.once('exit', (_code, signal) => resolve(signal)));
      first.child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const second = await startDaemon(dataDir);
      const again = await until(async () => {
        const status = await second.call('neuron.status');
        return status.state === 'running' ? status : undefined;
      });
      expect(again).toMatchObject({ hotkey: running.hotkey, uid: running.uid, axon: { servedOnChain: true } });
      expect((await second.call('generations.list', {})).items).toEqual(before.items);
      const clip = await fetch(
        `http://127.0.0.1:${second.port}/media/${before.items[0]?.mediaPath ?? ''}?token=${second.token}`,
      );
      expect(clip.status).toBe(200);
      expect(clip.headers.get('content-type')).toBe('audio/wav');
      expect(await ask(again, 'after the crash')).toBe(200);
      const after = await until(async () => {
        const list = await second.call('generations.list', {});
        return list.total === 2 ? list : undefined;
      });
      expect(after.items.map((i) => i.prompt)).toEqual(['after the crash', 'before the crash']);
    },
  );
});
