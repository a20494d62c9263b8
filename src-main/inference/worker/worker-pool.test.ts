/**
 * One worker per GPU behind one scheduler, with three CPU worker processes standing in for three
 * GPUs (real processes, the real worker entry, the tiny model): the jobs spread over all of them,
 * and a kill -9 of one fails only the job it held while the others keep serving; it restarts with
 * backoff and takes work again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpretNvidiaSmi } from '../gpu/nvidia-smi.js';
import { SMI_TWO_GPUS } from '../gpu/testing/fixtures.js';
import type { DeviceChoice } from '../../../src-shared/schemas/gpu.js';
import type { MusicRequest } from '../generate/request.js';
import { WorkScheduler } from '../scheduler.js';
import { bundleWorker, TINY, type WorkerBundle } from './testing/worker-bundle.js';
import { forkWorker, type WorkerState } from './worker-client.js';
import { slotEnv, WorkerPool, workerSlots, type WorkerSlot } from './worker-pool.js';

let bundle: WorkerBundle;
beforeAll(async () => {
  bundle = await bundleWorker('worker-pool-test');
}, 60_000);
afterAll(() => bundle.remove());

const choice = (device: DeviceChoice['device']): DeviceChoice => ({
  device,
  preference: 'auto',
  steps: [],
  verified: true,
  summary: '',
});
const greedy = (tokens: number, prompt = 'calm piano'): MusicRequest => ({
  prompt,
  durationTokens: tokens,
  decoding: 'greedy',
});

describe('workerSlots', () => {
  const twoGpus = interpretNvidiaSmi(SMI_TWO_GPUS, undefined, 'linux');

  it('makes one CUDA worker per card nvidia-smi lists, each pinned to its card', () => {
    const slots = workerSlots({ device: choice('cuda'), nvidia: twoGpus });
    expect(slots).toEqual([
      { gpu: 0, device: 'cuda', label: 'cuda:0' },
      { gpu: 1, device: 'cuda', label: 'cuda:1' },
    ]);
    expect(slots.map(slotEnv)).toEqual([{ CUDA_VISIBLE_DEVICES: '0' }, { CUDA_VISIBLE_DEVICES: '1' }]);
    expect(workerSlots({ device: choice('cuda'), nvidia: twoGpus }, { max: 1 })).toHaveLength(1);
  });

  it('makes one unpinned worker when the chosen device is not CUDA', () => {
    expect(workerSlots({ device: choice('cpu'), nvidia: twoGpus })).toEqual([
      { gpu: null, device: 'cpu', label: 'cpu' },
    ]);
    expect(slotEnv({ gpu: null, device: 'webgpu', label: 'webgpu' })).toEqual({});
  });
});

describe('a pool of CPU workers standing in for GPUs', () => {
  it(
    'spreads jobs over every worker; a kill -9 of one fails only its job, it restarts and serves again',
    { timeout: 120_000 },
    async () => {
      const slots: WorkerSlot[] = [0, 1, 2].map((gpu) => ({ gpu, device: 'cpu', label: `stand-in:${gpu}` }));
      const states = new Map<string, WorkerState[]>();
      const spawned: Record<string, string>[] = [];
      const pool = new WorkerPool({
        slots,
        spawn: (slot) => {
          spawned.push(slotEnv(slot));
          return forkWorker(bundle.entry, { env: slotEnv(slot) });
        },
        backoff: { initialMs: 200 },
        onState: (slot, state) => states.set(slot.label, [...(states.get(slot.label) ?? []), state]),
      });
      const scheduler = new WorkScheduler(pool.executors(TINY), { maxQueued: 16 });
      try {
        // Jobs spread: six short ones over three workers, each worker gets some.
        const first = await Promise.all(Array.from({ length: 6 }, (_, i) => scheduler.submit(greedy(8, `p${i}`))));
        expect(first.every((audio) => audio.steps === 8)).toBe(true);
        expect(scheduler.stats().executors.map((e) => e.done > 0)).toEqual([true, true, true]);
        const pids = pool.states().map(({ state }) => (state.state === 'ready' ? state.pid : null));
        expect(new Set(pids).size).toBe(3);
        expect(pids).not.toContain(null);
        expect(spawned).toEqual([
          { CUDA_VISIBLE_DEVICES: '0' },
          { CUDA_VISIBLE_DEVICES: '1' },
          { CUDA_VISIBLE_DEVICES: '2' },
        ]);

        // Three long jobs, one per worker; kill the worker of the first once it is decoding.
        let killed: number | null = null;
        let victimIndex = -1;
        const long = [0, 1, 2].map((i) =>
          scheduler.enqueue(greedy(i === 0 ? 1500 : 200, `long${i}`), { caller: `v${i}` }),
        );
        const unsubscribe = scheduler.subscribe((event) => {
          if (killed === null && event.id === long[0]?.id && event.state === 'running' && event.step >= 1) {
            victimIndex = scheduler.stats().executors.findIndex((e) => e.job === long[0]?.id);
            const state = pool.workers[victimIndex]?.state;
            if (state?.state === 'ready') {
              killed = state.pid;
              process.kill(state.pid, 'SIGKILL');
            }
          }
        });
        const outcomes = await Promise.allSettled(long.map((job) => job.result));
        unsubscribe();
        expect(killed).not.toBeNull();
        expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { code: 'worker_crashed' } });
        expect(outcomes[1]).toMatchObject({ status: 'fulfilled', value: { steps: 200 } });
        expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { steps: 200 } });
        const restarts = slots.map((slot) => states.get(slot.label)?.some((s) => s.state === 'restarting'));
        expect(restarts).toEqual(slots.map((_, i) => i === victimIndex));
        const victim = pool.workers[victimIndex];

        // Back after its backoff: more work reaches every worker again, the restarted one included.
        const doneBefore = scheduler.stats().executors.map((e) => e.done);
        await new Promise<void>((resolve) => {
          const check = (): void => {
            if (victim?.available) resolve();
            else setTimeout(check, 20);
          };
          check();
        });
        const again = await Promise.all(Array.from({ length: 6 }, (_, i) => scheduler.submit(greedy(8, `again${i}`))));
        expect(again).toHaveLength(6);
        const doneAfter = scheduler.stats().executors.map((e) => e.done);
        expect(doneAfter[victimIndex]).toBeGreaterThan(doneBefore[victimIndex] ?? 0);
        const restarted = victim?.state;
        expect(restarted?.state).toBe('ready');
        expect(restarted && 'pid' in restarted ? restarted.pid : killed).not.toBe(killed);
      } finally {
        scheduler.close();
        await pool.close();
      }
    },
  );
});
