import { concat, equalBytes, toHex, u64Bytes } from './bytes.js';
import { decodeG2 } from './drand.js';
import { TimelockError } from './errors.js';
import type { IbeHeader } from './ibe.js';

/** The cipher-suite tag tle writes for `AESGCMStreamCipherProvider`: ASCII `AES_GCM_`. */
export const AES_GCM_SUITE = new Uint8Array([0x41, 0x45, 0x53, 0x5f, 0x47, 0x43, 0x4d, 0x5f]);

/** AES-GCM nonce length the chain accepts. */
export const NONCE_BYTES = 12;
/** AES-GCM tag length (appended to the ciphertext). */
export const TAG_BYTES = 16;
/** Commit length = plaintext length + this. */
export const ENVELOPE_OVERHEAD_BYTES = 244;

/** A parsed `TLECiphertext<TinyBLS381>`: IBE header plus the AES-GCM body and the suite tag. */
export interface TimelockCiphertext {
  header: IbeHeader;
  /** AES-GCM ciphertext with the 16-byte tag appended. */
  ciphertext: Uint8Array;
  nonce: Uint8Array;
  cipherSuite: Uint8Array;
}

/** arkworks `Vec<u8>`: u64 little-endian length, then the bytes. */
function vec(bytes: Uint8Array): Uint8Array {
  return concat(u64Bytes(BigInt(bytes.length), true), bytes);
}

/** arkworks compressed serialization of `TLECiphertext { header: {u, v, w}, body: AESOutput{ciphertext, nonce}, cipher_suite }`. */
export function serializeCiphertext(ct: TimelockCiphertext): Uint8Array {
  const body = concat(vec(ct.ciphertext), vec(ct.nonce));
  return concat(ct.header.u.toBytes(true), vec(ct.header.v), vec(ct.header.w), vec(body), vec(ct.cipherSuite));
}

class Reader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  take(n: number, field: string): Uint8Array {
    if (this.bytes.length - this.offset < n) {
      throw new TimelockError(
        'malformed-commit',
        `${this.what}: truncated in ${field} (needs ${n} bytes at offset ${this.offset}, ${this.bytes.length - this.offset} left)`,
      );
    }
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  vec(field: string): Uint8Array {
    const lengthBytes = this.take(8, `${field} length`);
    const length = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
    const left = this.bytes.length - this.offset;
    if (length > BigInt(left)) {
      throw new TimelockError(
        'malformed-commit',
        `${this.what}: ${field} length prefix says ${length} bytes but only ${left} remain`,
      );
    }
    return this.take(Number(length), field);
  }

  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new TimelockError('malformed-commit', `${this.what}: ${this.bytes.length - this.offset} trailing bytes`);
    }
  }
}

function expectLength(bytes: Uint8Array, length: number, field: string): void {
  if (bytes.length !== length) {
    throw new TimelockError('malformed-commit', `commit: ${field} must be ${length} bytes, got ${bytes.length}`);
  }
}

/**
 * Parses commit bytes strictly: every length prefix must fit, U must be a valid prime-order G2 point,
 * V/W 32 bytes, nonce 12 bytes, the tag present, the suite `AES_GCM_`, and no trailing bytes anywhere.
 * Throws `TimelockError` (`malformed-commit` or `unsupported-cipher-suite`) for anything else.
 */
export function parseCiphertext(bytes: Uint8Array): TimelockCiphertext {
  if (!(bytes instanceof Uint8Array)) throw new TimelockError('malformed-commit', 'commit: expected bytes');
  const reader = new Reader(bytes, 'commit');
  const uBytes = reader.take(96, 'U');
  let u;
  try {
    u = decodeG2(uBytes, 'U');
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new TimelockError('malformed-commit', `commit: ${detail}`, { cause });
  }
  const v = reader.vec('V');
  expectLength(v, 32, 'V');
  const w = reader.vec('W');
  expectLength(w, 32, 'W');
  const body = reader.vec('body');
  const cipherSuite = reader.vec('cipher suite');
  reader.end();

  const bodyReader = new Reader(body, 'commit body');
  const ciphertext = bodyReader.vec('AES ciphertext');
  const nonce = bodyReader.vec('nonce');
  bodyReader.end();
  if (ciphertext.length < TAG_BYTES) {
    throw new TimelockError('malformed-commit', `commit: AES ciphertext shorter than its ${TAG_BYTES}-byte tag`);
  }
  expectLength(nonce, NONCE_BYTES, 'nonce');
  if (!equalBytes(cipherSuite, AES_GCM_SUITE)) {
    throw new TimelockError('unsupported-cipher-suite', `commit: cipher suite 0x${toHex(cipherSuite)} is not AES_GCM_`);
  }
  return {
    header: { u, v: v.slice(), w: w.slice() },
    ciphertext: ciphertext.slice(),
    nonce: nonce.slice(),
    cipherSuite: cipherSuite.slice(),
  };
}
