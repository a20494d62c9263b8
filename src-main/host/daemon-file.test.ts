/**
 * A terminal command finding the daemon of a data folder: the real daemon (with its local network)
 * writes daemon.json, `bittaudio chain metagraph` reads that network through the Host API, and the
 * file goes when the daemon stops. A file left by a dead process is ignored.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { daemonMetagraph, registerChainCommands } from './commands/chain.js';
import { callDaemon, DAEMON_FILE, findDaemon } from './daemon-file.js';
import { startDaemon } from './daemon.js';

const tempDir = useTempDirs();

async function chainCli(args: string[]): Promise<string> {
  let out = '';
  const program = new Command('bittaudio').exitOverride();
  registerChainCommands(program, {
    out: (text) => (out += `${text}\n`),
    open: () => Promise.reject(new Error('no chain should be opened')),
    daemonMetagraph,
  });
  await program.parseAsync(['node', 'bittaudio', 'chain', ...args]);
  return out;
}

describe('daemon.json', () => {
  it(
    'lets `chain metagraph` read the running daemon’s local network, and goes when it stops',
    { timeout: 60_000 },
    async () => {
      const dataDir = tempDir();
      const daemon = await startDaemon({
        dataDir,
        listen: '127.0.0.1',
        port: 0,
        allowHosts: [],
        staticDir: null,
        print: () => undefined,
        printLog: () => undefined,
      });
      try {
        const found = findDaemon(dataDir);
        if (!found) throw new Error('the daemon wrote no daemon.json');
        expect(found).toEqual({
          api: `http://127.0.0.1:${daemon.server.port}`,
          token: daemon.server.token,
          pid: process.pid,
        });
        expect(statSync(join(dataDir, DAEMON_FILE)).mode & 0o777).toBe(0o600);
        // The network starts after the link is printed; wait until it runs.
        while ((await callDaemon(found, 'network.status', {})).state !== 'running') {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const out = await chainCli(['metagraph', '--netuid', '50', '--data-dir', dataDir]);
        expect(out).toContain(`(the network of the daemon running in ${dataDir}, pid ${process.pid})`);
        expect(out).toMatch(/Subnet 50 at block \d+ \(tempo 10\): 5 uids/);
        expect(out).toMatch(/^2 +5\w{47} .* 127\.0\.0\.\d:\d+$/m);
        await expect(chainCli(['metagraph', '--netuid', '7', '--data-dir', dataDir])).rejects.toThrow(
          /runs subnet 50, not 7: pass --netuid 50, or --no-daemon/,
        );
        // The daemon's refusal keeps its error code over HTTP.
        await daemon.engine.network.stop();
        const refused = await callDaemon(found, 'network.metagraph', {}).catch((e: unknown) => e);
        expect(refused).toMatchObject({
          name: 'HostApiError',
          code: 'unavailable',
          message: 'The network is stopped.',
        });
      } finally {
        await daemon.stop();
      }
      expect(existsSync(join(dataDir, DAEMON_FILE))).toBe(false);
      expect(findDaemon(dataDir)).toBeNull();
    },
  );

  it('ignores a file left by a process that is gone, and a damaged one', () => {
    const dataDir = tempDir();
    const file = join(dataDir, DAEMON_FILE);
    writeFileSync(file, JSON.stringify({ api: 'http://127.0.0.1:1', token: 'x'.repeat(43), pid: 2 ** 22 + 12345 }));
    expect(findDaemon(dataDir)).toBeNull();
    writeFileSync(file, '{"api": 1');
    expect(findDaemon(dataDir)).toBeNull();
  });
});
