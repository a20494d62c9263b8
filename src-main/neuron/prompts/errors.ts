/** Why a prompt set cannot be used: the message names the set, the file and what to do. */
export class PromptSetError extends Error {
  override readonly name = 'PromptSetError';
}

/** True when the error is the caller's cancel, which must travel up untouched. */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}
