/** Why a model task other than generation (an embedding, a classification) could not run. */
export type ModelTaskErrorCode =
  /** The input is unusable for this model: wrong sample rate, empty audio, NaN, no text. */
  | 'invalid_input'
  /** A file the model needs is not in its folder. */
  | 'missing_file'
  /** The model could not be loaded (unreadable config, onnxruntime refused the graph). */
  | 'load_failed'
  /** onnxruntime failed while running. */
  | 'inference_failed'
  /** The model ran but its output is unusable (missing, wrong shape, NaN). */
  | 'bad_output'
  /** The inference worker process died (GPU fault, out of memory, killed) while it held the task. */
  | 'worker_crashed'
  /** This worker has no handler for the task (a MusicGen-only worker build). */
  | 'unsupported';

export class ModelTaskError extends Error {
  override readonly name = 'ModelTaskError';
  constructor(
    readonly code: ModelTaskErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
