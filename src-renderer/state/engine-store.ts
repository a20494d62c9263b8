/**
 * What the renderer knows about the engine, kept current from the HostClient: a snapshot at each
 * connect (status.get, logs.list, settings.get) and then the live events. Pages read it; only
 * this module talks to the client for these data.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ConnectionState, HostClient } from '../../src-shared/api/client.js';
import type { HostEvent } from '../../src-shared/api/contract.js';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
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
  }));

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
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
