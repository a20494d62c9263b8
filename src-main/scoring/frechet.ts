/**
 * The Fréchet distance between two Gaussians (FAD's core, scoring.md §1.3 and §4):
 * FD = ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2·tr √(Σ1Σ2), clamped at 0 as the reference does.
 *
 * From embedding frames (the one-clip-against-one-clip case, n ≪ d) the cross term is the nuclear
 * norm of A·Bᵀ, with A, B the centred frames over √(n − 1) (unbiased covariance, as np.cov): one
 * n1 × n2 SVD, exact, 0 for identical inputs, never complex (§4). Float64 throughout.
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { assertFinite, MetricInputError } from './errors.js';

export interface FrechetTerms {
  /** ‖μ1 − μ2‖². */
  readonly meanTerm: number;
  readonly traceA: number;
  readonly traceB: number;
  /** tr √(Σ1Σ2). */
  readonly crossTrace: number;
  /** Before clamping; slightly negative only through rounding. */
  readonly raw: number;
  /** max(0, raw): the FAD value the reference normalises. */
  readonly distance: number;
}

type Frames = readonly ArrayLike<number>[];

/**
 * What the nuclear-norm route needs of one frame set: its mean and its centred frames. A round's
 * reference clip is summarised once and compared with every answer (scoring spec §3.1).
 * `centred` is shared, not copied: do not change it.
 */
export interface FrameStatistics {
  readonly count: number;
  readonly dim: number;
  readonly mean: Float64Array;
  /** (frames − mean)/√(n − 1), n × d: centredᵀ·centred is np.cov's unbiased Σ. */
  readonly centred: Matrix;
  /** tr Σ = ‖centred‖_F². */
  readonly trace: number;
}

/** The statistics of one frame set: at least 2 frames of one dimension, all finite. */
export function frameStatistics(frames: Frames, which = 'first'): FrameStatistics {
  const dim = checkFrames(frames, which);
  const { mean, centred } = centre(frames, dim);
  return { count: frames.length, dim, mean, centred, trace: frobeniusSquared(centred) };
}

/** The Fréchet distance between the Gaussians fitted to two sets of embedding frames. */
export function frechetDistanceFromFrames(a: Frames, b: Frames): FrechetTerms {
  return frechetDistanceFromStatistics(frameStatistics(a, 'first'), frameStatistics(b, 'second'));
}

/** The same from statistics computed before (e.g. the reference clip's, once per round). */
export function frechetDistanceFromStatistics(a: FrameStatistics, b: FrameStatistics): FrechetTerms {
  if (a.dim !== b.dim) {
    throw new MetricInputError('shape_mismatch', 'the two frame sets differ in dimension');
  }
  let meanTerm = 0;
  for (let j = 0; j < a.dim; j++) meanTerm += ((a.mean[j] ?? 0) - (b.mean[j] ?? 0)) ** 2;
  const cross = a.centred.mmul(b.centred.transpose());
  const singular = new SingularValueDecomposition(cross, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  }).diagonal;
  const crossTrace = singular.reduce((s, v) => s + Math.max(0, v), 0);
  return terms(meanTerm, a.trace, b.trace, crossTrace);
}

/**
 * The general route for given means and covariances (e.g. a fixed full-rank background, fadtk
 * style, §4 fallback): S = √Σ1 by symmetric eigendecomposition, tr √(S·Σ2·S) from the symmetric
 * eigenvalues of the symmetrised product, negative eigenvalues clamped at 0.
 */
