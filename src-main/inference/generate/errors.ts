/** Why a generation could not run, with a code the UI and the miner loop can act on. */
export type GenerationErrorCode =
  /** The request is out of range (duration, guidance, top-k, …). */
  | 'invalid_request'
  /** A file the model needs is not in the folder. */
  | 'missing_file'
  /** A file is there but unreadable (not JSON, not ONNX, truncated). */
  | 'corrupt_file'
  /** The sessions' dtypes cannot work together (musicgen spec §2). */
  | 'dtype_mismatch'
  /** onnxruntime could not create the sessions. */
  | 'load_failed'
  /** Stopped through the AbortSignal. */
  | 'aborted'
  /** onnxruntime failed while generating. */
  | 'generation_failed'
  /** The model ran but its output is unusable (NaN, no audio tensor). */
  | 'bad_output'
  /** The inference worker process died (GPU fault, out of memory, killed) while it held the job. */
  | 'worker_crashed';

export class GenerationError extends Error {
  override readonly name = 'GenerationError';
  constructor(
    readonly code: GenerationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof GenerationError && error.code === 'aborted';
}

/**
 * Throws the `aborted` GenerationError when the signal has fired: "The generation was cancelled
 * after step n of N" at a step boundary, with the reason's message when it gave one.
 */
export function throwIfAborted(signal: AbortSignal | undefined, step?: number, steps?: number): void {
  if (!signal?.aborted) return;
  const where = step === undefined ? '' : ` after step ${step} of ${steps}`;
  const reason: unknown = signal.reason;
  const why = reason instanceof Error && reason.name !== 'AbortError' ? `: ${reason.message}` : '';
  throw new GenerationError('aborted', `The generation was cancelled${where}${why}.`, { cause: reason });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
