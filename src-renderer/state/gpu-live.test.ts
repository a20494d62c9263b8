import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { GpuBenchmark, GpuSample } from '../../src-shared/schemas/gpu.js';
import { FakeHostClient, WELCOME, deferred, flush } from '../testing/fake-host-client.js';
import { createEngineStore } from './engine-store.js';
import { GPU_HISTORY, WATCH_LEASE_MS } from './gpu-live.js';

function sample(utilization: number | null, at = '2026-12-03T07:00:00.000Z'): GpuSample {
  return {
    at,
    status: 'ok',
    message: null,
    gpus: [
      {
        index: 0,
        name: 'NVIDIA H200',
        utilizationPercent: utilization,
        memoryUsedMiB: 1000,
        memoryTotalMiB: 143771,
        temperatureC: 40,
        powerDrawW: 120,
        powerLimitW: 700,
      },
    ],
  };
}

const BENCHMARK: GpuBenchmark = {
  finishedAt: '2026-12-03T07:01:00.000Z',
  model: 'musicgen-small@q8',
  chosen: 'cpu',
  runs: [
    {
      provider: 'cpu',
      outcome: 'ok',
      stepsPerSecond: 40,
      realTimeFactor: 0.7,
      steps: 150,
      audioSeconds: 3,
      wallMs: 4300,
      message: null,
    },
  ],
};

function connectedStore(client = new FakeHostClient()) {
  client.handlers['gpu.watch'] = () => Promise.resolve({ intervalMs: 1000 });
  client.handlers['gpu.unwatch'] = () => Promise.resolve({ stopped: true });
  client.connection = { status: 'connected', welcome: WELCOME };
  const handle = createEngineStore(client);
  return { client, handle, store: handle.store };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('GPU live slice', () => {
  it('watches while a page is open, renews the lease, and unwatches when the last page closes', async () => {
    const { client, store, handle } = connectedStore();
    const stopA = store.getState().watchGpu();
    const stopB = store.getState().watchGpu();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.inputsOf('gpu.watch')).toHaveLength(1);
    const [first] = client.inputsOf('gpu.watch') as { id: string; leaseMs: number }[];
    expect(first?.leaseMs).toBe(WATCH_LEASE_MS);
    await vi.advanceTimersByTimeAsync(WATCH_LEASE_MS);
    // Renewed with the same id before the lease could end.
    expect(client.inputsOf('gpu.watch')).toHaveLength(4);
    expect(new Set(client.inputsOf('gpu.watch').map((i) => (i as { id: string }).id))).toEqual(new Set([first?.id]));
    stopA();
    stopA();
    expect(client.inputsOf('gpu.unwatch')).toEqual([]);
    stopB();
    expect(client.inputsOf('gpu.unwatch')).toEqual([{ id: first?.id }]);
    await vi.advanceTimersByTimeAsync(WATCH_LEASE_MS);
    expect(client.inputsOf('gpu.watch')).toHaveLength(4);
    handle.dispose();
  });

  it('keeps the latest sample and a bounded utilisation history while watched, and ignores samples otherwise', () => {
    const { client, store, handle } = connectedStore();
    client.emit({ event: 'gpu.sample', payload: sample(5) });
    expect(store.getState().gpuLive.sample).toBeNull();
    const stop = store.getState().watchGpu();
    for (let i = 0; i < GPU_HISTORY + 5; i++) client.emit({ event: 'gpu.sample', payload: sample(i % 101) });
    client.emit({ event: 'gpu.sample', payload: sample(null) });
    const live = store.getState().gpuLive;
    expect(live.sample?.gpus[0]?.utilizationPercent).toBeNull();
    expect(live.history[0]).toHaveLength(GPU_HISTORY);
    expect(live.history[0]?.at(-2)).toBe(GPU_HISTORY + 4);
    stop();
    handle.dispose();
  });

  it('shows why an engine refused to watch, and asks again after a reconnect', async () => {
    const { client, store, handle } = connectedStore();
    client.handlers['gpu.watch'] = () => Promise.reject(new HostApiError('unknown_command', 'gpu.watch'));
    const stop = store.getState().watchGpu();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().gpuLive.error?.code).toBe('unknown_command');
    client.handlers['gpu.watch'] = () => Promise.resolve({ intervalMs: 1000 });
    client.setConnection({ status: 'disconnected', reason: 'gone', retryInMs: 100 });
    client.setConnection({ status: 'connected', welcome: WELCOME });
    await vi.advanceTimersByTimeAsync(0);
    expect(client.inputsOf('gpu.watch')).toHaveLength(2);
    expect(store.getState().gpuLive.error).toBeNull();
    stop();
    handle.dispose();
  });

  it('does not call a renewal refused for being offline a refusal to watch', async () => {
    const { client, store, handle } = connectedStore();
    client.handlers['gpu.watch'] = () => Promise.reject(new HostApiError('not_connected', 'offline'));
    const stop = store.getState().watchGpu();
    await vi.advanceTimersByTimeAsync(WATCH_LEASE_MS);
    expect(client.inputsOf('gpu.watch').length).toBeGreaterThan(1);
    expect(store.getState().gpuLive.error).toBeNull();
    stop();
    handle.dispose();
  });

  it('runs one benchmark at a time and keeps its result, or the refusal', async () => {
    vi.useRealTimers();
    const client = new FakeHostClient();
    const answer = deferred<GpuBenchmark>();
    client.handlers['gpu.benchmark'] = () => answer.promise;
    const { store, handle } = connectedStore(client);
    const run = store.getState().runBenchmark();
    void store.getState().runBenchmark();
    expect(store.getState().benchmark.running).toBe(true);
    answer.resolve(BENCHMARK);
    await run;
    expect(client.inputsOf('gpu.benchmark')).toHaveLength(1);
    expect(store.getState().benchmark).toEqual({ result: BENCHMARK, running: false, error: null });
    client.handlers['gpu.benchmark'] = () => Promise.reject(new HostApiError('unavailable', 'No installed model'));
    await store.getState().runBenchmark();
    await flush();
    expect(store.getState().benchmark).toMatchObject({ result: BENCHMARK, running: false });
    expect(store.getState().benchmark.error?.message).toBe('No installed model');
    handle.dispose();
  });
});
