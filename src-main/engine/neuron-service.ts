/**
 * `neuron.status`, `neuron.start`, `neuron.stop`, `rewards.list` and the `neuron` / `reward`
 * events: "your" miner on the network the NetworkProvider hands out. On the local network it mines
 * with the network's development hotkey and tiny model; on a real one with the wallet and model
 * from the settings (hotkey and coldkeypub only: the coldkey is never read). MusicGen runs in the
 * inference worker process. While it runs it watches the chain (stats every few blocks, a rewards
 * snapshot every epoch, alerts), records every request in the generation history, and remembers
 * that it was running (a setting) so that a restart, even after a crash, starts it again.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { ExecutionProvider } from '../../src-shared/schemas/gpu.js';
import type { AlertKind, NeuronChainStats, NeuronStatus, RewardSnapshot } from '../../src-shared/schemas/neuron.js';
import type { Settings, SettingsPatch } from '../../src-shared/schemas/settings.js';
import { epochIndex } from '../chain/epoch.js';
import type { Uid } from '../chain/types.js';
import { GenerationError, type GenerationErrorCode } from '../inference/generate/errors.js';
import type { BatchJob, GeneratedAudio, MusicgenSource } from '../inference/generate/musicgen.js';
import type { Executor, WorkScheduler } from '../inference/scheduler.js';
import { ModelStore, modelsDirIn } from '../models/index.js';
import type { SpawnWorker, WorkerState } from '../inference/worker/worker-client.js';
import { WorkerPool, type WorkerSlot } from '../inference/worker/worker-pool.js';
import type { Logger } from '../log/logger.js';
import type { Miner, MinerRequestRecord } from '../neuron/miner.js';
import type { RewardStore } from '../store/reward-store.js';
import type { EventBus } from './events.js';
import type { GenerationService } from './generation-service.js';
import type { NetworkHandle, NetworkProvider } from './network-handle.js';
import { AlertBook, chainAlerts, chainStatsOf } from './neuron-watch.js';
import type { HandlerSlice, Service } from './service.js';

type Commands = 'neuron.status' | 'neuron.start' | 'neuron.stop' | 'rewards.list';

/** The subnet shown before any network is up (BittAudio). */
const DEFAULT_NETUID = 50;
/** Alerts that the chain watch owns (recomputed on every read). */
const CHAIN_ALERTS: readonly AlertKind[] = [
  'deregistered',
  'immunity_ending',
  'axon_not_served',
  'axon_address_mismatch',
];
/** Generator failures that say the model itself is broken (not one request, not the worker). */
const MODEL_FAULTS: ReadonlySet<GenerationErrorCode> = new Set([
  'missing_file',
  'corrupt_file',
  'dtype_mismatch',
  'load_failed',
  'generation_failed',
  'bad_output',
]);
/** A short generation at start loads the model into the worker, so a broken model shows now, not at the first request. */
const WARM_UP = { prompt: 'warm-up', durationTokens: 4, decoding: 'greedy' as const, guidanceScale: 1 };

export interface NeuronServiceOptions {
  /** The network service; null until one exists (every start then answers `unavailable`). */
  network: NetworkProvider | null;
  settings: { get(): Settings; update(patch: SettingsPatch): Settings };
  events: EventBus;
  logger: (source: string) => Logger;
  generations: GenerationService;
  rewards: RewardStore;
  /** Holds the model store (remote networks take the model from it). */
  dataDir: string;
  /** Starts the inference worker process of one slot; null runs MusicGen in this process (no worker entry built). */
  spawnWorker: ((slot: WorkerSlot) => SpawnWorker) | null;
  /** The worker slots (one per GPU, from the GPU report); default one worker on `device`. */
  slots?: () => Promise<WorkerSlot[]>;
  workerBackoff?: { initialMs?: number; maxMs?: number };
  /** Where MusicGen runs (the GPU report's choice). */
  device: () => Promise<ExecutionProvider>;
  /** Forwards the miner's queue as `generation` events; returns the detach. */
  attachQueue: (queue: WorkScheduler) => () => void;
  /**
   * Start the miner by itself on a local network until the user first stops it (the app and the
   * daemon: a first run shows a working miner); tests start it by hand.
   */
  autoStartOnLocal?: boolean;
  /** Read the chain stats every this many blocks (default 3). */
  watchEveryBlocks?: number;
  /** For the wallet folder default ($BT_WALLET_PATH, ~). */
  env?: NodeJS.ProcessEnv;
  home?: string;
  now?: () => Date;
}

