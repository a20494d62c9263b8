/**
 * The engine's side of the inference worker: a MusicGenerator whose work runs in another process.
 * If that process dies (GPU fault, out-of-memory kill), every job it held fails with
 * `worker_crashed`, the state says so, and a new process starts after a backoff that grows with
 * each crash in a row; the engine and the jobs still waiting carry on. The process is started by a
 * `SpawnWorker` function: a forked Node process under the daemon (forkWorker), and Electron's
 * utilityProcess in the desktop app behind the same interface.
 */
import { fork } from 'node:child_process';
import { GenerationError } from '../generate/errors.js';
import type { BatchJob, GenerateOptions, GeneratedAudio, MusicgenSource } from '../generate/musicgen.js';
import type { MusicRequest } from '../generate/request.js';
import type { Logger } from '../../log/logger.js';
import type { Executor } from '../scheduler.js';
import {
  isFromWorker,
  type FromWorker,
  type ModelTask,
  type ModelTaskKind,
  type ModelTaskResults,
  type ToWorker,
  type WorkerGeneratorOptions,
} from './protocol.js';
import { ModelTaskError } from './task-error.js';

/** A started worker process, whatever started it. */
export interface WorkerProcess {
  send(message: ToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type SpawnWorker = () => WorkerProcess;

/** A Node child process running the built worker entry (dist/main/inference-worker.js). */
export function forkWorker(entry: string, options: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {}): SpawnWorker {
  return () => {
    const child = fork(entry, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...options.env },
      execArgv: options.execArgv ?? [],
    });
    return {
      send: (message) => {
        // A process that died a moment ago fails the write (EPIPE); its exit handler fails the jobs.
        if (child.connected) child.send(message, () => undefined);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.once('exit', listener),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

export type WorkerState =
  | { state: 'starting' }
  | { state: 'ready'; pid: number }
  | { state: 'restarting'; reason: string; inMs: number }
  | { state: 'stopped' };

export interface InferenceWorkerOptions {
  spawn: SpawnWorker;
  logger?: Logger;
  /** Restart delay after the first crash, doubled per crash in a row up to maxMs. */
  backoff?: { initialMs?: number; maxMs?: number };
  onState?: (state: WorkerState) => void;
}

interface Job {
  kind: 'generate' | 'task';
  /**
   * The ids sent together with this job (its batch, itself for a lone job), and the message for
   * those of them still held: a job cancelled before the send is left out of its batch's message.
   */
  batch: readonly number[];
  message(ids: number[]): ToWorker;
  sent: boolean;
  resolve(result: unknown): void;
  reject(error: Error): void;
  onProgress?: GenerateOptions['onProgress'];
  detachAbort(): void;
}

export class InferenceWorker {
  private process: WorkerProcess | null = null;
  private ready = false;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private crashesInRow = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private current: WorkerState = { state: 'stopped' };
  private closed = false;
  private readonly listeners = new Set<(state: WorkerState) => void>();

  constructor(private readonly options: InferenceWorkerOptions) {}

  get state(): WorkerState {
    return this.current;
  }

  /** False while the process waits out its restart backoff (a scheduler gives the work to others meanwhile). */
  get available(): boolean {
    return this.current.state !== 'restarting';
  }

  /** Every state change; returns the unsubscribe. */
  subscribe(listener: (state: WorkerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A generator for one model and device; the worker loads it on first use and keeps it. */
  generator(source: MusicgenSource, options: WorkerGeneratorOptions = {}): Executor {
    return {
      generate: (request, generateOptions) => this.generate(source, options, request, generateOptions),
      // The worker's generator batches with our own loop, the default decoder (musicgen.ts).
      canBatch: options.decoder !== 'transformers',
      generateJobs: (jobs) => this.generateJobs(source, options, jobs),
      available: () => this.available,
      onAvailable: (listener) => {
        let was = this.available;
        return this.subscribe(() => {
          if (this.available && !was) listener();
          was = this.available;
        });
      },
    };
  }

  generate(
    source: MusicgenSource,
    options: WorkerGeneratorOptions,
    request: MusicRequest,
    generateOptions: GenerateOptions = {},
  ): Promise<GeneratedAudio> {
    if (this.closed) return Promise.reject(new GenerationError('worker_crashed', 'The inference worker is stopped.'));
    const { signal, onProgress } = generateOptions;
    if (signal?.aborted)
      return Promise.reject(new GenerationError('aborted', 'The generation was cancelled before it started.'));
    const id = this.nextId++;
    return new Promise<GeneratedAudio>((resolve, reject) => {
      const abort = (): void => {
        const job = this.jobs.get(id);
        if (!job) return;
        if (job.sent) this.process?.send({ type: 'cancel', id });
        else this.settle(id, new GenerationError('aborted', 'The generation was cancelled before it started.'));
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.jobs.set(id, {
        kind: 'generate',
        batch: [id],
        message: () => ({ type: 'generate', id, source, options, request }),
        sent: false,
        resolve: resolve as (result: unknown) => void,
        reject,
        ...(onProgress ? { onProgress } : {}),
        detachAbort: () => signal?.removeEventListener('abort', abort),
      });
      this.ensureStarted();
      this.flush();
    });
  }

  /**
   * Requests decoded by the worker as one batch (`MusicGenerator.generateJobs`): one message, one
   * promise per job; a job's abort cancels only that job (before the send it is left out).
   */
  generateJobs(
    source: MusicgenSource,
    options: WorkerGeneratorOptions,
    jobs: readonly BatchJob[],
  ): Promise<GeneratedAudio>[] {
    if (this.closed) {
      return jobs.map(() => Promise.reject(new GenerationError('worker_crashed', 'The inference worker is stopped.')));
    }
    const ids = jobs.map(() => this.nextId++);
    const requests = new Map(ids.map((id, index) => [id, (jobs[index] as BatchJob).request]));
    const message = (live: number[]): ToWorker => ({
      type: 'generate-batch',
      ids: live,
      source,
      options,
      requests: live.map((id) => requests.get(id) as MusicRequest),
    });
    const promises = jobs.map((job, index) => {
      const id = ids[index] as number;
      const { signal, onProgress } = job.options ?? {};
      if (signal?.aborted) {
        return Promise.reject(new GenerationError('aborted', 'The generation was cancelled before it started.'));
      }
      return new Promise<GeneratedAudio>((resolve, reject) => {
        const abort = (): void => {
          const held = this.jobs.get(id);
          if (!held) return;
          if (held.sent) this.process?.send({ type: 'cancel', id });
          else this.settle(id, new GenerationError('aborted', 'The generation was cancelled before it started.'));
        };
        signal?.addEventListener('abort', abort, { once: true });
        this.jobs.set(id, {
          kind: 'generate',
          batch: ids,
          message,
          sent: false,
          resolve: resolve as (result: unknown) => void,
          reject,
          ...(onProgress ? { onProgress } : {}),
          detachAbort: () => signal?.removeEventListener('abort', abort),
        });
      });
    });
    this.ensureStarted();
    this.flush();
    return promises;
  }

  /**
   * Runs a scoring model task (CLAP text or audio embedding, AudioSet probabilities) in the
   * worker. Fails with ModelTaskError: the worker's own code, or `worker_crashed` when the process
   * dies while holding it (the next task starts a new process).
   */
  run<K extends ModelTaskKind>(task: Extract<ModelTask, { kind: K }>): Promise<ModelTaskResults[K]> {
    if (this.closed) return Promise.reject(new ModelTaskError('worker_crashed', 'The inference worker is stopped.'));
    const id = this.nextId++;
    return new Promise<ModelTaskResults[K]>((resolve, reject) => {
      this.jobs.set(id, {
        kind: 'task',
        batch: [id],
        message: () => ({ type: 'task', id, task }),
        sent: false,
        resolve: resolve as (result: unknown) => void,
        reject,
        detachAbort: () => undefined,
      });
      this.ensureStarted();
      this.flush();
    });
  }

  /** Stops the worker; jobs still held fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const running = this.process;
    this.process = null;
    for (const [id, job] of [...this.jobs]) this.settle(id, crashError(job, 'The inference worker was stopped.'));
    running?.kill();
    this.setState({ state: 'stopped' });
    await Promise.resolve();
  }

  private ensureStarted(): void {
    if (this.process || this.restartTimer || this.closed) return;
    this.ready = false;
    this.setState({ state: 'starting' });
    const child = this.options.spawn();
    this.process = child;
    child.onMessage((message) => {
      if (this.process === child && isFromWorker(message)) this.onMessage(message);
    });
    child.onExit((code, signal) => {
      if (this.process === child) this.onExit(code, signal);
    });
  }

  private flush(): void {
    if (!this.ready || !this.process) return;
    for (const job of this.jobs.values()) {
      if (job.sent) continue;
      const live = job.batch.filter((id) => this.jobs.has(id));
      for (const id of live) (this.jobs.get(id) as Job).sent = true;
      this.process.send(job.message(live));
    }
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.setState({ state: 'ready', pid: message.pid });
        this.flush();
        return;
      case 'progress':
        this.jobs.get(message.id)?.onProgress?.({ step: message.step, steps: message.steps });
        return;
      case 'done':
        this.crashesInRow = 0;
        this.settle(message.id, null, message.result);
        return;
      case 'failed':
        this.settle(message.id, new GenerationError(message.code, message.message));
        return;
      case 'task-done':
        this.crashesInRow = 0;
        this.settle(message.id, null, message.result);
        return;
      case 'task-failed':
        this.settle(message.id, new ModelTaskError(message.code, message.message));
        return;
      case 'log': {
        const log = this.options.logger;
        log?.[message.level](message.message, message.fields);
        return;
      }
    }
  }

  private onExit(code: number | null, signal: string | null): void {
    this.process = null;
    this.ready = false;
    if (this.closed) return;
    const how = signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
    const reason = `The inference worker stopped (${how}); it is restarting.`;
    for (const [id, job] of [...this.jobs]) {
      if (job.sent) this.settle(id, crashError(job, `${reason} The job it held failed.`));
    }
    this.crashesInRow++;
    const initial = this.options.backoff?.initialMs ?? 500;
    const max = this.options.backoff?.maxMs ?? 30_000;
    const inMs = Math.min(max, initial * 2 ** (this.crashesInRow - 1));
    this.options.logger?.error(reason, { restartInMs: inMs, crashesInRow: this.crashesInRow });
    this.setState({ state: 'restarting', reason, inMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      // Start again only when there is work: an idle engine does not need a worker.
      if (this.jobs.size > 0) {
        this.ensureStarted();
        this.flush();
      } else {
        this.setState({ state: 'stopped' });
      }
    }, inMs);
    this.restartTimer.unref();
  }

  private settle(id: number, error: Error | null, result?: unknown): void {
    const job = this.jobs.get(id);
    if (!job) return;
    this.jobs.delete(id);
    job.detachAbort();
    if (error) job.reject(error);
    else job.resolve(result);
  }

  private setState(state: WorkerState): void {
    this.current = state;
    this.options.onState?.(state);
    for (const listener of this.listeners) listener(state);
  }
}

/** `worker_crashed` in the error type the job's caller expects. */
function crashError(job: Job, message: string): Error {
  return job.kind === 'task'
    ? new ModelTaskError('worker_crashed', message)
    : new GenerationError('worker_crashed', message);
}
