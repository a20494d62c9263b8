/**
 * The two encrypted formats older bittensor SDKs wrote, read-only (wire-protocol §9.5). Nothing
 * here writes them: a key read from one is saved again as `$NACL` if it is saved at all.
 */
import { createDecipheriv, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { PasswordKdf } from './argon2.js';
import { WalletError } from './errors.js';
import { startsWith } from './nacl.js';

const pbkdf2Async = promisify(pbkdf2);

export const ANSIBLE_VAULT_MAGIC = '$ANSIBLE_VAULT';
/** A Fernet token starts with version byte 0x80 and a timestamp, which base64 makes `gAAAAA`. */
export const FERNET_MAGIC = 'gAAAAA';

export function isAnsibleVault(data: Uint8Array): boolean {
  return startsWith(data, new TextEncoder().encode(ANSIBLE_VAULT_MAGIC));
}

export function isFernet(data: Uint8Array): boolean {
  return startsWith(data, new TextEncoder().encode(FERNET_MAGIC));
}

/**
 * Ansible Vault 1.1 (wire-protocol §9.5): a header line, then hex of
 * `hex(salt) "\n" hex(hmac) "\n" hex(ciphertext)`. PBKDF2-HMAC-SHA256(password, salt, 10 000, 80
 * bytes) gives the AES-256 key, the HMAC key and the CTR counter block; the plaintext was
 * PKCS#7-padded before AES-256-CTR.
 */
export async function decryptAnsibleVault(
  data: Uint8Array,
  password: string,
  source = 'key file',
): Promise<Uint8Array> {
  const corrupt = (why: string) =>
    new WalletError('corrupt_file', `${source} is not a readable Ansible Vault file (${why})`);
  const lines = new TextDecoder().decode(data).split(/\r?\n/);
  const header = (lines[0] ?? '').trim().split(';');
  if (header[0] !== ANSIBLE_VAULT_MAGIC) throw corrupt('wrong magic');
  if (header[1] !== '1.1' || header[2] !== 'AES256') throw corrupt(`unsupported version ${header.slice(1).join(';')}`);
  const outer = lines.slice(1).join('').replace(/\s+/g, '');
  if (!isHexText(outer)) throw corrupt('the body is not hex');
  const parts = Buffer.from(outer, 'hex').toString('latin1').split('\n');
  if (parts.length !== 3 || !parts.every(isHexText)) throw corrupt('truncated');
  const [salt, mac, ciphertext] = parts.map((part) => Buffer.from(part, 'hex')) as [Buffer, Buffer, Buffer];
  if (salt.length === 0 || mac.length !== 32 || ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw corrupt('truncated');
  }

  const keys = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, 10_000, 80, 'sha256');
  const expected = createHmac('sha256', keys.subarray(32, 64)).update(ciphertext).digest();
  if (!timingSafeEqual(expected, mac)) {
    throw new WalletError('wrong_password', `wrong password for ${source} (or the file is damaged)`);
  }
  const decipher = createDecipheriv('aes-256-ctr', keys.subarray(0, 32), keys.subarray(64, 80));
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const plaintext = unpadPkcs7(padded);
  if (!plaintext) throw corrupt('bad padding');
  return plaintext;
}

const FERNET_SALT = 'Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins';
const FERNET_ITERATIONS = 10_000_000;

/**
 * The 32-byte Fernet key of a password (wire-protocol §9.5): PBKDF2-HMAC-SHA256 with a fixed salt
 * and 10 million iterations (about two seconds, on libuv's thread pool). The Fernet key text is
 * this in URL-safe base64.
 */
export const fernetKdf: PasswordKdf = async (password) =>
  new Uint8Array(await pbkdf2Async(Buffer.from(password, 'utf8'), FERNET_SALT, FERNET_ITERATIONS, 32, 'sha256'));

/**
 * A Fernet token (version 0x80 ‖ time(8) ‖ iv(16) ‖ AES-128-CBC ciphertext ‖ HMAC-SHA256(32))
 * under the password's Fernet key. bittensor-wallet (Rust) cannot read these (it decrypts with a
 * random key, wire-protocol §9.5); Python ≤ 7 could, and so can we. The token's age is not
 * checked, as Python did not.
 */
export async function decryptFernet(
  data: Uint8Array,
  password: string,
  options: { kdf?: PasswordKdf; source?: string } = {},
): Promise<Uint8Array> {
  const source = options.source ?? 'key file';
  const corrupt = (why: string) => new WalletError('corrupt_file', `${source} is not a readable Fernet token (${why})`);
  const text = new TextDecoder().decode(data).trim();
  if (!text.startsWith(FERNET_MAGIC)) throw corrupt('wrong magic');
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) throw corrupt('not URL-safe base64');
  const token = Buffer.from(text, 'base64url');
  // 1 + 8 + 16 + at least one block + 32
  if (token.length < 73 || (token.length - 57) % 16 !== 0) throw corrupt('truncated');
  if (token[0] !== 0x80) throw corrupt('unknown version');

  const key = await (options.kdf ?? fernetKdf)(password);
  const signed = token.subarray(0, token.length - 32);
  const mac = token.subarray(token.length - 32);
  const expected = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  if (!timingSafeEqual(expected, mac)) {
    throw new WalletError('wrong_password', `wrong password for ${source} (or the file is damaged)`);
  }
  const decipher = createDecipheriv('aes-128-cbc', key.subarray(16, 32), token.subarray(9, 25));
  try {
    return Buffer.concat([decipher.update(token.subarray(25, token.length - 32)), decipher.final()]);
  } catch {
    throw corrupt('bad padding');
  }
}

function isHexText(text: string): boolean {
  return text.length > 0 && text.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(text);
}

function unpadPkcs7(padded: Buffer): Buffer | undefined {
  const pad = padded[padded.length - 1];
  if (pad === undefined || pad < 1 || pad > 16 || pad > padded.length) return undefined;
  for (let i = padded.length - pad; i < padded.length; i++) if (padded[i] !== pad) return undefined;
  return padded.subarray(0, padded.length - pad);
}
