import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { TimelockError } from './errors.js';

/** Bytes given either as a Uint8Array or as hex (with or without `0x`). */
export type BytesLike = Uint8Array | string;

/** Decodes `value` to bytes, optionally insisting on an exact length. Throws `invalid-input` otherwise. */
export function toBytes(value: BytesLike, label: string, length?: number): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') {
    const hex = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
      throw new TimelockError('invalid-input', `${label}: not a hex string`);
    }
    bytes = hexToBytes(hex);
  } else if (value instanceof Uint8Array) {
    bytes = Uint8Array.from(value);
  } else {
    throw new TimelockError('invalid-input', `${label}: expected bytes or a hex string`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw new TimelockError('invalid-input', `${label}: expected ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new TimelockError('invalid-input', 'xor: length mismatch');
  return a.map((byte, i) => byte ^ (b[i] ?? 0));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const U64_MAX = (1n << 64n) - 1n;

/** A u64 as 8 bytes, little- or big-endian. */
export function u64Bytes(value: bigint, littleEndian: boolean): Uint8Array {
  if (value < 0n || value > U64_MAX) throw new TimelockError('invalid-input', `u64 out of range: ${value}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, littleEndian);
  return out;
}

export function bytesToBigintBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const byte of bytes) v = (v << 8n) | BigInt(byte);
  return v;
}

/** Coerces an integer given as number or bigint; throws `invalid-input` unless it lies in [min, max]. */
export function toInteger(value: number | bigint, label: string, min: bigint, max: bigint): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new TimelockError('invalid-input', `${label}: not a safe integer (${value})`);
  }
  if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw new TimelockError('invalid-input', `${label}: expected an integer`);
  }
  const v = BigInt(value);
  if (v < min || v > max) throw new TimelockError('invalid-input', `${label}: ${v} is outside [${min}, ${max}]`);
  return v;
}

export const U64_RANGE = { min: 0n, max: U64_MAX } as const;
