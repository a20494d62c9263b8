/**
 * JSON codec for synapse bodies (wire-protocol.md §3.5, §4.8, §5.1, §5.4, §7).
 *
 * A SN50 response carries `music_output`: ~960 000 float32 samples for 30 s of audio, which Python
 * writes as ~20 MB of 17-digit `repr` floats. This codec keeps that array off the generic JSON
 * paths in both directions:
 *
 * - Encoding writes each sample with 8 significant digits, or 9 where 8 would not read back as the
 *   same float32 (trailing zeros dropped: 0.5, not 0.50000000), straight into one preallocated
 *   Buffer. "Read back" means what every reader does: decimal → nearest double (Python `float`,
 *   `JSON.parse`) → nearest float32 (`torch.Tensor`, `Math.fround`). Only digits, `-`, `.` and `e`
 *   are written, so Python's `json.loads` reads it. About 11.5 bytes per sample against ~20.
 * - Decoding scans the `music_output` array straight from the bytes into a Float32Array; the small
 *   rest of the body goes through a byte-level JSON parser that keeps integers beyond 2^53 (the
 *   nanosecond nonces, §11 items 1 and 10) exact as bigint.
 *
 * Rules (both directions are plain RFC 8259 JSON):
 * - Only the top-level `music_output` is special. As a Float32Array, or an array whose items are all
 *   numbers, it is float32 audio: encoding rounds number[] items to float32 (`Math.fround`), decoding
 *   returns a Float32Array holding each number rounded to float32. Any other value (null, a nested
 *   multi-channel list, strings…) is written and read as ordinary JSON.
 * - Non-finite numbers: JSON has no NaN or Infinity and a Python axon answers 500 for them (§4.8),
 *   so encoding throws BodyCodecError for NaN/±Infinity anywhere, and for `music_output` numbers
 *   beyond the float32 range. Decoding rejects the NaN/Infinity tokens (not JSON) and `music_output`
 *   numbers that overflow float32 (e.g. `1e39`); elsewhere a huge literal such as `1e400` becomes
 *   Infinity exactly as `JSON.parse` does.
 * - bigint is written as a JSON integer. Decoding gives a bigint for every integer literal (no `.`,
 *   no exponent) outside ±Number.MAX_SAFE_INTEGER, a number otherwise (so `5n` comes back as `5`).
 * - A number reads back as the same number: -0 is written `-0.0`, an integer-valued double beyond
 *   2^53 in exponent form (`1e+20`), so that it does not come back as a bigint.
 * - Other values follow `JSON.stringify`: `toJSON` is called, undefined/functions/symbols are
 *   skipped in objects and become null in arrays, typed arrays other than the top-level
 *   `music_output` are written as arrays (their exact values). Circular structures throw.
 * - Decoding equals `JSON.parse` for bodies without big integers or a `music_output` array (including
 *   a `__proto__` key, kept as an own property), except that nesting deeper than 512 levels is
 *   rejected instead of risking a stack overflow, the top-level value must be an object, and a
 *   string argument is first encoded as UTF-8 (a lone surrogate becomes U+FFFD).
 */

/** A body that is not valid JSON, not a JSON object, or a synapse that cannot be written as JSON. */
export class BodyCodecError extends Error {
  override readonly name = 'BodyCodecError';
}

const MAX_DEPTH = 512;

/** 10^0 … 10^22: every one is an exact double. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

function pow10(k: number): number {
  return POW10[k] as number;
}

// ---------------------------------------------------------------------------------------------------
// Encoding

/** A top-level `music_output` to be written by the sample writer. */
class Samples {
  /** `data` is `original` as float32 (number[] is converted first, so the writer sees one array type). */
  readonly data: Float32Array;
  constructor(readonly original: Float32Array | number[]) {
    this.data = original instanceof Float32Array ? original : Float32Array.from(original);
  }
}

type Part = string | Samples;

function isSampleList(value: unknown): value is Float32Array | number[] {
  if (value instanceof Float32Array) return true;
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'number') return false;
  return true;
}

/**
 * JSON text of a finite number that reads back as the same number: -0 as `-0.0` (JSON.stringify
 * writes 0), and an integer-valued double beyond 2^53 in exponent form, or it would read back as a
 * bigint (e.g. 1e20 → `1e+20`, not `100000000000000000000`).
 */
