/**
 * What the renderer knows about the engine, kept current from the HostClient: a snapshot at each
 * connect (status.get, logs.list, settings.get) and then the live events, plus the GPU report,
 * fetched only when asked for (checkGpu) because producing it can take a minute. Pages read it;
 * only this module talks to the client for these data.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ConnectionState, HostClient } from '../../src-shared/api/client.js';
import type { HostEvent } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { GpuReport } from '../../src-shared/schemas/gpu.js';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import type { ModelDownloadEvent, ModelDtype, ModelListEntry } from '../../src-shared/schemas/model-manifest.js';
import type { Settings, SettingsPatch } from '../../src-shared/schemas/settings.js';
import type { EngineStatus } from '../../src-shared/schemas/status.js';
import { MAX_LOG_LINES, appendLog, mergeLogs } from './log-buffer.js';

export interface EngineState {
  readonly connection: ConnectionState;
  /** Whether a connection ever succeeded: a new attempt then reads "Reconnecting…". */
  readonly hasConnected: boolean;
  readonly transport: HostClient['transport'];
  readonly status: EngineStatus | null;
  /** Local clock (ms) when `status` arrived, to let the uptime tick between heartbeats. */
  readonly statusReceivedAt: number | null;
  readonly logs: readonly LogEntry[];
  readonly settings: Settings | null;
  /** What failed while loading the snapshot after the last connect, for the user to see. */
  readonly loadErrors: readonly string[];
  /** Saves a change; resolves with all settings or rejects with the HostApiError. */
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  readonly gpu: GpuCheck;
  /**
   * Asks the engine for its GPU report; `refresh` makes it probe again instead of answering from
   * its cache. Never rejects: a failure lands in `gpu.error`. A second call without refresh while
   * one runs joins it, so a page opened twice (or StrictMode's double effect) asks once.
   */
  checkGpu(refresh: boolean): Promise<void>;
  readonly models: ModelsState;
  /** Asks for models.list (on the Settings page and after each download ends). Never rejects. */
  loadModels(): Promise<void>;
  /** Starts a download; a refusal lands in `models.actionErrors`. Never rejects. */
  downloadModel(id: string, dtype: ModelDtype): Promise<void>;
  cancelModelDownload(id: string, dtype: ModelDtype): Promise<void>;
  deleteModel(id: string, dtype: ModelDtype): Promise<void>;
}

/** `musicgen-small@q8`: how downloads and errors are keyed. */
export function modelKey(id: string, dtype: ModelDtype): string {
  return `${id}@${dtype}`;
}

export interface ModelsState {
  /** The last listing; null before the first one arrives. */
  readonly entries: readonly ModelListEntry[] | null;
  readonly loading: boolean;
  /** Why the last listing failed; cleared when a listing starts. */
  readonly error: HostApiError | null;
  /** The latest `model` event per download (by modelKey), kept after it ends to show the outcome. */
  readonly downloads: Readonly<Record<string, ModelDownloadEvent>>;
  /** A refused download, cancel or delete, by modelKey; cleared when the next action on it starts. */
  readonly actionErrors: Readonly<Record<string, HostApiError>>;
}

export interface GpuCheck {
  /** The last report received; kept while a new check runs or after one fails. */
  readonly report: GpuReport | null;
  /** A check is under way; `refresh` tells whether it re-probes (slow) or may hit the cache. */
  readonly running: { readonly refresh: boolean } | null;
  /** Why the last check failed; cleared when a check starts. */
  readonly error: HostApiError | null;
}

export type EngineStore = StoreApi<EngineState>;

export interface EngineStoreHandle {
  readonly store: EngineStore;
  /** Stops listening to the client (the client itself stays open). */
  dispose(): void;
}

