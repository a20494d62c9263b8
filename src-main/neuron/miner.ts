/**
 * The miner (issue: the miner comes alive): checks the hotkey's registration, serves an axon that
 * answers `MusicGeneration` with MusicGen, announces the axon on chain (serve_axon) when the chain
 * does not already have its address, and keeps the axon's view of who may call it fresh from the
 * metagraph. The axon admits into the work scheduler (stake priority, one bound, the caller's
 * deadline, "cannot finish in time" refused before work starts), which feeds the executors: one
 * inference worker per GPU in the app, the in-process generator in tests.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import {
  MusicGenerationSynapse,
  VALIDATOR_DURATION_TOKENS,
  type MusicGeneration,
} from '../../src-shared/synapse/music-generation.js';
import type { Chain } from '../chain/chain.js';
import { encodeIp } from '../chain/ip.js';
import type { Metagraph, Netuid, Uid } from '../chain/types.js';
import { formatTao } from '../chain/units.js';
import type { GeneratedAudio } from '../inference/generate/musicgen.js';
import { WorkScheduler, type Executor } from '../inference/scheduler.js';
import type { Logger } from '../log/logger.js';
import { Axon, type AxonOptions } from '../net/axon.js';
import { MetagraphCallers } from '../net/blacklist.js';
import { axonErrors } from '../net/errors.js';
import { BUSY_RETRY_AFTER_SECONDS, schedulerRejection } from './scheduler-statuses.js';

/** The version integer announced with serve_axon (what Python SDK 10.2.0 sends). */
export const AXON_VERSION = 10_002_000;

export type MinerErrorCode = 'not_registered' | 'invalid_address' | 'serve_failed';

