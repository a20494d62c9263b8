/**
 * The built-in local network: what `npm start` and `bittaudio devnet` run with no configuration.
 * One in-process devnet chain (subnet 50 with the demo settings: an epoch every 11 blocks) with
 * blocks on a timer, N local miners (real `Miner`s with their own hotkeys, the tiny MusicGen model
 * and real axons on loopback, all registered and served), a further registered hotkey for "your"
 * miner (the neuron service starts and stops that one), and the test validator, which queries the
 * served miners over HTTP and sets weights so that incentive moves within a minute.
 *
 * Loopback: subtensor refuses 127.0.0.1 as an axon address. Linux routes all of 127/8 to the
 * loopback, so the axons listen on and announce 127.0.0.2. Where that address cannot be bound
 * (macOS has only 127.0.0.1 on lo0 unless `ifconfig lo0 alias 127.0.0.2` was run), the devnet runs
 * in its local-only mode that accepts 127.0.0.1 instead; nothing leaves the machine either way.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Netuid, Uid } from '../chain/types.js';
import { RAO_PER_TAO } from '../chain/units.js';
import { createDemoDevnet, type DemoDevnet, type DevnetChain, type DevnetLogger } from '../devnet/index.js';
import { MusicgenGenerator, type MusicGenerator } from '../inference/generate/musicgen.js';
import type { Logger } from '../log/logger.js';
import { expectedSamples, DEFAULT_FRAME_RATE } from '../inference/generate/request.js';
import {
  behavingExecutor,
  defaultBehaviours,
  LOCAL_MINER_BEHAVIOURS,
  type LocalMinerBehaviour,
} from './local-behaviours.js';
import { Miner } from './miner.js';
import { TestValidator, type TestValidatorOptions } from './test-validator.js';
import { FixedPromptSource } from './validator-parts.js';

export const DEFAULT_BLOCK_TIME_MS = 1000;
export const DEFAULT_LOCAL_MINERS = 2;
export const DEFAULT_LOCAL_NETUID = 50;
/** At most this many local miners (the demo subnet has 16 uids; the validator and yours take two). */
export const MAX_LOCAL_MINERS = 8;

/** What the real validator asks of local miners: about half a second, so the tiny model on a CPU keeps up. */
export const LOCAL_VALIDATOR_DURATION_TOKENS = 28;
/** Seconds of audio those tokens make (the delay pattern costs 3 frames): what a good local miner sends back. */
export const LOCAL_CLIP_SECONDS =
  expectedSamples(LOCAL_VALIDATOR_DURATION_TOKENS, 32_000 / DEFAULT_FRAME_RATE) / 32_000;
/** The real validator's per-query timeout on the local network, seconds. */
export const LOCAL_VALIDATOR_TIMEOUT_SECONDS = 10;
/** How long a `slow` local miner waits before generating: past the local timeout. */
export const DEFAULT_SLOW_SECONDS = LOCAL_VALIDATOR_TIMEOUT_SECONDS + 5;

/** Miners turn away callers with less than 10 000 alpha (wire-protocol §7.3); the validator has twice that. */
const VALIDATOR_STAKE = 20_000n * RAO_PER_TAO;

export interface LocalNetworkOptions {
  log: Logger;
  /** Default 50. */
  netuid?: Netuid;
  /** Milliseconds per block (default 1000); null produces blocks only when asked (tests). */
  blockTimeMs?: number | null;
  /** Local miners besides yours (default 2). */
  miners?: number;
  /** The tiny MusicGen folder; default the one shipped with the app (findTinyModel). */
  modelDir?: string;
  /** One generator the local miners share; default the tiny model in this process, on the CPU. */
  generator?: MusicGenerator;
  /** Where the axons listen and what they announce; default chooseLoopbackHost(). */
  loopback?: { host: string; acceptLoopbackAxonIp: boolean };
  /** Test validator settings (its chain, subnet and hotkey are the network's). */
  testValidator?: Pick<TestValidatorOptions, 'everyBlocks' | 'durationTokens' | 'timeoutSeconds' | 'alpha'>;
  /**
   * What each local miner does (good, silent, slow, replay), in order; default all good while the
   * test validator runs, and good…, silent, replay while the real validator runs (defaultBehaviours).
   */
  behaviours?: readonly LocalMinerBehaviour[];
  /** How long a `slow` miner waits, seconds (default 15). */
  slowSeconds?: number;
}

export interface LocalMinerInfo {
  name: string;
  uid: Uid;
  hotkey: string;
  port: number;
  behaviour: LocalMinerBehaviour;
}

export class LocalNetwork {
  private stopped = false;
  private realValidator = false;

