/**
 * `bittaudio devnet` as a user runs it: the real local network on a fast block timer, the tiny
 * model in this process; it runs until the test "presses Ctrl+C" once an epoch has shown incentive.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../neuron/local-network.js';
import { registerDevnetCommand, type DevnetCliIo } from './devnet.js';

function terminal(stopWhen: (lines: string[]) => boolean): {
  io: DevnetCliIo;
  lines: string[];
  networks: LocalNetwork[];
} {
  const lines: string[] = [];
  const networks: LocalNetwork[] = [];
  let check: () => void = () => undefined;
  const io: DevnetCliIo = {
    out: (text) => {
      lines.push(text);
      check();
    },
    err: () => undefined,
    untilStopped: (network) => {
      networks.push(network);
      return new Promise((resolve) => {
        check = () => {
          if (stopWhen(lines)) resolve('the test is done');
        };
        check();
      });
    },
    workerEntry: null,
  };
  return { io, lines, networks };
}

async function run(args: string[], io: DevnetCliIo): Promise<unknown> {
  const program = new Command('bittaudio').exitOverride().configureOutput({ writeErr: () => undefined });
  registerDevnetCommand(program, io);
  return program.parseAsync(['node', 'bittaudio', 'devnet', ...args]).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('bittaudio devnet', () => {
  it(
    'runs the local network until stopped, printing who is who and incentive per epoch',
    { timeout: 120_000 },
    async () => {
      const { io, lines, networks } = terminal((out) => out.some((line) => /incentive uid \d/.test(line)));
      expect(await run(['--block-time', '100', '--miners', '1'], io)).toBeUndefined();
      expect(lines[0]).toBe('Local network on subnet 50, a block every 100 ms (Ctrl+C stops it).');
      expect(lines.join('\n')).toMatch(
        /validator {2}uid 0 {2}\w+\n {2}your miner uid 1 {2}\w+ \(registered, not served\)\n {2}miner {6}uid 2 {2}\w+ {2}axon 127\.0\.0\.\d:\d+/,
      );
      const epoch = lines.find((line) => /incentive uid 2 1\.00/.test(line));
      expect(epoch).toMatch(
        /^block \d+ {2}epoch \d+ {2}incentive uid 2 1\.00 {2}emitted [\d.]+ α {2}test validator \d+\/\d+ answered, weights at block \d+$/,
      );
      expect(lines.at(-1)).toBe('Stopping: the test is done');
      expect(networks[0]?.chain.producingBlocks).toBe(false);
    },
  );

  it('refuses flags it cannot run with, with the reason', async () => {
    const { io } = terminal(() => true);
    expect(String(await run(['--miners', '12'], io))).toMatch(/a whole number from 0 to 8/);
    expect(String(await run(['--block-time', '10'], io))).toMatch(/a whole number from 50 to 60000/);
  });

  it('documents its flags', async () => {
    const program = new Command('bittaudio');
    registerDevnetCommand(program, terminal(() => true).io);
    const help = program.commands.find((c) => c.name() === 'devnet')?.helpInformation() ?? '';
    expect(help).toMatch(/--block-time <ms>\s+milliseconds per block \(default: 1000\)/);
    expect(help).toMatch(/--miners <count>\s+local miners besides yours \(default: 2\)/);
    expect(help).toMatch(/--netuid <netuid>\s+the subnet \(default: 50\)/);
  });
});