export class MinerError extends Error {
  override readonly name = 'MinerError';
  constructor(
    readonly code: MinerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One answered (or refused) request, for the history the UI shows. */
export interface MinerRequestRecord {
  caller: string;
  prompt: string;
  durationTokens: number;
  status: 'ok' | 'failed';
  error?: string;
  queuedMs: number;
  generateMs: number;
  audio?: GeneratedAudio;
}

export interface MinerOptions {
  chain: Chain;
  netuid: Netuid;
  hotkey: KeyringPair;
  /** What runs the generations: one generator, or one per GPU (WorkerPool.executors). */
  generator: Executor | readonly Executor[];
  /** Generations that may wait for an executor; more are refused with 503. Default 16. */
  maxQueued?: number;
  /** The most requests one executor decodes as one batch; 1 turns batching off. Default: the scheduler's (4). */
  maxBatch?: number;
  log: Logger;
  axon: {
    port: number;
    /** Address to listen on. Default 0.0.0.0 (every interface). */
    host?: string;
    /** The address validators reach the axon at; announced with serve_axon. */
    externalIp: string;
    /** Announced port, when a NAT or proxy maps another one. Default the listening port. */
    externalPort?: number;
    /**
     * When the address was detected rather than given: detects it again at each metagraph refresh,
     * and a changed address is announced again (serve_axon), retried while the serving rate limit
     * holds it back.
     */
    detectExternalIp?: () => string | null;
  } & Pick<AxonOptions, 'limits' | 'policy'>;
  /** Every request, answered or not (the store records them). */
  onRequest?: (record: MinerRequestRecord) => void;
  /** Metagraph refresh, in blocks. Default 5. */
  refreshBlocks?: number;
  /** After a changed address was announced on chain. */
  onAddress?: (status: MinerStatus) => void;
}

export interface MinerStatus {
  uid: Uid;
  axon: { host: string; port: number; externalIp: string; externalPort: number };
  servedOnChain: boolean;
}

export class Miner {
  private axon: Axon | null = null;
  private queue: WorkScheduler | null = null;
  private readonly callers = new MetagraphCallers();
  private unsubscribe: (() => void) | null = null;
  private status: MinerStatus | null = null;
  private announcing = false;

  constructor(private readonly options: MinerOptions) {}

  get running(): MinerStatus | null {
    return this.status;
  }

  /** The work scheduler while serving (the engine forwards its progress as `generation` events). */
  get generations(): WorkScheduler | null {
    return this.queue;
  }

  /** Registration check, axon up, serve_axon when needed. Throws a MinerError a user can act on. */
  async start(): Promise<MinerStatus> {
    const { chain, netuid, hotkey, log } = this.options;
    const uid = await chain.uidOf(netuid, hotkey.address);
    if (uid === undefined) {
      const cost = await chain.registrationCost(netuid).catch(() => null);
      throw new MinerError(
        'not_registered',
        `The hotkey ${hotkey.address} is not registered on subnet ${netuid}. ` +
          `Registering burns ${cost === null ? 'the current registration cost' : `${formatTao(cost)} TAO`} from the coldkey: ` +
          `bittaudio wallet register --netuid ${netuid}.`,
      );
    }
    const externalIp = this.options.axon.externalIp;
    try {
      encodeIp(externalIp);
    } catch {
      throw new MinerError('invalid_address', `"${externalIp}" is not an IPv4 or IPv6 address (--axon.external_ip).`);
    }
    const metagraph = await chain.metagraph(netuid);
    this.callers.update(metagraph);

    const scheduler = new WorkScheduler(this.options.generator, {
      maxQueued: this.options.maxQueued ?? 16,
      ...(this.options.maxBatch === undefined ? {} : { maxBatch: this.options.maxBatch }),
    });
    this.queue = scheduler;
    const axon = new Axon({
      hotkey,
      metagraph: this.callers,
      log: log.child('axon'),
      sealed: true,
      admission: scheduler,
      ...(this.options.axon.limits ? { limits: this.options.axon.limits } : {}),
      ...(this.options.axon.policy ? { policy: this.options.axon.policy } : {}),
    });
    axon.attach(MusicGenerationSynapse, (synapse, caller, context) =>
      this.answer(synapse, caller.hotkey, caller.stake, context.signal),
    );
    const listening = await axon.start({ port: this.options.axon.port, host: this.options.axon.host ?? '0.0.0.0' });
    this.axon = axon;
    const externalPort = this.options.axon.externalPort ?? listening.port;

    const servedOnChain = await this.serveIfNeeded(metagraph, uid, externalIp, externalPort);
    const every = this.options.refreshBlocks ?? 5;
    this.unsubscribe = chain.onNewBlock((block) => {
      if (block % every !== 0) return;
      chain.metagraph(netuid).then(
        (fresh) => {
          this.callers.update(fresh);
          return this.followAddress(fresh);
        },
        (error: unknown) => log.warn('Could not refresh the metagraph', { error: String(error) }),
      );
    });
    this.status = { uid, axon: { ...listening, externalIp, externalPort }, servedOnChain };
    log.info('Miner serving', { uid, netuid, port: listening.port, externalIp, externalPort });
    return this.status;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.queue?.close();
    await this.axon?.stop({ graceMs: 1000 });
    this.axon = null;
    this.status = null;
  }

  /**
   * A detected address that changed (a new DHCP lease, another interface) is announced again. The
   * chain refuses a second serve_axon within its serving rate limit; the next refresh retries, so
   * the announcement lands as soon as the chain allows it.
   */
  private async followAddress(metagraph: Metagraph): Promise<void> {
    const detect = this.options.axon.detectExternalIp;
    const status = this.status;
    if (!detect || !status || this.announcing) return;
    const ip = detect();
    if (ip === null) return;
    const { externalPort } = status.axon;
    const onChain = metagraph.neurons.find((n) => n.uid === status.uid)?.axon;
    if (ip === status.axon.externalIp && onChain?.ip === ip && onChain.port === externalPort) return;
    if (ip !== status.axon.externalIp) {
      this.options.log.info('The external address changed: announcing the new one', {
        from: status.axon.externalIp,
        to: ip,
      });
      status.axon = { ...status.axon, externalIp: ip };
      status.servedOnChain = false;
    } else if (status.servedOnChain) {
      // Our address is unchanged but the chain shows another: someone else serves this hotkey.
      // The watch raises that; announcing over them would start a tug of war.
      return;
    }
    this.announcing = true;
    try {
      await this.serveIfNeeded(metagraph, status.uid, ip, externalPort);
      status.servedOnChain = true;
      this.options.onAddress?.(status);
    } catch (error) {
      this.options.log.warn('Could not announce the new address yet; trying again at the next refresh', {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.announcing = false;
    }
  }

  /** serve_axon unless the chain already has this address; a refusal is an error with the chain's reason. */
  private async serveIfNeeded(metagraph: Metagraph, uid: Uid, ip: string, port: number): Promise<boolean> {
    const current = metagraph.neurons.find((n) => n.uid === uid)?.axon;
    if (current && current.ip === ip && current.port === port) return false;
    const result = await this.options.chain.serveAxon(this.options.hotkey, {
      netuid: this.options.netuid,
      ip,
      port,
      version: AXON_VERSION,
    });
    if (!result.ok) {
      throw new MinerError(
        'serve_failed',
        `The chain refused serve_axon (${result.error.name}): ${result.error.message}`,
      );
    }
    return true;
  }

  private async answer(
    synapse: MusicGeneration,
    caller: string,
    stake: bigint,
    signal: AbortSignal,
  ): Promise<MusicGeneration> {
    const queue = this.queue;
    if (!queue) throw axonErrors.internal('the miner is stopping');
    const durationTokens = synapse.duration ?? VALIDATOR_DURATION_TOKENS;
    const timeoutMs = (synapse.timeout ?? 12) * 1000;
    const arrived = performance.now();
    let started = arrived;
    const record = (status: MinerRequestRecord['status'], extra: Partial<MinerRequestRecord>): void =>
      this.options.onRequest?.({
        caller,
        prompt: synapse.text_input,
        durationTokens,
        status,
        queuedMs: started - arrived,
        generateMs: performance.now() - started,
        ...extra,
      });
    const request = { prompt: synapse.text_input, durationTokens };
    try {
      // The scheduler refuses at once what cannot be back before the caller stops waiting.
      const audio = await queue.submit(request, { priority: stake, timeoutMs, signal, caller });
      started = performance.now() - audio.timings.totalMs;
      record('ok', { audio });
      return { ...synapse, music_output: audio.audio };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      record('failed', { error: message });
      throw schedulerRejection(error, timeoutMs / 1000, BUSY_RETRY_AFTER_SECONDS);
    }
  }
}
