import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GenerationEventSchema, type GenerationEvent } from '../../src-shared/schemas/generation.js';
import { GenerationError } from './generate/errors.js';
import {
  MusicgenGenerator,
  type BatchJob,
  type GenerateOptions,
  type GeneratedAudio,
  type MusicGenerator,
} from './generate/musicgen.js';
import { maxNewTokens, MusicRequestSchema, type MusicRequest } from './generate/request.js';
import {
  SchedulerError,
  WorkScheduler,
  throttleGenerationEvents,
  type Executor,
  type WorkSchedulerOptions,
} from './scheduler.js';

interface FakeCall {
  prompt: string;
  steps: number;
  signal: AbortSignal | undefined;
  progress(step: number): void;
  finish(): void;
  fail(error: unknown): void;
}

/** A generator that does nothing by itself: the test reports its steps and settles it. Honours the signal. */
class FakeGenerator implements MusicGenerator {
  readonly calls: FakeCall[] = [];

  generate(request: MusicRequest, options: GenerateOptions = {}): Promise<GeneratedAudio> {
    const steps = maxNewTokens(MusicRequestSchema.parse(request));
    return new Promise((resolve, reject) => {
      options.signal?.addEventListener(
        'abort',
        () => reject(new GenerationError('aborted', 'The generation was cancelled.')),
        { once: true },
      );
      this.calls.push({
        prompt: request.prompt,
        steps,
        signal: options.signal,
        progress: (step) => options.onProgress?.({ step, steps }),
        finish: () => resolve(fakeAudio(steps)),
        fail: reject,
      });
    });
  }

  call(index: number): FakeCall {
    const call = this.calls[index];
    if (!call) throw new Error(`no generate call #${index}`);
    return call;
  }
}

/** A FakeGenerator that can batch: each generateJobs call is recorded as one batch of calls. */
class FakeBatchGenerator extends FakeGenerator {
  readonly canBatch = true;
  readonly batches: FakeCall[][] = [];

  generateJobs(jobs: readonly BatchJob[]): Promise<GeneratedAudio>[] {
    const before = this.calls.length;
    const promises = jobs.map((job) => this.generate(job.request, job.options));
    this.batches.push(this.calls.slice(before));
    return promises;
  }

  /** The prompts of each batch, in the order they started. */
  batchPrompts(): string[][] {
    return this.batches.map((batch) => batch.map((call) => call.prompt));
  }
}

