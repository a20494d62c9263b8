/**
 * The built daemon runs the local network with no configuration: blocks a second apart, the local
 * miners generating in the inference worker process, the test validator's weights turning into
 * incentive at an epoch, and `bittaudio chain metagraph` reading that network through daemon.json.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName, CommandOutput } from '../src-shared/api/contract.js';
import { repoRoot, startBuiltDaemon, type RunningDaemon } from './support/daemon.js';

let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startBuiltDaemon();
});
afterAll(async () => {
  await daemon?.stop();
});

async function call<C extends CommandName>(command: C): Promise<CommandOutput<C>> {
  const response = await fetch(`${daemon.origin}/api/v1/commands/${command}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  const body = (await response.json()) as { ok: boolean; output: CommandOutput<C>; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message ?? `${command} failed`);
  return body.output;
}

/** Polls `check` every half second until it gives a value (the test's own timeout bounds it). */
async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'main', 'cli.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exited with ${code}:\n${out}`))));
  });
}

describe('the local network of the built daemon', () => {
  it(
    'gives the local miners incentive within a minute, from answers the worker process generated',
    { timeout: 90_000 },
    async () => {
      const graph = await until(async () => {
        const metagraph = await call('network.metagraph');
        const served = metagraph.neurons.filter((n) => n.axon.port > 0);
        return served.length === 2 && served.every((n) => n.incentive > 0) ? metagraph : undefined;
      });
      const status = await call('network.status');
      expect(status).toMatchObject({ kind: 'local', state: 'running', blockTimeMs: 1000, localMiners: 2 });
      expect(status.testValidator?.answered).toBeGreaterThan(0);
      expect(status.testValidator?.answered).toBe(status.testValidator?.queries);
      expect(graph.neurons).toHaveLength(4);
      // The miners' MusicGen ran in the worker process, not in the daemon.
      expect(daemon.output()).toMatch(/\[network\.local\.inference\.worker\] MusicGen loaded/);

      const table = await cli(['chain', 'metagraph', '--netuid', '50', '--data-dir', daemon.dataDir]);
      expect(table).toContain('(the network of the daemon running in');
      expect(table).toMatch(/^2 +5\w{47} +[\d.]+ +0\.\d{4} .* 127\.0\.0\.\d:\d+$/m);
    },
  );
});