function numberText(value: number): string {
  if (value === 0) return 1 / value < 0 ? '-0.0' : '0';
  if (Number.isInteger(value) && !Number.isSafeInteger(value) && Math.abs(value) < 1e21) return value.toExponential();
  return String(value);
}

/** Appends the JSON of `value` to `out`; false when the value has no JSON form (undefined, function, symbol). */
function writeValue(value: unknown, out: string[], stack: object[]): boolean {
  if (value === null) {
    out.push('null');
    return true;
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return true;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return true;
    case 'number':
      if (!Number.isFinite(value))
        throw new BodyCodecError(`cannot write ${value} as JSON (JSON has no NaN or Infinity)`);
      out.push(numberText(value));
      return true;
    case 'bigint':
      out.push(value.toString());
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return writeValue((toJSON as () => unknown).call(value), out, stack);
  if (stack.includes(value)) throw new BodyCodecError('cannot write a circular structure as JSON');
  if (stack.length >= MAX_DEPTH) throw new BodyCodecError(`cannot write JSON nested deeper than ${MAX_DEPTH} levels`);
  stack.push(value);
  if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    const items = value as ArrayLike<unknown>;
    out.push('[');
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.push(',');
      if (!writeValue(items[i], out, stack)) out.push('null');
    }
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    for (const key of Object.keys(value)) {
      const mark = out.length;
      out.push(first ? '' : ',', JSON.stringify(key), ':');
      if (writeValue((value as Record<string, unknown>)[key], out, stack)) first = false;
      else out.length = mark;
    }
    out.push('}');
  }
  stack.pop();
  return true;
}

/** Most bytes one sample can take, comma included: `-123456789000000.0,` (fixed notation below 1e16). */
const MAX_SAMPLE_BYTES = 20;
/**
 * Bytes per sample to allocate up front: uniform noise in [-1, 1] takes 11.5, quiet music (many
 * samples below 0.01: `-0.0012345678,`) up to 14. Louder samples take less; more grows the buffer.
 */
const TYPICAL_SAMPLE_BYTES = 14;

/** A growable byte buffer. Not zero-filled: only the written part is ever touched. */
class Output {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Makes room for `extra` more bytes after `pos`. */
  reserve(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.pos + extra, Math.ceil(this.buf.length * 1.5)));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  write(text: string): void {
    this.reserve(Buffer.byteLength(text, 'utf8'));
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }
}

/** Writes `n` (nd decimal digits, n < 2^31) so that its last digit lands at buf[end - 1]. */
function writeDigits(buf: Uint8Array, end: number, n: number, nd: number): void {
  for (let j = end - 1; j >= end - nd; j--) {
    const q = (n / 10) | 0;
    buf[j] = 48 + n - q * 10;
    n = q;
  }
}

/** floor(log10(a)) for a float32 in [1e-13, 1e21), exact (Math.log10 can be off by one near powers of ten). */
function logExponent(a: number): number {
  let e = Math.floor(Math.log10(a));
  if (a < (e >= 0 ? pow10(e) : 1 / pow10(-e))) e--;
  else if (a >= (e + 1 >= 0 ? pow10(e + 1) : 1 / pow10(-e - 1))) e++;
  return e;
}

/** The shortest text (≤ 9 significant digits) for a float32 outside the fast path: below 1e-13 or from 1e21 up. */
function slowSampleText(f: number): string {
  for (let p = 1; p < 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return s;
  }
  return f.toPrecision(9);
}

/**
 * Writes the samples as a JSON array at buf[pos] and returns the end offset. Each sample is
 * rounded to float32 and written with 8 or 9 significant digits that read back as that float32.
 */
