/**
 * A key file's bytes ↔ its fields: recognises the format by its first bytes (wire-protocol §9.4,
 * §9.5, §9.2), decrypts when needed, and writes plaintext or `$NACL`.
 */
import type { PasswordKdf } from './argon2.js';
import { WalletError } from './errors.js';
import { parseKeyfileText, serializeKeyfile, type KeyfileData } from './keyfile-json.js';
import { decryptAnsibleVault, decryptFernet, isAnsibleVault, isFernet } from './legacy.js';
import { decryptNacl, encryptNacl, isNacl } from './nacl.js';

export type KeyfileFormat =
  | 'nacl' // $NACL, what btcli writes when asked for a password
  | 'ansible-vault' // legacy, read-only
  | 'fernet' // legacy, read-only
  | 'json' // plaintext keyfile JSON
  | 'public-hex'; // Python 7's bare `0x…` public key

export function detectKeyfileFormat(data: Uint8Array): KeyfileFormat | undefined {
  if (isNacl(data)) return 'nacl';
  if (isAnsibleVault(data)) return 'ansible-vault';
  if (isFernet(data)) return 'fernet';
  const head = new TextDecoder()
    .decode(data.subarray(0, 64))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('{')) return 'json';
  if (head.startsWith('0x')) return 'public-hex';
  return undefined;
}

export function isEncryptedFormat(format: KeyfileFormat): boolean {
  return format === 'nacl' || format === 'ansible-vault' || format === 'fernet';
}

export interface DecodeKeyfileOptions {
  /** Needed only when the file is encrypted. */
  password?: string;
  /** `$NACL` key derivation (tests pass a cached one). */
  kdf?: PasswordKdf;
  /** Fernet key derivation (tests pass a cached one). */
  fernetKdf?: PasswordKdf;
  /** Names the file in error messages. */
  source?: string;
}

export interface DecodedKeyfile {
  format: KeyfileFormat;
  data: KeyfileData;
}

export async function decodeKeyfile(bytes: Uint8Array, options: DecodeKeyfileOptions = {}): Promise<DecodedKeyfile> {
  const source = options.source ?? 'key file';
  if (bytes.length === 0) throw new WalletError('corrupt_file', `${source} is empty`);
  const format = detectKeyfileFormat(bytes);
  if (!format) throw new WalletError('corrupt_file', `${source} is not a key file (unknown format)`);
  const plaintext = isEncryptedFormat(format) ? await decrypt(format, bytes, options, source) : bytes;
  return { format, data: parseKeyfileText(new TextDecoder().decode(plaintext), source) };
}

async function decrypt(
  format: KeyfileFormat,
  bytes: Uint8Array,
  options: DecodeKeyfileOptions,
  source: string,
): Promise<Uint8Array> {
  const password = options.password;
  if (password === undefined)
    throw new WalletError('password_required', `${source} is encrypted: a password is needed`);
  switch (format) {
    case 'nacl':
      return decryptNacl(bytes, password, { source, kdf: options.kdf });
    case 'ansible-vault':
      return decryptAnsibleVault(bytes, password, source);
    default:
      return decryptFernet(bytes, password, { source, kdf: options.fernetKdf });
  }
}

export interface EncodeKeyfileOptions {
  /** Encrypt as `$NACL` with this password; plaintext JSON without one. */
  password?: string;
  kdf?: PasswordKdf;
  /** Test vectors only (TV-10). */
  nonce?: Uint8Array;
}

/** Fields → file bytes as bittensor-wallet writes them (compact JSON, `$NACL` when a password is given). */
export async function encodeKeyfile(data: KeyfileData, options: EncodeKeyfileOptions = {}): Promise<Uint8Array> {
  const json = new TextEncoder().encode(serializeKeyfile(data));
  if (options.password === undefined) return json;
  return encryptNacl(json, options.password, { kdf: options.kdf, nonce: options.nonce });
}
