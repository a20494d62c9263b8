/**
 * The engine: one composition root. It opens the database, makes the services (logs, settings,
 * status, GPU, models; the wallet, chain and neuron services join them here) and merges their
 * command slices. Both shells (the Electron main process and the headless daemon) create one and
 * expose it through a host adapter. It wires; the services compute.
 */
import type { EngineStatus, HostKind } from '../../src-shared/schemas/status.js';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import type { ExecutionProvider } from '../../src-shared/schemas/gpu.js';
import type { GpuReportOptions } from '../inference/gpu/index.js';
import { throttleGenerationEvents, type WorkScheduler } from '../inference/scheduler.js';
import type { SpawnWorker } from '../inference/worker/worker-client.js';
import { workerSlots, type WorkerSlot } from '../inference/worker/worker-pool.js';
import type { Logger } from '../log/logger.js';
import { openDatabase, type Db } from '../store/database.js';
import { GenerationStore } from '../store/generation-store.js';
import { LogStore } from '../store/log-store.js';
import { RewardStore } from '../store/reward-store.js';
import { SettingsStore } from '../store/settings-store.js';
import { APP_VERSION } from '../version.js';
import { EventBus } from './events.js';
import { GenerationService } from './generation-service.js';
import { installedModelBenchmark } from './gpu-benchmark.js';
import { GpuService } from './gpu-service.js';
import { LogService } from './log-service.js';
import { ModelService, type ModelServiceOptions } from './models.js';
import type { NetworkProvider } from './network-handle.js';
import { NeuronService } from './neuron-service.js';
import { NetworkService, type NetworkServiceOptions } from './network-service.js';
import type { CommandHandlers, Lifecycle } from './service.js';
import { SettingsService } from './settings-service.js';
import { StatusService } from './status-service.js';
import { WalletService, type WalletServiceOptions } from './wallet-service.js';
import { ValidatorStore } from '../store/validator-store.js';
import { ValidatorService } from './validator-service.js';

export type { CommandHandlers } from './service.js';

export interface EngineOptions {
  dataDir: string;
  host: HostKind;
  /** Also print each kept line (the daemon prints to its terminal). */
  onLogLine?: (line: Omit<LogEntry, 'id'>) => void;
  /** Seconds between heartbeat status events. */
  heartbeatSeconds?: number;
  /** For tests: an in-memory database. */
  inMemory?: boolean;
  /** How the GPU report is made; tests replace the runners with captured outputs. */
  gpu?: GpuReportOptions;
  /** For tests: a fake model store, and the progress event interval. */
  models?: Pick<ModelServiceOptions, 'createStore' | 'intervalMs' | 'now'>;
  /** The network service: the inference worker entry for the local miners; tests' overrides. */
  networkService?: Pick<NetworkServiceOptions, 'local' | 'connectRemote' | 'retryMs'>;
  now?: () => Date;
  /**
   * How the host starts an inference worker for one slot (one per GPU): a forked Node child under
   * the daemon, Electron's utilityProcess in the app. Null: MusicGen would run in this process.
   */
  spawnWorker?: ((slot: WorkerSlot) => SpawnWorker) | null;
  /** The network service the neuron mines on; without one, neuron.start answers `unavailable`. */
  network?: NetworkProvider;
  neuron?: {
    workerBackoff?: { initialMs?: number; maxMs?: number };
    /** Where MusicGen runs; default the GPU report's choice. */
    device?: () => Promise<ExecutionProvider>;
    watchEveryBlocks?: number;
    /** Start the miner by itself on the local network until the user first stops it. */
    autoStartOnLocal?: boolean;
  };
  /** Milliseconds between generation retention runs (default one hour). */
  pruneEveryMs?: number;
  /** For tests: the wallet service's environment (BT_WALLET_PATH), home, key derivation and sign timeout. */
  wallet?: Pick<WalletServiceOptions, 'env' | 'home' | 'kdf' | 'signTimeoutMs'>;
}

/**
 * The composition root: opens the database, makes the services in dependency order, and merges
 * their command slices into one handler table (the type checks that every command has one).
 */
