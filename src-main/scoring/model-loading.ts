/**
 * Loading a scoring model folder with transformers.js: offline, fp32 (scoring spec §3.2: fp16 and
 * q8 drift), under the worker's one transformers.js lock (inference/transformers-runtime.ts), with transformers.js's errors turned
 * into named ModelTaskErrors.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { withLocalModels } from '../inference/transformers-runtime.js';
import { ModelTaskError } from '../inference/worker/task-error.js';
import type { ModelTaskSource } from '../inference/worker/protocol.js';
import type { ExecutionProvider } from '../../src-shared/schemas/gpu.js';

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `load(modelId)` with transformers.js pointed at the folder's parent; `modelId` is the folder's name. */
export async function loadFromFolder<T>(
  source: ModelTaskSource,
  what: string,
  load: (modelId: string, options: { local_files_only: true; dtype: 'fp32'; device: ExecutionProvider }) => Promise<T>,
): Promise<T> {
  // transformers.js reports a missing folder as an unreadable config ("reading 'tokenizer_class'").
  const config = join(source.dir, 'config.json');
  const isFile = await stat(config).then(
    (found) => found.isFile(),
    () => false,
  );
  if (!isFile) throw new ModelTaskError('missing_file', `${what}: ${config} is missing.`);
  const options = {
    local_files_only: true as const,
    dtype: 'fp32' as const,
    device: source.device ?? ('cpu' as const),
  };
  try {
    return await withLocalModels(dirname(source.dir), () => load(basename(source.dir), options));
  } catch (error) {
    const message = messageOf(error);
    const missing = /not found locally at "?([^"\s]+)/.exec(message)?.[1];
    if (missing) throw new ModelTaskError('missing_file', `${what}: ${missing} is missing.`, { cause: error });
    throw new ModelTaskError('load_failed', `${what} in ${source.dir} could not be loaded: ${message}`, {
      cause: error,
    });
  }
}

/** Refuses audio the model cannot take: empty, non-finite, or at another sample rate (resample first). */
export function checkAudio(what: string, audio: Float32Array, sampleRate: number, expectedRate: number): void {
  if (sampleRate !== expectedRate) {
    throw new ModelTaskError(
      'invalid_input',
      `${what} needs audio at ${expectedRate} Hz, got ${sampleRate} Hz; resample it first.`,
    );
  }
  if (audio.length === 0) throw new ModelTaskError('invalid_input', `${what} got empty audio.`);
  for (let i = 0; i < audio.length; i++) {
    if (!Number.isFinite(audio[i])) {
      throw new ModelTaskError('invalid_input', `${what} got a non-finite sample at index ${i}.`);
    }
  }
}

/** The data of a model output tensor of shape [1, size], checked finite. */
export function singleRow(
  what: string,
  output: { dims: readonly number[]; data: unknown } | undefined,
  name: string,
): Float32Array {
  if (!output || !(output.data instanceof Float32Array)) {
    throw new ModelTaskError('bad_output', `${what} returned no float32 ${name}.`);
  }
  const [batch, size, ...rest] = output.dims;
  if (batch !== 1 || size === undefined || rest.length > 0) {
    throw new ModelTaskError(
      'bad_output',
      `${what} returned ${name} of shape [${output.dims.join(', ')}], not [1, n].`,
    );
  }
  const data = output.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new ModelTaskError('bad_output', `${what} returned a non-finite ${name}.`);
  }
  return data;
}
