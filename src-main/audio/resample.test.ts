import { describe, expect, it } from 'vitest';
import { fitTone, rms, sine } from '../testing/tones.js';
import { resample, resampledLength, resampleWithKernel, sincResampleKernel } from './resample.js';

/** Level of a tone after resampling relative to its level before, in dB, away from the edges. */
function gainDb(fromRate: number, toRate: number, hz: number): number {
  const y = resample(sine(fromRate, hz, 0.5, fromRate), fromRate, toRate);
  const edge = Math.ceil(toRate * 0.05);
  return 20 * Math.log10(rms(y, edge, y.length - edge) / (0.5 / Math.SQRT2));
}

describe('sincResampleKernel (torchaudio sinc_interp_hann, width 6, rolloff 0.99)', () => {
  it('reduces the ratio and sizes the kernel as torchaudio does', () => {
    // 32k→16k = 2:1, base = 0.99, width = ceil(6·2/0.99) = 13, taps = 2·13 + 2.
    const down = sincResampleKernel(32000, 16000);
    expect([down.orig, down.new, down.width, down.phases.length, down.phases[0]?.length]).toEqual([2, 1, 13, 1, 28]);
    // 32k→48k = 2:3, base = 1.98, width = ceil(12/1.98) = 7, taps = 16, three phases.
    const up = sincResampleKernel(32000, 48000);
    expect([up.orig, up.new, up.width, up.phases.length, up.phases[0]?.length]).toEqual([2, 3, 7, 3, 16]);
    // 44.1k→32k = 441:320, base = 316.8, width = ceil(6·441/316.8) = 9.
    expect(sincResampleKernel(44100, 32000).width).toBe(9);
  });

  it('has the hand-computed taps', () => {
    const down = sincResampleKernel(32000, 16000).phases[0] ?? new Float32Array();
    // Centre tap: t = 0 → base/orig = 0.495.
    expect(down[13]).toBeCloseTo(0.495, 7);
    // Next tap: t = 0.495 → sinc(0.495π)·cos²(0.495π/12)·0.495 = 0.3129555.
    expect(down[14]).toBeCloseTo(0.3129555, 6);
    expect(down[12]).toBe(down[14]);
    // Beyond ±6 zero crossings the clamped t gives sin(6π) ≈ 0 and a zero window.
    expect(Math.abs(down[0] ?? 1)).toBeLessThan(1e-7);
    // 32k→48k, phase 1, tap i = 0: t = (0 − 1/3)·1.98 = −0.66 → 0.4060377.
    expect(sincResampleKernel(32000, 48000).phases[1]?.[7]).toBeCloseTo(0.4060377, 6);
  });

  it('skips only the clamped tail of each phase, whose taps are negligible', () => {
    const kernel = sincResampleKernel(44100, 32000);
    let outside = 0;
    kernel.phases.forEach((taps, j) => {
      const { start, end } = kernel.activeTaps[j] ?? { start: 0, end: 0 };
      expect(end - start).toBeLessThanOrEqual(2 * Math.ceil((6 * 441) / 316.8) + 1);
      taps.forEach((k, m) => {
        if (m < start || m >= end) outside = Math.max(outside, Math.abs(k));
      });
    });
    expect(outside).toBeLessThan(1e-20);
    // All taps, as torchaudio convolves them, give the same output.
    const everything = { ...kernel, activeTaps: kernel.phases.map((p) => ({ start: 0, end: p.length })) };
    const x = sine(44100, 1234, 0.9, 4410);
    const fast = resampleWithKernel(x, kernel);
    const full = resampleWithKernel(x, everything);
    expect(fast.length).toBe(full.length);
    let worst = 0;
    fast.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (full[i] ?? 0)))));
    expect(worst).toBe(0);
  });

  it('refuses rates that are not positive integers and ratios whose kernel would be huge', () => {
    expect(() => sincResampleKernel(0, 16000)).toThrow(RangeError);
    expect(() => sincResampleKernel(44100.5, 16000)).toThrow(/positive integer/);
    // 44101 and 48000 share no factor: a 48000 × 44115-tap table.
    expect(() => sincResampleKernel(44101, 48000)).toThrow(/44101:48000/);
    expect(() => sincResampleKernel(32000, 16000, { rolloff: 1.5 })).toThrow(/rolloff/);
  });
});

