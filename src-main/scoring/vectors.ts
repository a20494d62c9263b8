/**
 * The small vector operations the CLAP and classifier runners need, in float64 before rounding to
 * float32 at the end (the reference computes in float32 torch; float64 here only removes
 * summation-order noise).
 */

/** `v / ‖v‖₂`; throws on a zero or non-finite vector, which has no direction. */
export function l2Normalise(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] ?? 0) ** 2;
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError(`cannot normalise a vector of norm ${norm}`);
  return Float32Array.from({ length: v.length }, (_, i) => (v[i] ?? 0) / norm);
}

/** softmax over all entries, shifted by the maximum so large logits do not overflow. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] ?? -Infinity);
  if (!Number.isFinite(max)) throw new RangeError('softmax needs finite logits');
  const exps = Float64Array.from({ length: logits.length }, (_, i) => Math.exp((logits[i] ?? 0) - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return Float32Array.from(exps, (e) => e / total);
}

/** The element-wise mean of equal-length vectors. */
export function meanVector(vectors: readonly ArrayLike<number>[]): Float32Array {
  const first = vectors[0];
  if (!first) throw new RangeError('the mean of no vectors is undefined');
  const sum = new Float64Array(first.length);
  for (const v of vectors) {
    if (v.length !== first.length) throw new RangeError(`vector lengths differ: ${v.length} vs ${first.length}`);
    for (let i = 0; i < v.length; i++) sum[i] = (sum[i] ?? 0) + (v[i] ?? 0);
  }
  return Float32Array.from(sum, (s) => s / vectors.length);
}

/** The dot product; for unit vectors, their cosine. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vector lengths differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}
