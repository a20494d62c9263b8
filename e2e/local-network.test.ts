/**
 * The built daemon runs the local network with no configuration: blocks a second apart, the local
 * miners generating in the inference worker process, the test validator's weights turning into
 * incentive at an epoch, and `bittaudio chain metagraph` reading that network through daemon.json.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDaemon, until } from './support/api.js';
import { repoRoot, startBuiltDaemon, type RunningDaemon } from './support/daemon.js';

let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startBuiltDaemon();
});
afterAll(async () => {
  await daemon?.stop();
});

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
        const metagraph = await callDaemon(daemon, 'network.metagraph');
        const served = metagraph.neurons.filter((n) => n.axon.port > 0);
        // The three local miners and "yours", which the daemon starts by itself on a first local run.
        return served.length === 4 && served.every((n) => n.incentive > 0) ? metagraph : undefined;
      });
      const status = await callDaemon(daemon, 'network.status');
      expect(status).toMatchObject({ kind: 'local', state: 'running', blockTimeMs: 1000, localMiners: 3 });
      expect(status.testValidator?.answered).toBeGreaterThan(0);
      expect(status.testValidator?.answered).toBe(status.testValidator?.queries);
      expect(graph.neurons).toHaveLength(5);
      // The miners' MusicGen ran in the worker process, not in the daemon.
      expect(daemon.output()).toMatch(/\[network\.local\.inference\.worker\] MusicGen loaded/);

      const table = await cli(['chain', 'metagraph', '--netuid', '50', '--data-dir', daemon.dataDir]);
      expect(table).toContain('(the network of the daemon running in');
      expect(table).toMatch(/^2 +5\w{47} +[\d.]+ +0\.\d{4} .* 127\.0\.0\.\d:\d+$/m);
    },
  );
});
