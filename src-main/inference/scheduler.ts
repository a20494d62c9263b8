/**
 * The work scheduler: the one place where generations wait and run (it replaces the axon's
 * admission queue and the generation queue). It feeds any number of executors — one inference
 * worker per GPU, or one generator in process — each running one generation, or one batch of
 * generations decoded together, at a time.
 *
 * - Stake priority in rao (bigint): the most stake first, first come among equals.
 * - One bound: at most `maxQueued` jobs wait. When the line is full a newcomer with more stake than
 *   the last in line takes its place (the displaced job is refused with `queue_full`); otherwise
 *   the newcomer is refused. `canAdmit` answers the same question cheaply, so the axon can refuse
 *   before it checks a signature.
 * - Deadlines: a job whose deadline passes is dropped while waiting and aborted while running; a
 *   job that the measured speed says cannot be back in time is refused with `cannot_finish`
 *   before any work starts.
 * - Progress: every change of every job as a `generation` event (src-shared/schemas/generation.ts).
 * - Cancellation through an AbortSignal or `cancel(id)`.
 * - Batches (issue #14): when an executor that can batch frees up, it takes the head of the line
 *   and up to `maxBatch − 1` more waiting jobs that share its `batchKey` (same steps and decode
 *   settings), in priority order, each only if the batch's expected time still meets every
 *   member's deadline. The speed is learnt per batch size; a job cancelled in a batch ends alone.
 *
 * transformers.js's module lock (musicgen.ts) stays in the generator: with one job per executor
 * and one executor per worker process it is never contended; the own decode loop has none.
 */
import { randomUUID } from 'node:crypto';
import {
  GENERATION_EVENT_PROMPT_MAX,
  type GenerationEvent,
  type GenerationState,
} from '../../src-shared/schemas/generation.js';
import { GenerationError } from './generate/errors.js';
import type { GenerateOptions, GeneratedAudio, GenerationProgress, MusicGenerator } from './generate/musicgen.js';
import {
  batchKey,
  DEFAULT_FRAME_RATE,
  maxNewTokens,
  MusicRequestSchema,
  type MusicRequest,
  type ParsedMusicRequest,
} from './generate/request.js';

/** Why the scheduler (not the generator) ended or refused a job. */
export type SchedulerErrorCode =
  /** `maxQueued` jobs with at least as much stake already wait (or one with more stake took this one's place). */
  | 'queue_full'
  /** The measured speed says the job cannot be back before its deadline; refused before it started. */
  | 'cannot_finish'
  /** The deadline passed (dropped while waiting, aborted while running). */
  | 'deadline_exceeded'
  /** The caller's signal fired, or `cancel(id)` was called. */
  | 'cancelled'
  /** The scheduler was closed. */
  | 'closed';

