import { describe, expect, it } from 'vitest';
import { cosineSimilarity, dot, l2Normalize, meanEmbedding, meanVector } from './cosine.js';
import { MetricInputError } from './errors.js';

describe('cosineSimilarity (CLAP adherence, raw cosine of L2-normalised embeddings)', () => {
  it('gives 0 for orthogonal, 1/√2 at 45°, −1 for opposite, whatever the lengths', () => {
    expect(cosineSimilarity([1, 0], [0, 5])).toBeCloseTo(0, 15);
    expect(cosineSimilarity([2, 2], [7, 0])).toBeCloseTo(Math.SQRT1_2, 15);
    expect(cosineSimilarity([3, 4], [-0.3, -0.4])).toBe(-1);
    expect(cosineSimilarity([3, 4], [6, 8])).toBe(1);
  });

  it('normalises to unit length', () => {
    expect(Array.from(l2Normalize([3, 4]))).toEqual([0.6, 0.8]);
  });

  it('names a zero, non-finite or mismatched embedding', () => {
    expect(() => cosineSimilarity([0, 0], [1, 0])).toThrow(MetricInputError);
    expect(() => cosineSimilarity([0, 0], [1, 0])).toThrow(/zero length/);
    expect(() => cosineSimilarity([Number.NaN, 0], [1, 0])).toThrow(/non-finite/);
    expect(() => cosineSimilarity([1, 0, 0], [1, 0])).toThrow(/dimensions/);
  });

  it('averages window embeddings as unit vectors, then renormalises', () => {
    const mean = meanEmbedding([
      [10, 0],
      [0, 0.1],
    ]);
    expect(mean[0]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(mean[1]).toBeCloseTo(Math.SQRT1_2, 15);
  });
});

describe('meanVector and dot (the CLAP runner’s window mean and its cosine with the text)', () => {
  it('averages element-wise without renormalising, and takes dot products', () => {
    expect(
      Array.from(
        meanVector([
          [1, 2],
          [3, 6],
        ]),
      ),
    ).toEqual([2, 4]);
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    // Two unit windows at ±60° from the text: the dot with the mean is the mean cosine (0.5).
    const text = [1, 0];
    const windows = [
      [0.5, Math.sqrt(3) / 2],
      [0.5, -Math.sqrt(3) / 2],
    ];
    expect(dot(meanVector(windows), text)).toBeCloseTo(0.5, 12);
  });

  it('refuses no vectors and mismatched lengths by name', () => {
    expect(() => meanVector([])).toThrow(MetricInputError);
    expect(() => meanVector([[1], [1, 2]])).toThrow(/dimensions/);
    expect(() => dot([1], [1, 2])).toThrow(/dimensions/);
  });
});
