/** Why a timelock operation refused its input. Stable strings: callers and tests match on them. */
export type TimelockErrorCode =
  | 'invalid-input'
  | 'malformed-commit'
  | 'invalid-point'
  | 'invalid-signature'
  | 'wrong-signature'
  | 'decryption-failed'
  | 'unsupported-cipher-suite'
  | 'malformed-payload'
  | 'malformed-call'
  | 'commit-too-large'
  | 'unsupported-commit-reveal-version'
  | 'reveal-round-rejected'
  | 'near-epoch-boundary';

/** The only error type this module throws on bad input; `code` says which rule was broken. */
export class TimelockError extends Error {
  readonly code: TimelockErrorCode;

  constructor(code: TimelockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TimelockError';
    this.code = code;
  }
}
