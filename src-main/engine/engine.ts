/**
 * The engine: one composition root. It opens the database, makes the services (logs, settings,
 * status, GPU, models; the wallet, chain and neuron services join them here) and merges their
 * command slices. Both shells (the Electron main process and the headless daemon) create one and
 * expose it through a host adapter. It wires; the services compute.
 */
import type { EngineStatus, HostKind } from '../../src-shared/schemas/status.js';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import type { GpuReportOptions } from '../inference/gpu/index.js';
import { throttleGenerationEvents, type GenerationQueue } from '../inference/generate/queue.js';
import type { Logger } from '../log/logger.js';
import { openDatabase, type Db } from '../store/database.js';
import { LogStore } from '../store/log-store.js';
import { SettingsStore } from '../store/settings-store.js';
import { APP_VERSION } from '../version.js';
import { EventBus } from './events.js';
import { GpuService } from './gpu-service.js';
import { LogService } from './log-service.js';
import { ModelService, type ModelServiceOptions } from './models.js';
import { NetworkService, type NetworkServiceOptions } from './network-service.js';
import { pendingCommands } from './pending-commands.js';
import type { CommandHandlers, Lifecycle } from './service.js';
import { SettingsService } from './settings-service.js';
import { StatusService } from './status-service.js';

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
  networkService?: Pick<NetworkServiceOptions, 'workerEntry' | 'local' | 'connectRemote' | 'retryMs'>;
  now?: () => Date;
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
  /** Not started by the constructor: the shells call `network.start()` once they listen. */
  readonly network: NetworkService;
  private readonly logs: LogService;
  private readonly statusService: StatusService;
  /** In start order; stopped in reverse. */
  private readonly services: Lifecycle[];
  private readonly db: Db;
  private closed = false;
  private readonly detachers = new Set<() => void>();

  constructor(options: EngineOptions) {
    const now = options.now ?? (() => new Date());
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
      onChange: (after) => {
        this.logs.level = after.logLevel;
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
    this.gpu = new GpuService({ log: this.logger('inference.gpu'), ...(options.gpu ? { report: options.gpu } : {}) });
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
      ...options.networkService,
    });
    this.services = [this.logs, this.settings, this.statusService, this.gpu, this.models, this.network];
    this.handlers = {
      ...this.statusService.handlers,
      ...this.logs.handlers,
      ...this.settings.handlers,
      ...this.gpu.handlers,
      ...this.models.handlers,
      ...this.network.handlers,
      ...pendingCommands,
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
   * Forwards a generation queue's jobs as `generation` events: every state change, and steps at
   * most ~10 times a second per job. Returns the detach (also done by `close`).
   */
  attachGenerationQueue(queue: GenerationQueue, options: { intervalMs?: number } = {}): () => void {
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
