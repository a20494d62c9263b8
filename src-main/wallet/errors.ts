/**
 * Why a wallet operation failed. The code is for programs (the CLI and the Host API map it), the
 * message for people. Messages may name a file but never carry a password, a mnemonic, a seed or
 * any other secret: they end up in logs and terminals.
 */
export type WalletErrorCode =
  | 'not_found' // the wallet, key file or folder does not exist
  | 'exists' // a key file is already there and overwriting was not asked for
  | 'wrong_password' // the file is intact but the password does not open it
  | 'password_required' // the file is encrypted and no password was given
  | 'corrupt_file' // truncated, unknown magic, bad JSON, inconsistent keys
  | 'invalid_input'; // a bad name, mnemonic, seed, address or password from the caller

export class WalletError extends Error {
  override readonly name = 'WalletError';
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for a Node file-system error with this `code` (ENOENT, EEXIST, …). */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
