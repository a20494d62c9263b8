/**
 * `$NACL` key files, the only encrypted format btcli writes (wire-protocol §9.4):
 * `"$NACL" ‖ nonce(24) ‖ secretbox(plaintext)`, where secretbox is XSalsa20-Poly1305 (16-byte tag
 * first) under the Argon2i key of the password.
 */
import { randomBytes } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import { naclKdf, type PasswordKdf } from './argon2.js';
import { WalletError } from './errors.js';

export const NACL_MAGIC = '$NACL';
const MAGIC_BYTES = new TextEncoder().encode(NACL_MAGIC);
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC_BYTES.length + NONCE_BYTES;

export interface NaclOptions {
  /** Key derivation; the real Argon2i unless a test passes a cached one. */
  kdf?: PasswordKdf;
  /** Where errors say the data came from. */
  source?: string;
}

export function isNacl(data: Uint8Array): boolean {
  return startsWith(data, MAGIC_BYTES);
}

export async function encryptNacl(
  plaintext: Uint8Array,
  password: string,
  options: NaclOptions & {
    /** Only for reproducing test vectors (TV-10); a real file always gets a fresh random nonce. */
    nonce?: Uint8Array;
  } = {},
): Promise<Uint8Array> {
  const nonce = options.nonce ?? randomBytes(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new WalletError('invalid_input', `a $NACL nonce is ${NONCE_BYTES} bytes`);
  const key = await (options.kdf ?? naclKdf)(password);
  await sodium.ready;
  const box = sodium.crypto_secretbox_easy(plaintext, nonce, key);
  key.fill(0);
  const out = new Uint8Array(HEADER_BYTES + box.length);
  out.set(MAGIC_BYTES, 0);
  out.set(nonce, MAGIC_BYTES.length);
  out.set(box, HEADER_BYTES);
  return out;
}

/**
 * Opens a `$NACL` file. The shape is checked before the (slow) key derivation, so a damaged file
 * fails at once; a Poly1305 failure after it means the password is wrong (wire-protocol §9.4).
 */
export async function decryptNacl(data: Uint8Array, password: string, options: NaclOptions = {}): Promise<Uint8Array> {
  const source = options.source ?? 'key file';
  if (!isNacl(data)) throw new WalletError('corrupt_file', `${source} is not a $NACL file (wrong magic)`);
  if (data.length < HEADER_BYTES + TAG_BYTES) {
    throw new WalletError(
      'corrupt_file',
      `${source} is truncated (${data.length} bytes, a $NACL file has at least ${HEADER_BYTES + TAG_BYTES})`,
    );
  }
  const nonce = data.subarray(MAGIC_BYTES.length, HEADER_BYTES);
  const box = data.subarray(HEADER_BYTES);
  const key = await (options.kdf ?? naclKdf)(password);
  await sodium.ready;
  try {
    return sodium.crypto_secretbox_open_easy(box, nonce, key);
  } catch {
    // A damaged body fails the same check; nothing in the format tells the two apart.
    throw new WalletError('wrong_password', `wrong password for ${source} (or the file is damaged)`);
  } finally {
    key.fill(0);
  }
}

export function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  return prefix.every((byte, i) => data[i] === byte);
}
