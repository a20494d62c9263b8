import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GpuSample } from '../../src-shared/schemas/gpu.js';
import type { GpuSampler } from '../inference/gpu/gpu-sampler.js';
import { GpuWatch } from './gpu-watch.js';

/** A sampler that counts its reads and answers a sample numbered by the read. */
function countingSampler(): GpuSampler & { reads: number } {
  const sampler = {
    reads: 0,
    sample(): Promise<GpuSample> {
      sampler.reads++;
      return Promise.resolve({ at: new Date(Date.now()).toISOString(), status: 'ok', message: null, gpus: [] });
    },
  };
  return sampler;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const sampler = countingSampler();
  const emitted: GpuSample[] = [];
  const watch = new GpuWatch({ sampler, emit: (s) => emitted.push(s), intervalMs: 1000, now: () => Date.now() });
  return { sampler, emitted, watch };
}

describe('GpuWatch', () => {
  it('samples nothing until someone watches, then at once and once per interval', async () => {
    const { sampler, emitted, watch } = setup();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sampler.reads).toBe(0);
    watch.watch('page-a', 30_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(emitted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(emitted).toHaveLength(4);
  });

  it('samples once per interval however many watch', async () => {
    const { emitted, watch } = setup();
    watch.watch('page-a', 30_000);
    watch.watch('page-b', 30_000);
    watch.watch('page-a', 30_000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(emitted).toHaveLength(3);
  });

  it('stops when the last watcher unwatches, and only that watcher’s id counts', async () => {
    const { sampler, watch } = setup();
    watch.watch('page-a', 30_000);
    watch.watch('page-b', 30_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(watch.unwatch('page-a')).toBe(true);
    expect(watch.unwatch('page-a')).toBe(false);
    await vi.advanceTimersByTimeAsync(2000);
    const whileB = sampler.reads;
    expect(whileB).toBe(3);
    watch.unwatch('page-b');
    await vi.advanceTimersByTimeAsync(5000);
    expect(sampler.reads).toBe(whileB);
  });

  it('stops by itself when a lease runs out unrenewed (a tab that vanished)', async () => {
    const { sampler, watch } = setup();
    watch.watch('gone', 2500);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sampler.reads).toBe(3);
    expect(watch.activeCount()).toBe(0);
    // A renewed lease keeps it going.
    watch.watch('kept', 2500);
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(2000);
      watch.watch('kept', 2500);
    }
    expect(sampler.reads).toBe(3 + 9);
  });

  it('turns a sampler that throws into a failed sample instead of a dead loop', async () => {
    const emitted: GpuSample[] = [];
    let calls = 0;
    const watch = new GpuWatch({
      sampler: {
        sample: () => {
          calls++;
          return calls === 1
            ? Promise.reject(new Error('boom'))
            : Promise.resolve({ at: 'x', status: 'ok', message: null, gpus: [] });
        },
      },
      emit: (s) => emitted.push(s),
      intervalMs: 1000,
    });
    watch.watch('a', 30_000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(emitted.map((s) => s.status)).toEqual(['failed', 'ok']);
    expect(emitted[0]?.message).toMatch(/boom/);
    watch.stop();
  });
});