/** A refusal or an ending by the scheduler; failures of the generator itself stay `GenerationError`s. */
export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  constructor(
    readonly code: SchedulerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * One generation (or, with `canBatch` and `generateJobs`, one batch) at a time. An executor behind
 * a process that restarts says so with `available` (and `onAvailable` when it is back), so the
 * scheduler gives its work to the others meanwhile.
 */
export interface Executor extends MusicGenerator {
  available?(): boolean;
  /** Returns the unsubscribe, called when the scheduler closes. */
  onAvailable?(listener: () => void): () => void;
}

export interface ScheduleOptions {
  /** The caller's stake in rao; more runs first. Default 0. */
  priority?: bigint;
  /** Milliseconds since the epoch (the scheduler's clock) by which the result must be back. */
  deadline?: number;
  /** Alternative to `deadline`: milliseconds from now. */
  timeoutMs?: number;
  /** Refuse with `cannot_finish` when the estimate misses the deadline. Default true. */
  refuseLate?: boolean;
  signal?: AbortSignal;
  /** Who asked (a validator hotkey, `ui`, …); shown in events. */
  caller?: string;
}

export interface SchedulerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WorkSchedulerOptions {
  /** Jobs that may wait (running ones not counted). Default 32. */
  maxQueued?: number;
  /**
   * The most jobs one executor decodes as one batch; 1 turns batching off. Default 4, the largest
   * size measured: on the CPU (same-shape musicgen-small, q8) a batch of 2 gave 1.49× and one of 4
   * 2.26× the throughput of as many one after another (bench/RESULTS.md, "N requests as one
   * batch"), while each member took 1.46× and 1.75× a lone request's time: the gain per added job
   * shrinks as the latency every member pays (against its caller's timeout) grows.
   */
  maxBatch?: number;
  onProgress?: (event: GenerationEvent) => void;
  /** Decoding steps per second assumed before an executor was measured. Default 50 (real time). */
  defaultStepsPerSecond?: number;
  /** Weight of the newest measurement in an executor's running average, (0, 1]. Default 0.3. */
  averageWeight?: number;
  /** The estimate is multiplied by this before it is compared with a deadline. Default 1.2. */
  safetyFactor?: number;
  /** Milliseconds since the epoch; deadlines use this clock. Default `Date.now`. */
  now?: () => number;
  timers?: SchedulerTimers;
}

export interface WorkEstimate {
  /** The generation itself, on the executor it would get. */
  expectedMs: number;
  /** Until an executor is free for it (the running jobs' rest and the waiting jobs ahead). */
  queueWaitMs: number;
  steps: number;
  stepsPerSecond: number;
}

export interface ExecutorStats {
  running: boolean;
  /** The id of the job it runs (the first of its batch). */
  job: string | null;
  /** The ids of the batch it runs (one for a lone job). */
  jobs: string[];
  available: boolean;
  done: number;
  failed: number;
  /** A lone job's steps per second (measured, or the default). */
  stepsPerSecond: number;
  /** Lone jobs measured. */
  measured: number;
  /** Steps per second of each member of a batch, by the batch sizes measured (2, 3, …). */
  batchStepsPerSecond: Record<number, number>;
}

export interface SchedulerStats {
  maxQueued: number;
  maxBatch: number;
  running: number;
  queued: number;
  /** The most that ever waited at once. */
  peakQueued: number;
  done: number;
  failed: number;
  cancelled: number;
  /** Refused before running: queue full (or displaced), cannot finish in time. */
  refused: number;
  /** The mean of the executors' speeds. */
  stepsPerSecond: number;
  executors: ExecutorStats[];
}

export interface ScheduledGeneration {
  id: string;
  result: Promise<GeneratedAudio>;
}

/** A running average of steps per second. */
interface Speed {
  average: number;
  measured: number;
}

interface Slot {
  executor: Executor;
  /** The batch it runs (one job alone); empty when idle, which is only once the executor settled them all. */
  jobs: Job[];
  /** By batch size; size 1 always present (the default until measured). */
  speeds: Map<number, Speed>;
  done: number;
  failed: number;
}

interface Job {
  id: string;
  request: MusicRequest;
  parsed: ParsedMusicRequest;
  steps: number;
  step: number;
  /** Jobs with the same key may share a batch (request.ts batchKey). */
  key: string;
  deadline: number | null;
  priority: bigint;
  caller: string | undefined;
  state: GenerationState;
  controller: AbortController;
  slot: Slot | null;
  /** Set once the job is settled for its caller. */
  settled: boolean;
  resolve: (audio: GeneratedAudio) => void;
  reject: (error: unknown) => void;
  timer: unknown;
  unlisten: (() => void) | null;
  startedAt: number;
  firstStepAt: number | null;
  firstStep: number;
  liveStepsPerSecond: number | null;
}

export class WorkScheduler {
  readonly maxQueued: number;
  readonly maxBatch: number;
  private readonly slots: Slot[];
  private readonly now: () => number;
  private readonly timers: SchedulerTimers;
  private readonly averageWeight: number;
  private readonly safetyFactor: number;
  private readonly defaultSps: number;
  private readonly listeners = new Set<(event: GenerationEvent) => void>();
  /** Highest priority first, then arrival. */
  private readonly waiting: Job[] = [];
  private counts = { done: 0, failed: 0, cancelled: 0, refused: 0 };
  private peakQueued = 0;
  private closed = false;
  private readonly unsubscribes: (() => void)[] = [];

  constructor(executors: Executor | readonly Executor[], options: WorkSchedulerOptions = {}) {
    const list = Array.isArray(executors) ? (executors as readonly Executor[]) : [executors as Executor];
    if (list.length === 0) throw new RangeError('the scheduler needs at least one executor');
    this.maxQueued = options.maxQueued ?? 32;
    if (!(Number.isInteger(this.maxQueued) && this.maxQueued >= 0))
      throw new RangeError('maxQueued must be an integer, 0 or more');
    this.maxBatch = options.maxBatch ?? 4;
    if (!(Number.isInteger(this.maxBatch) && this.maxBatch >= 1))
      throw new RangeError('maxBatch must be an integer, 1 or more');
    this.defaultSps = options.defaultStepsPerSecond ?? DEFAULT_FRAME_RATE;
    if (!(this.defaultSps > 0 && Number.isFinite(this.defaultSps))) {
      throw new RangeError('defaultStepsPerSecond must be a positive number');
    }
    this.averageWeight = options.averageWeight ?? 0.3;
    if (!(this.averageWeight > 0 && this.averageWeight <= 1)) throw new RangeError('averageWeight must be in (0, 1]');
    this.safetyFactor = options.safetyFactor ?? 1.2;
    this.now = options.now ?? (() => Date.now());
    this.timers = options.timers ?? {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
    if (options.onProgress) this.listeners.add(options.onProgress);
    this.slots = list.map((executor) => {
      const unsubscribe = executor.onAvailable?.(() => this.pump());
      if (unsubscribe) this.unsubscribes.push(unsubscribe);
      const speeds = new Map([[1, { average: this.defaultSps, measured: 0 }]]);
      return { executor, jobs: [], speeds, done: 0, failed: 0 };
    });
  }

  /** Listens to every change of every job; returns the unsubscribe. */
  subscribe(listener: (event: GenerationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a caller with this stake would get a place now (run, wait, or displace the last in line). */
  canAdmit(priority: bigint): boolean {
    if (this.closed) return false;
    if (this.waiting.length < this.maxQueued || this.freeSlot() !== null) return true;
    const last = this.waiting[this.waiting.length - 1];
    return last !== undefined && last.priority < priority;
  }

  /** Schedules a generation; resolves with its audio. */
  submit(request: MusicRequest, options: ScheduleOptions = {}): Promise<GeneratedAudio> {
    return this.enqueue(request, options).result;
  }

  /** Like `submit`, with the job's id (for `cancel` and to match events). */
  enqueue(request: MusicRequest, options: ScheduleOptions = {}): ScheduledGeneration {
    const id = randomUUID();
    const fail = (error: Error): ScheduledGeneration => {
      const result = Promise.reject(error);
      result.catch(() => undefined); // the caller may look only at `id` first
      return { id, result };
    };
    const parsed = parseRequest(request);
    if (parsed instanceof GenerationError) return fail(parsed);
    const priority = options.priority ?? 0n;
    if (typeof priority !== 'bigint') {
      return fail(new GenerationError('invalid_request', 'The priority (stake in rao) must be a bigint.'));
    }
    if (this.closed) return fail(new SchedulerError('closed', 'The work scheduler is closed.'));
    const deadline = options.deadline ?? (options.timeoutMs === undefined ? null : this.now() + options.timeoutMs);
    if (deadline !== null && !Number.isFinite(deadline)) {
      return fail(new GenerationError('invalid_request', 'The deadline is not a finite time.'));
    }
    if (options.signal?.aborted) {
      return fail(new SchedulerError('cancelled', 'The generation was cancelled before it was queued.'));
    }
    if (deadline !== null && deadline <= this.now()) {
      return fail(new SchedulerError('deadline_exceeded', 'The deadline had passed before the job was queued.'));
    }
    const steps = maxNewTokens(parsed);
    if (deadline !== null && options.refuseLate !== false) {
      const estimate = this.estimateSteps(steps, priority);
      const needMs = (estimate.queueWaitMs + estimate.expectedMs) * this.safetyFactor;
      if (this.now() + needMs > deadline) {
        this.counts.refused++;
        return fail(
          new SchedulerError(
            'cannot_finish',
            `${steps} tokens cannot be generated within the ${formatSeconds(deadline - this.now())} left ` +
              `(about ${formatSeconds(needMs)} needed at ${estimate.stepsPerSecond.toFixed(1)} steps/s)`,
          ),
        );
      }
    }
    const free = this.freeSlot();
    if (!free && this.waiting.length >= this.maxQueued) {
      const last = this.waiting[this.waiting.length - 1];
      this.counts.refused++;
      if (!last || last.priority >= priority) {
        return fail(new SchedulerError('queue_full', `the work queue is full (${this.maxQueued} waiting)`));
      }
      this.waiting.pop();
      this.finish(
        last,
        new SchedulerError('queue_full', 'displaced from the work queue by a caller with more stake'),
        'cancelled',
      );
    }

    let resolve!: (audio: GeneratedAudio) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<GeneratedAudio>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const job: Job = {
      id,
      request,
      parsed,
      steps,
      step: 0,
      key: batchKey(parsed),
      deadline,
      priority,
      caller: options.caller,
      state: 'queued',
      controller: new AbortController(),
      slot: null,
      settled: false,
      resolve,
      reject,
      timer: null,
      unlisten: null,
      startedAt: 0,
      firstStepAt: null,
      firstStep: 0,
      liveStepsPerSecond: null,
    };
    if (deadline !== null) {
      job.timer = this.timers.setTimeout(
        () =>
          this.end(
            job,
            new SchedulerError(
              'deadline_exceeded',
              job.state === 'queued'
                ? 'The deadline passed while the job was waiting; it was dropped without running.'
                : `The deadline passed at step ${job.step} of ${job.steps}; the generation was aborted.`,
            ),
          ),
        Math.max(0, deadline - this.now()),
      );
    }
    const signal = options.signal;
    if (signal) {
      const onAbort = (): void =>
        this.end(
          job,
          new SchedulerError('cancelled', 'The caller cancelled the generation.', { cause: signal.reason }),
        );
      signal.addEventListener('abort', onAbort, { once: true });
      job.unlisten = () => signal.removeEventListener('abort', onAbort);
    }
    const at = this.waiting.findIndex((other) => other.priority < priority);
    if (at < 0) this.waiting.push(job);
    else this.waiting.splice(at, 0, job);
    this.peakQueued = Math.max(this.peakQueued, this.waiting.length);
    this.report(job);
    this.pump();
    return { id, result };
  }

  /** Cancels a waiting or running job; false when there is no such job (or it ended). */
  cancel(id: string, reason = 'The generation was cancelled.'): boolean {
    const job = this.waiting.find((j) => j.id === id) ?? this.slots.flatMap((s) => s.jobs).find((j) => j.id === id);
    if (!job || job.settled) return false;
    this.end(job, new SchedulerError('cancelled', reason));
    return true;
  }

  /** The expected generation time and the wait before it starts, for a job with `priority` (default: behind all). */
  estimate(request: MusicRequest, options: { priority?: bigint } = {}): WorkEstimate {
    const parsed = parseRequest(request);
    if (parsed instanceof GenerationError) throw parsed;
    return this.estimateSteps(maxNewTokens(parsed), options.priority);
  }

  /** Whether a job submitted now would be back by `deadline` (ms epoch), with the safety factor on top. */
  wouldFinishInTime(request: MusicRequest, deadline: number, options: { priority?: bigint } = {}): boolean {
    const { expectedMs, queueWaitMs } = this.estimate(request, options);
    return this.now() + (queueWaitMs + expectedMs) * this.safetyFactor <= deadline;
  }

  stats(): SchedulerStats {
    const executors = this.slots.map((slot) => ({
      running: slot.jobs.length > 0,
      job: slot.jobs[0]?.id ?? null,
      jobs: slot.jobs.map((job) => job.id),
      available: isAvailable(slot),
      done: slot.done,
      failed: slot.failed,
      stepsPerSecond: lone(slot).average,
      measured: lone(slot).measured,
      batchStepsPerSecond: Object.fromEntries(
        [...slot.speeds]
          .filter(([size, speed]) => size > 1 && speed.measured > 0)
          .map(([size, speed]) => [size, speed.average]),
      ),
    }));
    return {
      maxQueued: this.maxQueued,
      maxBatch: this.maxBatch,
      running: executors.filter((e) => e.running).length,
      queued: this.waiting.length,
      peakQueued: this.peakQueued,
      ...this.counts,
      stepsPerSecond: executors.reduce((sum, e) => sum + e.stepsPerSecond, 0) / executors.length,
      executors,
    };
  }

  /** Refuses every waiting job and aborts the running ones; later submits are refused. */
  close(): void {
    this.closed = true;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    const running = this.slots.flatMap((slot) => slot.jobs);
    for (const job of [...this.waiting, ...running]) {
      this.end(job, new SchedulerError('closed', 'The work scheduler was closed.'));
    }
  }

  /**
   * When each executor is next free, then the waiting jobs ahead given to the earliest free one;
   * executors that are restarting count only when none is up. The jobs ahead are counted one after
   * another at a lone job's speed: batching only brings that sooner (a batch of n takes at most
   * n lone jobs' time, as `batchSps` assumes until measured), so the wait errs long, not short.
   */
  private estimateSteps(steps: number, priority: bigint | undefined): WorkEstimate {
    const up = this.slots.filter(isAvailable);
    const slots = (up.length > 0 ? up : this.slots).map((slot) => {
      const batchSps = this.batchSps(slot, slot.jobs.length);
      let busyMs = 0;
      for (const job of slot.jobs) {
        if (job.settled) continue;
        busyMs = Math.max(busyMs, ((job.steps - job.step) / (job.liveStepsPerSecond ?? batchSps)) * 1000);
      }
      return { freeAt: busyMs, sps: lone(slot).average };
    });
    const earliest = (): { freeAt: number; sps: number } => {
      slots.sort((a, b) => a.freeAt - b.freeAt || b.sps - a.sps);
      return slots[0] as { freeAt: number; sps: number };
    };
    for (const job of this.waiting) {
      if (priority !== undefined && job.priority < priority) break;
      const slot = earliest();
      slot.freeAt += (job.steps / slot.sps) * 1000;
    }
    const slot = earliest();
    return {
      expectedMs: (steps / slot.sps) * 1000,
      queueWaitMs: Math.max(0, slot.freeAt),
      steps,
      stepsPerSecond: slot.sps,
    };
  }

  /**
   * Steps per second of each member of a batch of `size` on this executor. A size not yet measured
   * is assumed to gain nothing over the largest measured smaller one (each member as slow as
   * there times the size ratio): the estimate errs slow, so a deadline it admits is met, and the
   * first batches of a size (among jobs whose deadlines allow it) teach the real speed.
   */
  private batchSps(slot: Slot, size: number): number {
    const n = Math.max(1, size);
    const known = slot.speeds.get(n);
    if (known && known.measured > 0) return known.average;
    let base = 1;
    for (const [measuredSize, speed] of slot.speeds) {
      if (measuredSize < n && measuredSize > base && speed.measured > 0) base = measuredSize;
    }
    const from = slot.speeds.get(base) ?? lone(slot);
    return (from.average * base) / n;
  }

  /** An idle executor that is up, the fastest first; an idle restarting one only when none is up. */
  private freeSlot(): Slot | null {
    const idle = this.slots.filter((slot) => slot.jobs.length === 0);
    const up = idle.filter(isAvailable);
    if (up.length > 0) return up.reduce((best, slot) => (lone(slot).average > lone(best).average ? slot : best));
    if (this.slots.some(isAvailable)) return null; // the others will be free soon; the restarting one comes back
    return idle[0] ?? null;
  }

  private pump(): void {
    for (;;) {
      if (this.waiting.length === 0) return;
      const slot = this.freeSlot();
      if (!slot) return;
      const head = this.waiting.shift() as Job;
      this.start(this.batchFor(head, slot), slot);
    }
  }

  /**
   * The head of the line and, where the executor can batch, up to `maxBatch − 1` waiting jobs
   * with its key, in priority order; each joins only if the batch with it still meets every
   * member's deadline (safety factor included). Those taken leave the line.
   */
  private batchFor(head: Job, slot: Slot): Job[] {
    const batch = [head];
    const executor = slot.executor;
    if (this.maxBatch <= 1 || !executor.canBatch || !executor.generateJobs) return batch;
    for (const job of [...this.waiting]) {
      if (batch.length >= this.maxBatch) break;
      if (job.key !== head.key) continue;
      const size = batch.length + 1;
      const needMs = (head.steps / this.batchSps(slot, size)) * 1000 * this.safetyFactor;
      const end = this.now() + needMs;
      if ([...batch, job].some((member) => member.deadline !== null && end > member.deadline)) continue;
      batch.push(job);
      this.waiting.splice(this.waiting.indexOf(job), 1);
    }
    return batch;
  }

  private start(batch: Job[], slot: Slot): void {
    slot.jobs = batch;
    const startedAt = this.now();
    for (const job of batch) {
      job.slot = slot;
      job.state = 'running';
      job.startedAt = startedAt;
      this.report(job);
    }
    const options = (job: Job): GenerateOptions => ({
      signal: job.controller.signal,
      onProgress: (progress) => this.progress(job, progress),
    });
    let results: Promise<GeneratedAudio>[];
    try {
      results =
        batch.length === 1 || !slot.executor.generateJobs
          ? [slot.executor.generate((batch[0] as Job).request, options(batch[0] as Job))]
          : slot.executor.generateJobs(batch.map((job) => ({ request: job.request, options: options(job) })));
    } catch (error) {
      results = batch.map(() => Promise.reject(error));
    }
    // The executor is free again only when every job of its batch has settled there.
    let open = batch.length;
    let measured = false;
    batch.forEach((job, index) => {
      const result =
        results[index] ?? Promise.reject(new GenerationError('bad_output', 'The executor returned no result.'));
      const settled = (audio: GeneratedAudio | null, error: unknown): void => {
        if (audio && !measured) {
          measured = true;
          this.measure(slot, job, audio, batch.length);
        }
        this.generated(job, slot, audio, error);
        open -= 1;
        if (open === 0) {
          slot.jobs = [];
          this.pump();
        }
      };
      result.then(
        (audio) => settled(audio, null),
        (error: unknown) => settled(null, error),
      );
    });
  }

  private progress(job: Job, { step, steps }: GenerationProgress): void {
    if (job.settled) return;
    const at = this.now();
    job.steps = steps;
    job.step = step;
    if (job.firstStepAt === null) {
      job.firstStepAt = at;
      job.firstStep = step;
    } else if (at > job.firstStepAt && step > job.firstStep) {
      job.liveStepsPerSecond = ((step - job.firstStep) / (at - job.firstStepAt)) * 1000;
    }
    this.report(job);
  }

  /** The executor settled one job (its slot is free once the whole batch has: only then is the device idle). */
  private generated(job: Job, slot: Slot, audio: GeneratedAudio | null, error: unknown): void {
    if (audio) slot.done++;
    else if (!job.settled) slot.failed++;
    if (!job.settled) {
      if (audio) {
        job.step = job.steps;
        this.counts.done++;
        this.finish(job, null, 'done', audio);
      } else {
        this.counts.failed++;
        this.finish(job, error, 'failed');
      }
    }
  }

  /**
   * Steps per second of a finished job, from its first progress report (load time left out), into
   * the running average of its batch size (every member of a batch advances at the batch's speed).
   */
  private measure(slot: Slot, job: Job, audio: GeneratedAudio, size: number): void {
    const end = this.now();
    let ms: number;
    let steps: number;
    if (job.firstStepAt !== null && end > job.firstStepAt) {
      ms = end - job.firstStepAt;
      steps = audio.steps - job.firstStep;
    } else {
      ms = end - job.startedAt - (audio.timings.loadMs ?? 0);
      steps = audio.steps;
    }
    if (!(ms > 0 && steps > 0)) return;
    const sps = (steps / ms) * 1000;
    const speed = slot.speeds.get(size) ?? { average: sps, measured: 0 };
    speed.average = speed.measured === 0 ? sps : speed.average + this.averageWeight * (sps - speed.average);
    speed.measured++;
    slot.speeds.set(size, speed);
  }

  /** The scheduler ends a job: out of the line if waiting, aborted if running; the caller learns now. */
  private end(job: Job, error: SchedulerError): void {
    if (job.settled) return;
    const index = this.waiting.indexOf(job);
    if (index >= 0) this.waiting.splice(index, 1);
    else job.controller.abort(error);
    this.counts.cancelled++;
    this.finish(job, error, 'cancelled');
  }

  private finish(job: Job, error: unknown, state: GenerationState, audio?: GeneratedAudio): void {
    if (job.settled) return;
    job.settled = true;
    if (job.timer !== null) this.timers.clearTimeout(job.timer);
    job.timer = null;
    job.unlisten?.();
    job.unlisten = null;
    job.state = state;
    this.report(job, error === null ? undefined : errorInfo(error));
    if (audio) job.resolve(audio);
    else job.reject(error);
  }

  private report(job: Job, error?: { code: string; message: string }): void {
    if (this.listeners.size === 0) return;
    const slot = job.slot;
    const batchSize = job.state === 'running' && slot ? slot.jobs.length : 0;
    const sps = job.liveStepsPerSecond ?? (slot ? this.batchSps(slot, batchSize) : this.stats().stepsPerSecond);
    let etaMs: number | null = null;
    if (job.state === 'running') etaMs = ((job.steps - job.step) / sps) * 1000;
    else if (job.state === 'queued') {
      const estimate = this.estimateSteps(job.steps, job.priority);
      etaMs = estimate.queueWaitMs + estimate.expectedMs;
    } else if (job.state === 'done') etaMs = 0;
    const event: GenerationEvent = {
      id: job.id,
      state: job.state,
      step: job.step,
      steps: job.steps,
      stepsPerSecond: sps,
      etaMs,
      prompt: truncate(job.parsed.prompt, GENERATION_EVENT_PROMPT_MAX),
      durationSeconds: job.parsed.durationSeconds ?? Math.max(0, job.steps - 3) / DEFAULT_FRAME_RATE,
      ...(job.caller === undefined ? {} : { caller: job.caller }),
      ...(batchSize > 1 ? { batchSize } : {}),
      ...(error ? { error } : {}),
    };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a broken listener must not break the scheduler
      }
    }
  }
}

export interface ThrottleOptions {
  /** Least milliseconds between two events of one job in the same state. Default 100 (~10/s). */
  intervalMs?: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
}

/**
 * Passes on every state change and the last step of each job, and other steps at most once per
 * `intervalMs` per job.
 */
export function throttleGenerationEvents(
  emit: (event: GenerationEvent) => void,
  options: ThrottleOptions = {},
): (event: GenerationEvent) => void {
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? (() => performance.now());
  const last = new Map<string, { at: number; state: GenerationState }>();
  // Ids whose job ended: a progress report that arrives after the end (a worker's late message)
  // would bring a finished job back to life in every client. Bounded: oldest forgotten first.
  const ended = new Set<string>();
  return (event) => {
    if (ended.has(event.id)) return;
    const at = now();
    const before = last.get(event.id);
    const due = !before || before.state !== event.state || event.step >= event.steps || at - before.at >= intervalMs;
    if (!due) return;
    if (event.state === 'queued' || event.state === 'running') {
      last.set(event.id, { at, state: event.state });
    } else {
      last.delete(event.id);
      ended.add(event.id);
      if (ended.size > 10_000) ended.delete(ended.values().next().value as string);
    }
    emit(event);
  };
}

function lone(slot: Slot): Speed {
  return slot.speeds.get(1) as Speed;
}

function isAvailable(slot: Slot): boolean {
  return slot.executor.available?.() ?? true;
}

function parseRequest(request: MusicRequest): ParsedMusicRequest | GenerationError {
  const parsed = MusicRequestSchema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return new GenerationError(
    'invalid_request',
    `Invalid generation request: ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}.`,
  );
}

function errorInfo(error: unknown): { code: string; message: string } {
  if (error instanceof GenerationError || error instanceof SchedulerError) {
    return { code: error.code, message: error.message };
  }
  return { code: 'generation_failed', message: error instanceof Error ? error.message : String(error) };
}

function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
