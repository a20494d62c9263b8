/**
 * The model store behind the Host API: `models.list`, `models.download` and `models.import`
 * (started in the background, progress as `model` events), `models.cancel` and `models.delete`. The engine owns one
 * service; the store itself (in `<dataDir>/models`) is made on first use, and reads `HF_ENDPOINT`
 * and `HF_TOKEN` from the environment as the store always does. The token never reaches a log line
 * or an event: the store's messages never carry it, and nothing here reads it.
 */
import { HostApiError } from '../../src-shared/api/errors.js';
import {
  manifestDtypes,
  type ModelDownloadEvent,
  type ModelDownloadState,
  type ModelDtype,
  type ModelEntry,
  type ModelListEntry,
  type ModelManifest,
} from '../../src-shared/schemas/model-manifest.js';
import { isAbsolute } from 'node:path';
import {
  ModelStore,
  ModelStoreError,
  modelsDirIn,
  type ImportCheck,
  type ImportOptions,
  type TransferOptions,
} from '../models/index.js';
import type { Logger } from '../log/logger.js';
import type { HandlerSlice, Service } from './service.js';

/** What the service needs of a ModelStore; tests pass a fake. */
export interface ModelStoreLike {
  manifest(id: string): ModelManifest;
  list(): Promise<ModelEntry[]>;
  download(id: string, dtype: ModelDtype, options?: TransferOptions): Promise<ModelEntry>;
  delete(id: string, dtype?: ModelDtype): Promise<void>;
  /** Import; a store without them (a download-only test double) answers `unavailable`. */
  checkImport?(dir: string, options: { id?: string }): Promise<ImportCheck>;
  importFolder?(dir: string, id?: string, options?: ImportOptions): Promise<ModelEntry[]>;
}

export interface ModelServiceOptions {
  dataDir: string;
  logger: Logger;
  emit: (event: ModelDownloadEvent) => void;
  /** Default: a ModelStore in `<dataDir>/models`, made on first use. */
  createStore?: () => ModelStoreLike;
  /** Least milliseconds between two `running` events of one download. Default 200 (~5/s). */
  intervalMs?: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
}

interface RunningDownload {
  readonly controller: AbortController;
  readonly kind: 'download' | 'import';
  last: ModelDownloadEvent;
  lastEmittedAt: number;
}

const keyOf = (id: string, dtype: ModelDtype): string => `${id}@${dtype}`;

type ModelCommand = 'models.list' | 'models.download' | 'models.cancel' | 'models.delete' | 'models.import';

