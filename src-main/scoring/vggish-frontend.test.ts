import { describe, expect, it } from 'vitest';
import {
  hertzToMel,
  padToFadMinimum,
  VGGISH_LOG_OFFSET,
  vggishBandCentreHz,
  vggishExampleCount,
  vggishExamples,
  vggishFrameCount,
  vggishLogMel,
  vggishMelMatrix,
} from './vggish-frontend.js';

const RATE = 16_000;

function sine(hz: number, samples: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: samples }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
}

/** |X[k]| of one Hann-windowed 400-sample frame zero-padded to 512, by the direct DFT (independent of fft.ts). */
function directMagnitudes(frame: ArrayLike<number>): Float64Array {
  const out = new Float64Array(257);
  for (let k = 0; k < 257; k++) {
    let re = 0;
    let im = 0;
    for (let n = 0; n < 400; n++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 400);
      const a = (-2 * Math.PI * k * n) / 512;
      re += (frame[n] ?? 0) * w * Math.cos(a);
      im += (frame[n] ?? 0) * w * Math.sin(a);
    }
    out[k] = Math.hypot(re, im);
  }
  return out;
}

describe('the VGGish front end', () => {
  it('counts frames and 0.96 s examples as torchvggish does: 15 s → 1498 frames → 15 examples', () => {
    expect(vggishFrameCount(15 * RATE)).toBe(1498);
    expect(vggishExampleCount(15 * RATE)).toBe(15);
    // 2 s (audioldm_eval's minimum) → 198 frames → 2 examples; 96 frames need 400 + 95·160 samples.
    expect(vggishFrameCount(2 * RATE)).toBe(198);
    expect(vggishExampleCount(2 * RATE)).toBe(2);
    expect(vggishExampleCount(400 + 95 * 160)).toBe(1);
    expect(vggishExampleCount(400 + 95 * 160 - 1)).toBe(0);
    expect(vggishFrameCount(399)).toBe(0);
    expect(vggishLogMel(new Float32Array(399)).frames).toBe(0);
  });

  it('builds 64 HTK-mel triangles from 125 to 7500 Hz with the DC row zero', () => {
    const mel = vggishMelMatrix();
    expect(mel).toHaveLength(257);
    expect(Array.from(mel[0] ?? [])).toEqual(new Array(64).fill(0));
    expect(hertzToMel(700)).toBeCloseTo(1127 * Math.log(2), 12);
    for (let k = 0; k < 257; k++) {
      const hz = (k * 8000) / 256;
      const row = mel[k] ?? new Float64Array();
      // Outside 125–7500 Hz no band takes the bin; inside, at most two neighbouring bands do.
      if (hz <= 125 || hz >= 7500) expect(Math.max(...row)).toBe(0);
      const nonZero = [...row.keys()].filter((b) => (row[b] ?? 0) > 0);
      expect(nonZero.length).toBeLessThanOrEqual(2);
      if (nonZero.length === 2) expect((nonZero[1] ?? 0) - (nonZero[0] ?? 0)).toBe(1);
      // Adjacent triangles share their edges, so weights inside the range sum to 1.
      if (hz > vggishBandCentreHz(0) && hz < vggishBandCentreHz(63)) {
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      }
    }
    expect(vggishBandCentreHz(-1)).toBeCloseTo(125, 9);
    expect(vggishBandCentreHz(64)).toBeCloseTo(7500, 9);
  });

  it('gives each frame ln(Σ |X[k]|·M[k, band] + 0.01), with |X| the direct DFT of the Hann-windowed frame', () => {
    let seed = 11;
    const noise = Float32Array.from({ length: 400 + 3 * 160 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    });
    const { frames, data } = vggishLogMel(noise);
    expect(frames).toBe(4);
    const mel = vggishMelMatrix();
    for (const f of [0, 3]) {
      const magnitude = directMagnitudes(noise.subarray(f * 160, f * 160 + 400));
      for (const band of [0, 17, 40, 63]) {
        let energy = 0;
        for (let k = 0; k < 257; k++) energy += (magnitude[k] ?? 0) * (mel[k]?.[band] ?? 0);
        expect(data[f * 64 + band]).toBeCloseTo(Math.log(energy + VGGISH_LOG_OFFSET), 9);
      }
    }
  });

  it("puts a sine's energy in the band centred on its frequency, and a sine of amplitude A at about 100·A", () => {
    for (const band of [5, 30, 50]) {
      const hz = vggishBandCentreHz(band);
      const { frames, data } = vggishLogMel(sine(hz, RATE));
      const row = data.subarray(50 * 64, 51 * 64);
      let best = 0;
      for (let b = 1; b < 64; b++) if ((row[b] ?? 0) > (row[best] ?? 0)) best = b;
      expect(frames).toBe(98);
      expect(best).toBe(band);
      // Hann's sum over 400 samples is 200, so the spectral peak of A·sin is A·200/2 = 100·A (A = 0.5);
      // the band sums the main lobe under its triangle, which holds it within a factor of a few.
      const peak = Math.exp(row[band] ?? 0);
      expect(peak).toBeGreaterThan(50);
      expect(peak).toBeLessThan(50 * 4);
    }
  });

  it('gives silence ln(0.01) in every band, and a DC offset only Hann sidelobes, 40 dB under a sine of its size', () => {
    const silent = vggishLogMel(new Float32Array(RATE));
    expect(Math.max(...silent.data)).toBe(Math.log(0.01));
    expect(Math.min(...silent.data)).toBe(Math.log(0.01));
    // The DC row is zero and band 0 starts at 125 Hz (bin 4), past Hann's main lobe (±2.56 bins):
    // a constant 0.25 reaches the bands only through sidelobes, far below the 100·0.25 a sine gets.
    const offset = vggishLogMel(new Float32Array(RATE).fill(0.25));
    const leaked = Math.max(...offset.data.map((v) => Math.exp(v) - VGGISH_LOG_OFFSET));
    expect(leaked).toBeGreaterThan(0);
    expect(leaked).toBeLessThan(25 * 10 ** (-40 / 20));
  });

  it('lays examples out as [N, 1, 96, 64] with frames in order and the remainder dropped', () => {
    const clip = sine(1000, 3 * RATE);
    const { frames, data } = vggishLogMel(clip);
    const examples = vggishExamples(clip);
    expect(frames).toBe(298);
    expect(examples.count).toBe(3);
    expect(examples.data).toHaveLength(3 * 96 * 64);
    expect(examples.data[2 * 96 * 64 + 95 * 64 + 7]).toBe(Math.fround(data[287 * 64 + 7] ?? Number.NaN));
    expect(examples.data[0]).toBe(Math.fround(data[0] ?? Number.NaN));
  });

  it('pads clips shorter than 2 s with zeros and leaves longer ones alone', () => {
    const short = Float32Array.of(1, 2, 3);
    const padded = padToFadMinimum(short);
    expect(padded).toHaveLength(32_000);
    expect(Array.from(padded.subarray(0, 4))).toEqual([1, 2, 3, 0]);
    const long = new Float32Array(40_000);
    expect(padToFadMinimum(long)).toBe(long);
  });
});
