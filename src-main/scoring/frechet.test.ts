import { describe, expect, it } from 'vitest';
import { MetricInputError } from './errors.js';
import {
  frechetDistanceFromFrames,
  frechetDistanceFromStatistics,
  frameStatistics,
  frechetDistanceFromGaussians,
} from './frechet.js';
import { seededRandom as rng } from '../testing/test-signals.js';

const randomFrames = (n: number, d: number, seed: number): number[][] => {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => r() * 2 - 1));
};

/** Frames μ ± s_k·e_k: mean μ, unbiased covariance diag(2·s_k²/(2d − 1)). */
const axisFrames = (mu: number[], s: number[]): number[][] =>
  s.flatMap((sk, k) => [1, -1].map((sign) => mu.map((m, j) => (j === k ? m + sign * sk : m))));

const covariance = (frames: number[][]): { mean: number[]; cov: number[][] } => {
  const n = frames.length;
  const d = frames[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => frames.reduce((s, f) => s + (f[j] ?? 0), 0) / n);
  const cov = Array.from({ length: d }, (_, i) =>
    Array.from(
      { length: d },
      (_, j) =>
        frames.reduce((s, f) => s + ((f[i] ?? 0) - (mean[i] ?? 0)) * ((f[j] ?? 0) - (mean[j] ?? 0)), 0) / (n - 1),
    ),
  );
  return { mean, cov };
};

describe('frechetDistanceFromFrames (nuclear-norm route, scoring.md §4)', () => {
  it('diagonal covariances by hand: ‖Δμ‖² + Σ(√a_k − √b_k)² = 5 + (2/5)·5 = 7', () => {
    // d = 3, n = 6: Σ1 = diag(2/5·[1, 4, 9]), Σ2 = diag(2/5·[4, 4, 1]); Δμ = (1, 2, 0).
    const a = axisFrames([0, 0, 0], [1, 2, 3]);
    const b = axisFrames([1, 2, 0], [2, 2, 1]);
    const fd = frechetDistanceFromFrames(a, b);
    expect(fd.meanTerm).toBeCloseTo(5, 12);
    expect(fd.traceA).toBeCloseTo((2 / 5) * 14, 12);
    expect(fd.traceB).toBeCloseTo((2 / 5) * 9, 12);
    expect(fd.crossTrace).toBeCloseTo((2 / 5) * (2 + 4 + 3), 12);
    expect(fd.distance).toBeCloseTo(7, 12);
  });

  it('identical frame sets give 0 within 1e-9 (15 frames of 128 dimensions, rank 14)', () => {
    const frames = randomFrames(15, 128, 1);
    const fd = frechetDistanceFromFrames(frames, frames);
    expect(Math.abs(fd.raw)).toBeLessThan(1e-9);
    expect(fd.distance).toBeLessThan(1e-9);
  });

  it('a constant shift c of every frame gives ‖c‖² (same covariance)', () => {
    const frames = randomFrames(15, 32, 2);
    const c = Array.from({ length: 32 }, (_, j) => (j % 3) - 1);
    const shifted = frames.map((f) => f.map((v, j) => v + (c[j] ?? 0)));
    const expected = c.reduce((s, v) => s + v * v, 0);
    expect(frechetDistanceFromFrames(frames, shifted).distance).toBeCloseTo(expected, 9);
  });

  it('agrees with the covariance route to 1e-8 relative on random frames (n = 15 and 40, d = 24)', () => {
    for (const [n1, n2, seed] of [
      [15, 15, 3],
      [40, 15, 4],
    ] as const) {
      const a = randomFrames(n1, 24, seed);
      const b = randomFrames(n2, 24, seed + 100).map((f) => f.map((v) => 0.5 * v + 0.1));
      const ga = covariance(a);
      const gb = covariance(b);
      const viaFrames = frechetDistanceFromFrames(a, b).distance;
      const viaGaussians = frechetDistanceFromGaussians(ga.mean, ga.cov, gb.mean, gb.cov).distance;
      expect(viaFrames).toBeGreaterThan(0);
      expect(Math.abs(viaFrames - viaGaussians) / viaFrames).toBeLessThan(1e-8);
    }
  });

  it('names too few frames, non-finite values and mismatched dimensions', () => {
    const good = randomFrames(3, 4, 5);
    const expectReason = (fn: () => unknown, reason: string): void => {
      expect(fn).toThrow(MetricInputError);
      try {
        fn();
      } catch (error) {
        expect((error as MetricInputError).reason).toBe(reason);
      }
    };
    expectReason(() => frechetDistanceFromFrames([[1, 2, 3, 4]], good), 'too_few_frames');
    expectReason(() => frechetDistanceFromFrames([], good), 'empty');
    expectReason(() => frechetDistanceFromFrames([[1, 2, 3, Number.NaN], ...good], good), 'non_finite');
    expectReason(() => frechetDistanceFromFrames(randomFrames(3, 5, 6), good), 'shape_mismatch');
  });

  it('gives the same terms from statistics computed once and reused against several frame sets', () => {
    const reference = randomFrames(15, 32, 21);
    const once = frameStatistics(reference);
    expect(once.count).toBe(15);
    expect(once.trace).toBeCloseTo(frechetDistanceFromFrames(reference, reference).traceA, 12);
    for (const seed of [22, 23]) {
      const answer = randomFrames(12, 32, seed);
      expect(frechetDistanceFromStatistics(once, frameStatistics(answer))).toEqual(
        frechetDistanceFromFrames(reference, answer),
      );
    }
    expect(frechetDistanceFromStatistics(once, once).distance).toBeLessThan(1e-9);
    expect(() => frechetDistanceFromStatistics(once, frameStatistics(randomFrames(3, 5, 6)))).toThrow(
      /differ in dimension/,
    );
  });
});

describe('frechetDistanceFromGaussians (symmetric-eigen route)', () => {
  it('1-D closed form: (μ1 − μ2)² + (σ1 − σ2)²', () => {
    expect(frechetDistanceFromGaussians([1], [[4]], [3], [[9]]).distance).toBeCloseTo(4 + 1, 12);
  });

  it('commuting, non-diagonal covariances R·diag(a)·Rᵀ and R·diag(b)·Rᵀ: Σ(√a − √b)²', () => {
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const rotate = (a: number, b: number): number[][] => [
      [c * c * a + s * s * b, c * s * (a - b)],
      [c * s * (a - b), s * s * a + c * c * b],
    ];
    const fd = frechetDistanceFromGaussians([0, 0], rotate(1, 16), [0, 0], rotate(9, 4));
    // (1 − 3)² + (4 − 2)² = 8
    expect(fd.distance).toBeCloseTo(8, 10);
  });

  it('names an asymmetric covariance', () => {
    expect(() =>
      frechetDistanceFromGaussians(
        [0, 0],
        [
          [1, 0.5],
          [0, 1],
        ],
        [0, 0],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toThrow(/not symmetric/);
  });
});