export function createEngineStore(client: HostClient, now: () => number = Date.now): EngineStoreHandle {
  // Each counter moves when live data arrive, so that a snapshot requested earlier (and answered
  // later) cannot overwrite something newer.
  let connectGeneration = 0;
  let statusVersion = 0;
  let settingsVersion = 0;
  /** While a snapshot loads: the live log lines that must survive it replacing the buffer. */
  let liveDuringSnapshot: LogEntry[] | null = null;
  /** Moves with each GPU check, so that only the latest one may write its answer. */
  let gpuGeneration = 0;
  let gpuInFlight: Promise<void> | null = null;
  /** Moves with each models.list, so that only the latest one may write its answer. */
  let modelsGeneration = 0;

  const store = createStore<EngineState>()(() => ({
    connection: client.connection,
    hasConnected: client.connection.status === 'connected',
    transport: client.transport,
    status: null,
    statusReceivedAt: null,
    logs: [],
    settings: null,
    loadErrors: [],
    updateSettings: async (patch) => {
      const settings = await client.call('settings.update', patch);
      settingsVersion++;
      store.setState({ settings });
      return settings;
    },
    gpu: { report: null, running: null, error: null },
    checkGpu: (refresh) => checkGpu(refresh),
    models: { entries: null, loading: false, error: null, downloads: {}, actionErrors: {} },
    loadModels: () => loadModels(),
    downloadModel: (id, dtype) =>
      modelAction(modelKey(id, dtype), async () => {
        await client.call('models.download', { id, dtype });
      }),
    cancelModelDownload: (id, dtype) =>
      modelAction(modelKey(id, dtype), async () => {
        await client.call('models.cancel', { id, dtype });
      }),
    deleteModel: (id, dtype) =>
      modelAction(modelKey(id, dtype), async () => {
        await client.call('models.delete', { id, dtype });
        await loadModels();
      }),
  }));

  function setModels(update: (models: ModelsState) => Partial<ModelsState>): void {
    store.setState((state) => ({ models: { ...state.models, ...update(state.models) } }));
  }

  async function loadModels(): Promise<void> {
    const generation = ++modelsGeneration;
    setModels(() => ({ loading: true, error: null }));
    try {
      const entries = await client.call('models.list', {});
      if (generation === modelsGeneration) setModels(() => ({ entries, loading: false }));
    } catch (error) {
      if (generation === modelsGeneration) setModels(() => ({ loading: false, error: asHostApiError(error) }));
    }
  }

  async function modelAction(key: string, action: () => Promise<void>): Promise<void> {
    setModels((models) => ({ actionErrors: without(models.actionErrors, key) }));
    try {
      await action();
    } catch (error) {
      setModels((models) => ({ actionErrors: { ...models.actionErrors, [key]: asHostApiError(error) } }));
    }
  }

  function onModelEvent(event: ModelDownloadEvent): void {
    const key = modelKey(event.id, event.dtype);
    setModels((models) => ({ downloads: { ...models.downloads, [key]: event } }));
    if (event.state !== 'running') void loadModels();
  }

  function checkGpu(refresh: boolean): Promise<void> {
    if (gpuInFlight !== null && !refresh) return gpuInFlight;
    const generation = ++gpuGeneration;
    store.setState((state) => ({ gpu: { ...state.gpu, running: { refresh }, error: null } }));
    const run = client.call('gpu.report', { refresh }).then(
      (report) => {
        if (generation !== gpuGeneration) return;
        store.setState({ gpu: { report, running: null, error: null } });
      },
      (error: unknown) => {
        if (generation !== gpuGeneration) return;
        store.setState((state) => ({ gpu: { ...state.gpu, running: null, error: asHostApiError(error) } }));
      },
    );
    const settled = run.finally(() => {
      if (gpuInFlight === settled) gpuInFlight = null;
    });
    gpuInFlight = settled;
    return settled;
  }

  async function loadSnapshot(): Promise<void> {
    const generation = ++connectGeneration;
    const statusAtRequest = statusVersion;
    const settingsAtRequest = settingsVersion;
    liveDuringSnapshot = [];
    const [status, logs, settings] = await Promise.allSettled([
      client.call('status.get', {}),
      client.call('logs.list', { limit: MAX_LOG_LINES }),
      client.call('settings.get', {}),
    ]);
    if (generation !== connectGeneration) return;
    const errors: string[] = [];
    const patch: { -readonly [K in keyof EngineState]?: EngineState[K] } = {};
    if (status.status === 'fulfilled') {
      if (statusVersion === statusAtRequest) {
        patch.status = status.value;
        patch.statusReceivedAt = now();
      }
    } else {
      errors.push(`Could not load the status: ${messageOf(status.reason)}`);
    }
    if (logs.status === 'fulfilled') {
      patch.logs = mergeLogs(logs.value.entries, liveDuringSnapshot ?? []);
    } else {
      errors.push(`Could not load the log: ${messageOf(logs.reason)}`);
    }
    liveDuringSnapshot = null;
    if (settings.status === 'fulfilled') {
      if (settingsVersion === settingsAtRequest) patch.settings = settings.value;
    } else {
      errors.push(`Could not load the settings: ${messageOf(settings.reason)}`);
    }
    patch.loadErrors = errors;
    store.setState(patch);
  }

  function onConnection(connection: ConnectionState): void {
    const connected = connection.status === 'connected';
    store.setState((state) => ({ connection, hasConnected: state.hasConnected || connected }));
    if (connected) void loadSnapshot();
    else {
      // Anything requested under the old connection is now moot.
      connectGeneration++;
      liveDuringSnapshot = null;
    }
  }

  function onEvent(event: HostEvent): void {
    switch (event.event) {
      case 'status':
        statusVersion++;
        store.setState({ status: event.payload, statusReceivedAt: now() });
        return;
      case 'log':
        if (liveDuringSnapshot !== null && liveDuringSnapshot.length < MAX_LOG_LINES)
          liveDuringSnapshot.push(event.payload);
        store.setState((state) => ({ logs: appendLog(state.logs, event.payload) }));
        return;
      case 'settings':
        settingsVersion++;
        store.setState({ settings: event.payload });
        return;
      case 'model':
        onModelEvent(event.payload);
        return;
    }
  }

  const unsubscribeConnection = client.onConnection(onConnection);
  const unsubscribeEvents = client.onEvent(onEvent);
  if (client.connection.status === 'connected') void loadSnapshot();

  return {
    store,
    dispose() {
      unsubscribeConnection();
      unsubscribeEvents();
      connectGeneration++;
      gpuGeneration++;
      modelsGeneration++;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asHostApiError(error: unknown): HostApiError {
  return error instanceof HostApiError ? error : new HostApiError('internal', messageOf(error));
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}