  private constructor(
    readonly devnet: DemoDevnet,
    /** The address the axons listen on and announce. */
    readonly axonHost: string,
    readonly modelDir: string,
    readonly blockTimeMs: number | null,
    /** The registered hotkey of "your" miner, and the free port reserved for its axon. */
    readonly yourMiner: { hotkey: KeyringPair; uid: Uid; port: number },
    private readonly miners: readonly { info: Omit<LocalMinerInfo, 'behaviour'>; miner: Miner }[],
    private testValidator_: TestValidator,
    private readonly log: Logger,
    /** The real validator's prompts here: a fixed list with synthetic reference clips the replaying miner "knows". */
    readonly prompts: FixedPromptSource,
    private readonly behaviourOptions: { given: readonly LocalMinerBehaviour[] | undefined },
    private readonly makeTestValidator: () => TestValidator,
  ) {}

  /** The built-in stand-in validator (stopped while the real validator runs here). */
  get testValidator(): TestValidator {
    return this.testValidator_;
  }

  /** The registered hotkey with a validator permit and stake, for the real validator on this network. */
  get validatorHotkey(): KeyringPair {
    return this.devnet.validator.hotkey;
  }

  /** What local miner `index` does now. */
  behaviourOf(index: number): LocalMinerBehaviour {
    const given = this.behaviourOptions.given;
    if (given) return given[index] ?? 'good';
    return defaultBehaviours(this.miners.length, this.realValidator)[index] ?? 'good';
  }

  /**
   * The real validator takes over this network's validator hotkey: the test validator stops (two
   * validators on one hotkey would fight over weights) and, unless behaviours were given, the
   * local miners take their demo behaviours (one silent, one replaying).
   */
  async handOverToValidator(): Promise<void> {
    if (this.realValidator) return;
    this.realValidator = true;
    await this.testValidator_.stop();
    this.log.info('The real validator runs on the local network; the test validator stopped', {
      behaviours: this.localMiners.map((m) => `${m.uid}:${m.behaviour}`),
    });
  }

  /** The real validator stopped: the test validator runs again and the miners behave well again. */
  takeBackFromValidator(): void {
    if (!this.realValidator || this.stopped) return;
    this.realValidator = false;
    this.testValidator_ = this.makeTestValidator();
    this.testValidator_.start();
  }

  /** Chain, miners, test validator; everything started, or nothing left running on failure. */
  static async start(options: LocalNetworkOptions): Promise<LocalNetwork> {
    const { log } = options;
    const count = options.miners ?? DEFAULT_LOCAL_MINERS;
    if (!Number.isInteger(count) || count < 0 || count > MAX_LOCAL_MINERS) {
      throw new Error(`The local network runs 0 to ${MAX_LOCAL_MINERS} local miners, not ${count}.`);
    }
    const blockTimeMs = options.blockTimeMs === undefined ? DEFAULT_BLOCK_TIME_MS : options.blockTimeMs;
    if (blockTimeMs !== null && !(Number.isInteger(blockTimeMs) && blockTimeMs >= 50)) {
      throw new Error(`A local block time is a whole number of milliseconds, at least 50 (got ${blockTimeMs}).`);
    }
    const modelDir = options.modelDir ?? findTinyModel();
    if (!modelDir) {
      throw new Error(
        'The tiny MusicGen model (models/tiny/musicgen) is missing from this installation; the local network needs it for its miners.',
      );
    }
    const loopback = options.loopback ?? (await chooseLoopbackHost());
    const devnet = await createDemoDevnet({
      netuid: options.netuid ?? DEFAULT_LOCAL_NETUID,
      miners: count + 1,
      validatorStake: VALIDATOR_STAKE,
      chain: {
        acceptLoopbackAxonIp: loopback.acceptLoopbackAxonIp,
        logger: quietDevnetLog(log.child('devnet')),
      },
    });
    const [yours, ...others] = devnet.miners;
    if (!yours) throw new Error('The demo devnet registered no miner.');
    const generator = options.generator ?? new MusicgenGenerator({ dir: modelDir, dtype: 'fp32' }, { device: 'cpu' });
    const started: { info: Omit<LocalMinerInfo, 'behaviour'>; miner: Miner }[] = [];
    let validator: TestValidator | null = null;
    const given = options.behaviours;
    if (given) {
      const unknown = given.filter((b) => !LOCAL_MINER_BEHAVIOURS.includes(b));
      if (unknown.length > 0 || given.length > count) {
        throw new Error(
          `Local miner behaviours are ${LOCAL_MINER_BEHAVIOURS.join(', ')}, one per local miner (${count}); got ${given.join(', ')}.`,
        );
      }
    }
    const prompts = new FixedPromptSource(undefined, LOCAL_CLIP_SECONDS);
    // The network object exists only after the miners start; their behaviour is read through this.
    let network: LocalNetwork | null = null;
    const makeTestValidator = (): TestValidator =>
      new TestValidator({
        chain: devnet.chain,
        netuid: devnet.netuid,
        hotkey: devnet.validator.hotkey,
        log: log.child('test-validator'),
        ...options.testValidator,
      });
    try {
      for (const [index, participant] of others.entries()) {
        const miner = new Miner({
          chain: devnet.chain,
          netuid: devnet.netuid,
          hotkey: participant.hotkey,
          generator: behavingExecutor({
            generator,
            behaviour: () => network?.behaviourOf(index) ?? 'good',
            referenceFor: (prompt) => prompts.referenceFor(prompt),
            slowSeconds: options.slowSeconds ?? DEFAULT_SLOW_SECONDS,
          }),
          log: log.child(`miner.${participant.name}`),
          axon: { port: 0, host: loopback.host, externalIp: loopback.host },
        });
        started.push({
          info: { name: participant.name, uid: participant.uid, hotkey: participant.hotkey.address, port: 0 },
          miner,
        });
        const status = await miner.start();
        (started.at(-1) as { info: Omit<LocalMinerInfo, 'behaviour'> }).info.port = status.axon.port;
      }
      validator = makeTestValidator();
      validator.start();
      const port = await freePort(loopback.host);
      if (blockTimeMs !== null) devnet.chain.startBlockProduction(blockTimeMs);
      log.info('Local network running', {
        netuid: devnet.netuid,
        blockTimeMs,
        localMiners: started.length,
        axonHost: loopback.host,
      });
      network = new LocalNetwork(
        devnet,
        loopback.host,
        modelDir,
        blockTimeMs,
        { hotkey: yours.hotkey, uid: yours.uid, port },
        started,
        validator,
        log,
        prompts,
        { given },
        makeTestValidator,
      );
      return network;
    } catch (error) {
      await validator?.stop();
      for (const { miner } of started) await miner.stop();
      await devnet.chain.close();
      throw error;
    }
  }

