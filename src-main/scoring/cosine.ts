/**
 * CLAP prompt adherence (scoring.md §1.4): the raw cosine in [−1, 1] of the audio and text
 * embeddings, as `torch.nn.functional.cosine_similarity(a, t, eps=1e-8)`. The HF `audio_embeds`
 * are not L2-normalised, so both sides are normalised here.
 */
import { assertFinite, MetricInputError } from './errors.js';

const NORM_EPSILON = 1e-8;

export function l2Normalize(vector: ArrayLike<number>): Float64Array {
  if (vector.length === 0) throw new MetricInputError('empty', 'cannot normalise an empty vector');
  assertFinite(vector, 'embedding');
  let sq = 0;
  for (let i = 0; i < vector.length; i++) sq += (vector[i] ?? 0) ** 2;
  const norm = Math.sqrt(sq);
  // A zero embedding has no direction; torch would return a cosine of 0, which would hide a broken model.
  if (norm < NORM_EPSILON) throw new MetricInputError('zero_vector', 'embedding has zero length');
  return Float64Array.from({ length: vector.length }, (_, i) => (vector[i] ?? 0) / norm);
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new MetricInputError('shape_mismatch', `embeddings of ${a.length} and ${b.length} dimensions`);
  }
  const x = l2Normalize(a);
  const y = l2Normalize(b);
  let dot = 0;
  for (let i = 0; i < x.length; i++) dot += (x[i] ?? 0) * (y[i] ?? 0);
  // Rounding can carry a parallel pair a hair past ±1.
  return Math.max(-1, Math.min(1, dot));
}

/** The mean of several L2-normalised window embeddings (e.g. CLAP's 10 s windows), renormalised. */
export function meanEmbedding(windows: readonly ArrayLike<number>[]): Float64Array {
  return l2Normalize(meanVector(windows.map((w) => l2Normalize(w))));
}

/**
 * The element-wise mean of equal-length vectors, not renormalised: with unit window embeddings,
 * its dot product with a unit text embedding is the mean of the windows' cosines.
 */
export function meanVector(vectors: readonly ArrayLike<number>[]): Float64Array {
  const first = vectors[0];
  if (first === undefined) throw new MetricInputError('empty', 'no vectors to average');
  const sum = new Float64Array(first.length);
  for (const v of vectors) {
    if (v.length !== first.length) {
      throw new MetricInputError('shape_mismatch', `vectors of ${v.length} and ${first.length} dimensions`);
    }
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] ?? 0) + (v[i] ?? 0);
  }
  return sum.map((s) => s / vectors.length);
}

/** The dot product; for unit vectors, their cosine. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new MetricInputError('shape_mismatch', `vectors of ${a.length} and ${b.length} dimensions`);
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}