function writeSamples({ data, original }: Samples, out: Output): void {
  let { buf, pos } = out;
  let limit = buf.length - MAX_SAMPLE_BYTES - 1;
  buf[pos++] = 0x5b; // [
  const count = data.length;
  for (let i = 0; i < count; i++) {
    if (pos > limit) {
      out.pos = pos;
      out.reserve((count - i) * TYPICAL_SAMPLE_BYTES + MAX_SAMPLE_BYTES + 1);
      buf = out.buf;
      limit = buf.length - MAX_SAMPLE_BYTES - 1;
    }
    if (i > 0) buf[pos++] = 0x2c; // ,
    const f = data[i] as number;
    if (f - f !== 0) {
      const x = original[i] as number;
      const why = x - x === 0 ? 'beyond the float32 range' : 'not finite (JSON has no NaN or Infinity)';
      throw new BodyCodecError(`music_output[${i}] = ${x} is ${why}`);
    }
    if (f === 0) {
      // "0.0" / "-0.0": a float to Python, and negative zero survives.
      if (1 / f < 0) buf[pos++] = 0x2d;
      buf[pos++] = 0x30;
      buf[pos++] = 0x2e;
      buf[pos++] = 0x30;
      continue;
    }
    let a = f;
    if (a < 0) {
      buf[pos++] = 0x2d; // -
      a = -a;
    }
    if (!(a >= 1e-13 && a < 1e21)) {
      pos += buf.write(slowSampleText(a), pos, 'latin1');
      continue;
    }
    // Decimal exponent e (a = d.ddd × 10^e). In [0.001, 10) comparisons give it exactly (no float32
    // lies between 10^k and its double); elsewhere Math.log10 may be off by one and is corrected.
    // (Math.log10 and Math.round are slow enough to double the cost of a sample: compare, and round
    // with `(x + 0.5) | 0`, exact here since every value is below 2^31.)
    let e: number;
    if (a >= 0.1) e = a < 1 ? -1 : a < 10 ? 0 : logExponent(a);
    else e = a >= 0.01 ? -2 : a >= 0.001 ? -3 : logExponent(a);
    // Eight significant digits if they read back as `a`, checked the way a reader parses them
    // (m / 10^k is the correctly rounded double of the decimal, then float32); true for ~99% of
    // samples. Otherwise nine, which always do: their error is < 0.51e-8 relative, while a float32
    // half-ulp is > 2.9e-8. (Searching down to the shortest form saves ~3% of the bytes but costs ~20%
    // more time: which length wins is unpredictable, and so is the branch.)
    let k = 7 - e;
    let n = ((k >= 0 ? a * pow10(k) : a / pow10(-k)) + 0.5) | 0;
    let nd = 8;
    if (Math.fround(k >= 0 ? n / pow10(k) : n * pow10(-k)) !== a) {
      k = 8 - e;
      n = ((k >= 0 ? a * pow10(k) : a / pow10(-k)) + 0.5) | 0;
      nd = 9;
    }
    if (n >= pow10(nd)) {
      // `a` lies just below a power of ten and rounded up to it: one digit more, then stripped.
      nd++;
      e++;
    }
    while (n % 10 === 0) {
      n /= 10;
      nd--;
    }
    if (e < -5 || e > 15) {
      // d[.ddd]e±x
      writeDigits(buf, pos + 1, (n / pow10(nd - 1)) | 0, 1);
      pos++;
      if (nd > 1) {
        buf[pos++] = 0x2e;
        writeDigits(buf, pos + nd - 1, n % pow10(nd - 1), nd - 1);
        pos += nd - 1;
      }
      buf[pos++] = 0x65; // e
      if (e < 0) buf[pos++] = 0x2d;
      const ae = Math.abs(e);
      const ed = ae >= 10 ? 2 : 1;
      writeDigits(buf, pos + ed, ae, ed);
      pos += ed;
    } else if (e < 0) {
      // 0.000ddd
      buf[pos++] = 0x30;
      buf[pos++] = 0x2e;
      for (let z = -e - 1; z > 0; z--) buf[pos++] = 0x30;
      writeDigits(buf, pos + nd, n, nd);
      pos += nd;
    } else if (nd <= e + 1) {
      // ddd000.0
      writeDigits(buf, pos + nd, n, nd);
      pos += nd;
      for (let z = e + 1 - nd; z > 0; z--) buf[pos++] = 0x30;
      buf[pos++] = 0x2e;
      buf[pos++] = 0x30;
    } else {
      // ddd.ddd
      const fd = nd - e - 1;
      const scale = pow10(fd);
      const ip = Math.floor(n / scale);
      writeDigits(buf, pos + e + 1, ip, e + 1);
      pos += e + 1;
      buf[pos++] = 0x2e;
      writeDigits(buf, pos + fd, n - ip * scale, fd);
      pos += fd;
    }
  }
  buf[pos++] = 0x5d; // ]
  out.pos = pos;
}