/** Why a start failed, kept in the status and thrown to the caller. */
class StartFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What one running miner holds; dropped as a whole on stop. */
interface Run {
  network: NetworkHandle;
  miner: Miner;
  worker: WorkerPool | null;
  hotkey: string;
  uid: Uid;
  immunityPeriod: number;
  tempo: number;
  lastEpoch: number;
  /** An epoch ran since the last read: the next read stores a rewards snapshot. */
  epochDue: boolean;
  reading: boolean;
  readAgain: boolean;
  release: (() => void)[];
}

export class NeuronService implements Service<Commands> {
  readonly name = 'neuron';
  readonly handlers: HandlerSlice<Commands> = {
    'neuron.status': () => this.status(),
    'neuron.start': () => this.start(),
    'neuron.stop': () => this.stopMiner({ remember: false }),
    'rewards.list': ({ limit }) => ({ items: this.options.rewards.list({ limit }) }),
  };
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly alerts: AlertBook;
  private state: NeuronStatus['state'] = 'stopped';
  private error: NeuronStatus['error'] = null;
  private run: Run | null = null;
  private starting: Promise<NeuronStatus> | null = null;
  private stopping: Promise<NeuronStatus> | null = null;
  private hotkey: string | null = null;
  private model: string | null = null;
  private device: ExecutionProvider | null = null;
  private worker: NeuronStatus['worker'] = { state: 'stopped', restarts: 0, lastError: null };
  private chain: NeuronChainStats | null = null;
  private answered = 0;
  private failed = 0;
  private closed = false;
  private readonly unsubscribeNetwork: () => void;

  constructor(private readonly options: NeuronServiceOptions) {
    this.log = options.logger('neuron');
    this.now = options.now ?? (() => new Date());
    this.alerts = new AlertBook(this.now);
    this.unsubscribeNetwork = options.network?.onChange((network) => void this.onNetwork(network)) ?? (() => undefined);
    const network = options.network?.current() ?? null;
    if (network) void this.onNetwork(network);
  }

  status(): NeuronStatus {
    const run = this.run;
    const axon = run?.miner.running?.axon;
    const queue = run?.miner.generations?.stats();
    return {
      role: 'miner',
      state: this.state,
      hotkey: this.hotkey,
      uid: run?.uid ?? null,
      netuid: run?.network.netuid ?? this.options.network?.current()?.netuid ?? DEFAULT_NETUID,
      axon:
        axon && run
          ? {
              ...axon,
              servedOnChain:
                !this.alerts.has('axon_not_served') && !this.alerts.has('axon_address_mismatch') && !!run.miner.running,
            }
          : null,
      model: this.model,
      device: this.device,
      worker: { ...this.worker },
      queue: { queued: queue?.queued ?? 0, running: queue?.running ?? 0 },
      answered: this.answered,
      failed: this.failed,
      chain: this.chain,
      alerts: this.alerts.list(),
      error: this.error,
    };
  }

  /** Starts the miner on the current network; a failure is the status `failed` and an error to the caller. */
  start(): Promise<NeuronStatus> {
    if (this.closed) return Promise.reject(new HostApiError('unavailable', 'The engine is shutting down.'));
    // A stop in progress finishes first: its axon still holds the port.
    if (this.stopping) return this.stopping.then(() => this.start());
    if (this.state === 'running') return Promise.resolve(this.status());
    if (this.starting) return this.starting;
    const network = this.options.network?.current() ?? null;
    if (!network) {
      return Promise.reject(
        new HostApiError(
          'unavailable',
          this.options.network
            ? 'No network is up yet (it is starting or failed); the miner starts once it is.'
            : 'This engine has no network service; the miner cannot start.',
        ),
      );
    }
    const starting = this.startOn(network).finally(() => {
      if (this.starting === starting) this.starting = null;
    });
    this.starting = starting;
    return starting;
  }

