/**
 * The inference worker process: MusicGen and the scoring models run here, not in the engine's
 * process, so that a GPU fault or an out-of-memory kill takes down only this process (the engine
 * restarts it). transformers.js's process-wide state lives only here. Started by worker-client.ts:
 * as a forked Node child (messages over its IPC channel; exits when the channel closes), or as
 * Electron's utilityProcess (messages over `process.parentPort`; Electron ends it with the app).
 *
 * This module is the runtime; the process entry (src-main/host/inference-worker-entry.ts) starts
 * it with scoring's task handler, since inference may not import scoring (src-main/layers.ts).
 */
import { GenerationError, type GenerationErrorCode } from '../generate/errors.js';
import { MusicgenGenerator, type MusicgenGeneratorOptions } from '../generate/musicgen.js';
import type { FromWorker, ModelTask, ModelTaskResult, ToWorker, WorkerGeneratorOptions } from './protocol.js';
import { ModelTaskError } from './task-error.js';

/** Runs a model task (embed, classify) inside the worker; throws ModelTaskError for a named failure. */
export type ModelTaskHandler = (task: ModelTask) => Promise<ModelTaskResult>;

export interface InferenceWorkerRuntime {
  /** Scoring's runners; without it a task fails with `unsupported`. */
  handleTask?: ModelTaskHandler;
}

/** Electron's `process.parentPort` in a utilityProcess (only what is used here). */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;

const send = (message: FromWorker): void => {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
};

/**
 * One loaded model at a time: a request for another model (or device) replaces it. A replaced
 * model is freed when the last generation still using it ends, not under its feet.
 */
interface Loaded {
  key: string;
  generator: MusicgenGenerator;
  users: number;
  replaced: boolean;
}
let current: Loaded | null = null;
const running = new Map<number, AbortController>();
const PROGRESS_INTERVAL_MS = 50;

function release(loaded: Loaded): void {
  if (loaded.replaced && loaded.users === 0) void loaded.generator.dispose();
}

function generatorFor(source: unknown, options: WorkerGeneratorOptions): Loaded {
  const key = JSON.stringify([source, options]);
  if (current?.key === key) return current;
  const previous = current;
  const generator = new MusicgenGenerator(source as ConstructorParameters<typeof MusicgenGenerator>[0], {
    ...(options as MusicgenGeneratorOptions),
    logger: {
      debug: (message, fields) => send({ type: 'log', level: 'debug', message, ...(fields ? { fields } : {}) }),
      info: (message, fields) => send({ type: 'log', level: 'info', message, ...(fields ? { fields } : {}) }),
      warn: (message, fields) => send({ type: 'log', level: 'warn', message, ...(fields ? { fields } : {}) }),
      error: (message, fields) => send({ type: 'log', level: 'error', message, ...(fields ? { fields } : {}) }),
      child() {
        return this;
      },
    },
  });
  current = { key, generator, users: 0, replaced: false };
  if (previous) {
    previous.replaced = true;
    release(previous);
  }
  return current;
}

async function generate(message: Extract<ToWorker, { type: 'generate' }>): Promise<void> {
  const controller = new AbortController();
  running.set(message.id, controller);
  let loaded: Loaded | null = null;
  try {
    loaded = generatorFor(message.source, message.options);
    loaded.users += 1;
    const generator = loaded.generator;
    // A message per step would cost more than a tiny model's step: send at most every 50 ms, and the last.
    let sentAt = 0;
    const result = await generator.generate(message.request, {
      signal: controller.signal,
      onProgress: ({ step, steps }) => {
        const now = performance.now();
        if (step < steps && step > 0 && now - sentAt < PROGRESS_INTERVAL_MS) return;
        sentAt = now;
        send({ type: 'progress', id: message.id, step, steps });
      },
    });
    send({ type: 'done', id: message.id, result });
  } catch (error) {
    const code = error instanceof GenerationError ? error.code : 'generation_failed';
    send({ type: 'failed', id: message.id, code, message: error instanceof Error ? error.message : String(error) });
  } finally {
    running.delete(message.id);
    if (loaded) {
      loaded.users -= 1;
      release(loaded);
    }
  }
}

/** A batch: one generateJobs run, one controller and one stream of messages per job id. */
async function generateBatch(message: Extract<ToWorker, { type: 'generate-batch' }>): Promise<void> {
  const { ids } = message;
  const controllers = ids.map((id) => {
    const controller = new AbortController();
    running.set(id, controller);
    return controller;
  });
  let loaded: Loaded | null = null;
  try {
    loaded = generatorFor(message.source, message.options);
    loaded.users += 1;
    const promises = loaded.generator.generateJobs(
      message.requests.map((request, index) => {
        const id = ids[index] as number;
        let sentAt = 0;
        return {
          request,
          options: {
            signal: (controllers[index] as AbortController).signal,
            onProgress: ({ step, steps }) => {
              const now = performance.now();
              if (step < steps && step > 0 && now - sentAt < PROGRESS_INTERVAL_MS) return;
              sentAt = now;
              send({ type: 'progress', id, step, steps });
            },
          },
        };
      }),
    );
    await Promise.all(
      promises.map((promise, index) => {
        const id = ids[index] as number;
        return promise.then(
          (result) => {
            running.delete(id);
            send({ type: 'done', id, result });
          },
          (error: unknown) => {
            running.delete(id);
            send({ type: 'failed', id, ...failure(error) });
          },
        );
      }),
    );
  } catch (error) {
    for (const id of ids) send({ type: 'failed', id, ...failure(error) });
  } finally {
    for (const id of ids) running.delete(id);
    if (loaded) {
      loaded.users -= 1;
      release(loaded);
    }
  }
}

function failure(error: unknown): { code: GenerationErrorCode; message: string } {
  const code = error instanceof GenerationError ? error.code : 'generation_failed';
  return { code, message: error instanceof Error ? error.message : String(error) };
}

async function runTask(message: Extract<ToWorker, { type: 'task' }>, handle?: ModelTaskHandler): Promise<void> {
  try {
    if (!handle)
      throw new ModelTaskError('unsupported', `This inference worker cannot run ${message.task.kind} tasks.`);
    send({ type: 'task-done', id: message.id, result: await handle(message.task) });
  } catch (error) {
    const code = error instanceof ModelTaskError ? error.code : 'inference_failed';
    send({
      type: 'task-failed',
      id: message.id,
      code,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Starts serving the engine's messages in this process and tells it so. */
export function runInferenceWorker(runtime: InferenceWorkerRuntime = {}): void {
  const receive = (message: ToWorker): void => {
    if (message.type === 'generate') void generate(message);
    else if (message.type === 'generate-batch') void generateBatch(message);
    else if (message.type === 'cancel') running.get(message.id)?.abort();
    else if (message.type === 'task') void runTask(message, runtime.handleTask);
  };
  if (parentPort) {
    parentPort.on('message', (event) => receive(event.data as ToWorker));
  } else {
    process.on('message', receive);
    process.on('disconnect', () => process.exit(0));
  }
  send({ type: 'ready', pid: process.pid });
}