function fakeAudio(steps: number): GeneratedAudio {
  return {
    audio: new Float32Array(Math.max(0, steps - 3) * 640),
    sampleRate: 32000,
    model: 'fake',
    dtype: { text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' },
    device: 'cpu',
    steps,
    seed: 1,
    timings: { encodeMs: 0, decodeMs: 0, audioMs: 0, totalMs: 0 },
  };
}

/** Lets settled promises run their callbacks (setImmediate is not faked). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

function req(prompt: string, durationTokens = 20): MusicRequest {
  return { prompt, durationTokens };
}

describe('WorkScheduler with fake generators', () => {
  let generator: FakeGenerator;
  let events: GenerationEvent[];
  const open = (options: WorkSchedulerOptions = {}, executors: Executor[] = [generator]): WorkScheduler =>
    new WorkScheduler(executors, { onProgress: (e) => events.push(e), ...options });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(1_000_000);
    generator = new FakeGenerator();
    events = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the highest stake (rao, bigint) first, FIFO among equal stakes', async () => {
    const queue = open();
    const done: string[] = [];
    const submit = (prompt: string, priority: bigint): void =>
      void queue.submit(req(prompt), { priority }).then(() => done.push(prompt));
    submit('first', 1n);
    submit('b5', 5n);
    submit('c10', 10n);
    submit('d5', 5n);
    submit('e5', 5n);
    submit('f0', 0n);
    expect(generator.calls.map((c) => c.prompt)).toEqual(['first']);
    expect(queue.stats()).toMatchObject({ running: 1, queued: 5 });
    for (let i = 0; i < 6; i++) {
      generator.call(i).finish();
      await flush();
    }
    expect(generator.calls.map((c) => c.prompt)).toEqual(['first', 'c10', 'b5', 'd5', 'e5', 'f0']);
    expect(done).toEqual(['first', 'c10', 'b5', 'd5', 'e5', 'f0']);
    expect(queue.stats()).toMatchObject({ running: 0, queued: 0, done: 6, failed: 0, cancelled: 0 });
  });

  it('runs one job per executor: one at a time with one, spread over two with two', async () => {
    const one = open();
    void one.submit(req('a'));
    void one.submit(req('b'));
    expect(generator.calls).toHaveLength(1);

    const first = new FakeGenerator();
    const second = new FakeGenerator();
    const two = open({}, [first, second]);
    const results = [two.submit(req('a')), two.submit(req('b')), two.submit(req('c'))];
    expect(first.calls.map((c) => c.prompt)).toEqual(['a']);
    expect(second.calls.map((c) => c.prompt)).toEqual(['b']);
    expect(two.stats()).toMatchObject({ running: 2, queued: 1 });
    second.call(0).finish();
    await flush();
    expect(second.calls.map((c) => c.prompt)).toEqual(['b', 'c']);
    expect(two.stats()).toMatchObject({ running: 2, queued: 0, done: 1 });
    first.call(0).finish();
    second.call(1).finish();
    const audio = await Promise.all(results);
    expect(audio.map((a) => a.steps)).toEqual([20, 20, 20]);
    expect(two.stats().executors.map((e) => e.done)).toEqual([1, 2]);
  });

  it('drops a queued job whose deadline passes, without ever calling the generator for it', async () => {
    const queue = open();
    void queue.submit(req('running'));
    const late = queue.enqueue(req('late'), { timeoutMs: 1000, caller: '5Fvalidator' });
    const caught = rejection(late.result);
    vi.advanceTimersByTime(999);
    expect(queue.stats().queued).toBe(1);
    vi.advanceTimersByTime(1);
    const error = await caught;
    expect(error).toBeInstanceOf(SchedulerError);
    expect(error).toMatchObject({ code: 'deadline_exceeded' });
    expect((error as Error).message).toMatch(/dropped without running/);
    expect(queue.stats()).toMatchObject({ queued: 0, running: 1, cancelled: 1 });
    generator.call(0).finish();
    await flush();
    expect(generator.calls.map((c) => c.prompt)).toEqual(['running']);
    const last = events.filter((e) => e.id === late.id).at(-1);
    expect(last).toMatchObject({ state: 'cancelled', caller: '5Fvalidator', error: { code: 'deadline_exceeded' } });
  });

  it('aborts a running job through its signal when the deadline passes, then frees the slot', async () => {
    const queue = open();
    const deadline = Date.now() + 500;
    // 100 steps at the assumed 50/s cannot make 500 ms; refuseLate off to see the abort itself.
    const job = queue.enqueue(req('slow', 100), { deadline, refuseLate: false });
    const next = queue.submit(req('next'));
    const caught = rejection(job.result);
    const call = generator.call(0);
    call.progress(0);
    vi.advanceTimersByTime(100);
    call.progress(3);
    expect(call.signal?.aborted).toBe(false);
    vi.advanceTimersByTime(400);
    expect(call.signal?.aborted).toBe(true);
    expect(await caught).toMatchObject({ name: 'SchedulerError', code: 'deadline_exceeded' });
    expect(((await caught) as Error).message).toMatch(/step 3 of 100/);
    await flush();
    expect(generator.calls.map((c) => c.prompt)).toEqual(['slow', 'next']);
    generator.call(1).finish();
    await expect(next).resolves.toMatchObject({ steps: 20 });
    expect(events.filter((e) => e.id === job.id).map((e) => e.state)).toEqual([
      'queued',
      'running',
      'running',
      'running',
      'cancelled',
    ]);
  });

  it("cancels through the caller's signal and through cancel(id)", async () => {
    const queue = open();
    const controller = new AbortController();
    const running = queue.enqueue(req('a'), { signal: controller.signal });
    const queued = queue.enqueue(req('b'));
    const caughtRunning = rejection(running.result);
    const caughtQueued = rejection(queued.result);
    expect(queue.cancel(queued.id)).toBe(true);
    expect(await caughtQueued).toMatchObject({ code: 'cancelled' });
    controller.abort();
    expect(generator.call(0).signal?.aborted).toBe(true);
    expect(await caughtRunning).toMatchObject({ code: 'cancelled' });
    expect(queue.cancel(running.id)).toBe(false);
    await flush();
    expect(generator.calls).toHaveLength(1);
    expect(queue.stats()).toMatchObject({ running: 0, queued: 0, cancelled: 2 });
  });

  it('rejects at once when the queue is full, when the deadline has passed, and bad requests', async () => {
    const queue = open({ maxQueued: 1 });
    void queue.submit(req('runs'));
    void queue.submit(req('waits'));
    expect(queue.canAdmit(0n)).toBe(false);
    await expect(queue.submit(req('one too many'))).rejects.toMatchObject({
      name: 'SchedulerError',
      code: 'queue_full',
    });
    await expect(queue.submit(req('a number stake'), { priority: 5 as unknown as bigint })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(queue.submit(req('late'), { deadline: Date.now() - 1 })).rejects.toMatchObject({
      code: 'deadline_exceeded',
    });
    await expect(queue.submit({ prompt: '', durationSeconds: 1 })).rejects.toMatchObject({
      name: 'GenerationError',
      code: 'invalid_request',
    });
    expect(generator.calls).toHaveLength(1);
    expect(queue.stats()).toMatchObject({ running: 1, queued: 1 });
  });

  it('lets a caller with more stake displace the last in a full line; canAdmit says so first', async () => {
    const queue = open({ maxQueued: 2 });
    void queue.submit(req('runs'), { priority: 1n });
    const poorer = queue.enqueue(req('poorer'), { priority: 2n });
    void queue.submit(req('richer'), { priority: 7n });
    const caught = rejection(poorer.result);
    expect(queue.canAdmit(2n)).toBe(false);
    expect(queue.canAdmit(3n)).toBe(true);
    void queue.submit(req('richest'), { priority: 9n });
    expect(await caught).toMatchObject({ code: 'queue_full', message: expect.stringMatching(/displaced/) });
    expect(events.filter((e) => e.id === poorer.id).at(-1)).toMatchObject({
      state: 'cancelled',
      error: { code: 'queue_full' },
    });
    expect(queue.stats()).toMatchObject({ queued: 2, refused: 1, peakQueued: 2 });
    for (let i = 0; i < 3; i++) {
      generator.call(i).finish();
      await flush();
    }
    expect(generator.calls.map((c) => c.prompt)).toEqual(['runs', 'richest', 'richer']);
  });

  it('refuses before any work starts what the measured speed cannot finish by the deadline', async () => {
    const queue = open({ defaultStepsPerSecond: 50, safetyFactor: 1 });
    // 103 steps at 50/s: 2.06 s, behind a running job of 50 steps (1 s).
    void queue.submit(req('running', 50));
    const late = queue.enqueue(req('too long', 103), { timeoutMs: 3000, caller: 'v' });
    const error = await rejection(late.result);
    expect(error).toMatchObject({ name: 'SchedulerError', code: 'cannot_finish' });
    expect((error as Error).message).toMatch(
      /103 tokens cannot be generated within the 3\.0 s left \(about 3\.1 s needed/,
    );
    expect(generator.calls.map((c) => c.prompt)).toEqual(['running']);
    expect(events.some((e) => e.id === late.id)).toBe(false);
    // Just in time is accepted.
    const fits = queue.enqueue(req('fits', 103), { timeoutMs: 3060 });
    expect(queue.stats()).toMatchObject({ queued: 1, refused: 1 });
    generator.call(0).finish();
    await flush();
    generator.call(1).finish();
    await expect(fits.result).resolves.toMatchObject({ steps: 103 });
  });

  it('gives no work to an executor that is restarting while another is up, and resumes it when back', async () => {
    const up = new FakeGenerator();
    const down = Object.assign(new FakeGenerator(), {
      isUp: false,
      wake: (): void => undefined,
      available(): boolean {
        return this.isUp;
      },
      onAvailable(listener: () => void): () => void {
        this.wake = listener;
        return () => (this.wake = () => undefined);
      },
    });
    const queue = open({}, [down, up]);
    void queue.submit(req('a'));
    void queue.submit(req('b'));
    expect(up.calls.map((c) => c.prompt)).toEqual(['a']);
    expect(down.calls).toHaveLength(0);
    expect(queue.stats().executors.map((e) => e.available)).toEqual([false, true]);
    down.isUp = true;
    down.wake();
    expect(down.calls.map((c) => c.prompt)).toEqual(['b']);
  });

  it('passes a generator failure through as failed', async () => {
    const queue = open();
    const job = queue.enqueue(req('x'));
    generator.call(0).fail(new GenerationError('bad_output', 'NaN in the audio'));
    await expect(job.result).rejects.toMatchObject({ name: 'GenerationError', code: 'bad_output' });
    expect(events.at(-1)).toMatchObject({ id: job.id, state: 'failed', error: { code: 'bad_output' } });
    expect(queue.stats().failed).toBe(1);
  });

  it('estimates from the default speed, then from the measured one, and counts the jobs ahead', async () => {
    const queue = open({ defaultStepsPerSecond: 50, safetyFactor: 1 });
    const oneSecond = { prompt: 'x', durationSeconds: 1 }; // 53 steps
    expect(queue.estimate(oneSecond)).toEqual({ expectedMs: 1060, queueWaitMs: 0, steps: 53, stepsPerSecond: 50 });

    // One measured generation: 100 steps in 5 s from the first step report → 20 steps/s.
    const first = queue.submit(req('measure', 100));
    const call = generator.call(0);
    vi.advanceTimersByTime(300); // encoder time before the first step, not counted
    call.progress(0);
    for (let step = 1; step <= 100; step++) {
      vi.advanceTimersByTime(50);
      call.progress(step);
    }
    call.finish();
    await first;
    expect(queue.stats()).toMatchObject({ stepsPerSecond: 20 });
    expect(queue.stats().executors[0]).toMatchObject({ stepsPerSecond: 20, measured: 1 });
    expect(queue.estimate(oneSecond)).toMatchObject({ expectedMs: 2650, queueWaitMs: 0 });

    // A running job at step 10 of 50 (at 20 steps/s: 2 s left) and a queued one of 40 steps (2 s).
    void queue.submit(req('running', 50));
    const running = generator.call(1);
    running.progress(0);
    vi.advanceTimersByTime(500);
    running.progress(10);
    void queue.submit(req('queued', 40), { priority: 5n });
    expect(queue.estimate(oneSecond).queueWaitMs).toBeCloseTo(4000, 6);
    // A higher stake goes ahead of the queued job: only the running one's rest.
    expect(queue.estimate(oneSecond, { priority: 6n }).queueWaitMs).toBeCloseTo(2000, 6);

    const now = Date.now();
    expect(queue.wouldFinishInTime(oneSecond, now + 4000 + 2650)).toBe(true);
    expect(queue.wouldFinishInTime(oneSecond, now + 4000 + 2649)).toBe(false);
    expect(queue.wouldFinishInTime(oneSecond, now + 2000 + 2650, { priority: 6n })).toBe(true);
    const careful = open({ safetyFactor: 1.5 });
    expect(careful.wouldFinishInTime(oneSecond, now + 1060 * 1.5)).toBe(true);
    expect(careful.wouldFinishInTime(oneSecond, now + 1060 * 1.5 - 1)).toBe(false);
  });

  it('reports progress: queued, each step with speed and eta, done; all valid events', async () => {
    const queue = open({ defaultStepsPerSecond: 10 });
    const long = 'a'.repeat(300);
    const job = queue.enqueue({ prompt: long, durationSeconds: 0.1 }, { caller: 'ui' }); // 8 steps
    const call = generator.call(0);
    call.progress(0);
    for (let step = 1; step <= 8; step++) {
      vi.advanceTimersByTime(25); // 40 steps/s
      call.progress(step);
    }
    call.finish();
    await job.result;
    const mine = events.filter((e) => e.id === job.id);
    for (const event of mine) expect(GenerationEventSchema.parse(event)).toEqual(event);
    expect(mine.map((e) => e.state)).toEqual(['queued', 'running', ...Array<string>(9).fill('running'), 'done']);
    expect(mine[0]).toMatchObject({ step: 0, steps: 8, durationSeconds: 0.1, caller: 'ui', stepsPerSecond: 10 });
    expect(mine[0]?.prompt).toHaveLength(200);
    expect(mine[0]?.prompt.endsWith('…')).toBe(true);
    const atFour = mine.find((e) => e.state === 'running' && e.step === 4);
    expect(atFour?.stepsPerSecond).toBeCloseTo(40, 6);
    expect(atFour?.etaMs).toBeCloseTo(100, 6); // 4 steps left at 40/s
    expect(mine.at(-1)).toMatchObject({ state: 'done', step: 8, etaMs: 0 });
  });

  it('close() rejects the waiting jobs, aborts the running one and refuses new work', async () => {
    const queue = open();
    const a = rejection(queue.submit(req('a')));
    const b = rejection(queue.submit(req('b')));
    queue.close();
    expect(await a).toMatchObject({ code: 'closed' });
    expect(await b).toMatchObject({ code: 'closed' });
    expect(generator.call(0).signal?.aborted).toBe(true);
    await expect(queue.submit(req('c'))).rejects.toMatchObject({ code: 'closed' });
    expect(generator.calls).toHaveLength(1);
  });
});

describe('WorkScheduler batches (issue #14)', () => {
  let generator: FakeBatchGenerator;
  let events: GenerationEvent[];
  const open = (options: WorkSchedulerOptions = {}, executors: Executor[] = [generator]): WorkScheduler =>
    new WorkScheduler(executors, { onProgress: (e) => events.push(e), ...options });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(1_000_000);
    generator = new FakeBatchGenerator();
    events = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Finishes every call of the last batch that is still open. */
  const finishBatch = async (index: number): Promise<void> => {
    for (const call of generator.batches[index] ?? []) call.finish();
    await flush();
  };

  it('batches only jobs with the same steps and decode settings, up to maxBatch, in priority order', async () => {
    const queue = open({ maxBatch: 3 });
    void queue.submit(req('first'));
    const results = [
      queue.submit(req('b')),
      queue.submit(req('longer', 30)),
      queue.submit({ ...req('unguided'), guidanceScale: 1 }),
      queue.submit({ ...req('greedy'), decoding: 'greedy' }),
      queue.submit(req('e')),
      queue.submit({ ...req('f'), seed: 5 }), // seeds may differ
      queue.submit(req('g')),
    ];
    // The first job found an empty line: it runs alone, through generate.
    expect(generator.calls.map((c) => c.prompt)).toEqual(['first']);
    expect(generator.batches).toHaveLength(0);
    generator.call(0).finish();
    await flush();
    expect(generator.batchPrompts()).toEqual([['b', 'e', 'f']]);
    expect(queue.stats().executors[0]?.jobs).toHaveLength(3);
    await finishBatch(0);
    // 'longer' heads the line now; nothing shares its length.
    expect(generator.calls.at(-1)?.prompt).toBe('longer');
    expect(generator.batches).toHaveLength(1);
    generator.calls.at(-1)?.finish();
    await flush();
    for (let i = 0; i < 3; i++) {
      generator.calls.at(-1)?.finish();
      await flush();
    }
    expect(generator.calls.slice(-3).map((c) => c.prompt)).toEqual(['unguided', 'greedy', 'g']);
    await expect(Promise.all(results)).resolves.toHaveLength(7);
    expect(queue.stats()).toMatchObject({ done: 8, running: 0, queued: 0, maxBatch: 3 });
  });

  it('keeps the stake order: the richest waiting job heads the batch, the next richest compatible ones join', async () => {
    const queue = open({ maxBatch: 2 });
    void queue.submit(req('first'), { priority: 100n });
    void queue.submit(req('poor'), { priority: 1n });
    void queue.submit(req('rich'), { priority: 9n });
    void queue.submit(req('richest other length', 40), { priority: 50n });
    void queue.submit(req('middle'), { priority: 5n });
    generator.call(0).finish();
    await flush();
    // The head is the richest (another length: alone); then rich + middle, and poor last.
    expect(generator.calls.at(-1)?.prompt).toBe('richest other length');
    expect(generator.batches).toHaveLength(0);
    generator.calls.at(-1)?.finish();
    await flush();
    expect(generator.batchPrompts()).toEqual([['rich', 'middle']]);
    await finishBatch(0);
    expect(generator.calls.at(-1)?.prompt).toBe('poor');
  });

  it('a job cancelled in a batch ends alone; the others finish and the executor frees up after all', async () => {
    const queue = open();
    void queue.submit(req('first'));
    const a = queue.enqueue(req('a'));
    const controller = new AbortController();
    const b = queue.enqueue(req('b'), { signal: controller.signal });
    const c = queue.enqueue(req('c'));
    const caughtB = rejection(b.result);
    generator.call(0).finish();
    await flush();
    const [callA, callB, callC] = generator.batches[0] ?? [];
    void queue.submit(req('after'));
    callB?.progress(3);
    controller.abort();
    expect(await caughtB).toMatchObject({ name: 'SchedulerError', code: 'cancelled' });
    expect(callB?.signal?.aborted).toBe(true);
    expect([callA?.signal?.aborted, callC?.signal?.aborted]).toEqual([false, false]);
    // The batch still holds the executor: 'after' waits until its last member settles there.
    await flush();
    expect(queue.stats()).toMatchObject({ running: 1, queued: 1, cancelled: 1 });
    callA?.finish();
    await flush();
    expect(generator.calls.at(-1)?.prompt).toBe('c');
    callC?.finish();
    await flush();
    expect(generator.calls.at(-1)?.prompt).toBe('after');
    await expect(a.result).resolves.toMatchObject({ steps: 20 });
    await expect(c.result).resolves.toMatchObject({ steps: 20 });
    expect(queue.cancel(a.id)).toBe(false);
    expect(events.filter((e) => e.id === b.id).at(-1)).toMatchObject({ state: 'cancelled' });
  });

  it('keeps out of a batch a job whose deadline the batch cannot meet, and learns the speed per batch size', async () => {
    // 100 steps at 50/s: 2 s alone; a batch of 2 not yet measured is assumed to take 4 s.
    const queue = open({ defaultStepsPerSecond: 50, safetyFactor: 1 });
    void queue.submit(req('first', 100));
    void queue.submit(req('x', 100));
    const tight = queue.enqueue(req('tight', 100), { timeoutMs: 3500, refuseLate: false });
    void queue.submit(req('z', 100));
    generator.call(0).finish();
    await flush();
    expect(generator.batchPrompts()).toEqual([['x', 'z']]);
    // The batch of 2 runs 100 steps in 2.5 s from its first step: 40 steps/s for each member.
    const [x, z] = generator.batches[0] ?? [];
    x?.progress(0);
    z?.progress(0);
    vi.advanceTimersByTime(2500);
    x?.progress(100);
    z?.progress(100);
    await finishBatch(0);
    expect(queue.stats().executors[0]?.batchStepsPerSecond).toEqual({ 2: 40 });
    // It ran alone after the batch (so late that its deadline passes while it runs).
    expect(generator.calls.at(-1)?.prompt).toBe('tight');
    vi.advanceTimersByTime(1000);
    await expect(tight.result).rejects.toMatchObject({ code: 'deadline_exceeded' });
    await flush();

    // Measured: a batch of 2 now takes 2.5 s, so a 3 s deadline lets a job join; a 2.4 s one does not.
    void queue.submit(req('blocker', 100));
    void queue.submit(req('head', 100));
    void queue.submit(req('joins', 100), { timeoutMs: 3000, refuseLate: false });
    void queue.submit(req('too tight', 100), { timeoutMs: 2400, refuseLate: false });
    void queue.submit(req('no deadline', 100));
    generator.calls.at(-1)?.finish();
    await flush();
    // A batch of 3 is unmeasured: assumed 3/2 of the measured 2's time (3.75 s), past the deadline
    // of 'joins', so 'no deadline' cannot join either.
    expect(generator.batchPrompts().at(-1)).toEqual(['head', 'joins']);
  });

  it('reports the batch size in the running jobs’ events', async () => {
    const queue = open();
    void queue.submit(req('first'));
    const a = queue.enqueue(req('a'));
    const b = queue.enqueue(req('b'));
    generator.call(0).finish();
    await flush();
    generator.batches[0]?.[0]?.progress(1);
    for (const id of [a.id, b.id]) {
      const running = events.filter((e) => e.id === id && e.state === 'running');
      expect(running.length).toBeGreaterThan(0);
      for (const event of running) expect(GenerationEventSchema.parse(event)).toMatchObject({ batchSize: 2 });
    }
    expect(events.find((e) => e.state === 'running' && e.batchSize === undefined)).toMatchObject({ step: 0 });
    await finishBatch(0);
    expect(events.filter((e) => e.id === a.id).at(-1)).not.toHaveProperty('batchSize');
  });

  it('maxBatch 1 turns batching off, and an executor that cannot batch runs one job at a time', async () => {
    for (const [options, executor] of [
      [{ maxBatch: 1 }, generator],
      [{}, Object.assign(new FakeBatchGenerator(), { canBatch: false })],
    ] as const) {
      const queue = open(options, [executor]);
      void queue.submit(req('first'));
      void queue.submit(req('a'));
      void queue.submit(req('b'));
      for (let i = 0; i < 3; i++) {
        executor.calls.at(-1)?.finish();
        await flush();
      }
      expect(executor.calls.map((c) => c.prompt)).toEqual(['first', 'a', 'b']);
      expect(executor.batches).toHaveLength(0);
    }
    expect(() => open({ maxBatch: 0 })).toThrow(/maxBatch/);
  });
});

