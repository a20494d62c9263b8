/**
 * The KLD metric as audiocraft's PasstKLDivergenceMetric computes it (scoring.md §1.2): softmax of
 * the classifier's logits per window, KL in both directions with a 1e-6 epsilon on the second
 * argument, each direction averaged over window pairs, summed into `kldBoth`.
 * Float64 here; the reference runs in float32, so expect agreement to about 1e-6 relative.
 */
import { assertFinite, MetricInputError } from './errors.js';

/** audiocraft's `kl_divergence(pred, target, epsilon=1e-6)`. */
export const KL_EPSILON = 1e-6;

/** Softmax over one window's logits, shifted by the maximum so large logits do not overflow. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  if (logits.length === 0) throw new MetricInputError('empty', 'softmax of an empty logit vector');
  assertFinite(logits, 'logits');
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] ?? 0);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i] ?? 0) - max);
    sum += out[i] ?? 0;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / sum;
  return out;
}

/**
 * KL(target ‖ pred + ε) = Σ target·(ln target − ln(pred + ε)), as `F.kl_div(log(pred + ε), target)`
 * summed over classes. A class with target 0 contributes 0 (torch's xlogy convention). With the
 * epsilon, identical inputs give a small negative value (about −ε per class), not 0.
 */
export function klDivergence(target: ArrayLike<number>, pred: ArrayLike<number>, epsilon = KL_EPSILON): number {
  checkDistribution(target, 'target');
  checkDistribution(pred, 'pred');
  if (target.length !== pred.length) {
    throw new MetricInputError('shape_mismatch', `distributions over ${target.length} and ${pred.length} classes`);
  }
  let sum = 0;
  for (let i = 0; i < target.length; i++) {
    const t = target[i] ?? 0;
    if (t > 0) sum += t * (Math.log(t) - Math.log((pred[i] ?? 0) + epsilon));
  }
  return sum;
}

export interface KldResult {
  /** Mean over windows of KL(reference ‖ generated + ε): audiocraft's `kld_pq`. */
  readonly kldPq: number;
  /** Mean over windows of KL(generated ‖ reference + ε): `kld_qp`. */
  readonly kldQp: number;
  /** `kld_pq + kld_qp`, the value the reference validator normalises. */
  readonly kldBoth: number;
  readonly windows: number;
}

/**
 * Both KL directions over paired windows (window i of the generated clip against window i of the
 * reference), each averaged over the pairs. Inputs are class-probability vectors (see `softmax`).
 */
export function kldBoth(generated: readonly ArrayLike<number>[], reference: readonly ArrayLike<number>[]): KldResult {
  if (generated.length === 0 || reference.length === 0) {
    throw new MetricInputError('empty', 'KLD needs at least one window on each side');
  }
  if (generated.length !== reference.length) {
    // audiocraft asserts equal shapes (both clips are cut to the shorter length first).
    throw new MetricInputError(
      'shape_mismatch',
      `${generated.length} generated windows against ${reference.length} reference windows`,
    );
  }
  let pq = 0;
  let qp = 0;
  for (let w = 0; w < generated.length; w++) {
    const gen = generated[w] as ArrayLike<number>;
    const ref = reference[w] as ArrayLike<number>;
    pq += klDivergence(ref, gen);
    qp += klDivergence(gen, ref);
  }
  const kldPq = pq / generated.length;
  const kldQp = qp / generated.length;
  return { kldPq, kldQp, kldBoth: kldPq + kldQp, windows: generated.length };
}

/** A probability vector from a softmax: finite, non-negative, summing to 1 within float32 noise. */
function checkDistribution(p: ArrayLike<number>, what: string): void {
  if (p.length === 0) throw new MetricInputError('empty', `${what} distribution is empty`);
  assertFinite(p, what);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i] ?? 0;
    if (v < 0) throw new MetricInputError('not_a_distribution', `${what}[${i}] is negative`);
    sum += v;
  }
  if (Math.abs(sum - 1) > 1e-4) {
    throw new MetricInputError('not_a_distribution', `${what} sums to ${sum}, not 1`);
  }
}