export class Engine {
  readonly events = new EventBus();
  readonly log: Logger;
  readonly handlers: CommandHandlers;
  readonly settings: SettingsService;
  readonly models: ModelService;
  readonly gpu: GpuService;
  readonly generations: GenerationService;
  readonly neuron: NeuronService;
  readonly wallet: WalletService;
  readonly validator: ValidatorService;
  /** Not started by the constructor: the shells call `network.start()` once they listen. */
  readonly network: NetworkService;
  private readonly logs: LogService;
  private readonly statusService: StatusService;
  /** In start order; stopped in reverse. */
  private readonly services: Lifecycle[];
  /** The host's way to start inference workers (EngineOptions.spawnWorker). */
  readonly spawnWorker: ((slot: WorkerSlot) => SpawnWorker) | null;
  private readonly db: Db;
  private closed = false;
  private readonly detachers = new Set<() => void>();

  constructor(options: EngineOptions) {
    const now = options.now ?? (() => new Date());
    this.spawnWorker = options.spawnWorker ?? null;
    this.db = openDatabase(options.dataDir, options.inMemory ? { file: ':memory:' } : {});
    const settingsStore = new SettingsStore(this.db);
    const { settings, problems } = settingsStore.read();
    this.logs = new LogService(new LogStore(this.db), {
      events: this.events,
      level: settings.logLevel,
      now,
      ...(options.onLogLine ? { onLine: options.onLogLine } : {}),
    });
    this.log = this.logs.logger('engine');
    for (const problem of problems) this.log.warn(`Setting "${problem.key}": ${problem.reason}`);
    this.settings = new SettingsService(settingsStore, {
      events: this.events,
      log: this.log,
      onChange: (after, before) => {
        this.logs.level = after.logLevel;
        // A tighter retention applies now, not at the next hourly run.
        if (after.keepDays !== before.keepDays || after.keepGb !== before.keepGb) this.generations.prune();
        void this.network.applySettings(after.network);
      },
    });
    this.statusService = new StatusService({
      host: options.host,
      dataDir: options.dataDir,
      events: this.events,
      heartbeatSeconds: options.heartbeatSeconds ?? 5,
      now,
    });
    this.gpu = new GpuService({
      log: this.logger('inference.gpu'),
      ...(options.gpu ? { report: options.gpu } : {}),
      emitSample: (sample) => this.events.emit('gpu.sample', sample),
      benchmark: installedModelBenchmark({
        settings: () => this.settings.get(),
        dataDir: options.dataDir,
        spawnWorker: this.spawnWorker,
        logger: this.logger('inference.benchmark'),
      }),
    });
    this.models = new ModelService({
      dataDir: options.dataDir,
      logger: this.logger('inference.models'),
      emit: (event) => this.events.emit('model', event),
      ...options.models,
    });
    this.network = new NetworkService({
      events: this.events,
      log: this.logger('network'),
      settings: () => this.settings.get().network,
      // The local miners share one CPU worker of the host's kind (the GPUs are left to your miner).
      spawnWorker: this.spawnWorker ? this.spawnWorker({ gpu: null, device: 'cpu', label: 'local-miners' }) : null,
      ...options.networkService,
    });
    this.generations = new GenerationService({
      store: new GenerationStore(this.db, options.dataDir),
      events: this.events,
      log: this.logger('store.generations'),
      settings: () => this.settings.get(),
      now,
      ...(options.pruneEveryMs ? { pruneEveryMs: options.pruneEveryMs } : {}),
    });
    const neuron = options.neuron ?? {};
    this.neuron = new NeuronService({
      network: options.network ?? this.network,
      settings: this.settings,
      events: this.events,
      logger: (source) => this.logger(source),
      generations: this.generations,
      rewards: new RewardStore(this.db),
      dataDir: options.dataDir,
      spawnWorker: this.spawnWorker,
      // One worker per GPU from the report, unless the caller fixed the device (tests, a --device flag).
      ...(neuron.device ? {} : { slots: async () => workerSlots(await this.gpu.report()) }),
      device: neuron.device ?? (async () => (await this.gpu.report()).device.device),
      attachQueue: (queue) => this.attachGenerationQueue(queue),
      now,
      ...(neuron.workerBackoff ? { workerBackoff: neuron.workerBackoff } : {}),
      ...(neuron.watchEveryBlocks ? { watchEveryBlocks: neuron.watchEveryBlocks } : {}),
      ...(neuron.autoStartOnLocal ? { autoStartOnLocal: true } : {}),
    });
    this.wallet = new WalletService({
      settings: () => this.settings.get(),
      network: options.network ?? this.network,
      log: this.logger('wallet'),
      emitSignerRequest: (request) => this.events.emit('signer.request', request),
      ...options.wallet,
    });
    this.validator = new ValidatorService({
      network: options.network ?? this.network,
      local: () => this.network.local,
      settings: this.settings,
      events: this.events,
      logger: (source) => this.logger(source),
      store: new ValidatorStore(this.db, options.dataDir),
      now,
      db: this.db,
      dataDir: options.dataDir,
      // Scoring gets its own worker on the scoring device (the CPU by default: MusicGen keeps the GPU).
      spawnWorker: this.spawnWorker
        ? () => {
            const device = this.settings.get().scoringDevice;
            return (this.spawnWorker as (slot: WorkerSlot) => SpawnWorker)({ gpu: null, device, label: 'scoring' })();
          }
        : null,
      scoringModels: async () => {
        const [{ resolveScoringModels }, { ModelStore, modelsDirIn }] = await Promise.all([
          import('./scoring-settings.js'),
          import('../models/index.js'),
        ]);
        const store = new ModelStore({ modelsDir: modelsDirIn(options.dataDir), logger: this.logger('scoring') });
        return resolveScoringModels(this.settings.get(), store);
      },
    });
    this.services = [
      this.logs,
      this.settings,
      this.statusService,
      this.gpu,
      this.models,
      this.generations,
      this.network,
      this.neuron,
      this.wallet,
      this.validator,
    ];
    this.handlers = {
      ...this.statusService.handlers,
      ...this.logs.handlers,
      ...this.settings.handlers,
      ...this.gpu.handlers,
      ...this.models.handlers,
      ...this.generations.handlers,
      ...this.neuron.handlers,
      ...this.network.handlers,
      ...this.wallet.handlers,
      ...this.validator.handlers,
    };
    this.log.info(`BittAudio ${APP_VERSION} engine started`, { host: options.host, dataDir: options.dataDir });
  }

