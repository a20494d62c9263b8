/**
 * What the renderer knows about the engine, kept current from the HostClient: a snapshot at each
 * connect (status.get, logs.list, settings.get; and the miner's: neuron.status, network.status,
 * rewards.list) and then the live events, plus the GPU report, fetched only when asked for
 * (checkGpu) because producing it can take a minute, and the generations library, listed when the
 * Generations page asks. Pages read it; only this module talks to the client for these data.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ConnectionState, HostClient } from '../../src-shared/api/client.js';
import type { HostEvent } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { GenerationEvent, StoredGenerationItem } from '../../src-shared/schemas/generation.js';
import type { GpuReport } from '../../src-shared/schemas/gpu.js';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import type { ModelDownloadEvent, ModelDtype, ModelListEntry } from '../../src-shared/schemas/model-manifest.js';
import type { NetworkStatus } from '../../src-shared/schemas/network.js';
import type { NeuronStatus, RewardSnapshot } from '../../src-shared/schemas/neuron.js';
import type { Settings, SettingsPatch } from '../../src-shared/schemas/settings.js';
import type { EngineStatus } from '../../src-shared/schemas/status.js';
import {
  EMPTY_LIBRARY,
  LIBRARY_PAGE_SIZE,
  applyJobEvent,
  applyListing,
  insertStored,
  type GenerationLibrary,
  type LibraryQuery,
} from './generation-library.js';
import { createGpuLive, type GpuLiveSlice } from './gpu-live.js';
import { MAX_LOG_LINES, appendLog, mergeLogs } from './log-buffer.js';
import { applyRoundEvent, applyWeightsEvent, rememberRounds } from './validator-view.js';
import type { ValidatorRound, ValidatorStatus } from '../../src-shared/schemas/validator.js';
import { EMPTY_ANSWERS, type AnswersQuery, type ValidatorAnswersView, ANSWERS_PAGE_SIZE } from './validator-answers.js';
import { MAX_REWARD_POINTS, appendReward } from './rewards.js';
import { EMPTY_VALIDATOR_HISTORY, type ValidatorHistoryView } from './validator-history.js';
import type { ValidatorHistoryRange } from '../../src-shared/schemas/validator.js';
import { routeEvent, type EventRoutes } from './route-event.js';

/** The GPU page's live samples and benchmark (gpu-live.ts) are a slice of their own. */
export interface EngineState extends GpuLiveSlice {
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
  /** Asks the engine to import a model folder on its machine; a refusal lands in `models.import.error`. Never rejects. */
  importModel(dir: string, id?: string): Promise<void>;
  /** A loadable URL for a stored generation's `mediaPath` (the client's media route). */
  mediaUrl(path: string): string;
  readonly network: Loaded<NetworkStatus>;
  readonly neuron: NeuronView;
  /** The validator: null before the first answer (an engine without one answers an error). */
  readonly validator: Loaded<ValidatorStatus>;
  /** Every round seen in the status since this window opened, by id (the answers show their prompt from it). */
  readonly validatorRounds: ReadonlyMap<number, ValidatorRound>;
  /** A validator start or stop asked from this window and not answered yet, and why the last one was refused. */
  readonly validatorAction: ActionState;
  /** Starts / stops the validator; a refusal lands in `validatorAction.error`. Never rejects. */
  startValidator(): Promise<void>;
  stopValidator(): Promise<void>;
  /** The answers the validator received, a page at a time (Generations' "Received" section). */
  readonly validatorAnswers: ValidatorAnswersView;
  /** Lists a page of answers: a changed filter goes back to the first page. Never rejects. */
  loadValidatorAnswers(query: Partial<AnswersQuery>): Promise<void>;
  /** Starts / stops the miner; a refusal lands in `neuron.actionError`. Never rejects. */
  startNeuron(): Promise<void>;
  stopNeuron(): Promise<void>;
  /** The validator's score, weight and dividends series for the Rewards page (validator.history). */
  readonly validatorHistory: ValidatorHistoryView;
  /** Reads the history for a range (default the one shown). Never rejects. */
  loadValidatorHistory(range?: ValidatorHistoryRange): Promise<void>;
  /** Epoch snapshots of our uid, oldest first; items null before the first listing. */
  readonly rewards: Loaded<readonly RewardSnapshot[]>;
  /** Generation jobs queued or running now, from the `generation` events since the last connect. */
  readonly jobs: readonly GenerationEvent[];
  readonly library: GenerationLibrary;
  /** Lists a page of the history: a new search goes back to the first page. Never rejects. */
  loadGenerations(query: Partial<LibraryQuery>): Promise<void>;
}

