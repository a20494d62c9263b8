/**
 * Token choice for our own MusicGen decode loop (issue #14), on plain typed arrays:
 * classifier-free guidance, temperature, greedy argmax and seeded top-k sampling. Each
 * generation owns its random generator, so seeded runs are reproducible without the
 * process-wide lock that transformers.js's module-wide MT19937 needs.
 *
 * Greedy decoding matches transformers.js 4.3.1 bit for bit (same float32 rounding of the
 * guidance formula, same first-maximum argmax), which is what the identity tests rely on.
 * Sampling uses our own generator, so seeded audio differs from the transformers.js path.
 */

/** A seeded uniform generator: xoshiro128** seeded through splitmix32. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`the seed must be a whole number from 0 to 4294967295, not ${seed}`);
    }
    let s = seed >>> 0;
    // splitmix32 spreads a small seed over all 128 bits of state (all-zero state is impossible).
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c = (this.c ^ this.a) >>> 0;
    this.d = (this.d ^ this.b) >>> 0;
    this.b = (this.b ^ this.c) >>> 0;
    this.a = (this.a ^ this.d) >>> 0;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 0x100000000;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Classifier-free guidance over logits laid out as [2·rows, vocab] (conditional rows first,
 * then unconditional; musicgen spec §1): writes `uncond + (cond − uncond)·scale` for each of the
 * `rows` rows into `out` ([rows, vocab]). The expression and its float32 rounding are those of
 * transformers.js's ClassifierFreeGuidanceLogitsProcessor, so greedy tokens stay identical.
 */
export function applyGuidance(
  logits: Float32Array,
  rows: number,
  vocab: number,
  scale: number,
  out: Float32Array,
): void {
  const n = rows * vocab;
  if (logits.length < 2 * n || out.length < n) {
    throw new RangeError(`guidance needs ${2 * n} logits and room for ${n}, got ${logits.length} and ${out.length}`);
  }
  for (let i = 0; i < n; i++) {
    const u = logits[n + i] as number;
    out[i] = u + ((logits[i] as number) - u) * scale;
  }
}

/** Throws unless the temperature is a positive finite number. */
export function checkTemperature(temperature: number): void {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new RangeError(`the temperature must be a positive number, not ${temperature}`);
  }
}

/** Divides `length` logits from `offset` by the temperature, in place (float32 rounding). */
export function applyTemperature(logits: Float32Array, temperature: number, offset = 0, length = logits.length): void {
  checkTemperature(temperature);
  if (temperature === 1) return;
  for (let i = offset; i < offset + length; i++) logits[i] = (logits[i] as number) / temperature;
}

/** The index of the first largest value of `logits[offset … offset + length)`, relative to `offset`. */
export function argmax(logits: Float32Array, offset: number, length: number): number {
  let best = logits[offset] as number;
  let index = 0;
  for (let i = 1; i < length; i++) {
    const v = logits[offset + i] as number;
    if (v > best) {
      best = v;
      index = i;
    }
  }
  return index;
}

/** Reusable buffers for `sampleTopK`, sized for one vocabulary. */
export class TopKScratch {
  readonly values: Float32Array;
  readonly indices: Uint32Array;
  readonly weights: Float64Array;

  constructor(readonly vocab: number) {
    if (!Number.isInteger(vocab) || vocab < 1)
      throw new RangeError(`the vocabulary size must be positive, not ${vocab}`);
    this.values = new Float32Array(vocab);
    this.indices = new Uint32Array(vocab);
    this.weights = new Float64Array(vocab);
  }
}

/**
 * Draws one token from the softmax of the `k` largest logits of one row (top-k sampling,
 * musicgen spec §1 "Sampling"): selects the k-th largest value in linear time, keeps the values
 * above it (and, in index order, as many equal to it as fit), then walks the cumulative
 * weights with one uniform draw. Returns the token index within the row, or -1 when the row
 * holds no finite maximum (NaN logits), which the caller reports as bad output.
 */
export function sampleTopK(
  logits: Float32Array,
  offset: number,
  vocab: number,
  k: number,
  random: SeededRandom,
  scratch: TopKScratch,
): number {
  if (scratch.vocab !== vocab) throw new RangeError(`scratch for vocabulary ${scratch.vocab}, row of ${vocab}`);
  const keep = Math.max(1, Math.min(Math.floor(k), vocab));
  const { values, indices, weights } = scratch;
  for (let i = 0; i < vocab; i++) values[i] = logits[offset + i] as number;
  const threshold = keep === vocab ? minimum(values) : kthLargest(values, keep);
  if (!Number.isFinite(threshold) && threshold !== Number.NEGATIVE_INFINITY) return -1;
  let count = 0;
  for (let i = 0; i < vocab; i++) if ((logits[offset + i] as number) > threshold) indices[count++] = i;
  for (let i = 0; i < vocab && count < keep; i++) if (logits[offset + i] === threshold) indices[count++] = i;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < count; j++) max = Math.max(max, logits[offset + (indices[j] as number)] as number);
  if (!Number.isFinite(max)) return -1;
  let sum = 0;
  for (let j = 0; j < count; j++) {
    const w = Math.exp((logits[offset + (indices[j] as number)] as number) - max);
    weights[j] = w;
    sum += w;
  }
  let target = random.next() * sum;
  for (let j = 0; j < count; j++) {
    target -= weights[j] as number;
    if (target < 0) return indices[j] as number;
  }
  // Rounding left a sliver past the last weight: the last kept token takes it.
  return indices[count - 1] as number;
}

function minimum(values: Float32Array): number {
  let m = Number.POSITIVE_INFINITY;
  for (const v of values) if (v < m) m = v;
  return m;
}

/**
 * The k-th largest value (1-based) by quickselect with a middle pivot, reordering `values`.
 * NaN compares false both ways and ends up wherever; a row of NaN yields NaN.
 */
function kthLargest(values: Float32Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) > pivot) i++;
      while ((values[j] as number) < pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target] as number;
}
