import { describe, expect, it } from 'vitest';
import { dot, l2Normalise, meanVector, softmax } from './vectors.js';

describe('scoring vectors', () => {
  it('normalises (3, 4) to (0.6, 0.8) and refuses a vector with no direction', () => {
    expect(Array.from(l2Normalise([3, 4]))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(() => l2Normalise([0, 0])).toThrow(/norm 0/);
    expect(() => l2Normalise([1, Number.NaN])).toThrow(/cannot normalise/);
  });

  it('gives softmax(0, ln 3) = (1/4, 3/4), unchanged by a shift of all logits', () => {
    const p = softmax([0, Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 7);
    expect(p[1]).toBeCloseTo(0.75, 7);
    const shifted = softmax([1000, 1000 + Math.log(3)]);
    expect(Array.from(shifted)).toEqual(Array.from(p));
    expect(() => softmax([Number.POSITIVE_INFINITY, 0])).toThrow(/finite/);
  });

  it('averages vectors element-wise and takes dot products', () => {
    expect(
      Array.from(
        meanVector([
          [1, 2],
          [3, 6],
        ]),
      ),
    ).toEqual([2, 4]);
    expect(() => meanVector([])).toThrow(/no vectors/);
    expect(() => meanVector([[1], [1, 2]])).toThrow(/lengths differ/);
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
  });
});