describe('throttleGenerationEvents', () => {
  it('passes every state change and the last step, and other steps at most once per interval per job', () => {
    let now = 0;
    const out: GenerationEvent[] = [];
    const forward = throttleGenerationEvents((e) => out.push(e), { intervalMs: 100, now: () => now });
    const base = { stepsPerSecond: 100, etaMs: 0, prompt: 'p', durationSeconds: 1 };
    for (const id of ['a', 'b']) forward({ ...base, id, state: 'queued', step: 0, steps: 100 });
    for (let step = 0; step <= 100; step++) {
      now = step * 10; // 100 steps/s: 10 ms a step
      for (const id of ['a', 'b']) forward({ ...base, id, state: 'running', step, steps: 100 });
    }
    forward({ ...base, id: 'a', state: 'done', step: 100, steps: 100 });
    const a = out.filter((e) => e.id === 'a');
    expect(a.map((e) => e.state)).toEqual(['queued', ...Array<string>(11).fill('running'), 'done']);
    expect(a.filter((e) => e.state === 'running').map((e) => e.step)).toEqual([
      0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
    expect(out.filter((e) => e.id === 'b')).toHaveLength(12);
  });

  it('drops what arrives for a job after it ended (a late progress report would revive it)', () => {
    const out: GenerationEvent[] = [];
    const forward = throttleGenerationEvents((e) => out.push(e), { intervalMs: 100, now: () => 0 });
    const base = { stepsPerSecond: 100, etaMs: 0, prompt: 'p', durationSeconds: 1, steps: 28 };
    forward({ ...base, id: 'a', state: 'queued', step: 0 });
    forward({ ...base, id: 'a', state: 'done', step: 28 });
    forward({ ...base, id: 'a', state: 'running', step: 0 });
    forward({ ...base, id: 'b', state: 'running', step: 0 });
    expect(out.map((e) => `${e.id}:${e.state}`)).toEqual(['a:queued', 'a:done', 'b:running']);
  });
});

describe('WorkScheduler with the real MusicgenGenerator on the tiny model', () => {
  const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny', 'musicgen');
  const generator = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' });
  afterAll(() => generator.dispose());

  it('generates through the scheduler with progress events, by stake, and measures the speed', async () => {
    const events: GenerationEvent[] = [];
    const queue = new WorkScheduler(generator, { onProgress: (e) => events.push(e) });
    const low = queue.enqueue(
      { prompt: 'calm piano', durationTokens: 12, seed: 1 },
      { priority: 1n, timeoutMs: 120_000 },
    );
    const high = queue.enqueue({ prompt: 'rock drums', durationTokens: 8, seed: 2 }, { priority: 9n });
    const lower = queue.enqueue({ prompt: 'ambient pad', durationTokens: 6, seed: 3 }, { priority: 0n });
    const [a, b, c] = await Promise.all([low.result, high.result, lower.result]);
    expect(a.audio.length).toBe(9 * 640);
    expect(b.audio.length).toBe(5 * 640);
    expect(c.audio.length).toBe(3 * 640);
    for (const event of events) GenerationEventSchema.parse(event);
    const started = events.filter((e) => e.state === 'running' && e.step === 0).map((e) => e.id);
    // low ran first (the queue was empty), then the higher stake ahead of the lower one.
    expect([...new Set(started)]).toEqual([low.id, high.id, lower.id]);
    const steps = events.filter((e) => e.id === low.id && e.state === 'running').map((e) => e.step);
    expect(steps).toEqual([0, ...Array.from({ length: 13 }, (_, i) => i)]);
    expect(
      events
        .filter((e) => e.state === 'done')
        .map((e) => e.id)
        .sort(),
    ).toEqual([low.id, high.id, lower.id].sort());
    const stats = queue.stats();
    expect(stats).toMatchObject({ done: 3, running: 0, queued: 0 });
    expect(stats.executors[0]?.measured).toBe(3);
    expect(stats.stepsPerSecond).toBeGreaterThan(0);
    expect(stats.stepsPerSecond).not.toBe(50);
    expect(queue.estimate({ prompt: 'x', durationTokens: 100 }).expectedMs).toBeCloseTo(
      (100 / stats.stepsPerSecond) * 1000,
      6,
    );
  });

  it('decodes waiting jobs of one length as one batch, each with the audio its seed makes alone', async () => {
    const events: GenerationEvent[] = [];
    const queue = new WorkScheduler(generator, { onProgress: (e) => events.push(e) });
    const first = queue.submit({ prompt: 'first', durationTokens: 10, seed: 1 });
    const requests = [
      { prompt: 'rock', durationTokens: 12, seed: 3 },
      { prompt: 'slow ambient piano with soft strings', durationTokens: 12, seed: 9 },
    ];
    const batched = requests.map((request) => queue.submit(request));
    await first;
    const results = await Promise.all(batched);
    const alone = [];
    for (const request of requests) alone.push(await generator.generate(request));
    expect(results.map((r) => r.audio)).toEqual(alone.map((r) => r.audio));
    expect(results.map((r) => r.seed)).toEqual([3, 9]);
    const sizes = new Set(events.filter((e) => e.prompt !== 'first' && e.state === 'running').map((e) => e.batchSize));
    expect(sizes).toEqual(new Set([2]));
    expect(Object.keys(queue.stats().executors[0]?.batchStepsPerSecond ?? {})).toEqual(['2']);
  });
});