/** JSON bytes of a synapse; `music_output` given as number[] or Float32Array is written compactly. bigint values are written as JSON integers. */
export function encodeSynapseBody(synapse: Record<string, unknown>): Buffer {
  if (synapse === null || typeof synapse !== 'object' || Array.isArray(synapse))
    throw new BodyCodecError('a synapse body must be a JSON object');
  const parts: Part[] = [];
  const out: string[] = ['{'];
  const stack: object[] = [synapse];
  let first = true;
  for (const key of Object.keys(synapse)) {
    const value = synapse[key];
    if (key === 'music_output' && isSampleList(value)) {
      out.push(first ? '' : ',', '"music_output":');
      parts.push(out.join(''), new Samples(value));
      out.length = 0;
      first = false;
      continue;
    }
    const mark = out.length;
    out.push(first ? '' : ',', JSON.stringify(key), ':');
    if (writeValue(value, out, stack)) first = false;
    else out.length = mark;
  }
  out.push('}');
  parts.push(out.join(''));

  let size = 0;
  for (const part of parts)
    size += typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : 2 + part.data.length * TYPICAL_SAMPLE_BYTES;
  const output = new Output(size + MAX_SAMPLE_BYTES + 1);
  for (const part of parts) {
    if (typeof part === 'string') output.write(part);
    else writeSamples(part, output);
  }
  return output.buf.subarray(0, output.pos);
}

// ---------------------------------------------------------------------------------------------------
// Decoding

