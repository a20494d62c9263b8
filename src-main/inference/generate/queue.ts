/**
 * The generation queue (issue "generation queue"): one generation per device at a time
 * (`concurrency`), the caller with the most stake first (FIFO among equal stakes), a caller's
 * deadline that drops its job while queued and aborts it while running, progress events
 * (step k of n) for the Host API, and a time estimate from the measured speed so the miner can
 * refuse work it cannot finish in time.
 */
import { randomUUID } from 'node:crypto';
import {
  GENERATION_EVENT_PROMPT_MAX,
  type GenerationEvent,
  type GenerationState,
} from '../../../src-shared/schemas/generation.js';
import { GenerationError } from './errors.js';
import type { GeneratedAudio, GenerationProgress, MusicGenerator } from './musicgen.js';
import {
  DEFAULT_FRAME_RATE,
  maxNewTokens,
  MusicRequestSchema,
  type MusicRequest,
  type ParsedMusicRequest,
} from './request.js';

/** Why the queue (not the generator) ended a job. */
export type GenerationQueueErrorCode =
  /** `maxQueued` jobs are already waiting. */
  | 'queue_full'
  /** The caller's deadline passed before the job finished (dropped while queued or aborted while running). */
  | 'deadline_exceeded'
  /** The caller's signal aborted, or `cancel(id)` was called. */
  | 'cancelled'
  /** The queue was closed. */
  | 'closed';

