/**
 * A small in-place radix-2 complex FFT (no FFT library is among the dependencies) and the power
 * spectrum of a real frame, for the near-duplicate fingerprint. Float64 throughout.
 */

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(size: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddleCache.get(size);
  if (t === undefined) {
    const half = size / 2;
    t = { cos: new Float64Array(half), sin: new Float64Array(half) };
    for (let k = 0; k < half; k++) {
      t.cos[k] = Math.cos((2 * Math.PI * k) / size);
      t.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    twiddleCache.set(size, t);
  }
  return t;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** X[k] = Σ x[n]·e^(−2πi·kn/N), in place on (re, im). N must be a power of two. */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n) throw new RangeError('real and imaginary parts differ in length');
  if (!isPowerOfTwo(n)) throw new RangeError(`FFT size ${n} is not a power of two`);
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const r = re[i] as number;
      re[i] = re[j] as number;
      re[j] = r;
      const m = im[i] as number;
      im[i] = im[j] as number;
      im[j] = m;
    }
  }
  const { cos, sin } = twiddles(n);
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        // Indices are in range by construction; `as number` skips the undefined checks in the hot loop.
        const wr = cos[k * step] as number;
        const wi = sin[k * step] as number;
        const a = start + k;
        const b = a + half;
        const br = re[b] as number;
        const bi = im[b] as number;
        const tr = br * wr - bi * wi;
        const ti = br * wi + bi * wr;
        const ar = re[a] as number;
        const ai = im[a] as number;
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }
}

/** |X[k]|² for k = 0 … N/2 of a real frame zero-padded to `size` (a power of two). */
export function powerSpectrum(
  frame: ArrayLike<number>,
  size: number,
  out = new Float64Array(size / 2 + 1),
  scratch = { re: new Float64Array(size), im: new Float64Array(size) },
): Float64Array {
  if (frame.length > size) throw new RangeError(`a frame of ${frame.length} does not fit an FFT of ${size}`);
  const { re, im } = scratch;
  re.fill(0);
  im.fill(0);
  for (let i = 0; i < frame.length; i++) re[i] = frame[i] ?? 0;
  fftInPlace(re, im);
  for (let k = 0; k < out.length; k++) out[k] = (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2;
  return out;
}