const enum C {
  Tab = 0x09,
  Lf = 0x0a,
  Cr = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Comma = 0x2c,
  Minus = 0x2d,
  Plus = 0x2b,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  UpperE = 0x45,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

/** 2^-50: well above the rounding error of an inexact mantissa (≤ ~6 × 2^-53), far below a float32 half-ulp. */
const GUARD = 2 ** -50;

function describe(buf: Uint8Array, pos: number): string {
  if (pos >= buf.length) return 'the end of the body';
  const c = buf[pos] as number;
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

class Parser {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  fail(what: string, at = this.pos): never {
    throw new BodyCodecError(`malformed synapse body at byte ${at}: ${what}, found ${describe(this.buf, at)}`);
  }

  ws(): void {
    const buf = this.buf;
    let pos = this.pos;
    for (;;) {
      const c = buf[pos];
      if (c === C.Space || c === C.Lf || c === C.Cr || c === C.Tab) pos++;
      else break;
    }
    this.pos = pos;
  }

  parseTop(): Record<string, unknown> {
    this.ws();
    if (this.buf[this.pos] !== C.OpenBrace) this.fail('a synapse body must be a JSON object');
    const result = this.parseObject(0, true);
    this.ws();
    if (this.pos !== this.buf.length) this.fail('unexpected data after the JSON object');
    return result;
  }

  parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`JSON nested deeper than ${MAX_DEPTH} levels`);
    this.ws();
    const buf = this.buf;
    const c = buf[this.pos];
    switch (c) {
      case C.OpenBrace:
        return this.parseObject(depth, false);
      case C.OpenBracket: {
        this.pos++;
        const arr: unknown[] = [];
        this.ws();
        if (buf[this.pos] === C.CloseBracket) {
          this.pos++;
          return arr;
        }
        for (;;) {
          arr.push(this.parseValue(depth + 1));
          this.ws();
          const d = buf[this.pos];
          if (d === C.CloseBracket) {
            this.pos++;
            return arr;
          }
          if (d !== C.Comma) this.fail("expected ',' or ']' in an array");
          this.pos++;
        }
      }
      case C.Quote:
        return this.parseString();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        return this.parseNumber();
    }
  }

  literal<T>(word: string, value: T): T {
    const buf = this.buf;
    for (let i = 0; i < word.length; i++)
      if (buf[this.pos + i] !== word.charCodeAt(i)) this.fail(`invalid literal (expected ${word})`, this.pos + i);
    this.pos += word.length;
    return value;
  }

  parseObject(depth: number, top: boolean): Record<string, unknown> {
    const buf = this.buf;
    this.pos++; // {
    const obj: Record<string, unknown> = {};
    this.ws();
    if (buf[this.pos] === C.CloseBrace) {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.ws();
      if (buf[this.pos] !== C.Quote) this.fail('expected a string key in an object');
      const key = this.parseString();
      this.ws();
      if (buf[this.pos] !== C.Colon) this.fail("expected ':' after an object key");
      this.pos++;
      const value = top && key === 'music_output' ? this.parseMusicOutput(depth + 1) : this.parseValue(depth + 1);
      if (key === '__proto__')
        Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
      else obj[key] = value;
      this.ws();
      const d = buf[this.pos];
      if (d === C.CloseBrace) {
        this.pos++;
        return obj;
      }
      if (d !== C.Comma) this.fail("expected ',' or '}' in an object");
      this.pos++;
    }
  }

  parseString(): string {
    const buf = this.buf;
    const start = this.pos; // at the opening quote
    let pos = start + 1;
    let plain = true;
    for (;;) {
      const c = buf[pos];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === C.Quote) break;
      if (c < 0x20) this.fail('control character in a string (must be escaped)', pos);
      if (c === C.Backslash) {
        plain = false;
        pos++;
        if (pos >= buf.length) this.fail('unterminated string', start);
      } else if (c >= 0x80) plain = false;
      pos++;
    }
    this.pos = pos + 1;
    if (plain) return buf.toString('latin1', start + 1, pos);
    try {
      return JSON.parse(buf.toString('utf8', start, pos + 1)) as string;
    } catch {
      return this.fail('invalid escape in a string', start);
    }
  }

  /** Checks a JSON number at this.pos; returns whether it is an integer literal (no fraction, no exponent). */
  scanNumber(): boolean {
    const buf = this.buf;
    let pos = this.pos;
    if (buf[pos] === C.Minus) pos++;
    let c = buf[pos];
    if (c === C.Zero) pos++;
    else if (c !== undefined && c > C.Zero && c <= C.Nine) {
      do pos++;
      while ((c = buf[pos]) !== undefined && c >= C.Zero && c <= C.Nine);
    } else this.fail('expected a JSON value', pos);
    let integer = true;
    if (buf[pos] === C.Dot) {
      integer = false;
      pos++;
      const from = pos;
      while ((c = buf[pos]) !== undefined && c >= C.Zero && c <= C.Nine) pos++;
      if (pos === from) this.fail('expected a digit after the decimal point', pos);
    }
    c = buf[pos];
    if (c === C.LowerE || c === C.UpperE) {
      integer = false;
      pos++;
      c = buf[pos];
      if (c === C.Plus || c === C.Minus) pos++;
      const from = pos;
      while ((c = buf[pos]) !== undefined && c >= C.Zero && c <= C.Nine) pos++;
      if (pos === from) this.fail('expected a digit in the exponent', pos);
    }
    this.pos = pos;
    return integer;
  }

  parseNumber(): number | bigint {
    const start = this.pos;
    const integer = this.scanNumber();
    const text = this.buf.toString('latin1', start, this.pos);
    const n = Number(text);
    return integer && !Number.isSafeInteger(n) ? BigInt(text) : n;
  }

  /** The top-level `music_output`: a number array becomes a Float32Array, anything else stays plain JSON. */
  parseMusicOutput(depth: number): unknown {
    this.ws();
    if (this.buf[this.pos] === C.OpenBracket) {
      const start = this.pos;
      const samples = this.scanSamples();
      if (samples) return samples;
      this.pos = start; // not a flat number list, or malformed: the generic parser decides
    }
    const value = this.parseValue(depth);
    if (!Array.isArray(value) || !value.every((x) => typeof x === 'number')) return value;
    const out = new Float32Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = this.toFloat32(value[i] as number, i);
    return out;
  }

  toFloat32(x: number, index: number): number {
    const f = Math.fround(x);
    if (f - f !== 0) throw new BodyCodecError(`music_output[${index}] = ${x} is beyond the float32 range`);
    return f;
  }

  /**
   * Reads a flat array of JSON numbers at this.pos straight into a Float32Array, each number rounded
   * as `Math.fround(JSON.parse(text))` would. Returns undefined (this.pos unspecified) when the array
   * holds anything else or is malformed.
   */
  scanSamples(): Float32Array | undefined {
    const buf = this.buf;
    let pos = this.pos + 1;
    // The array's extent ends at its first ']' for a flat number list. Every loop below stops at a
    // ']', so no read goes past it: indexing needs no bounds checks (`as number`).
    const close = buf.indexOf(C.CloseBracket, pos);
    if (close < 0) return undefined;
    let capacity = 16;
    let out = new Float32Array(capacity);
    let count = 0;
    for (;;) {
      let c = buf[pos] as number;
      while (c === C.Space || c === C.Lf || c === C.Cr || c === C.Tab) c = buf[++pos] as number;
      if (c === C.CloseBracket && count === 0) {
        pos++;
        break;
      }
      const start = pos;
      let negative = false;
      if (c === C.Minus) {
        negative = true;
        c = buf[++pos] as number;
      }
      // The significant digits as two integers: the first 9 in `hi`, the next 9 in `lo` (int32
      // arithmetic: a double multiply-add chain per digit costs twice as much). More than 18 → slow path.
      let hi = 0;
      let lo = 0;
      let nHi = 0;
      let nLo = 0;
      let exp10 = 0;
      let d = c - C.Zero;
      if (d === 0) c = buf[++pos] as number;
      else if (d > 0 && d <= 9) {
        do {
          if (nHi < 9) {
            hi = hi * 10 + d;
            nHi++;
          } else if (nLo < 10) {
            lo = lo * 10 + d;
            nLo++;
          }
          c = buf[++pos] as number;
          d = c - C.Zero;
        } while (d >>> 0 <= 9);
      } else return undefined;
      if (c === C.Dot) {
        c = buf[++pos] as number;
        d = c - C.Zero;
        if (d >>> 0 > 9) return undefined;
        do {
          if (nHi < 9) {
            if (hi !== 0 || d !== 0) {
              hi = hi * 10 + d;
              nHi++;
            }
          } else if (nLo < 10) {
            lo = lo * 10 + d;
            nLo++;
          }
          exp10--;
          c = buf[++pos] as number;
          d = c - C.Zero;
        } while (d >>> 0 <= 9);
      }
      if (c === C.LowerE || c === C.UpperE) {
        c = buf[++pos] as number;
        let expNegative = false;
        if (c === C.Plus || c === C.Minus) {
          expNegative = c === C.Minus;
          c = buf[++pos] as number;
        }
        d = c - C.Zero;
        if (d >>> 0 > 9) return undefined;
        let e = 0;
        do {
          if (e < 100000) e = e * 10 + d;
          c = buf[++pos] as number;
          d = c - C.Zero;
        } while (d >>> 0 <= 9);
        exp10 += expNegative ? -e : e;
      }
      const digits = nHi + nLo;
      let f: number;
      if (hi === 0) f = 0;
      else if (exp10 >= -22 && exp10 <= 22 && digits <= 18) {
        const m = nLo === 0 ? hi : hi * pow10(nLo) + lo;
        const v = exp10 < 0 ? m / pow10(-exp10) : m * pow10(exp10);
        f = Math.fround(v);
        // ≤ 15 digits: m and 10^k are exact, so v is the correctly rounded double. More digits: v is
        // within a few double ulps of it, which matters only if a float32 rounding boundary lies in between.
        if (digits > 15 && (Math.fround(v * (1 + GUARD)) !== f || Math.fround(v * (1 - GUARD)) !== f))
          f = Math.fround(Number(buf.toString('latin1', negative ? start + 1 : start, pos)));
      } else f = Math.fround(Number(buf.toString('latin1', negative ? start + 1 : start, pos)));
      if (f === Infinity) {
        this.pos = start;
        throw new BodyCodecError(
          `music_output[${count}] = ${buf.toString('latin1', start, pos)} is beyond the float32 range (at byte ${start})`,
        );
      }
      if (count === capacity) {
        // First growth: size from the array's extent and the bytes the first items took.
        if (count === 16) capacity = Math.max(32, Math.ceil(((close - this.pos) / (pos - this.pos)) * 16 * 1.02) + 16);
        else capacity = Math.ceil(capacity * 1.5);
        const grown = new Float32Array(capacity);
        grown.set(out);
        out = grown;
      }
      out[count++] = negative ? -f : f;
      while (c === C.Space || c === C.Lf || c === C.Cr || c === C.Tab) c = buf[++pos] as number;
      pos++;
      if (c === C.CloseBracket) break;
      if (c !== C.Comma) return undefined;
    }
    this.pos = pos;
    return count === capacity ? out : out.slice(0, count);
  }
}

/** Parses a synapse body: integers beyond Number.MAX_SAFE_INTEGER become bigint (nonces), `music_output` arrays become Float32Array; throws `BodyCodecError` (with a clear message) on malformed JSON. */
export function decodeSynapseBody(body: Buffer | string): Record<string, unknown> {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (!Buffer.isBuffer(buf)) throw new BodyCodecError('a synapse body must be a Buffer or a string');
  return new Parser(buf).parseTop();
}
