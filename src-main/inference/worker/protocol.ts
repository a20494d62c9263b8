/**
 * Messages between the engine and its inference worker process. They travel over Node's IPC with
 * `serialization: 'advanced'` (structured clone), so audio crosses as a Float32Array, not JSON.
 * Only plain data crosses: an error is its code and message, never an Error object.
 */
import type { MusicRequest } from '../generate/request.js';
import type { GeneratedAudio, MusicgenSource } from '../generate/musicgen.js';
import type { GenerationErrorCode } from '../generate/errors.js';
import type { ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import type { ModelTaskErrorCode } from './task-error.js';

/** MusicgenGenerator's options that can cross a process boundary (no logger, no functions). */
export interface WorkerGeneratorOptions {
  device?: ExecutionProvider;
  fallbackToCpu?: boolean;
  /** Passed through as is (e.g. the decode loop); the worker's generator knows what it takes. */
  [option: string]: string | number | boolean | undefined;
}

/** A scoring model's folder (transformers.js layout) and where to run it; always fp32 (scoring spec §3.2). */
export interface ModelTaskSource {
  dir: string;
  device?: ExecutionProvider;
}

/**
 * Model work other than generation, run by the worker's task handler (scoring's runners): CLAP
 * text and audio embeddings, AudioSet class probabilities. Audio must already be at the model's
 * sample rate (48 kHz CLAP, 16 kHz AST); the handler refuses anything else.
 */
export type ModelTask =
  | { kind: 'embed-text'; model: ModelTaskSource; texts: string[] }
  | { kind: 'embed-audio'; model: ModelTaskSource; audio: Float32Array; sampleRate: number; hopSeconds?: number }
  | { kind: 'classify'; model: ModelTaskSource; audio: Float32Array; sampleRate: number; hopSeconds?: number }
  /** VGGish embeddings for FAD (scoring spec §1.3): 16 kHz mono, DC already removed; padded to 2 s by the runner. */
  | { kind: 'embed-frames'; model: ModelTaskSource; audio: Float32Array; sampleRate: number };
export type ModelTaskKind = ModelTask['kind'];

/** Analysis windows over a clip and one result per window. */
export interface WindowedResult {
  /** Start of each window in seconds. */
  startsSeconds: number[];
  windows: Float32Array[];
}

export interface ModelTaskResults {
  /** One L2-normalised embedding per text (77 tokens, scoring spec §1.4). */
  'embed-text': { embeddings: Float32Array[] };
  /** One L2-normalised embedding per window, and their mean (not re-normalised: its dot product with a unit text embedding is the mean cosine). */
  'embed-audio': WindowedResult & { mean: Float32Array };
  /** softmax probabilities per window (scoring spec §1.2), and the model's label per class. */
  classify: WindowedResult & { labels: string[] };
  /** One pre-ReLU VGGish embedding per 0.96 s example (windows), in order. */
  'embed-frames': WindowedResult;
}
export type ModelTaskResult = ModelTaskResults[ModelTaskKind];

export type ToWorker =
  | {
      type: 'generate';
      id: number;
      source: MusicgenSource;
      options: WorkerGeneratorOptions;
      request: MusicRequest;
    }
  /**
   * Requests decoded as one batch (MusicGenerator.generateJobs), one job id each: each job gets
   * its own progress, done or failed message under its id, and `cancel` of one id drops only it.
   */
  | {
      type: 'generate-batch';
      ids: number[];
      source: MusicgenSource;
      options: WorkerGeneratorOptions;
      requests: MusicRequest[];
    }
  | { type: 'cancel'; id: number }
  | { type: 'task'; id: number; task: ModelTask };

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; id: number; step: number; steps: number }
  | { type: 'done'; id: number; result: GeneratedAudio }
  | { type: 'failed'; id: number; code: GenerationErrorCode; message: string }
  | { type: 'task-done'; id: number; result: ModelTaskResult }
  | { type: 'task-failed'; id: number; code: ModelTaskErrorCode; message: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> };

/** A message from the worker is trusted code of ours, but a crash can cut one short: check its shape. */
export function isFromWorker(value: unknown): value is FromWorker {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return (
    type === 'ready' ||
    type === 'progress' ||
    type === 'done' ||
    type === 'failed' ||
    type === 'task-done' ||
    type === 'task-failed' ||
    type === 'log'
  );
}
