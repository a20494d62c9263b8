/**
 * The engine: one composition root that wires the store, the logger, the event stream and the
 * command handlers. Both shells (the Electron main process and the headless daemon) create one
 * and expose it through a host adapter; the neuron services of later issues are wired in here.
 */
import type { CommandName, CommandOutput, ParsedCommandInput } from '../../src-shared/api/contract.js';
import type { EngineStatus, HostKind, Role } from '../../src-shared/schemas/status.js';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import type { Settings } from '../../src-shared/schemas/settings.js';
import type { GpuReport } from '../../src-shared/schemas/gpu.js';
import { gpuReport, type GpuReportOptions } from '../inference/gpu/index.js';
import { throttleGenerationEvents, type GenerationQueue } from '../inference/generate/queue.js';
import { openDatabase, type Db } from '../store/database.js';
import { LogStore } from '../store/log-store.js';
import { SettingsStore } from '../store/settings-store.js';
import { APP_VERSION } from '../version.js';
import { EventBus } from './events.js';
import { LogRoot, type Logger } from '../log/logger.js';
import { ModelService, type ModelServiceOptions } from './models.js';

export type CommandHandlers = {
  [C in CommandName]: (input: ParsedCommandInput<C>) => CommandOutput<C> | Promise<CommandOutput<C>>;
};

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
  now?: () => Date;
}

export class Engine {
  readonly events = new EventBus();
  readonly log: Logger;
  readonly handlers: CommandHandlers;
  readonly settings: SettingsStore;
  readonly models: ModelService;
  private readonly logs: LogStore;
  private readonly logRoot: LogRoot;
  private readonly db: Db;
  private readonly startedAt: Date;
  private readonly heartbeat: NodeJS.Timeout;
  private role: Role = 'idle';
  private closed = false;
  private readonly detachers = new Set<() => void>();

  constructor(private readonly options: EngineOptions) {
    const now = options.now ?? (() => new Date());
    this.startedAt = now();
    this.db = openDatabase(options.dataDir, options.inMemory ? { file: ':memory:' } : {});
    this.settings = new SettingsStore(this.db);
    this.logs = new LogStore(this.db);
    const { settings, problems } = this.settings.read();
    this.logRoot = new LogRoot(
      (line) => {
        const entry = this.logs.append(line);
        options.onLogLine?.(line);
        this.events.emit('log', entry);
      },
      settings.logLevel,
      now,
    );
    this.log = this.logRoot.logger('engine');
    for (const problem of problems) this.log.warn(`Setting "${problem.key}": ${problem.reason}`);
    this.models = new ModelService({
      dataDir: options.dataDir,
      logger: this.logger('inference.models'),
      emit: (event) => this.events.emit('model', event),
      ...options.models,
    });
    this.handlers = this.createHandlers();
    this.heartbeat = setInterval(
      () => this.events.emit('status', this.status()),
      (options.heartbeatSeconds ?? 5) * 1000,
    );
    this.heartbeat.unref();
    this.log.info(`BittAudio ${APP_VERSION} engine started`, { host: options.host, dataDir: options.dataDir });
  }

  logger(source: string): Logger {
    return this.logRoot.logger(source);
  }

  status(): EngineStatus {
    return {
      version: APP_VERSION,
      host: this.options.host,
      role: this.role,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.max(0, (Date.now() - this.startedAt.getTime()) / 1000),
      dataDir: this.options.dataDir,
      platform: `${process.platform}-${process.arch}`,
      nodeVersion: process.versions.node,
    };
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

  private createHandlers(): CommandHandlers {
    return {
      'status.get': () => this.status(),
      'logs.list': (input) => ({ entries: this.logs.list(input) }),
      'settings.get': () => this.settings.get(),
      'settings.update': (patch) => this.updateSettings(patch),
      'gpu.report': (input) => this.gpuReport(input.refresh),
      'models.list': () => this.models.list(),
      'models.download': (input) => this.models.download(input.id, input.dtype),
      'models.cancel': (input) => this.models.cancel(input.id, input.dtype),
      'models.delete': (input) => this.models.delete(input.id, input.dtype),
    };
  }

  private gpuReportRun: Promise<GpuReport> | undefined;

  /** Probing takes seconds to a minute: one run at a time, cached until a refresh is asked for. */
  private gpuReport(refresh: boolean): Promise<GpuReport> {
    if (!this.gpuReportRun || refresh) {
      const log = this.logger('inference.gpu');
      log.info('Checking GPUs and execution providers');
      const run = gpuReport({ probe: null, ...this.options.gpu });
      this.gpuReportRun = run;
      void run.then(
        (report) => log.info(report.device.summary, { device: report.device.device }),
        () => undefined,
      );
      run.catch(() => {
        if (this.gpuReportRun === run) this.gpuReportRun = undefined;
      });
    }
    return this.gpuReportRun;
  }

  private updateSettings(patch: Partial<Settings>): Settings {
    const before = this.settings.get();
    const after = this.settings.update(patch);
    this.logRoot.level = after.logLevel;
    const changed = Object.keys(patch).filter((key) => before[key as keyof Settings] !== after[key as keyof Settings]);
    if (changed.length > 0) {
      this.log.info('Settings changed', { changed });
      this.events.emit('settings', after);
    }
    return after;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const detach of [...this.detachers]) detach();
    this.models.close();
    this.log.info('Engine stopped');
    this.db.close();
  }
}
