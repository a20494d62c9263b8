import { describe, expect, it } from 'vitest';
import { applyGuidance, applyTemperature, argmax, sampleTopK, SeededRandom, TopKScratch } from './sampling.js';

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(0)).not.toEqual(new Array(8).fill(0));
  });

  it('is roughly uniform in [0, 1)', () => {
    const r = new SeededRandom(1234);
    const bins = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside += 1;
      else bins[Math.floor(u * 10)] += 1;
    }
    expect(outside).toBe(0);
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('refuses a seed outside 32 bits', () => {
    expect(() => new SeededRandom(-1)).toThrow(/seed/);
    expect(() => new SeededRandom(2 ** 32)).toThrow(/seed/);
    expect(() => new SeededRandom(1.5)).toThrow(/seed/);
  });
});

describe('applyGuidance and applyTemperature', () => {
  it('computes uncond + (cond − uncond)·scale per row, conditional rows first', () => {
    const logits = Float32Array.from([1, 2, 3, 4, 0, 0, 1, 1]); // 2 conditional rows, 2 unconditional, vocab 2
    const out = new Float32Array(4);
    applyGuidance(logits, 2, 2, 3, out);
    expect([...out]).toEqual([3, 6, 7, 10]);
  });

  it('refuses buffers that are too small', () => {
    expect(() => applyGuidance(new Float32Array(6), 2, 2, 3, new Float32Array(4))).toThrow(RangeError);
  });

  it('divides by the temperature in place and leaves temperature 1 alone', () => {
    const logits = Float32Array.from([2, 4, 6]);
    applyTemperature(logits, 2, 1, 2);
    expect([...logits]).toEqual([2, 2, 3]);
    applyTemperature(logits, 1);
    expect([...logits]).toEqual([2, 2, 3]);
    expect(() => applyTemperature(logits, 0)).toThrow(/temperature/);
  });
});

describe('argmax', () => {
  it('returns the first largest index within the row', () => {
    const logits = Float32Array.from([9, 9, 1, 5, 7, 7, 2]);
    expect(argmax(logits, 2, 5)).toBe(2); // row [1, 5, 7, 7, 2]: first 7
    expect(argmax(logits, 0, 2)).toBe(0);
  });
});

describe('sampleTopK', () => {
  const vocab = 6;
  const row = Float32Array.from([0, 5, 1, 4, 3, 2]);

  it('never draws outside the k largest and draws each of them', () => {
    const scratch = new TopKScratch(vocab);
    const random = new SeededRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleTopK(row, 0, vocab, 3, random, scratch));
    expect([...seen].sort()).toEqual([1, 3, 4]);
  });

  it('follows the softmax of the kept logits', () => {
    const scratch = new TopKScratch(vocab);
    const random = new SeededRandom(11);
    const counts = new Map<number, number>();
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const t = sampleTopK(row, 0, vocab, 2, random, scratch);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const p1 = Math.exp(5) / (Math.exp(5) + Math.exp(4));
    expect(Math.abs((counts.get(1) ?? 0) / n - p1)).toBeLessThan(0.01);
  });

  it('keeps ties at the threshold in index order up to k, and reads the row at its offset', () => {
    const scratch = new TopKScratch(4);
    const logits = Float32Array.from([100, 100, 1, 1, 1, 1]); // the row starts at 2: all equal
    const random = new SeededRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(sampleTopK(logits, 2, 4, 2, random, scratch));
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('with k = 1 or k ≥ vocab behaves as argmax and as full sampling', () => {
    const scratch = new TopKScratch(vocab);
    const random = new SeededRandom(5);
    for (let i = 0; i < 50; i++) expect(sampleTopK(row, 0, vocab, 1, random, scratch)).toBe(1);
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) seen.add(sampleTopK(row, 0, vocab, 250, random, scratch));
    expect(seen.size).toBe(vocab);
  });

  it('reports a row of NaN as -1 instead of inventing a token', () => {
    const scratch = new TopKScratch(3);
    expect(sampleTopK(Float32Array.from([NaN, NaN, NaN]), 0, 3, 2, new SeededRandom(1), scratch)).toBe(-1);
  });
});
