/**
 * The GPU page's live slice: the engine's `gpu.sample` events while the page watches (gpu.watch
 * leases renewed while it is open), a short history per GPU for the sparkline, and the one-click
 * benchmark. Kept apart from the report (engine-store's `gpu`), which is a different, slow check.
 */
import type { HostClient } from '../../src-shared/api/client.js';
import type { HostApiError } from '../../src-shared/api/errors.js';
import type { GpuBenchmark, GpuSample } from '../../src-shared/schemas/gpu.js';

/** Samples kept per GPU: a minute at the engine's one per second. */
export const GPU_HISTORY = 60;

/** The lease asked for; renewed at a third of it so that one late renewal does not end the watch. */
export const WATCH_LEASE_MS = 30_000;

export interface GpuLive {
  /** The latest sample; null before the first one of this watch. */
  readonly sample: GpuSample | null;
  /** Utilisation (%) per GPU index, oldest first, at most GPU_HISTORY. */
  readonly history: Readonly<Record<number, readonly (number | null)[]>>;
  /** How many open pages watch (the store asks the engine while it is above zero). */
  readonly watchers: number;
  /** Why the last gpu.watch failed (an engine without it answers `unknown_command`). */
  readonly error: HostApiError | null;
}

export interface BenchmarkState {
  readonly result: GpuBenchmark | null;
  readonly running: boolean;
  readonly error: HostApiError | null;
}

export interface GpuLiveSlice {
  readonly gpuLive: GpuLive;
  /** Starts watching (a page mounts); returns the stop (it unmounts). */
  watchGpu(): () => void;
  readonly benchmark: BenchmarkState;
  /** Runs gpu.benchmark; a refusal lands in `benchmark.error`. Never rejects. */
  runBenchmark(): Promise<void>;
}

export const NO_GPU_LIVE: GpuLive = { sample: null, history: {}, watchers: 0, error: null };
export const NO_BENCHMARK: BenchmarkState = { result: null, running: false, error: null };

/** Adds a sample to the history: each GPU's utilisation appended, trimmed to GPU_HISTORY. */
export function applySample(live: GpuLive, sample: GpuSample): GpuLive {
  const history: Record<number, (number | null)[]> = {};
  for (const gpu of sample.gpus) {
    const before = live.history[gpu.index] ?? [];
    history[gpu.index] = [...before, gpu.utilizationPercent].slice(-GPU_HISTORY);
  }
  return { ...live, sample, history };
}

interface SliceStore {
  getState(): GpuLiveSlice;
  setState(update: (state: GpuLiveSlice) => Partial<GpuLiveSlice>): void;
}

export interface GpuLiveController {
  readonly initial: GpuLiveSlice;
  /** The `gpu.sample` route. */
  onSample(sample: GpuSample): void;
  /** After a reconnect: the engine forgot nothing, but a new engine process knows no watch. */
  onConnected(): void;
  dispose(): void;
}

export function createGpuLive(
  client: Pick<HostClient, 'call'>,
  store: () => SliceStore,
  options: { asError: (error: unknown) => HostApiError; watchId?: string },
): GpuLiveController {
  const id = options.watchId ?? `page-${Math.random().toString(36).slice(2, 12)}`;
  let renewTimer: ReturnType<typeof setInterval> | null = null;
  let disposed = false;

  const set = (update: (state: GpuLiveSlice) => Partial<GpuLiveSlice>): void => {
    if (!disposed) store().setState(update);
  };

  function askWatch(): void {
    client.call('gpu.watch', { id, leaseMs: WATCH_LEASE_MS }).then(
      () => set((s) => (s.gpuLive.error === null ? {} : { gpuLive: { ...s.gpuLive, error: null } })),
      (error: unknown) => {
        const failure = options.asError(error);
        // Offline is what the connection badge says; the watch is asked again at the reconnect.
        if (failure.code === 'not_connected') return;
        set((s) => ({ gpuLive: { ...s.gpuLive, error: failure } }));
      },
    );
  }

  function start(): void {
    askWatch();
    renewTimer = setInterval(askWatch, WATCH_LEASE_MS / 3);
  }

  function stop(): void {
    if (renewTimer !== null) clearInterval(renewTimer);
    renewTimer = null;
    // Best effort: an engine gone away has no watch to end, and the lease ends it anyway.
    client.call('gpu.unwatch', { id }).catch(() => undefined);
  }

  const initial: GpuLiveSlice = {
    gpuLive: NO_GPU_LIVE,
    benchmark: NO_BENCHMARK,
    watchGpu: () => {
      const first = store().getState().gpuLive.watchers === 0;
      set((s) => ({ gpuLive: { ...s.gpuLive, watchers: s.gpuLive.watchers + 1 } }));
      if (first) start();
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        set((s) => ({ gpuLive: { ...s.gpuLive, watchers: s.gpuLive.watchers - 1 } }));
        if (store().getState().gpuLive.watchers === 0) stop();
      };
    },
    runBenchmark: async () => {
      if (store().getState().benchmark.running) return;
      set((s) => ({ benchmark: { ...s.benchmark, running: true, error: null } }));
      try {
        const result = await client.call('gpu.benchmark', {});
        set(() => ({ benchmark: { result, running: false, error: null } }));
      } catch (error) {
        set((s) => ({ benchmark: { ...s.benchmark, running: false, error: options.asError(error) } }));
      }
    },
  };

  return {
    initial,
    onSample: (sample) => {
      // Samples for another window's watch are still this engine's GPUs: show them only while watching.
      if (store().getState().gpuLive.watchers > 0) set((s) => ({ gpuLive: applySample(s.gpuLive, sample) }));
    },
    onConnected: () => {
      if (store().getState().gpuLive.watchers > 0) askWatch();
    },
    dispose: () => {
      if (renewTimer !== null) clearInterval(renewTimer);
      disposed = true;
    },
  };
}