describe('resampledLength and the output length', () => {
  it('is ceil(new · length / orig), as torchaudio computes it', () => {
    const cases: [number, number, number, number][] = [
      [480000, 32000, 16000, 240000], // 15 s
      [480000, 32000, 48000, 720000],
      [1, 32000, 16000, 1], // ceil(0.5)
      [3, 32000, 48000, 5], // ceil(4.5)
      [10007, 44100, 32000, 7262], // ceil(320·10007/441) = ceil(7261.36)
      [0, 32000, 16000, 0],
      [5, 16000, 16000, 5],
    ];
    for (const [length, from, to, expected] of cases) {
      expect(resampledLength(length, from, to)).toBe(expected);
      expect(resample(new Float32Array(length), from, to).length).toBe(expected);
    }
  });
});

describe('resample on analytic signals', () => {
  // Tolerances from measurement (1 s tones, 5 % trimmed at each end for the kernel's edge):
  // the passband gain deviates by at most 5e-4 below 0.4 of the lower Nyquist and 2e-3 up to 0.5.
  const passband: [number, number, number, number][] = [
    // from, to, Hz, tolerance on the amplitude ratio
    [32000, 16000, 440, 1e-3],
    [32000, 16000, 3000, 1e-3],
    [32000, 48000, 440, 1e-3],
    [32000, 48000, 7000, 2e-3],
    [44100, 32000, 1000, 1e-3],
    [48000, 32000, 3000, 1e-3],
    [48000, 16000, 1000, 1e-3],
  ];
  it.each(passband)('keeps a %i→%i Hz tone at %i Hz at its amplitude and frequency', (from, to, hz, tol) => {
    const y = resample(sine(from, hz, 0.5, from), from, to);
    const edge = Math.ceil(to * 0.05);
    const fit = fitTone(y, to, hz, edge, y.length - edge);
    expect(Math.abs(fit.amplitude / 0.5 - 1)).toBeLessThan(tol);
    // Little is left once the tone at the same frequency is removed: no shift, no images.
    expect(fit.residualRms / 0.5).toBeLessThan(1e-3);
  });

  it('gives a constant out for a constant in, away from the edges', () => {
    const y = resample(new Float32Array(32000).fill(0.3), 32000, 48000);
    let worst = 0;
    for (let i = 100; i < y.length - 100; i++) worst = Math.max(worst, Math.abs((y[i] ?? 0) - 0.3));
    expect(worst).toBeLessThan(3e-4);
  });

  it('suppresses tones above the new Nyquist frequency', () => {
    // The kernel's transition band is wide (about 0.99 to 1.25 of the lower Nyquist); above it,
    // measured: −45 dB at 10 kHz and −55 dB at 12 kHz for 32k→16k, −45 dB at 20 kHz for 48k→32k.
    expect(gainDb(32000, 16000, 10000)).toBeLessThan(-40);
    expect(gainDb(32000, 16000, 12000)).toBeLessThan(-50);
    expect(gainDb(48000, 32000, 20000)).toBeLessThan(-40);
    expect(gainDb(44100, 32000, 20000)).toBeLessThan(-40);
    // Inside the transition band it only attenuates: −9.8 dB at 1.05 × Nyquist.
    expect(gainDb(32000, 16000, 8400)).toBeLessThan(-6);
  });

  it('returns a copy for equal rates and empty input for empty input', () => {
    const x = Float32Array.from([0.1, 0.2]);
    const y = resample(x, 32000, 32000);
    expect([...y]).toEqual([...x]);
    expect(y).not.toBe(x);
    expect(resample(new Float32Array(0), 32000, 48000).length).toBe(0);
  });
});