/** Something loaded at connect and then kept live by events. */
export interface Loaded<T> {
  /** null before the first answer. */
  readonly value: T | null;
  /** Why the last load failed (e.g. `unavailable` from an engine without the service). */
  readonly error: HostApiError | null;
}

export interface ActionState {
  readonly action: 'starting' | 'stopping' | null;
  readonly error: HostApiError | null;
}

export interface NeuronView extends Loaded<NeuronStatus> {
  /** A start or stop asked from this window and not answered yet. */
  readonly action: 'starting' | 'stopping' | null;
  /** Why the last start or stop was refused; cleared when the next one starts. */
  readonly actionError: HostApiError | null;
}

export interface ModelImport {
  /** The folder being handed to the engine (until models.import answers). */
  readonly submitting: string | null;
  /** What the engine accepted: its `model` events under this id and dtype are the import's progress. */
  readonly accepted: { readonly id: string; readonly dtype: ModelDtype; readonly dir: string } | null;
  /** Why the folder was refused. */
  readonly error: HostApiError | null;
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
  readonly import: ModelImport;
}

export const NO_MODEL_IMPORT: ModelImport = { submitting: null, accepted: null, error: null };

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
  // As statusVersion: moved by live events so that an older snapshot answer cannot overwrite them.
  let neuronVersion = 0;
  let validatorVersion = 0;

  async function refreshValidator(): Promise<void> {
    try {
      const value = await client.call('validator.status', {});
      store.setState({ validator: { value, error: null } });
    } catch (error) {
      store.setState((state) => ({ validator: { ...state.validator, error: asHostApiError(error) } }));
    }
  }
  let networkVersion = 0;
  /** Moves with each validator.history; only the latest one writes its answer. */
  let historyGeneration = 0;
  /** Moves with each validator.answers; only the latest one writes its answer. */
  let answersGeneration = 0;
  let rewardsVersion = 0;
  /** Moves with each generations.list; only the latest one writes its answer. */
  let libraryGeneration = 0;
  /** While a listing is in flight: the clips stored meanwhile, which it may not include. */
  let storedDuringListing: StoredGenerationItem[] | null = null;

  // The slice's store is this one, made below; the slice reaches it only once it exists.
  const gpuLive = createGpuLive(client, () => store, { asError: asHostApiError });

  const store = createStore<EngineState>()(() => ({
    ...gpuLive.initial,
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
    models: { entries: null, loading: false, error: null, downloads: {}, actionErrors: {}, import: NO_MODEL_IMPORT },
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
    importModel: (dir, id) => importModel(dir, id),
    mediaUrl: (path) => client.mediaUrl(path),
    network: { value: null, error: null },
    neuron: { value: null, error: null, action: null, actionError: null },
    validator: { value: null, error: null },
    validatorRounds: new Map(),
    validatorAction: { action: null, error: null },
    startValidator: () => validatorAction('starting'),
    stopValidator: () => validatorAction('stopping'),
    validatorAnswers: EMPTY_ANSWERS,
    loadValidatorAnswers: (query) => loadValidatorAnswers(query),
    validatorHistory: EMPTY_VALIDATOR_HISTORY,
    loadValidatorHistory: (range) => loadValidatorHistory(range),
    startNeuron: () => neuronAction('starting'),
    stopNeuron: () => neuronAction('stopping'),
    rewards: { value: null, error: null },
    jobs: [],
    library: EMPTY_LIBRARY,
    loadGenerations: (query) => loadGenerations(query),
  }));

  function setNeuron(update: Partial<NeuronView>): void {
    store.setState((state) => ({ neuron: { ...state.neuron, ...update } }));
  }

  async function neuronAction(action: 'starting' | 'stopping'): Promise<void> {
    setNeuron({ action, actionError: null });
    try {
      const status = await client.call(action === 'starting' ? 'neuron.start' : 'neuron.stop', {});
      neuronVersion++;
      setNeuron({ value: status, error: null, action: null });
    } catch (error) {
      setNeuron({ action: null, actionError: asHostApiError(error) });
    }
  }

  async function validatorAction(action: 'starting' | 'stopping'): Promise<void> {
    store.setState({ validatorAction: { action, error: null } });
    try {
      const value = await client.call(action === 'starting' ? 'validator.start' : 'validator.stop', {});
      validatorVersion++;
      store.setState({ validator: { value, error: null }, validatorAction: { action: null, error: null } });
    } catch (error) {
      store.setState({ validatorAction: { action: null, error: asHostApiError(error) } });
    }
  }

  async function loadValidatorAnswers(change: Partial<AnswersQuery>): Promise<void> {
    const current = store.getState().validatorAnswers.query;
    const filterChanged =
      (change.uid !== undefined && change.uid !== current.uid) ||
      (change.roundId !== undefined && change.roundId !== current.roundId);
    const query: AnswersQuery = {
      uid: change.uid !== undefined ? change.uid : current.uid,
      roundId: change.roundId !== undefined ? change.roundId : current.roundId,
      offset: Math.max(0, filterChanged && change.offset === undefined ? 0 : (change.offset ?? current.offset)),
    };
    const generation = ++answersGeneration;
    store.setState((state) => ({
      validatorAnswers: { ...state.validatorAnswers, query, loading: true, error: null },
    }));
    try {
      const page = await client.call('validator.answers', {
        limit: ANSWERS_PAGE_SIZE,
        offset: query.offset,
        ...(query.uid === null ? {} : { uid: query.uid }),
        ...(query.roundId === null ? {} : { roundId: query.roundId }),
      });
      if (generation !== answersGeneration) return;
      store.setState({
        validatorAnswers: { query, items: page.items, total: page.total, loading: false, error: null },
      });
    } catch (error) {
      if (generation !== answersGeneration) return;
      store.setState((state) => ({
        validatorAnswers: { ...state.validatorAnswers, loading: false, error: asHostApiError(error) },
      }));
    }
  }

  async function loadValidatorHistory(change?: ValidatorHistoryRange): Promise<void> {
    const range = change ?? store.getState().validatorHistory.range;
    const generation = ++historyGeneration;
    store.setState((state) => ({
      validatorHistory: {
        ...state.validatorHistory,
        range,
        // Another range's series would mislabel the charts while this one loads.
        value: range === state.validatorHistory.range ? state.validatorHistory.value : null,
        loading: true,
        error: null,
      },
    }));
    try {
      const value = await client.call('validator.history', { range });
      if (generation !== historyGeneration) return;
      store.setState({ validatorHistory: { range, value, loading: false, error: null } });
    } catch (error) {
      if (generation !== historyGeneration) return;
      store.setState((state) => ({
        validatorHistory: { ...state.validatorHistory, loading: false, error: asHostApiError(error) },
      }));
    }
  }

  async function importModel(dir: string, id?: string): Promise<void> {
    const trimmed = dir.trim();
    setModels(() => ({ import: { submitting: trimmed, accepted: null, error: null } }));
    try {
      const input = id === undefined || id.trim() === '' ? { dir: trimmed } : { dir: trimmed, id: id.trim() };
      const accepted = await client.call('models.import', input);
      setModels(() => ({
        import: { submitting: null, accepted: { id: accepted.id, dtype: accepted.dtype, dir: trimmed }, error: null },
      }));
    } catch (error) {
      setModels(() => ({ import: { submitting: null, accepted: null, error: asHostApiError(error) } }));
    }
  }

  async function loadGenerations(change: Partial<LibraryQuery>): Promise<void> {
    const current = store.getState().library.query;
    const search = (change.search ?? current.search).trim();
    // A different search starts from its newest clip.
    const offset = search !== current.search && change.offset === undefined ? 0 : (change.offset ?? current.offset);
    const query: LibraryQuery = { search, offset: Math.max(0, offset) };
    const generation = ++libraryGeneration;
    storedDuringListing = [];
    store.setState((state) => ({ library: { ...state.library, query, loading: true, error: null } }));
    try {
      const listing = await client.call('generations.list', {
        limit: LIBRARY_PAGE_SIZE,
        offset: query.offset,
        ...(query.search === '' ? {} : { search: query.search }),
      });
      if (generation !== libraryGeneration) return;
      store.setState({ library: applyListing(query, listing, storedDuringListing ?? []) });
      storedDuringListing = null;
    } catch (error) {
      if (generation !== libraryGeneration) return;
      storedDuringListing = null;
      store.setState((state) => ({ library: { ...state.library, loading: false, error: asHostApiError(error) } }));
    }
  }

  async function loadMiner(): Promise<void> {
    const generation = connectGeneration;
    const at = { neuron: neuronVersion, network: networkVersion, rewards: rewardsVersion, validator: validatorVersion };
    const [neuron, network, rewards, validator] = await Promise.allSettled([
      client.call('neuron.status', {}),
      client.call('network.status', {}),
      client.call('rewards.list', { limit: MAX_REWARD_POINTS }),
      client.call('validator.status', {}),
    ]);
    if (generation !== connectGeneration) return;
    if (validator.status === 'rejected') {
      store.setState((state) => ({ validator: { ...state.validator, error: asHostApiError(validator.reason) } }));
    } else if (validatorVersion === at.validator) {
      store.setState({ validator: { value: validator.value, error: null } });
    }
    if (neuron.status === 'rejected') setNeuron({ error: asHostApiError(neuron.reason) });
    else if (neuronVersion === at.neuron) setNeuron({ value: neuron.value, error: null });
    if (network.status === 'rejected') {
      store.setState((state) => ({ network: { ...state.network, error: asHostApiError(network.reason) } }));
    } else if (networkVersion === at.network) {
      store.setState({ network: { value: network.value, error: null } });
    }
    if (rewards.status === 'rejected') {
      store.setState((state) => ({ rewards: { ...state.rewards, error: asHostApiError(rewards.reason) } }));
    } else if (rewardsVersion === at.rewards) {
      store.setState({ rewards: { value: rewards.value.items, error: null } });
    }
  }

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
    if (connected) {
      void loadSnapshot();
      void loadMiner();
      gpuLive.onConnected();
      // Clips stored while disconnected came as no event: list the page shown again.
      if (store.getState().library.items !== null) void loadGenerations({});
    } else {
      // Anything requested under the old connection is now moot, and the jobs seen may have ended unseen.
      connectGeneration++;
      liveDuringSnapshot = null;
      store.setState({ jobs: [] });
    }
  }

  /** Every event of the contract has its place here (route-event.ts makes a missing one a compile error). */
  const routes: EventRoutes = {
    // The wallet store answers signature requests (it holds the extension connection).
    'signer.request': () => undefined,
    'validator.round': (payload) => {
      validatorVersion++;
      store.setState((state) =>
        state.validator.value
          ? { validator: { value: applyRoundEvent(state.validator.value, payload), error: null } }
          : {},
      );
      // The first round of a validator started elsewhere (the CLI, another window): fetch the whole status.
      if (store.getState().validator.value === null) void refreshValidator();
      // A round that ended stored its answers: a listing on screen shows them (no event carries answers).
      const ended = payload.round.state !== 'querying' && payload.round.state !== 'scoring';
      if (ended && store.getState().validatorAnswers.items !== null) void loadValidatorAnswers({});
      // The permit and the next weights block come only with the whole status: read it once a round is over.
      if (ended && store.getState().validator.value !== null) void refreshValidator();
      // A history on screen gains the round's scores.
      if (ended && store.getState().validatorHistory.value !== null) void loadValidatorHistory();
    },
    'validator.weights': (payload) => {
      validatorVersion++;
      store.setState((state) =>
        state.validator.value
          ? { validator: { value: applyWeightsEvent(state.validator.value, payload), error: null } }
          : {},
      );
      // The next weights block moved with this submission; only the engine knows the cadence.
      void refreshValidator();
      if (store.getState().validatorHistory.value !== null) void loadValidatorHistory();
    },
    status: (payload) => {
      statusVersion++;
      store.setState({ status: payload, statusReceivedAt: now() });
    },
    log: (payload) => {
      if (liveDuringSnapshot !== null && liveDuringSnapshot.length < MAX_LOG_LINES) liveDuringSnapshot.push(payload);
      store.setState((state) => ({ logs: appendLog(state.logs, payload) }));
    },
    settings: (payload) => {
      settingsVersion++;
      store.setState({ settings: payload });
    },
    model: (payload) => onModelEvent(payload),
    network: (payload) => {
      networkVersion++;
      store.setState({ network: { value: payload, error: null } });
    },
    neuron: (payload) => {
      neuronVersion++;
      setNeuron({ value: payload, error: null });
    },
    reward: (payload) => {
      rewardsVersion++;
      store.setState((state) => ({
        rewards: { value: appendReward(state.rewards.value ?? [], payload), error: null },
      }));
    },
    generation: (payload) => store.setState((state) => ({ jobs: applyJobEvent(state.jobs, payload) })),
    'generation.stored': (payload) => {
      storedDuringListing?.push(payload);
      store.setState((state) => ({ library: insertStored(state.library, payload) }));
    },
    'gpu.sample': (payload) => gpuLive.onSample(payload),
  };

  function onEvent(event: HostEvent): void {
    routeEvent(event, routes);
  }

  // Each status the validator slice takes leaves its rounds in validatorRounds.
  const unsubscribeRounds = store.subscribe((state, previous) => {
    if (state.validator.value === previous.validator.value) return;
    const rounds = rememberRounds(state.validatorRounds, state.validator.value);
    if (rounds !== state.validatorRounds) store.setState({ validatorRounds: rounds });
  });

  const unsubscribeConnection = client.onConnection(onConnection);
  const unsubscribeEvents = client.onEvent(onEvent);
  if (client.connection.status === 'connected') {
    void loadSnapshot();
    void loadMiner();
  }

  return {
    store,
    dispose() {
      unsubscribeConnection();
      unsubscribeEvents();
      unsubscribeRounds();
      gpuLive.dispose();
      connectGeneration++;
      gpuGeneration++;
      modelsGeneration++;
      libraryGeneration++;
      answersGeneration++;
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