  /**
   * Stops the miner. `remember: false` (the user asked) clears the "was running" setting; the
   * engine's own stop keeps it, so the next start of the engine starts the miner again.
   */
  async stopMiner(options: { remember: boolean }): Promise<NeuronStatus> {
    // A start in progress finishes first (it would set the setting again after we cleared it).
    if (this.starting) await this.starting.catch(() => undefined);
    if (!options.remember && this.options.settings.get().minerEnabled !== false) {
      this.options.settings.update({ minerEnabled: false });
    }
    if (this.stopping) return this.stopping;
    const run = this.run;
    if (!run) {
      if (this.state === 'failed') {
        this.error = null;
        this.setState('stopped');
      }
      return this.status();
    }
    const stopping = (async () => {
      this.setState('stopping');
      await this.teardown(run);
      this.setState('stopped');
      this.log.info('Miner stopped');
      return this.status();
    })().finally(() => (this.stopping = null));
    this.stopping = stopping;
    return stopping;
  }

  /** The engine stops: the axon closes, but the setting remembers that the miner ran. */
  async stop(): Promise<void> {
    this.closed = true;
    this.unsubscribeNetwork();
    await this.stopMiner({ remember: true });
  }

  private async onNetwork(network: NetworkHandle | null): Promise<void> {
    if (this.closed) return;
    // A network that went away or was replaced takes the miner with it; the setting stays.
    if (this.run && this.run.network !== network) await this.stopMiner({ remember: true });
    const enabled = this.options.settings.get().minerEnabled;
    const firstLocalRun = enabled === null && this.options.autoStartOnLocal === true && network?.kind === 'local';
    if (network && (enabled === true || firstLocalRun) && this.state !== 'running') {
      this.log.info(
        firstLocalRun ? 'Starting your miner on the local network' : 'The miner was running before: starting it again',
      );
      await this.start().catch(() => undefined); // the status and the log say why
    }
  }

  private async startOn(network: NetworkHandle): Promise<NeuronStatus> {
    this.setState('starting');
    this.error = null;
    this.chain = null;
    this.answered = 0;
    this.failed = 0;
    this.worker = { state: 'stopped', restarts: 0, lastError: null };
    let run: Run | null = null;
    try {
      const { hotkey, source, model } = await this.resolveIdentity(network);
      this.hotkey = hotkey.address;
      this.model = model;
      this.device = await this.options.device();
      const device = this.device;
      const slots = this.options.slots
        ? await this.options.slots()
        : [{ gpu: null, device, label: device } satisfies WorkerSlot];
      const spawn = this.options.spawnWorker;
      const worker = spawn
        ? new WorkerPool({
            slots,
            spawn,
            logger: this.options.logger('inference.worker'),
            ...(this.options.workerBackoff ? { backoff: this.options.workerBackoff } : {}),
            onState: (_slot, state) => this.onWorkerState(state),
          })
        : null;
      // The miner's modules (axon, sr25519, transformers.js in process) load with the first start:
      // the daemon prints its link without them.
      const { Miner, MinerError } = await import('../neuron/miner.js');
      const executors: Executor[] = worker
        ? worker.executors(source)
        : [
            new (await import('../inference/generate/musicgen.js')).MusicgenGenerator(source, {
              device,
              logger: this.options.logger('inference'),
            }),
          ];
      const generator = executors.map((executor) => this.watchModel(executor, model));
      const miner = new Miner({
        chain: network.chain,
        netuid: network.netuid,
        hotkey,
        generator,
        log: this.log,
        axon: {
          port: network.axon.port,
          host: network.axon.host,
          externalIp: network.axon.externalIp,
          ...(network.axon.detectExternalIp ? { detectExternalIp: network.axon.detectExternalIp } : {}),
        },
        onAddress: () => this.emit(),
        onRequest: (record) => this.onRequest(record),
      });
      run = {
        network,
        miner,
        worker,
        hotkey: hotkey.address,
        uid: 0,
        immunityPeriod: 0,
        tempo: 0,
        lastEpoch: -1,
        epochDue: false,
        reading: false,
        readAgain: false,
        release: [],
      };
      const started = await miner.start().catch((error: unknown) => {
        if (error instanceof MinerError) throw new StartFailure(error.code, error.message);
        throw new StartFailure('chain_unreachable', `The chain did not answer: ${messageOf(error)}`);
      });
      run.uid = started.uid;
      this.alerts.clear('not_registered', 'chain_unreachable');
      // Every worker loads the model before the miner counts as running.
      await Promise.all(generator.map((executor) => executor.generate(WARM_UP))).catch((error: unknown) => {
        throw new StartFailure('model_failed', `The model ${model} could not be loaded: ${messageOf(error)}`);
      });
      this.alerts.clear('model_failed');
      const queue = miner.generations;
      if (queue) run.release.push(this.options.attachQueue(queue));
      await this.watch(run).catch((error: unknown) => {
        throw new StartFailure('chain_unreachable', `The chain did not answer: ${messageOf(error)}`);
      });
      this.run = run;
      if (this.options.settings.get().minerEnabled !== true) this.options.settings.update({ minerEnabled: true });
      this.setState('running');
      this.log.info('Miner running', { uid: run.uid, netuid: network.netuid, model, device: this.device });
      return this.status();
    } catch (error) {
      const failure =
        error instanceof StartFailure
          ? error
          : new StartFailure('start_failed', `The miner failed to start: ${messageOf(error)}`);
      if (run) await this.teardown(run);
      this.error = { code: failure.code, message: failure.message };
      if (failure.code === 'not_registered') {
        this.alerts.raise({ kind: 'not_registered', severity: 'error', message: failure.message });
      }
      if (failure.code === 'model_failed' || failure.code === 'model_missing') {
        this.alerts.raise({ kind: 'model_failed', severity: 'error', message: failure.message });
      }
      if (failure.code === 'chain_unreachable') {
        this.alerts.raise({ kind: 'chain_unreachable', severity: 'error', message: failure.message });
      }
      this.log.error('The miner could not start', { code: failure.code, reason: failure.message });
      this.setState('failed');
      throw new HostApiError('unavailable', failure.message);
    }
  }

