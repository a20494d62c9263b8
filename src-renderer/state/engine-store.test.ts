import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { GpuReport } from '../../src-shared/schemas/gpu.js';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import type { ModelListEntry } from '../../src-shared/schemas/model-manifest.js';
import { DEFAULT_SETTINGS, type Settings } from '../../src-shared/schemas/settings.js';
import type { EngineStatus } from '../../src-shared/schemas/status.js';
import { FakeHostClient, WELCOME, deferred, flush } from '../testing/fake-host-client.js';
import { CPU_REPORT, CUDA_REPORT } from '../testing/gpu-reports.js';
import { createEngineStore } from './engine-store.js';
import { MAX_LOG_LINES } from './log-buffer.js';

const STATUS: EngineStatus = {
  version: '1.0.0',
  host: 'daemon',
  role: 'idle',
  startedAt: '2025-01-01T00:00:00.000Z',
  uptimeSeconds: 10,
  dataDir: '/data',
  platform: 'linux',
  nodeVersion: 'v20.19.0',
};
const SETTINGS: Settings = { ...DEFAULT_SETTINGS };
const line = (id: number): LogEntry => ({ id, time: STATUS.startedAt, level: 'info', source: 't', message: `#${id}` });

/** The engine's answers to the snapshot a connect asks for; tests change them per case. */
class FakeClient extends FakeHostClient {
  constructor() {
    super({
      'status.get': async () => STATUS,
      'logs.list': async () => ({ entries: [line(1), line(2)] }),
      'settings.get': async () => SETTINGS,
      'settings.update': async (patch) => ({ ...SETTINGS, ...patch }),
    });
  }
}

