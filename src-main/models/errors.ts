/**
 * Why a model operation failed. The code is for programs (the Host API and the UI map it), the
 * message for people: it names the repo, the file and what to do. Messages never carry the token.
 */
export type ModelStoreErrorCode =
  | 'not_found' // the hub has no such repo, revision or file (404)
  | 'unauthorized' // 401/403: a token is missing, wrong, or the repo is gated
  | 'hash_mismatch' // the content does not match the SHA-256 (or git blob id) it must have
  | 'size_mismatch' // the content has another length than the hub or the manifest says
  | 'no_hash' // neither the manifest nor the hub gives a hash, so the file cannot be checked
  | 'disk_full' // not enough free space for what is left to download or copy
  | 'network' // the connection failed and retries ran out
  | 'http' // another unexpected HTTP answer
  | 'cancelled' // the caller's AbortSignal fired; temp files are kept for a resume
  | 'unknown_model' // no manifest with this id, or the dtype is not offered
  | 'not_downloadable' // no public export exists: the model must be imported
  | 'invalid_model' // an imported folder is not a usable model in the expected layout
  | 'busy' // another download or import of the same model is running
  | 'not_ready' // asked to load a model that is missing, partial or corrupt
  | 'wrong_kind'; // asked to load a model of another kind (a scoring model as the miner's MusicGen)

export class ModelStoreError extends Error {
  override readonly name = 'ModelStoreError';
  constructor(
    readonly code: ModelStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for a Node file-system or socket error with this `code` (ENOENT, ECONNRESET, …). */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

export { formatBytes } from '../../src-shared/format/bytes.js';
