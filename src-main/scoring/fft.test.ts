import { describe, expect, it } from 'vitest';
import { fftInPlace, powerSpectrum } from './fft.js';

describe('fftInPlace', () => {
  it('matches the direct DFT on a random 64-point input to 1e-10', () => {
    let seed = 7;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const n = 64;
    const x = Array.from({ length: n }, next);
    const y = Array.from({ length: n }, next);
    const re = Float64Array.from(x);
    const im = Float64Array.from(y);
    fftInPlace(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        sr += (x[t] ?? 0) * Math.cos(a) - (y[t] ?? 0) * Math.sin(a);
        si += (x[t] ?? 0) * Math.sin(a) + (y[t] ?? 0) * Math.cos(a);
      }
      expect(re[k]).toBeCloseTo(sr, 10);
      expect(im[k]).toBeCloseTo(si, 10);
    }
  });

  it('puts a bin-centred cosine of amplitude A at bins k and N − k with |X| = A·N/2', () => {
    const n = 1024;
    const re = Float64Array.from({ length: n }, (_, t) => 0.5 * Math.cos((2 * Math.PI * 37 * t) / n));
    const im = new Float64Array(n);
    fftInPlace(re, im);
    expect(Math.hypot(re[37] ?? 0, im[37] ?? 0)).toBeCloseTo(256, 9);
    expect(Math.hypot(re[n - 37] ?? 0, im[n - 37] ?? 0)).toBeCloseTo(256, 9);
    expect(Math.hypot(re[36] ?? 0, im[36] ?? 0)).toBeLessThan(1e-9);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => fftInPlace(new Float64Array(12), new Float64Array(12))).toThrow(/power of two/);
  });
});

describe('powerSpectrum', () => {
  it("gives a unit impulse's flat spectrum of 1 in every bin, and zero-pads short frames", () => {
    const p = powerSpectrum([1], 16);
    expect(p.length).toBe(9);
    for (const v of p) expect(v).toBeCloseTo(1, 15);
  });
});