describe('engine store', () => {
  it('loads status, logs and settings when the client connects', async () => {
    const client = new FakeClient();
    const { store } = createEngineStore(client, () => 5000);
    expect(store.getState().status).toBeNull();

    client.setConnection({ status: 'connected', welcome: WELCOME });
    await flush();

    const state = store.getState();
    expect(state.connection.status).toBe('connected');
    expect(state.hasConnected).toBe(true);
    expect(state.status).toEqual(STATUS);
    expect(state.statusReceivedAt).toBe(5000);
    expect(state.logs.map((entry) => entry.id)).toEqual([1, 2]);
    expect(state.settings).toEqual(SETTINGS);
    expect(state.loadErrors).toEqual([]);
    expect(client.calls).toContainEqual({ command: 'logs.list', input: { limit: MAX_LOG_LINES } });
  });

  it('follows status, log and settings events', async () => {
    const client = new FakeClient();
    client.connection = { status: 'connected', welcome: WELCOME };
    let clock = 1000;
    const { store } = createEngineStore(client, () => clock);
    await flush();

    clock = 2000;
    client.emit({ event: 'status', payload: { ...STATUS, uptimeSeconds: 99 } });
    client.emit({ event: 'log', payload: line(3) });
    client.emit({ event: 'settings', payload: { ...SETTINGS, theme: 'light' } });

    const state = store.getState();
    expect(state.status?.uptimeSeconds).toBe(99);
    expect(state.statusReceivedAt).toBe(2000);
    expect(state.logs.map((entry) => entry.id)).toEqual([1, 2, 3]);
    expect(state.settings?.theme).toBe('light');
  });

  it('keeps at most the last 1000 log lines', async () => {
    const client = new FakeClient();
    client.connection = { status: 'connected', welcome: WELCOME };
    const { store } = createEngineStore(client);
    await flush();

    for (let id = 3; id <= 1200; id++) client.emit({ event: 'log', payload: line(id) });

    const logs = store.getState().logs;
    expect(logs).toHaveLength(1000);
    expect(logs[0]?.id).toBe(201);
    expect(logs.at(-1)?.id).toBe(1200);
  });

  it('does not let a slow snapshot undo newer events', async () => {
    const client = new FakeClient();
    const status = deferred<EngineStatus>();
    const logs = deferred<{ entries: LogEntry[] }>();
    client.handlers['status.get'] = () => status.promise;
    client.handlers['logs.list'] = () => logs.promise;
    const { store } = createEngineStore(client);

    client.setConnection({ status: 'connected', welcome: WELCOME });
    client.emit({ event: 'status', payload: { ...STATUS, uptimeSeconds: 500 } });
    client.emit({ event: 'log', payload: line(9) });
    status.resolve({ ...STATUS, uptimeSeconds: 1 });
    logs.resolve({ entries: [line(7), line(8)] });
    await flush();

    expect(store.getState().status?.uptimeSeconds).toBe(500);
    expect(store.getState().logs.map((entry) => entry.id)).toEqual([7, 8, 9]);
  });

  it('reloads on reconnect and remembers that it was connected before', async () => {
    const client = new FakeClient();
    const { store } = createEngineStore(client);
    client.setConnection({ status: 'connected', welcome: WELCOME });
    await flush();

    client.setConnection({ status: 'disconnected', reason: 'gone', retryInMs: 500 });
    client.setConnection({ status: 'connecting' });
    expect(store.getState().hasConnected).toBe(true);
    client.handlers['logs.list'] = async () => ({ entries: [line(40)] });
    client.setConnection({ status: 'connected', welcome: WELCOME });
    await flush();

    expect(client.calls.filter((call) => call.command === 'status.get')).toHaveLength(2);
    expect(store.getState().logs.map((entry) => entry.id)).toEqual([40]);
  });

  it('reports what failed to load', async () => {
    const client = new FakeClient();
    client.handlers['settings.get'] = () => Promise.reject(new HostApiError('internal', 'database locked'));
    const { store } = createEngineStore(client);

    client.setConnection({ status: 'connected', welcome: WELCOME });
    await flush();

    expect(store.getState().loadErrors).toEqual(['Could not load the settings: database locked']);
    expect(store.getState().status).toEqual(STATUS);
  });

  it('saves settings through settings.update and passes errors on', async () => {
    const client = new FakeClient();
    client.connection = { status: 'connected', welcome: WELCOME };
    const { store } = createEngineStore(client);
    await flush();

    await expect(store.getState().updateSettings({ logLevel: 'debug' })).resolves.toMatchObject({ logLevel: 'debug' });
    expect(store.getState().settings?.logLevel).toBe('debug');
    expect(client.calls).toContainEqual({ command: 'settings.update', input: { logLevel: 'debug' } });

    client.handlers['settings.update'] = () => Promise.reject(new HostApiError('invalid_input', 'no such theme'));
    await expect(store.getState().updateSettings({ theme: 'light' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(store.getState().settings?.theme).toBe('system');
  });

  it('stops listening after dispose', async () => {
    const client = new FakeClient();
    const { store, dispose } = createEngineStore(client);
    dispose();

    client.setConnection({ status: 'connected', welcome: WELCOME });
    client.emit({ event: 'log', payload: line(1) });
    await flush();

    expect(store.getState().connection.status).toBe('connecting');
    expect(store.getState().logs).toEqual([]);
    expect(client.calls).toEqual([]);
  });

  describe('GPU check', () => {
    function connectedStore() {
      const client = new FakeClient();
      client.connection = { status: 'connected', welcome: WELCOME };
      const handle = createEngineStore(client);
      const gpuCalls = () => client.calls.filter((call) => call.command === 'gpu.report').map((call) => call.input);
      return { client, ...handle, gpuCalls };
    }

    it('asks only when told, shows it running, then keeps the report', async () => {
      const { client, store, gpuCalls } = connectedStore();
      await flush();
      expect(gpuCalls()).toEqual([]);
      expect(store.getState().gpu).toEqual({ report: null, running: null, error: null });

      const answer = deferred<GpuReport>();
      client.handlers['gpu.report'] = () => answer.promise;
      const done = store.getState().checkGpu(false);
      expect(store.getState().gpu.running).toEqual({ refresh: false });

      answer.resolve(CPU_REPORT);
      await done;
      expect(store.getState().gpu).toEqual({ report: CPU_REPORT, running: null, error: null });
      expect(gpuCalls()).toEqual([{ refresh: false }]);
    });

    it('joins a check already running instead of asking twice, unless asked to refresh', async () => {
      const { client, store, gpuCalls } = connectedStore();
      const answer = deferred<GpuReport>();
      client.handlers['gpu.report'] = () => answer.promise;

      const first = store.getState().checkGpu(false);
      const second = store.getState().checkGpu(false);
      expect(gpuCalls()).toEqual([{ refresh: false }]);

      const refreshed = deferred<GpuReport>();
      client.handlers['gpu.report'] = () => refreshed.promise;
      const third = store.getState().checkGpu(true);
      expect(gpuCalls()).toEqual([{ refresh: false }, { refresh: true }]);
      expect(store.getState().gpu.running).toEqual({ refresh: true });

      // The refresh answers first; the older, slower answer must not replace it.
      refreshed.resolve(CUDA_REPORT);
      await third;
      answer.resolve(CPU_REPORT);
      await Promise.all([first, second]);
      expect(store.getState().gpu).toEqual({ report: CUDA_REPORT, running: null, error: null });
    });

    it('keeps the last report when a check fails, and clears the error on the next one', async () => {
      const { client, store } = connectedStore();
      client.handlers['gpu.report'] = async () => CUDA_REPORT;
      await store.getState().checkGpu(false);

      client.handlers['gpu.report'] = () => Promise.reject(new HostApiError('timeout', 'gpu.report got no reply'));
      await expect(store.getState().checkGpu(true)).resolves.toBeUndefined();
      expect(store.getState().gpu.report).toBe(CUDA_REPORT);
      expect(store.getState().gpu.running).toBeNull();
      expect(store.getState().gpu.error).toMatchObject({ code: 'timeout', message: 'gpu.report got no reply' });

      client.handlers['gpu.report'] = () => Promise.reject(new Error('socket gone'));
      await store.getState().checkGpu(false);
      expect(store.getState().gpu.error).toMatchObject({ code: 'internal', message: 'socket gone' });

      const answer = deferred<GpuReport>();
      client.handlers['gpu.report'] = () => answer.promise;
      const next = store.getState().checkGpu(false);
      expect(store.getState().gpu.error).toBeNull();
      answer.resolve(CPU_REPORT);
      await next;
      expect(store.getState().gpu).toEqual({ report: CPU_REPORT, running: null, error: null });
    });

    it('ignores an answer that arrives after dispose', async () => {
      const { client, store, dispose } = connectedStore();
      const answer = deferred<GpuReport>();
      client.handlers['gpu.report'] = () => answer.promise;
      const done = store.getState().checkGpu(false);
      dispose();
      answer.resolve(CUDA_REPORT);
      await done;
      expect(store.getState().gpu.report).toBeNull();
    });
  });

  describe('models', () => {
    const LISTED: ModelListEntry = {
      id: 'musicgen-small',
      kind: 'musicgen',
      displayName: 'MusicGen small (300M)',
      repo: 'Xenova/musicgen-small',
      dtype: 'q8',
      state: 'missing',
      sourceKind: 'hub',
      protocolModelName: null,
      license: {
        spdx: 'CC-BY-NC-4.0',
        url: 'https://creativecommons.org/licenses/by-nc/4.0/',
        summary: 'Non-commercial.',
        nonCommercial: true,
      },
      dir: '/data/models/Xenova/musicgen-small',
      bytesPresent: 0,
      bytesTotal: null,
      approxBytes: 656_000_000,
      files: [],
      importInstructions: null,
    };
    const PROGRESS = {
      id: 'musicgen-small',
      dtype: 'q8' as const,
      state: 'running' as const,
      file: 'config.json',
      filesDone: 0,
      filesTotal: 3,
      bytes: 10,
      total: 100,
      bytesPerSecond: 5,
      etaSeconds: 18,
    };

    function connectedStore() {
      const client = new FakeClient();
      client.connection = { status: 'connected', welcome: WELCOME };
      let listed: ModelListEntry = LISTED;
      client.handlers['models.list'] = async () => [listed];
      const handle = createEngineStore(client);
      const setListed = (entry: ModelListEntry): void => {
        listed = entry;
      };
      return { client, ...handle, setListed };
    }

    it('lists the models when asked, follows `model` events and lists again when a download ends', async () => {
      const { client, store, setListed } = connectedStore();
      await flush();
      expect(store.getState().models.entries).toBeNull();
      await store.getState().loadModels();
      expect(store.getState().models.entries).toEqual([LISTED]);

      client.emit({ event: 'model', payload: PROGRESS });
      expect(store.getState().models.downloads['musicgen-small@q8']).toEqual(PROGRESS);

      setListed({ ...LISTED, state: 'ready' });
      client.emit({ event: 'model', payload: { ...PROGRESS, state: 'done', bytes: 100 } });
      await flush();
      expect(store.getState().models.downloads['musicgen-small@q8']?.state).toBe('done');
      expect(store.getState().models.entries?.[0]?.state).toBe('ready');
      expect(client.calls.filter((c) => c.command === 'models.list')).toHaveLength(2);
    });

    it('keeps a refused download as an error of that model, cleared by the next try', async () => {
      const { client, store } = connectedStore();
      client.handlers['models.download'] = () =>
        Promise.reject(new HostApiError('invalid_input', 'already being downloaded'));
      await store.getState().downloadModel('musicgen-small', 'q8');
      expect(store.getState().models.actionErrors['musicgen-small@q8']?.message).toBe('already being downloaded');

      client.handlers['models.download'] = async () => ({ started: true });
      const next = store.getState().downloadModel('musicgen-small', 'q8');
      expect(store.getState().models.actionErrors).toEqual({});
      await next;
      expect(client.calls).toContainEqual({ command: 'models.download', input: { id: 'musicgen-small', dtype: 'q8' } });
    });

    it('deletes and lists again; a failed listing lands in models.error', async () => {
      const { client, store } = connectedStore();
      client.handlers['models.delete'] = async () => ({ deleted: true });
      await store.getState().deleteModel('musicgen-small', 'q8');
      expect(client.calls.map((c) => c.command)).toEqual(expect.arrayContaining(['models.delete', 'models.list']));
      client.handlers['models.list'] = () => Promise.reject(new Error('socket gone'));
      await store.getState().loadModels();
      expect(store.getState().models.error?.message).toBe('socket gone');
      expect(store.getState().models.entries).toEqual([LISTED]);
    });
  });
});
