/** Byte helpers of the sealed construction: fixed-width integers, length prefixes, strict base64. */
import { sha3_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { SealedError, type SealedErrorCode } from './errors.js';

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function u8(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff);
}

export function u32be(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new SealedError('invalid_input', 'a length does not fit in 32 bits');
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

export const U64_MAX = 2n ** 64n - 1n;

/** The dendrite nonce as 8 bytes, big-endian. Nanosecond Unix time fits until the year 2554. */
export function u64be(value: bigint): Uint8Array {
  if (value < 0n || value > U64_MAX) throw new SealedError('invalid_input', 'a nonce must fit in 64 unsigned bits');
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, false);
  return out;
}

/** `u32be(length) ‖ bytes`: makes a concatenation of variable-length fields injective. */
export function lengthPrefixed(bytes: Uint8Array | string): Uint8Array {
  const raw = typeof bytes === 'string' ? utf8(bytes) : bytes;
  return concat(u32be(raw.length), raw);
}

/** SHA3-256 (FIPS-202, not Keccak: wire-protocol TV-1) as 64 lowercase hex characters. */
export function sha3Hex(bytes: Uint8Array): string {
  return bytesToHex(sha3_256(bytes));
}

/** Constant-time in the contents (not the lengths): for tags and commitments. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 with padding, and nothing else: Node's own decoder skips stray characters, which
 * would let two different strings stand for one payload. Re-encoding must give the input back.
 */
export function fromBase64(text: string, code: SealedErrorCode = 'malformed'): Uint8Array {
  if (!BASE64.test(text)) throw new SealedError(code, 'sealed_payload is not canonical base64');
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (toBase64(bytes) !== text) throw new SealedError(code, 'sealed_payload is not canonical base64');
  return bytes;
}
