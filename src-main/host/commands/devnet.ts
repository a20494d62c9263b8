/**
 * `bittaudio devnet`: the built-in local network in the foreground, until Ctrl+C. The same
 * network the daemon runs with no configuration (neuron/local-network.ts): a devnet chain with
 * blocks on a timer, local miners on loopback axons with the tiny model, and the test validator.
 * It prints who is who at the start and one line per epoch: the block, each uid's incentive, and
 * how the test validator's queries went.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { COMMAND_GROUPS } from '../../command-groups.js';
import type { DevnetEvent, EpochRecord } from '../../devnet/index.js';
import { formatTao } from '../../chain/units.js';
import { InferenceWorker, forkWorker } from '../../inference/worker/worker-client.js';
import { LogRoot, formatLogLine } from '../../log/logger.js';
import {
  DEFAULT_BLOCK_TIME_MS,
  DEFAULT_LOCAL_MINERS,
  DEFAULT_LOCAL_NETUID,
  LocalNetwork,
  MAX_LOCAL_MINERS,
  findTinyModel,
} from '../../neuron/local-network.js';
import { parseNetuid } from './chain.js';

export interface DevnetCliIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the network should stop (a signal); tests resolve it themselves. */
  untilStopped(network: LocalNetwork): Promise<string>;
  /** The worker entry beside the built CLI; null runs the tiny model in this process. */
  workerEntry: string | null;
}

export function terminalDevnetIo(): DevnetCliIo {
  const worker = fileURLToPath(new URL('./inference-worker.js', import.meta.url));
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(text),
    untilStopped: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve('received SIGINT'));
        process.once('SIGTERM', () => resolve('received SIGTERM'));
      }),
    workerEntry: existsSync(worker) ? worker : null,
  };
}

interface DevnetFlags {
  blockTime: number;
  miners: number;
  netuid: number;
  'logging.debug'?: boolean;
}

function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

export function registerDevnetCommand(program: Command, io: DevnetCliIo = terminalDevnetIo()): void {
  program
    .command('devnet')
    .description(COMMAND_GROUPS.devnet)
    .addOption(
      new Option('--block-time <ms>', 'milliseconds per block')
        .argParser(wholeNumber(50, 60_000))
        .default(DEFAULT_BLOCK_TIME_MS),
    )
    .addOption(
      new Option('--miners <count>', 'local miners besides yours')
        .argParser(wholeNumber(0, MAX_LOCAL_MINERS))
        .default(DEFAULT_LOCAL_MINERS),
    )
    .addOption(new Option('--netuid <netuid>', 'the subnet').argParser(parseNetuid).default(DEFAULT_LOCAL_NETUID))
    .option('--logging.debug', 'log debug lines too (every query of the test validator)')
    .addHelpText(
      'after',
      `
Everything runs in this process on loopback; nothing reaches a real chain. The subnet runs an
epoch every 11 blocks; the test validator queries every served miner every 3 blocks and sets
weights from an EMA of full answers, so the local miners earn incentive within a minute.
Keys are the development ones: validator //Alice//hotkey, your miner //Bob//hotkey (registered,
not served: the app's miner serves it), local miners //Charlie//hotkey, //Dave//hotkey, ….`,
    )
    .action(async (flags: DevnetFlags) => {
      if (flags.netuid === 0) throw new InvalidArgumentError('netuid 0 is the root network; pick a subnet');
      const root = new LogRoot((line) => io.err(`${formatLogLine(line)}\n`), flags['logging.debug'] ? 'debug' : 'warn');
      const log = root.logger('devnet');
      const modelDir = findTinyModel();
      const worker =
        io.workerEntry && modelDir
          ? new InferenceWorker({ spawn: forkWorker(io.workerEntry), logger: root.logger('inference.worker') })
          : null;
      const network = await LocalNetwork.start({
        log,
        netuid: flags.netuid,
        blockTimeMs: flags.blockTime,
        miners: flags.miners,
        ...(worker && modelDir
          ? { generator: worker.generator({ dir: modelDir, dtype: 'fp32' }, { device: 'cpu' }) }
          : {}),
      }).catch(async (error: unknown) => {
        await worker?.close();
        throw error;
      });
      const offEvent = network.chain.onEvent((event) => printEpoch(io, network, event));
      try {
        io.out(`Local network on subnet ${network.netuid}, a block every ${flags.blockTime} ms (Ctrl+C stops it).`);
        io.out(`  validator  uid ${network.devnet.validator.uid}  ${network.devnet.validator.hotkey.address}`);
        io.out(
          `  your miner uid ${network.yourMiner.uid}  ${network.yourMiner.hotkey.address} (registered, not served)`,
        );
        for (const miner of network.localMiners) {
          io.out(`  miner      uid ${miner.uid}  ${miner.hotkey}  axon ${network.axonHost}:${miner.port}`);
        }
        const reason = await io.untilStopped(network);
        io.out(`Stopping: ${reason}`);
      } finally {
        offEvent();
        await network.stop();
        await worker?.close();
      }
    });
}

function printEpoch(io: DevnetCliIo, network: LocalNetwork, event: DevnetEvent): void {
  if (event.type !== 'EpochCompleted' || event.record.netuid !== network.netuid) return;
  const validator = network.testValidator.status();
  io.out(
    `block ${event.record.block}  epoch ${event.record.epoch}  ${incentives(event.record)}  ` +
      `emitted ${formatTao(event.record.emitted)} α  test validator ${validator.answered}/${validator.queries} answered` +
      (validator.lastWeightsBlock === null ? '' : `, weights at block ${validator.lastWeightsBlock}`),
  );
}

function incentives(record: EpochRecord): string {
  const miners = record.neurons.filter((n) => n.incentive > 0);
  if (miners.length === 0) return 'no incentive yet';
  return `incentive ${miners.map((n) => `uid ${n.uid} ${n.incentive.toFixed(2)}`).join(', ')}`;
}