export function frechetDistanceFromGaussians(
  mu1: ArrayLike<number>,
  sigma1: readonly ArrayLike<number>[],
  mu2: ArrayLike<number>,
  sigma2: readonly ArrayLike<number>[],
): FrechetTerms {
  const dim = mu1.length;
  if (dim === 0) throw new MetricInputError('empty', 'Gaussians of dimension 0');
  if (mu2.length !== dim) throw new MetricInputError('shape_mismatch', 'means differ in dimension');
  assertFinite(mu1, 'first mean');
  assertFinite(mu2, 'second mean');
  const s1 = symmetricMatrix(sigma1, dim, 'first covariance');
  const s2 = symmetricMatrix(sigma2, dim, 'second covariance');
  const root = symmetricSqrt(s1);
  const product = root.mmul(s2).mmul(root);
  const symmetric = product.add(product.transpose()).div(2);
  const eigen = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true }).realEigenvalues;
  const crossTrace = eigen.reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += ((mu1[j] ?? 0) - (mu2[j] ?? 0)) ** 2;
  return terms(meanTerm, s1.trace(), s2.trace(), crossTrace);
}

function terms(meanTerm: number, traceA: number, traceB: number, crossTrace: number): FrechetTerms {
  const raw = meanTerm + traceA + traceB - 2 * crossTrace;
  return { meanTerm, traceA, traceB, crossTrace, raw, distance: Math.max(0, raw) };
}

/** Checks a frame set: at least 2 frames (a covariance needs n − 1 ≥ 1), one dimension, finite. */
function checkFrames(frames: Frames, which: string): number {
  const first = frames[0];
  if (first === undefined) throw new MetricInputError('empty', `the ${which} frame set is empty`);
  if (frames.length < 2) {
    throw new MetricInputError(
      'too_few_frames',
      `the ${which} frame set has ${frames.length} frame; a covariance needs at least 2`,
    );
  }
  const dim = first.length;
  if (dim === 0) throw new MetricInputError('empty', `the ${which} frames have dimension 0`);
  frames.forEach((f, i) => {
    if (f.length !== dim) {
      throw new MetricInputError('shape_mismatch', `${which} frame ${i} has ${f.length} values, not ${dim}`);
    }
    assertFinite(f, `${which} frame ${i}`);
  });
  return dim;
}

/** The mean and (frames − mean)/√(n − 1), so that centredᵀ·centred is np.cov's unbiased Σ. */
function centre(frames: Frames, dim: number): { mean: Float64Array; centred: Matrix } {
  const n = frames.length;
  const mean = new Float64Array(dim);
  for (const f of frames) for (let j = 0; j < dim; j++) mean[j] = (mean[j] ?? 0) + (f[j] ?? 0) / n;
  const scale = 1 / Math.sqrt(n - 1);
  const centred = new Matrix(n, dim);
  frames.forEach((f, i) => {
    for (let j = 0; j < dim; j++) centred.set(i, j, ((f[j] ?? 0) - (mean[j] ?? 0)) * scale);
  });
  return { mean, centred };
}

function frobeniusSquared(m: Matrix): number {
  let sum = 0;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) sum += m.get(i, j) ** 2;
  return sum;
}

function symmetricMatrix(rows: readonly ArrayLike<number>[], dim: number, what: string): Matrix {
  if (rows.length !== dim || rows.some((r) => r.length !== dim)) {
    throw new MetricInputError('shape_mismatch', `${what} is not ${dim} × ${dim}`);
  }
  rows.forEach((r, i) => assertFinite(r, `${what} row ${i}`));
  const m = new Matrix(rows.map((r) => Array.from(r)));
  const scale = Math.max(1, m.max(), -m.min());
  for (let i = 0; i < dim; i++) {
    for (let j = i + 1; j < dim; j++) {
      if (Math.abs(m.get(i, j) - m.get(j, i)) > 1e-9 * scale) {
        throw new MetricInputError('invalid_value', `${what} is not symmetric at (${i}, ${j})`);
      }
    }
  }
  return m;
}

/** V·diag(√max(λ, 0))·Vᵀ for a symmetric positive semi-definite matrix. */
function symmetricSqrt(m: Matrix): Matrix {
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const roots = evd.realEigenvalues.map((l) => Math.sqrt(Math.max(0, l)));
  // ml-matrix scales in place: scale a copy.
  return v.clone().mulRowVector(roots).mmul(v.transpose());
}