  /** The hotkey and model for this network: the network's own on the local one, the settings' on a real one. */
  private async resolveIdentity(network: NetworkHandle) {
    if (network.kind === 'local') {
      if (!network.localMinerHotkey || !network.localModelDir) {
        throw new StartFailure('start_failed', 'The local network names no miner hotkey or model.');
      }
      checkModelFolder(network.localModelDir);
      return {
        hotkey: network.localMinerHotkey,
        source: { dir: network.localModelDir, dtype: 'fp32' } satisfies MusicgenSource,
        model: basename(network.localModelDir),
      };
    }
    const settings = this.options.settings.get();
    const { WalletStore } = await import('../wallet/store.js');
    const wallets = new WalletStore({
      ...(settings.walletPath ? { root: settings.walletPath } : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(this.options.home ? { home: this.options.home } : {}),
    });
    // The hotkey and the coldkey's public address only: mining never needs the coldkey.
    const { hotkey } = await wallets
      .loadNeuronKeys(settings.walletName, settings.walletHotkey)
      .catch((error: unknown) => {
        throw new StartFailure(
          'wallet',
          `The hotkey ${settings.walletName}/${settings.walletHotkey} cannot be used: ${messageOf(error)} ` +
            '(Settings: wallet name, hotkey and folder).',
        );
      });
    const model = settings.minerModel;
    if (existsSync(model)) {
      if (!existsSync(join(model, 'config.json'))) {
        throw new StartFailure(
          'model_missing',
          `The model folder ${model} has no config.json: it is not a MusicGen export.`,
        );
      }
      return {
        hotkey,
        source: { dir: model, dtype: settings.minerDtype } satisfies MusicgenSource,
        model: basename(model),
      };
    }
    const store = new ModelStore({ modelsDir: modelsDirIn(this.options.dataDir) });
    const source = await store.loadable(model, settings.minerDtype, 'musicgen').catch((error: unknown) => {
      throw new StartFailure(
        'model_missing',
        `The model ${model} (${settings.minerDtype}) is not ready: ${messageOf(error)} Download or import it in Settings → Models.`,
      );
    });
    return { hotkey, source, model };
  }

  /** Chain stats every few blocks, a rewards snapshot when an epoch has run, alerts from both. */
  private async watch(run: Run): Promise<void> {
    const { chain, netuid } = run.network;
    const hyper = await chain.hyperparameters(netuid);
    run.immunityPeriod = hyper.immunityPeriod;
    run.tempo = hyper.tempo;
    const block = await chain.currentBlock();
    run.lastEpoch = epochIndex(netuid, run.tempo, block);
    await this.read(run);
    const every = this.options.watchEveryBlocks ?? 3;
    run.release.push(
      chain.onNewBlock((block) => {
        const epoch = run.tempo > 0 ? epochIndex(netuid, run.tempo, block) : run.lastEpoch;
        if (epoch !== run.lastEpoch) {
          run.lastEpoch = epoch;
          run.epochDue = true;
        }
        if (!run.epochDue && block % every !== 0) return;
        // A read still in flight (a slow node, or blocks faster than reads) is followed by one more, not doubled.
        if (run.reading) run.readAgain = true;
        else void this.read(run);
      }),
      chain.onConnection((connection) => {
        if (connection.status === 'disconnected') {
          if (
            this.alerts.raise({
              kind: 'chain_unreachable',
              severity: 'error',
              message: `Lost the connection to ${connection.endpoint}: ${connection.reason}. Retrying in ${Math.round(connection.retryInMs / 1000)} s.`,
            })
          )
            this.emit();
        } else if (connection.status === 'connected' && this.alerts.clear('chain_unreachable')) this.emit();
      }),
    );
  }

  private async read(run: Run): Promise<void> {
    const { chain, netuid } = run.network;
    const before = this.watchedState();
    run.reading = true;
    const epochRan = run.epochDue;
    run.epochDue = false;
    try {
      const metagraph = await chain.metagraph(netuid);
      if (this.run !== run && this.state !== 'starting') return;
      this.alerts.clear('chain_unreachable');
      this.chain = chainStatsOf(metagraph, run.uid, run.hotkey, run.immunityPeriod);
      this.alerts.replace(
        CHAIN_ALERTS,
        chainAlerts({
          metagraph,
          uid: run.uid,
          hotkey: run.hotkey,
          netuid,
          immunityPeriod: run.immunityPeriod,
          axon: run.miner.running?.axon ?? {
            externalIp: run.network.axon.externalIp,
            externalPort: run.network.axon.port,
          },
        }),
      );
      if (epochRan && this.chain) this.snapshot(run, this.chain, await this.alphaPrice(run));
    } catch (error) {
      this.alerts.raise({
        kind: 'chain_unreachable',
        severity: 'error',
        message: `The metagraph could not be read: ${messageOf(error)}`,
      });
    } finally {
      run.reading = false;
    }
    // Clients hear of a read only when it changed something (a block a second adds up).
    if (this.watchedState() !== before) this.emit();
    if (run.readAgain && this.run === run) {
      run.readAgain = false;
      await this.read(run);
    }
  }

  /** What a chain read may change, less the block it was read at. */
  private watchedState(): string {
    return JSON.stringify([this.chain ? { ...this.chain, block: 0 } : null, this.alerts.list()]);
  }

  /**
   * The alpha price for the snapshot's TAO value; null where the chain gives none. A failed read
   * costs only the price, never the epoch's snapshot.
   */
  private async alphaPrice(run: Run): Promise<bigint | null> {
    try {
      return await run.network.chain.alphaPrice(run.network.netuid);
    } catch (error) {
      this.log.warn('Could not read the alpha price; the snapshot is kept without it', { error: messageOf(error) });
      return null;
    }
  }

  private snapshot(run: Run, stats: NeuronChainStats, alphaPrice: bigint | null): void {
    const snapshot: RewardSnapshot = {
      time: this.now().toISOString(),
      block: stats.block,
      netuid: run.network.netuid,
      uid: run.uid,
      hotkey: run.hotkey,
      stake: stats.stake,
      incentive: stats.incentive,
      emission: stats.emission,
      trust: stats.trust,
      immunityBlocksLeft: stats.immunityBlocksLeft,
      alphaPrice: alphaPrice === null ? null : alphaPrice.toString(),
    };
    try {
      if (this.options.rewards.add(snapshot)) this.options.events.emit('reward', snapshot);
    } catch (error) {
      this.log.error('Could not store the rewards snapshot', { error: messageOf(error) });
    }
  }

  private onRequest(record: MinerRequestRecord): void {
    if (record.status === 'ok') this.answered++;
    else this.failed++;
    this.options.generations.record(
      {
        time: this.now().toISOString(),
        role: 'miner',
        caller: record.caller,
        prompt: record.prompt,
        durationTokens: record.durationTokens,
        model: record.audio?.model ?? this.model,
        device: record.audio?.device ?? this.device,
        status: record.status,
        error: record.error ?? null,
        queuedMs: record.queuedMs,
        generateMs: record.generateMs,
      },
      record.audio ? { samples: record.audio.audio, sampleRate: record.audio.sampleRate } : undefined,
    );
    this.emit();
  }

  /** The generator, raising `model_failed` when the model fails and clearing it when it works again. */
  private watchModel(generator: Executor, model: string): Executor {
    const watch = async (result: Promise<GeneratedAudio>): Promise<GeneratedAudio> => {
      try {
        const audio = await result;
        if (this.alerts.clear('model_failed')) this.emit();
        return audio;
      } catch (error) {
        if (error instanceof GenerationError && MODEL_FAULTS.has(error.code)) {
          const raised = this.alerts.raise({
            kind: 'model_failed',
            severity: 'error',
            message: `The model ${model} failed (${error.code}): ${error.message}`,
          });
          if (raised) this.emit();
        }
        throw error;
      }
    };
    const generateJobs = generator.generateJobs?.bind(generator);
    return {
      // The scheduler asks each worker whether it can take work (not while it restarts).
      ...(generator.available ? { available: () => generator.available?.() ?? true } : {}),
      ...(generator.onAvailable
        ? { onAvailable: (listener: () => void) => generator.onAvailable?.(listener) ?? (() => undefined) }
        : {}),
      // Batches (issue #14) pass through, each job watched like a lone generation.
      ...(generator.canBatch && generateJobs
        ? { canBatch: true, generateJobs: (jobs: readonly BatchJob[]) => generateJobs(jobs).map(watch) }
        : {}),
      generate: (request, options) => {
        let result: Promise<GeneratedAudio>;
        try {
          result = generator.generate(request, options);
        } catch (error) {
          result = Promise.reject(error);
        }
        return watch(result);
      },
    };
  }

  private onWorkerState(state: WorkerState): void {
    switch (state.state) {
      case 'starting':
        this.worker.state = 'starting';
        break;
      case 'ready':
        this.worker.state = 'ready';
        this.alerts.clear('worker_failed');
        break;
      case 'restarting':
        this.worker = { state: 'restarting', restarts: this.worker.restarts + 1, lastError: state.reason };
        this.alerts.raise({
          kind: 'worker_failed',
          severity: 'error',
          message: `${state.reason} Requests it held failed; the worker restarts in ${Math.round(state.inMs / 100) / 10} s.`,
        });
        break;
      case 'stopped':
        this.worker.state = 'stopped';
        break;
    }
    this.emit();
  }

  private async teardown(run: Run): Promise<void> {
    for (const release of run.release.splice(0)) release();
    await run.miner
      .stop()
      .catch((error: unknown) => this.log.warn('The axon did not stop cleanly', { error: messageOf(error) }));
    await run.worker?.close();
    if (this.run === run) this.run = null;
    this.alerts.clear(...CHAIN_ALERTS, 'worker_failed');
    this.worker.state = 'stopped';
  }

  private setState(state: NeuronStatus['state']): void {
    this.state = state;
    this.emit();
  }

  private emit(): void {
    this.options.events.emit('neuron', this.status());
  }
}

/** A model folder at least names its model; a missing or wrong folder fails the start, not the first request. */
function checkModelFolder(dir: string): void {
  if (!existsSync(join(dir, 'config.json'))) {
    throw new StartFailure(
      'model_missing',
      `The model folder ${dir} ${existsSync(dir) ? 'has no config.json: it is not a MusicGen export' : 'does not exist'}.`,
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
