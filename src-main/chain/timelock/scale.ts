import { concat } from './bytes.js';
import { TimelockError } from './errors.js';

/** SCALE compact encoding of a length (single, two- and four-byte modes; lengths here never need big mode). */
export function encodeCompactLength(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 2 ** 30) {
    throw new TimelockError('invalid-input', `compact length out of range: ${n}`);
  }
  if (n < 64) return Uint8Array.of(n << 2);
  if (n < 2 ** 14) {
    const v = (n << 2) | 1;
    return Uint8Array.of(v & 0xff, v >> 8);
  }
  const v = n * 4 + 2;
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

/** A cursor over SCALE bytes; every read checks bounds and throws `TimelockError` with `code` on failure. */
export class ScaleReader {
  offset = 0;

  constructor(
    readonly bytes: Uint8Array,
    private readonly code: 'malformed-payload' | 'malformed-call',
    private readonly what: string,
  ) {}

  fail(message: string): never {
    throw new TimelockError(this.code, `${this.what}: ${message}`);
  }

  take(n: number, field: string): Uint8Array {
    if (this.bytes.length - this.offset < n) {
      this.fail(
        `truncated in ${field} (needs ${n} bytes at offset ${this.offset}, ${this.bytes.length - this.offset} left)`,
      );
    }
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(field: string): number {
    return this.take(1, field)[0] ?? 0;
  }

  u16(field: string): number {
    const b = this.take(2, field);
    return (b[0] ?? 0) | ((b[1] ?? 0) << 8);
  }

  u64(field: string): bigint {
    const b = this.take(8, field);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  /** A compact length; only canonical (shortest) encodings below 2³⁰ are accepted. */
  compactLength(field: string): number {
    const first = this.u8(field);
    switch (first & 3) {
      case 0:
        return first >> 2;
      case 1: {
        const n = (first | (this.u8(field) << 8)) >> 2;
        if (n < 64) this.fail(`${field}: non-canonical compact length`);
        return n;
      }
      case 2: {
        const rest = this.take(3, field);
        const n = (first + (rest[0] ?? 0) * 2 ** 8 + (rest[1] ?? 0) * 2 ** 16 + (rest[2] ?? 0) * 2 ** 24) / 4;
        const whole = Math.floor(n);
        if (whole < 2 ** 14) this.fail(`${field}: non-canonical compact length`);
        return whole;
      }
      default:
        return this.fail(`${field}: compact length too large`);
    }
  }

  end(): void {
    if (this.offset !== this.bytes.length) this.fail(`${this.bytes.length - this.offset} trailing bytes`);
  }
}

/** SCALE `Vec<u8>`. */
export function encodeBytesVec(bytes: Uint8Array): Uint8Array {
  return concat(encodeCompactLength(bytes.length), bytes);
}

/** SCALE `Vec<u16>` (values must already be validated as u16). */
export function encodeU16Vec(values: readonly number[]): Uint8Array {
  const body = new Uint8Array(values.length * 2);
  values.forEach((v, i) => {
    body[2 * i] = v & 0xff;
    body[2 * i + 1] = v >> 8;
  });
  return concat(encodeCompactLength(values.length), body);
}
