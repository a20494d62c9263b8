/**
 * Messages between the engine and its inference worker process. They travel over Node's IPC with
 * `serialization: 'advanced'` (structured clone), so audio crosses as a Float32Array, not JSON.
 * Only plain data crosses: an error is its code and message, never an Error object.
 */
import type { MusicRequest } from '../generate/request.js';
import type { GeneratedAudio, MusicgenSource } from '../generate/musicgen.js';
import type { GenerationErrorCode } from '../generate/errors.js';
import type { ExecutionProvider } from '../../../src-shared/schemas/gpu.js';

/** MusicgenGenerator's options that can cross a process boundary (no logger, no functions). */
export interface WorkerGeneratorOptions {
  device?: ExecutionProvider;
  fallbackToCpu?: boolean;
  /** Passed through as is (e.g. the decode loop); the worker's generator knows what it takes. */
  [option: string]: string | number | boolean | undefined;
}

export type ToWorker =
  | {
      type: 'generate';
      id: number;
      source: MusicgenSource;
      options: WorkerGeneratorOptions;
      request: MusicRequest;
    }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; id: number; step: number; steps: number }
  | { type: 'done'; id: number; result: GeneratedAudio }
  | { type: 'failed'; id: number; code: GenerationErrorCode; message: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> };

/** A message from the worker is trusted code of ours, but a crash can cut one short: check its shape. */
export function isFromWorker(value: unknown): value is FromWorker {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'progress' || type === 'done' || type === 'failed' || type === 'log';
}
