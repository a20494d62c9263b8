/**
 * The inference worker as the engine uses it: a real child process running the real worker entry
 * (bundled here with esbuild, as the build does) on the tiny MusicGen model.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationError } from '../generate/errors.js';
import { MusicgenGenerator } from '../generate/musicgen.js';
import type { MusicRequest } from '../generate/request.js';
import { bundleWorker, REPO_ROOT as root, TINY, type WorkerBundle } from './testing/worker-bundle.js';
import type { ToWorker } from './protocol.js';
import { InferenceWorker, forkWorker, type WorkerState } from './worker-client.js';

let bundle: WorkerBundle;
beforeAll(async () => {
  bundle = await bundleWorker('worker-test');
}, 60_000);
afterAll(() => bundle.remove());

const greedy = (tokens: number): MusicRequest => ({ prompt: 'calm piano', durationTokens: tokens, decoding: 'greedy' });

function worker(states: WorkerState[] = []): InferenceWorker {
  return new InferenceWorker({
    spawn: forkWorker(bundle.entry),
    backoff: { initialMs: 50 },
    onState: (s) => states.push(s),
  });
}

describe('the inference worker process', () => {
  it(
    'generates what the in-process generator generates, with progress, in another process',
    { timeout: 60_000 },
    async () => {
      const states: WorkerState[] = [];
      const pool = worker(states);
      try {
        const steps: number[] = [];
        const remote = await pool.generator(TINY).generate(greedy(12), { onProgress: (p) => steps.push(p.step) });
        const local = await new MusicgenGenerator(TINY).generate(greedy(12));
        expect(remote.audio).toBeInstanceOf(Float32Array);
        expect(remote.audio).toEqual(local.audio);
        expect(steps.at(-1)).toBe(12);
        const ready = states.find((s) => s.state === 'ready');
        expect(ready && 'pid' in ready ? ready.pid : process.pid).not.toBe(process.pid);
      } finally {
        await pool.close();
      }
    },
  );

  it(
    'fails the job it held when killed -9 mid-generation, restarts, and the next job succeeds',
    { timeout: 60_000 },
    async () => {
      const states: WorkerState[] = [];
      const pool = worker(states);
      try {
        const generator = pool.generator(TINY);
        let killed = false;
        const first = generator.generate(greedy(1500), {
          onProgress: ({ step }) => {
            const ready = states.findLast((s) => s.state === 'ready');
            if (!killed && step >= 1 && ready && 'pid' in ready) {
              killed = true;
              process.kill(ready.pid, 'SIGKILL');
            }
          },
        });
        const error = await first.then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(GenerationError);
        expect((error as GenerationError).code).toBe('worker_crashed');
        expect((error as GenerationError).message).toMatch(/killed by SIGKILL.*restarting/);
        expect(states.some((s) => s.state === 'restarting')).toBe(true);
        const second = await generator.generate(greedy(6));
        expect(second.steps).toBe(6);
        expect(states.filter((s) => s.state === 'ready')).toHaveLength(2);
      } finally {
        await pool.close();
      }
    },
  );

  it('finishes a generation on the old model when a request for another replaces it', { timeout: 60_000 }, async () => {
    const pool = worker();
    try {
      const first = pool.generator(TINY);
      // Another option makes another model key: the worker loads a second generator.
      const second = pool.generator(TINY, { fallbackToCpu: true });
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const long = first.generate(greedy(400), { onProgress: ({ step }) => step >= 1 && started() });
      await running;
      const short = await second.generate(greedy(5));
      expect(short.steps).toBe(5);
      // The replaced model stayed loaded until its generation ended.
      expect((await long).steps).toBe(400);
    } finally {
      await pool.close();
    }
  });

  it('cancels a running job through its AbortSignal, and the worker stays up', { timeout: 60_000 }, async () => {
    const pool = worker();
    try {
      const controller = new AbortController();
      const generator = pool.generator(TINY);
      const cancelled = generator.generate(greedy(1500), {
        signal: controller.signal,
        onProgress: ({ step }) => {
          if (step >= 1) controller.abort();
        },
      });
      await expect(cancelled).rejects.toMatchObject({ code: 'aborted' });
      expect(pool.state.state).toBe('ready');
      expect((await generator.generate(greedy(5))).steps).toBe(5);
    } finally {
      await pool.close();
    }
  });

  it(
    'decodes a batch in one message: each job gets the audio it makes alone, its own progress and result',
    { timeout: 60_000 },
    async () => {
      const pool = worker();
      const local = new MusicgenGenerator(TINY);
      try {
        const generator = pool.generator(TINY);
        expect(generator.canBatch).toBe(true);
        const requests: MusicRequest[] = [
          { prompt: 'rock', durationTokens: 12, seed: 3 },
          { prompt: 'slow ambient piano with soft strings', durationTokens: 12, seed: 9 },
        ];
        const last: number[] = [0, 0];
        const results = await Promise.all(
          generator.generateJobs?.(
            requests.map((request, i) => ({ request, options: { onProgress: (p) => (last[i] = p.step) } })),
          ) ?? [],
        );
        const alone = [
          await local.generate(requests[0] as MusicRequest),
          await local.generate(requests[1] as MusicRequest),
        ];
        expect(results.map((r) => r.audio)).toEqual(alone.map((r) => r.audio));
        expect(results.map((r) => r.seed)).toEqual([3, 9]);
        expect(last).toEqual([12, 12]);
      } finally {
        await pool.close();
        await local.dispose();
      }
    },
  );

  it('cancels one job of a running batch; the others finish and the worker stays up', { timeout: 60_000 }, async () => {
    const pool = worker();
    try {
      const generator = pool.generator(TINY);
      const controller = new AbortController();
      const steps = 300;
      const [kept, cancelled] =
        generator.generateJobs?.([
          { request: { prompt: 'rock', durationTokens: steps, seed: 1 } },
          {
            request: { prompt: 'jazz', durationTokens: steps, seed: 2 },
            options: { signal: controller.signal, onProgress: ({ step }) => step >= 1 && controller.abort() },
          },
        ]) ?? [];
      await expect(cancelled).rejects.toMatchObject({ code: 'aborted', message: /cancelled after step \d+ of 300/ });
      const audio = await kept;
      expect(audio?.steps).toBe(steps);
      expect(audio?.audio.length).toBe((steps - 3) * 640);
      expect(pool.state.state).toBe('ready');
    } finally {
      await pool.close();
    }
  });

  it('leaves a job cancelled before its batch was sent out of the batch message', { timeout: 60_000 }, async () => {
    const sent: ToWorker[] = [];
    const spawn = forkWorker(bundle.entry);
    const pool = new InferenceWorker({
      spawn: () => {
        const child = spawn();
        return { ...child, send: (message) => (sent.push(message), child.send(message)) };
      },
    });
    try {
      const early = new AbortController();
      // The process is only starting: nothing is sent before it says it is ready.
      const [first, second] =
        pool
          .generator(TINY)
          .generateJobs?.([{ request: greedy(6), options: { signal: early.signal } }, { request: greedy(6) }]) ?? [];
      early.abort();
      await expect(first).rejects.toMatchObject({ code: 'aborted', message: /before it started/ });
      expect((await second)?.steps).toBe(6);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ type: 'generate-batch', requests: [greedy(6)] });
      expect(sent[0]?.type === 'generate-batch' && sent[0].ids).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it('reports a bad model folder with the generator’s own error code', { timeout: 60_000 }, async () => {
    const pool = worker();
    try {
      const missing = pool.generator({ dir: join(root, 'models', 'no-such-model'), dtype: 'fp32' }).generate(greedy(5));
      await expect(missing).rejects.toBeInstanceOf(GenerationError);
      await expect(missing).rejects.toMatchObject({
        code: expect.stringMatching(/missing_file|corrupt_file|load_failed/),
      });
    } finally {
      await pool.close();
    }
  });
});