export class ModelService implements Service<ModelCommand> {
  readonly name = 'models';
  readonly handlers: HandlerSlice<ModelCommand> = {
    'models.list': () => this.list(),
    'models.download': (input) => this.download(input.id, input.dtype),
    'models.cancel': (input) => this.cancel(input.id, input.dtype),
    'models.delete': (input) => this.delete(input.id, input.dtype),
    'models.import': (input) => this.importFolder(input.dir, input.id),
  };
  private storeInstance: ModelStoreLike | undefined;
  private readonly downloads = new Map<string, RunningDownload>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: ModelServiceOptions) {
    this.intervalMs = options.intervalMs ?? 200;
    this.now = options.now ?? (() => performance.now());
  }

  private get store(): ModelStoreLike {
    this.storeInstance ??=
      this.options.createStore?.() ??
      new ModelStore({
        modelsDir: modelsDirIn(this.options.dataDir),
        logger: this.options.logger,
        // The service throttles again per download; the store need not report more often.
        progressIntervalMs: this.intervalMs,
      });
    return this.storeInstance;
  }

  async list(): Promise<ModelListEntry[]> {
    const entries = await this.guard(() => this.store.list());
    return entries.map((entry) => {
      const source = this.store.manifest(entry.id).source;
      return { ...entry, importInstructions: source.kind === 'import' ? source.instructions : null };
    });
  }

  /** Starts a download and returns at once; the outcome arrives as `model` events. */
  download(id: string, dtype: ModelDtype): { started: true } {
    const manifest = this.checked(id, dtype);
    if (manifest.source.kind !== 'hub') {
      throw new HostApiError(
        'invalid_input',
        `${manifest.displayName} cannot be downloaded: ${manifest.source.instructions}`,
      );
    }
    const running = [...this.downloads.values()].find((d) => d.last.id === id);
    if (running) {
      throw new HostApiError(
        'invalid_input',
        running.last.dtype === dtype
          ? `${manifest.displayName} (${dtype}) is already being downloaded.`
          : `${manifest.displayName} is already being downloaded at ${running.last.dtype}; wait for it or cancel it first.`,
      );
    }

    this.options.logger.info('Model download started', { model: id, dtype });
    this.run(id, dtype, 'download', (options) => this.store.download(id, dtype, options));
    return { started: true };
  }

  /**
   * Checks a folder (everything a MusicGen export needs, with every problem named), then copies
   * it into the store in the background; progress and the outcome arrive as `model` events.
   */
  async importFolder(dir: string, id?: string): Promise<{ id: string; dtype: ModelDtype; started: true }> {
    const store = this.store;
    if (!store.checkImport || !store.importFolder) {
      throw new HostApiError('unavailable', 'This engine’s model store cannot import folders.');
    }
    const checkImport = store.checkImport.bind(store);
    const copy = store.importFolder.bind(store);
    if (!isAbsolute(dir)) throw new HostApiError('invalid_input', `${dir} is not an absolute path.`);
    const check = await this.guard(() => checkImport(dir, id !== undefined ? { id } : {}));
    const modelId = check.manifest.id;
    const running = [...this.downloads.values()].find((d) => d.last.id === modelId);
    if (running) {
      throw new HostApiError(
        'invalid_input',
        `${check.manifest.displayName} is being downloaded or imported; wait for it or cancel it first.`,
      );
    }
    const dtype = check.dtypes[0] ?? check.manifest.defaultDtype;
    this.options.logger.info('Model import started', { model: modelId, dtypes: check.dtypes, from: dir });
    this.run(modelId, dtype, 'import', async (options) => {
      const entries = await copy(dir, modelId, options);
      const entry = entries.find((e) => e.dtype === dtype) ?? entries[0];
      if (!entry) throw new ModelStoreError('invalid_model', `Nothing was imported from ${dir}.`);
      return entry;
    });
    return { id: modelId, dtype, started: true };
  }

  /** Runs one transfer in the background, throttling its progress into `model` events. */
  private run(
    id: string,
    dtype: ModelDtype,
    kind: 'download' | 'import',
    work: (options: TransferOptions) => Promise<ModelEntry>,
  ): void {
    const key = keyOf(id, dtype);
    const controller = new AbortController();
    const download: RunningDownload = {
      controller,
      kind,
      last: {
        id,
        dtype,
        state: 'running',
        file: null,
        filesDone: 0,
        filesTotal: 0,
        bytes: 0,
        total: 0,
        bytesPerSecond: 0,
        etaSeconds: null,
      },
      lastEmittedAt: this.now(),
    };
    this.downloads.set(key, download);
    this.options.emit(download.last);

    void work({
      signal: controller.signal,
      onProgress: (progress) => {
        if (this.downloads.get(key) !== download) return;
        download.last = { ...progress, state: 'running' };
        const at = this.now();
        const complete = progress.total > 0 && progress.bytes >= progress.total;
        if (!complete && at - download.lastEmittedAt < this.intervalMs) return;
        download.lastEmittedAt = at;
        this.send(download.last);
      },
    }).then(
      (entry) => this.finish(key, download, 'done', { entry }),
      (error: unknown) => {
        const cancelled = controller.signal.aborted || (error instanceof ModelStoreError && error.code === 'cancelled');
        const info = {
          code: error instanceof ModelStoreError ? error.code : 'internal',
          message: error instanceof Error ? error.message : String(error),
        };
        if (cancelled) {
          this.finish(key, download, 'cancelled', {
            error: {
              code: 'cancelled',
              message:
                kind === 'download'
                  ? 'The download was cancelled; a new download resumes it.'
                  : 'The import was cancelled; nothing was imported.',
            },
          });
        } else {
          this.finish(key, download, 'failed', { error: info });
        }
      },
    );
  }

  /** Stops a running download or import; false when none runs for this model and dtype. */
  cancel(id: string, dtype: ModelDtype): { cancelled: boolean } {
    // A running import of a new local model has no manifest in the store until it is done.
    const download = this.downloads.get(keyOf(id, dtype));
    if (!download) {
      this.checked(id, dtype);
      return { cancelled: false };
    }
    this.options.logger.info(`Cancelling a model ${download.kind}`, { model: id, dtype });
    download.controller.abort();
    return { cancelled: true };
  }

  async delete(id: string, dtype?: ModelDtype): Promise<{ deleted: true }> {
    const manifest = dtype ? this.checked(id, dtype) : this.guardSync(() => this.store.manifest(id));
    const running = [...this.downloads.values()].find((d) => d.last.id === id);
    if (running) {
      throw new HostApiError(
        'invalid_input',
        `${manifest.displayName} is being downloaded (${running.last.dtype}); cancel the download before deleting.`,
      );
    }
    await this.guard(() => this.store.delete(id, dtype));
    return { deleted: true };
  }

  /** Cancels every download; no event or log line follows. */
  stop(): void {
    this.close();
  }

  close(): void {
    this.closed = true;
    for (const download of this.downloads.values()) download.controller.abort();
    this.downloads.clear();
  }

  private finish(
    key: string,
    download: RunningDownload,
    state: Exclude<ModelDownloadState, 'running'>,
    extra: Pick<ModelDownloadEvent, 'error' | 'entry'>,
  ): void {
    if (this.downloads.get(key) !== download) return;
    this.downloads.delete(key);
    const { id, dtype } = download.last;
    const what = download.kind === 'download' ? 'Model download' : 'Model import';
    const event: ModelDownloadEvent = {
      ...download.last,
      state,
      bytesPerSecond: 0,
      etaSeconds: state === 'done' ? 0 : null,
      ...extra,
    };
    if (state === 'done') this.options.logger.info(`${what} finished`, { model: id, dtype });
    else if (state === 'cancelled') this.options.logger.info(`${what} cancelled`, { model: id, dtype });
    else
      this.options.logger.error(`${what} failed: ${extra.error?.message ?? 'unknown error'}`, {
        model: id,
        dtype,
        code: extra.error?.code,
      });
    this.send(event);
  }

  private send(event: ModelDownloadEvent): void {
    if (!this.closed) this.options.emit(event);
  }

  /** The manifest, if the model exists and offers this dtype; else invalid_input. */
  private checked(id: string, dtype: ModelDtype): ModelManifest {
    const manifest = this.guardSync(() => this.store.manifest(id));
    const offered = manifestDtypes(manifest);
    if (!offered.includes(dtype)) {
      throw new HostApiError(
        'invalid_input',
        `${manifest.displayName} is not offered at ${dtype}; it is at ${offered.join(', ')}.`,
      );
    }
    return manifest;
  }

  private guardSync<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw toHostApiError(error);
    }
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toHostApiError(error);
    }
  }
}

/** unknown_model, not_downloadable, invalid_model and wrong_kind are the caller's to fix; anything else is the engine's. */
export function toHostApiError(error: unknown): unknown {
  if (!(error instanceof ModelStoreError)) return error;
  const code =
    error.code === 'unknown_model' ||
    error.code === 'not_downloadable' ||
    error.code === 'invalid_model' ||
    error.code === 'wrong_kind'
      ? 'invalid_input'
      : 'internal';
  return new HostApiError(code, error.message);
}