  get chain(): DevnetChain {
    return this.devnet.chain;
  }

  get netuid(): Netuid {
    return this.devnet.netuid;
  }

  get localMiners(): LocalMinerInfo[] {
    return this.miners.map(({ info }, index) => ({ ...info, behaviour: this.behaviourOf(index) }));
  }

  /** Stops blocks, the test validator and the local miners (their ports are free after this). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.chain.stopBlockProduction();
    await this.testValidator_.stop();
    await Promise.all(this.miners.map(({ miner }) => miner.stop()));
    await this.chain.close();
    this.log.info('Local network stopped');
  }
}

/**
 * The devnet's chatter (a registration, an epoch every 11 s) at debug level: a network that runs
 * all day would otherwise fill the terminal and the log store. Its warnings stay warnings.
 */
function quietDevnetLog(log: Logger): DevnetLogger {
  return {
    info: (message, fields) => log.debug(message, fields),
    warn: (message, fields) => log.warn(message, fields),
  };
}

/**
 * The tiny MusicGen folder shipped with the app: `models/tiny/musicgen` two folders above this
 * module both in the sources (src-main/neuron/) and in the build (dist/main/, chunks included);
 * in the packaged app that is inside app.asar, and the files live in app.asar.unpacked
 * (electron-builder.yml unpacks them: onnxruntime reads model files from disk).
 */
export function findTinyModel(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  const candidates: string[] = [];
  let dir = from;
  for (let i = 0; i < 4; i++) {
    candidates.push(join(dir, 'models', 'tiny', 'musicgen'));
    dir = dirname(dir);
  }
  for (const candidate of candidates.flatMap((c) => [c.replace(/app\.asar(?=[\\/])/, 'app.asar.unpacked'), c])) {
    if (existsSync(join(candidate, 'config.json')) && existsSync(join(candidate, 'onnx'))) return candidate;
  }
  return null;
}

/** 127.0.0.2 where it can be bound (Linux), else 127.0.0.1 with the devnet's local-only mode. */
export async function chooseLoopbackHost(
  canBind: (host: string) => Promise<unknown> = freePort,
): Promise<{ host: string; acceptLoopbackAxonIp: boolean }> {
  try {
    await canBind('127.0.0.2');
    return { host: '127.0.0.2', acceptLoopbackAxonIp: false };
  } catch {
    return { host: '127.0.0.1', acceptLoopbackAxonIp: true };
  }
}

/** A port free on `host` right now (the OS picks it); rejects when `host` cannot be bound. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