/** A rejection by the queue; failures of the generator itself stay `GenerationError`s. */
export class GenerationQueueError extends Error {
  override readonly name = 'GenerationQueueError';
  constructor(
    readonly code: GenerationQueueErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Stake: a bigint (rao) or a number (TAO); they compare with each other directly. */
export type Priority = bigint | number;

export interface SubmitOptions {
  /** The caller's stake; higher runs first. Default 0. */
  priority?: Priority;
  /** Milliseconds since the epoch (the queue's clock) by which the result must be back. */
  deadline?: number;
  /** Alternative to `deadline`: milliseconds from now. */
  timeoutMs?: number;
  /** Cancels the job (dropped while queued, aborted while running). */
  signal?: AbortSignal;
  /** Who asked (a validator hotkey, `ui`, …); shown in events. */
  caller?: string;
}

export interface QueueTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface GenerationQueueOptions {
  /** Generations that run at once (one per device). Default 1. */
  concurrency?: number;
  /** Jobs that may wait (running ones not counted); one more is rejected with `queue_full`. Default 32. */
  maxQueued?: number;
  /** Every change of every job (each step, unthrottled); see `throttleGenerationEvents`. */
  onProgress?: (event: GenerationEvent) => void;
  /** Decoding steps per second assumed before the first generation was measured. Default 50 (real time). */
  defaultStepsPerSecond?: number;
  /** Weight of the newest measurement in the running average, (0, 1]. Default 0.3. */
  averageWeight?: number;
  /** `wouldFinishInTime` multiplies the expected time by this. Default 1.2. */
  safetyFactor?: number;
  /** Milliseconds since the epoch; deadlines use this clock. Default `Date.now`. */
  now?: () => number;
  /** Default the global timers. */
  timers?: QueueTimers;
}

export interface GenerationEstimate {
  /** The generation itself. */
  expectedMs: number;
  /** Until a slot is free for it (the running jobs' rest and the queued jobs ahead). */
  queueWaitMs: number;
  steps: number;
  stepsPerSecond: number;
}

export interface GenerationQueueStats {
  concurrency: number;
  maxQueued: number;
  running: number;
  queued: number;
  done: number;
  failed: number;
  cancelled: number;
  /** The running average (or the default before any measurement). */
  stepsPerSecond: number;
  /** Generations that went into the average. */
  measured: number;
}

export interface QueuedGeneration {
  id: string;
  result: Promise<GeneratedAudio>;
}

interface Job {
  id: string;
  seq: number;
  request: MusicRequest;
  parsed: ParsedMusicRequest;
  steps: number;
  step: number;
  priority: Priority;
  deadline: number | null;
  caller: string | undefined;
  state: GenerationState;
  controller: AbortController;
  /** Set when the queue ended the job itself (deadline, cancel, close). */
  ended: GenerationQueueError | null;
  settled: boolean;
  resolve: (audio: GeneratedAudio) => void;
  reject: (error: unknown) => void;
  timer: unknown;
  unlisten: (() => void) | null;
  startedAt: number;
  /** The first progress report: the text encoder has run, decoding starts. */
  firstStepAt: number | null;
  firstStep: number;
  liveStepsPerSecond: number | null;
}

export class GenerationQueue {
  readonly concurrency: number;
  readonly maxQueued: number;
  private readonly now: () => number;
  private readonly timers: QueueTimers;
  private readonly averageWeight: number;
  private readonly safetyFactor: number;
  private readonly listeners = new Set<(event: GenerationEvent) => void>();
  private readonly waiting: Job[] = [];
  private readonly running = new Set<Job>();
  private average: number;
  private measured = 0;
  private counts = { done: 0, failed: 0, cancelled: 0 };
  private seq = 0;
  private closed = false;

  constructor(
    private readonly generator: MusicGenerator,
    options: GenerationQueueOptions = {},
  ) {
    this.concurrency = positiveInt(options.concurrency ?? 1, 'concurrency');
    this.maxQueued = options.maxQueued ?? 32;
    if (!(this.maxQueued >= 0)) throw new RangeError('maxQueued must be 0 or more');
    this.average = options.defaultStepsPerSecond ?? DEFAULT_FRAME_RATE;
    if (!(this.average > 0 && Number.isFinite(this.average))) {
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
  }

  /** Listens to every change of every job; returns the unsubscribe. */
  subscribe(listener: (event: GenerationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a generation; resolves with its audio. */
  submit(request: MusicRequest, options: SubmitOptions = {}): Promise<GeneratedAudio> {
    return this.enqueue(request, options).result;
  }

  /** Like `submit`, with the job's id (for `cancel` and to match events). */
  enqueue(request: MusicRequest, options: SubmitOptions = {}): QueuedGeneration {
    const id = randomUUID();
    const fail = (error: Error): QueuedGeneration => ({ id, result: Promise.reject(error) });
    const parsed = parseRequest(request);
    if (parsed instanceof GenerationError) return fail(parsed);
    const priority = options.priority ?? 0;
    if (typeof priority === 'number' && Number.isNaN(priority)) {
      return fail(new GenerationError('invalid_request', 'The priority (stake) is not a number.'));
    }
    if (this.closed) return fail(new GenerationQueueError('closed', 'The generation queue is closed.'));
    const deadline = options.deadline ?? (options.timeoutMs === undefined ? null : this.now() + options.timeoutMs);
    if (deadline !== null && !Number.isFinite(deadline)) {
      return fail(new GenerationError('invalid_request', 'The deadline is not a finite time.'));
    }
    if (options.signal?.aborted) {
      return fail(new GenerationQueueError('cancelled', 'The generation was cancelled before it was queued.'));
    }
    if (deadline !== null && deadline <= this.now()) {
      return fail(new GenerationQueueError('deadline_exceeded', 'The deadline had passed before the job was queued.'));
    }
    if (this.waiting.length >= this.maxQueued && this.running.size >= this.concurrency) {
      return fail(
        new GenerationQueueError('queue_full', `The generation queue is full (${this.maxQueued} jobs waiting).`),
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
      seq: this.seq++,
      request,
      parsed,
      steps: maxNewTokens(parsed),
      step: 0,
      priority,
      deadline,
      caller: options.caller,
      state: 'queued',
      controller: new AbortController(),
      ended: null,
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
            new GenerationQueueError(
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
          new GenerationQueueError('cancelled', 'The caller cancelled the generation.', { cause: signal.reason }),
        );
      signal.addEventListener('abort', onAbort, { once: true });
      job.unlisten = () => signal.removeEventListener('abort', onAbort);
    }
    // Behind every job of equal or higher priority: FIFO among equal stakes.
    const at = this.waiting.findIndex((other) => other.priority < priority);
    if (at < 0) this.waiting.push(job);
    else this.waiting.splice(at, 0, job);
    this.report(job);
    this.pump();
    return { id, result };
  }

  /** Cancels a queued or running job; false when there is no such job (or it ended). */
  cancel(id: string, reason = 'The generation was cancelled.'): boolean {
    const job = this.waiting.find((j) => j.id === id) ?? [...this.running].find((j) => j.id === id);
    if (!job || job.ended) return false;
    this.end(job, new GenerationQueueError('cancelled', reason));
    return true;
  }

  /** The expected generation time and the wait before it starts, for a job with `priority` (default: behind all). */
  estimate(request: MusicRequest, options: { priority?: Priority } = {}): GenerationEstimate {
    const parsed = parseRequest(request);
    if (parsed instanceof GenerationError) throw parsed;
    const steps = maxNewTokens(parsed);
    const sps = this.average;
    // When each slot is next free: the running jobs' remaining steps at their measured speed.
    const slots = [...this.running]
      .filter((job) => !job.ended)
      .map((job) => ((job.steps - job.step) / (job.liveStepsPerSecond ?? sps)) * 1000);
    while (slots.length < this.concurrency) slots.push(0);
    slots.sort((a, b) => a - b);
    const priority = options.priority;
    for (const job of this.waiting) {
      if (priority !== undefined && job.priority < priority) break;
      const free = slots.shift() ?? 0;
      slots.push(free + (job.steps / sps) * 1000);
      slots.sort((a, b) => a - b);
    }
    return {
      expectedMs: (steps / sps) * 1000,
      queueWaitMs: Math.max(0, slots[0] ?? 0),
      steps,
      stepsPerSecond: sps,
    };
  }

  /** Whether a job submitted now would be back by `deadline` (ms epoch), with the safety factor on top. */
  wouldFinishInTime(request: MusicRequest, deadline: number, options: { priority?: Priority } = {}): boolean {
    const { expectedMs, queueWaitMs } = this.estimate(request, options);
    return this.now() + (queueWaitMs + expectedMs) * this.safetyFactor <= deadline;
  }

  stats(): GenerationQueueStats {
    return {
      concurrency: this.concurrency,
      maxQueued: this.maxQueued,
      running: this.running.size,
      queued: this.waiting.length,
      ...this.counts,
      stepsPerSecond: this.average,
      measured: this.measured,
    };
  }

  /** Rejects every queued job and aborts the running ones; later submits are rejected. */
  close(): void {
    this.closed = true;
    for (const job of [...this.waiting, ...this.running]) {
      this.end(job, new GenerationQueueError('closed', 'The generation queue was closed.'));
    }
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift();
      if (job) this.start(job);
    }
  }

  private start(job: Job): void {
    this.running.add(job);
    job.state = 'running';
    job.startedAt = this.now();
    this.report(job);
    let result: Promise<GeneratedAudio>;
    try {
      result = this.generator.generate(job.request, {
        signal: job.controller.signal,
        onProgress: (progress) => this.progress(job, progress),
      });
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (audio) => this.finished(job, audio, null),
      (error: unknown) => this.finished(job, null, error),
    );
  }

  private progress(job: Job, { step, steps }: GenerationProgress): void {
    if (job.ended) return;
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

  /** The generator settled: the slot is free again (also after an abort, only now the device is idle). */
  private finished(job: Job, audio: GeneratedAudio | null, error: unknown): void {
    this.running.delete(job);
    if (audio) this.measure(job, audio);
    if (!job.ended) {
      this.cleanup(job);
      if (audio) {
        job.state = 'done';
        job.step = job.steps;
        this.counts.done++;
        this.report(job);
        job.resolve(audio);
      } else {
        job.state = 'failed';
        this.counts.failed++;
        this.report(job, errorInfo(error));
        job.reject(error);
      }
    }
    this.pump();
  }

  /** Steps per second of a finished job: from its first progress report to the end, else from its start (load time left out). */
  private measure(job: Job, audio: GeneratedAudio): void {
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
    this.average = this.measured === 0 ? sps : this.average + this.averageWeight * (sps - this.average);
    this.measured++;
  }

  /** The queue ends a job: out of the queue if waiting, aborted if running; the caller gets `error` now. */
  private end(job: Job, error: GenerationQueueError): void {
    if (job.ended || job.settled) return;
    job.ended = error;
    this.cleanup(job);
    const index = this.waiting.indexOf(job);
    if (index >= 0) this.waiting.splice(index, 1);
    else job.controller.abort(error);
    job.state = 'cancelled';
    this.counts.cancelled++;
    this.report(job, { code: error.code, message: error.message });
    job.reject(error);
  }

  private cleanup(job: Job): void {
    job.settled = true;
    if (job.timer !== null) this.timers.clearTimeout(job.timer);
    job.timer = null;
    job.unlisten?.();
    job.unlisten = null;
  }

  private report(job: Job, error?: { code: string; message: string }): void {
    if (this.listeners.size === 0) return;
    const sps = job.liveStepsPerSecond ?? this.average;
    let etaMs: number | null = null;
    if (job.state === 'running') etaMs = ((job.steps - job.step) / sps) * 1000;
    else if (job.state === 'queued') {
      const estimate = this.estimate(job.request, { priority: job.priority });
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
      ...(error ? { error } : {}),
    };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a broken listener must not break the queue
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
  return (event) => {
    const at = now();
    const before = last.get(event.id);
    const due = !before || before.state !== event.state || event.step >= event.steps || at - before.at >= intervalMs;
    if (!due) return;
    if (event.state === 'queued' || event.state === 'running') last.set(event.id, { at, state: event.state });
    else last.delete(event.id);
    emit(event);
  };
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
  if (error instanceof GenerationError || error instanceof GenerationQueueError) {
    return { code: error.code, message: error.message };
  }
  return { code: 'generation_failed', message: error instanceof Error ? error.message : String(error) };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
