import { describe, expect, it } from 'vitest';
import { MetricInputError } from './errors.js';
import { kldBoth, klDivergence, softmax } from './kl-divergence.js';

const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof MetricInputError) return error.reason;
    throw error;
  }
  throw new Error('did not throw');
};

describe('softmax', () => {
  it('turns logits 0 and ln 3 into 1/4 and 3/4, also when shifted by 1000 (no overflow)', () => {
    for (const shift of [0, 1000, -1000]) {
      const p = softmax([shift, shift + Math.log(3)]);
      expect(p[0]).toBeCloseTo(0.25, 12);
      expect(p[1]).toBeCloseTo(0.75, 12);
    }
  });

  it('rejects empty or non-finite logits by name', () => {
    expect(reason(() => softmax([]))).toBe('empty');
    expect(reason(() => softmax([0, Number.NaN]))).toBe('non_finite');
  });
});

describe('klDivergence (audiocraft kl_divergence with ε = 1e-6 on the second argument)', () => {
  it('KL([½,½] ‖ [0.9,0.1]) by hand: ½·ln(0.5/0.900001) + ½·ln(0.5/0.100001) ≈ 0.510820', () => {
    const kl = klDivergence([0.5, 0.5], [0.9, 0.1]);
    expect(kl).toBeCloseTo(0.5 * Math.log(0.5 / 0.900001) + 0.5 * Math.log(0.5 / 0.100001), 12);
    // Without ε this is 0.510826; ε takes off ½·1e-6·(1/0.9 + 1/0.1) ≈ 5.6e-6.
    expect(kl).toBeCloseTo(0.51082, 5);
  });

  it('the other direction: 0.9·ln(0.9/0.500001) + 0.1·ln(0.1/0.500001) ≈ 0.368063', () => {
    expect(klDivergence([0.9, 0.1], [0.5, 0.5])).toBeCloseTo(0.368063, 5);
  });

  it('identical inputs give about −ε per class (the epsilon), i.e. 0 within 1e-5', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const kl = klDivergence(p, p);
    expect(kl).toBeLessThan(0);
    expect(kl).toBeCloseTo(-4e-6, 8);
  });

  it('a class the target gives 0 contributes 0; a class the prediction gives 0 is bounded by ε', () => {
    expect(klDivergence([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(1 / 0.500001), 12);
    expect(klDivergence([0.5, 0.5], [1, 0])).toBeCloseTo(
      0.5 * Math.log(0.5 / 1.000001) + 0.5 * Math.log(0.5 / 1e-6),
      10,
    );
  });

  it('rejects non-distributions and mismatched class counts by name', () => {
    expect(reason(() => klDivergence([0.5, 0.6], [0.5, 0.5]))).toBe('not_a_distribution');
    expect(reason(() => klDivergence([1.5, -0.5], [0.5, 0.5]))).toBe('not_a_distribution');
    expect(reason(() => klDivergence([0.5, 0.5], [1]))).toBe('shape_mismatch');
    expect(reason(() => klDivergence([Number.NaN, 1], [0.5, 0.5]))).toBe('non_finite');
  });
});

describe('kldBoth', () => {
  it('sums both directions, each averaged over window pairs', () => {
    const gen = [
      [0.9, 0.1],
      [0.25, 0.75],
    ];
    const ref = [
      [0.5, 0.5],
      [0.25, 0.75],
    ];
    const result = kldBoth(gen, ref);
    // Window 2 is identical: −ε per class in each direction (−2e-6).
    expect(result.kldPq).toBeCloseTo((0.51082 - 2e-6) / 2, 5);
    expect(result.kldQp).toBeCloseTo((0.368063 - 2e-6) / 2, 5);
    expect(result.kldBoth).toBeCloseTo(result.kldPq + result.kldQp, 15);
    expect(result.windows).toBe(2);
  });

  it('is symmetric in its arguments and near 0 for identical clips', () => {
    const a = [softmax([1, 2, 3]), softmax([3, 1, 0])];
    const b = [softmax([0, 0, 1]), softmax([2, 2, 2])];
    expect(kldBoth(a, b).kldBoth).toBeCloseTo(kldBoth(b, a).kldBoth, 12);
    expect(Math.abs(kldBoth(a, a).kldBoth)).toBeLessThan(1e-5);
  });

  it('rejects no windows or unequal window counts by name', () => {
    expect(reason(() => kldBoth([], []))).toBe('empty');
    expect(reason(() => kldBoth([[1]], [[1], [1]]))).toBe('shape_mismatch');
  });
});