  logger(source: string): Logger {
    return this.logs.logger(source);
  }

  status(): EngineStatus {
    return this.statusService.status();
  }

  /**
   * Forwards the work scheduler's jobs as `generation` events: every state change, and steps at
   * most ~10 times a second per job. Returns the detach (also done by `close`).
   */
  attachGenerationQueue(queue: WorkScheduler, options: { intervalMs?: number } = {}): () => void {
    const forward = throttleGenerationEvents((event) => this.events.emit('generation', event), {
      intervalMs: options.intervalMs ?? 100,
    });
    const unsubscribe = queue.subscribe(forward);
    const detach = (): void => {
      unsubscribe();
      this.detachers.delete(detach);
    };
    this.detachers.add(detach);
    return detach;
  }

  /** The folder the media route serves (`generations/<id>.wav` is relative to the data folder). */
  get mediaDir(): string {
    return this.generations.audioDir;
  }

  /** Stops the miner (waiting for its axon to close, keeping "it was running") and the network, then closes. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    // The validator first: its round queries the local miners the network is about to stop.
    await this.validator
      .stop()
      .catch((error: unknown) => this.log.error('The validator did not stop cleanly', { error: String(error) }));
    await this.neuron
      .stop()
      .catch((error: unknown) => this.log.error('The miner did not stop cleanly', { error: String(error) }));
    // Then the network: its local miners' axons, the block timer, the chain connection.
    await this.network
      .stop()
      .catch((error: unknown) => this.log.error('The network did not stop cleanly', { error: String(error) }));
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const detach of [...this.detachers]) detach();
    for (const service of [...this.services].reverse()) {
      try {
        void service.stop();
      } catch (error) {
        this.log.error(`The ${service.name} service failed to stop`, { error: String(error) });
      }
    }
    this.log.info('Engine stopped');
    this.db.close();
  }
}
