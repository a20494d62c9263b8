import { randomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { type BytesLike, toBytes, toInteger, U64_RANGE } from './bytes.js';
import { type G2Point, decodeG2, decodeSignature, quicknetPublicKey } from './drand.js';
import {
  AES_GCM_SUITE,
  NONCE_BYTES,
  type TimelockCiphertext,
  parseCiphertext,
  serializeCiphertext,
} from './envelope.js';
import { TimelockError } from './errors.js';
import { ibeDecrypt, ibeEncrypt } from './ibe.js';

/**
 * The randomness one encryption consumes. Leave it out in production (fresh CSPRNG bytes are drawn);
 * inject it only to reproduce known-answer ciphertexts. Never reuse an `esk`/`sigma`/`nonce`.
 */
export interface TlockRandomness {
  /** AES-256 key that the IBE layer encapsulates (32 bytes). */
  esk?: BytesLike;
  /** IBE sigma (32 bytes). */
  sigma?: BytesLike;
  /** AES-GCM nonce (12 bytes). */
  nonce?: BytesLike;
}

export interface TlockEncryptOptions {
  /** Beacon public key (96-byte compressed G2); defaults to drand quicknet. Tests use a local key. */
  publicKey?: BytesLike | G2Point;
  randomness?: TlockRandomness;
}

function csprng(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

function resolveKey(publicKey: BytesLike | G2Point | undefined): G2Point {
  if (publicKey === undefined) return quicknetPublicKey();
  if (typeof publicKey === 'string' || publicKey instanceof Uint8Array) return decodeG2(publicKey, 'public key');
  return publicKey;
}

/** tle's `tle::<TinyBLS381, AESGCMStreamCipherProvider>` as a structure (not yet serialized). One pairing. */
export function tlockEncryptToCiphertext(
  plaintext: Uint8Array,
  round: bigint | number,
  options: TlockEncryptOptions = {},
): TimelockCiphertext {
  if (!(plaintext instanceof Uint8Array)) throw new TimelockError('invalid-input', 'plaintext: expected bytes');
  const r = toInteger(round, 'round', U64_RANGE.min, U64_RANGE.max);
  const publicKey = resolveKey(options.publicKey);
  const given = options.randomness ?? {};
  const esk = given.esk === undefined ? csprng(32) : toBytes(given.esk, 'esk', 32);
  const sigma = given.sigma === undefined ? csprng(32) : toBytes(given.sigma, 'sigma', 32);
  const nonce = given.nonce === undefined ? csprng(NONCE_BYTES) : toBytes(given.nonce, 'nonce', NONCE_BYTES);
  const header = ibeEncrypt(publicKey, r, esk, sigma);
  const ciphertext = gcm(esk, nonce).encrypt(plaintext);
  esk.fill(0);
  return { header, ciphertext, nonce, cipherSuite: AES_GCM_SUITE.slice() };
}

/** Timelock-encrypts `plaintext` to drand `round`; returns the commit bytes (length = plaintext + 244). */
export function tlockEncrypt(
  plaintext: Uint8Array,
  round: bigint | number,
  options: TlockEncryptOptions = {},
): Uint8Array {
  return serializeCiphertext(tlockEncryptToCiphertext(plaintext, round, options));
}

/**
 * Decrypts commit bytes with the drand signature of the round they were locked to (what the chain does at
 * reveal time). Throws `TimelockError`: `malformed-commit`, `invalid-signature`, `wrong-signature` (signature
 * of another round/key, or U/V/W corrupted) or `decryption-failed` (AES-GCM authentication failed). One pairing.
 */
export function tlockDecrypt(commit: Uint8Array | TimelockCiphertext, signature: BytesLike): Uint8Array {
  const ct = commit instanceof Uint8Array ? parseCiphertext(commit) : commit;
  const sig = decodeSignature(signature);
  const esk = ibeDecrypt(ct.header, sig);
  try {
    return gcm(esk, ct.nonce).decrypt(ct.ciphertext);
  } catch (cause) {
    throw new TimelockError('decryption-failed', 'timelock decryption failed: AES-GCM authentication failed', {
      cause,
    });
  } finally {
    esk.fill(0);
  }
}
