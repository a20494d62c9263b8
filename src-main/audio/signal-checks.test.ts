import { describe, expect, it } from 'vitest';
import { sine } from '../testing/tones.js';
import {
  checkSignal,
  clippedFraction,
  DEFAULT_SIGNAL_THRESHOLDS,
  rmsDbfs,
  SIGNAL_PROBLEM_TEXT,
  SIGNAL_PROBLEMS,
  silentFrameFraction,
  type SignalThresholds,
} from './signal-checks.js';

const RATE = 32000;

/** ±level on alternate samples: RMS = level, mean 0 for an even length. */
function square(level: number, frames: number): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => (i % 2 === 0 ? level : -level));
}

/** Problems of a mono clip at 32 kHz; duration checks off unless the thresholds say otherwise. */
function problemsOf(samples: Float32Array, thresholds: Partial<SignalThresholds> = {}): string[] {
  return checkSignal({ channelData: [samples], sampleRate: RATE }, { minSeconds: 0, ...thresholds }).problems;
}

describe('checkSignal on a clean clip', () => {
  it('passes a 15 s, 32 kHz tone at half scale and reports what it measured', () => {
    const report = checkSignal({ channelData: [sine(RATE, 440, 0.5, 15 * RATE)], sampleRate: RATE });
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    const m = report.measurements;
    expect(m).toMatchObject({ channels: 1, frames: 480000, sampleRate: RATE, seconds: 15, nonFiniteSamples: 0 });
    expect(m.peak).toBeCloseTo(0.5, 4);
    expect(m.rmsDbfs).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 3); // −9.03 dBFS
    expect(m.silentFrameFraction).toBe(0);
    expect(m.clippedFraction).toBe(0);
    expect(m.dcOffset).toBeLessThan(1e-6);
  });

  it('has a description for every problem, in a fixed order', () => {
    expect(Object.keys(SIGNAL_PROBLEM_TEXT).sort()).toEqual([...SIGNAL_PROBLEMS].sort());
    const report = checkSignal({
      channelData: [new Float32Array(10), new Float32Array(10), new Float32Array(10)],
      sampleRate: 8000,
    });
    expect(report.problems).toEqual(['wrong-sample-rate', 'too-many-channels', 'too-short', 'silent']);
  });
});

describe('empty and non-finite', () => {
  it('reports only "empty" for no channels or no samples', () => {
    expect(checkSignal({ channelData: [], sampleRate: RATE }).problems).toEqual(['empty']);
    expect(checkSignal({ channelData: [new Float32Array(0)], sampleRate: RATE })).toMatchObject({
      ok: false,
      problems: ['empty'],
    });
  });

  it('reports NaN and infinities and skips the level checks', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const x = square(0.5, 1000);
      x[500] = bad;
      const report = checkSignal({ channelData: [x], sampleRate: RATE }, { minSeconds: 0 });
      expect(report.problems).toEqual(['non-finite']);
      expect(report.measurements).toMatchObject({ nonFiniteSamples: 1, peak: null, rmsDbfs: null, dcOffset: null });
    }
  });

  it('refuses channels of different lengths', () => {
    expect(() => checkSignal({ channelData: [new Float32Array(2), new Float32Array(3)], sampleRate: RATE })).toThrow(
      RangeError,
    );
  });
});

describe('sample rate, channels and duration', () => {
  it('flags a rate other than 32 kHz, even when the duration is right', () => {
    const at44k = checkSignal({ channelData: [square(0.5, 15 * 44100)], sampleRate: 44100 });
    expect(at44k.problems).toEqual(['wrong-sample-rate']);
    expect(
      checkSignal({ channelData: [square(0.5, 15 * 44100)], sampleRate: 44100 }, { expectedSampleRate: 44100 }).ok,
    ).toBe(true);
  });

  it('allows two channels, not three', () => {
    const two = [square(0.5, 1000), square(0.5, 1000)];
    expect(checkSignal({ channelData: two, sampleRate: RATE }, { minSeconds: 0 }).ok).toBe(true);
    expect(
      checkSignal({ channelData: [...two, square(0.5, 1000)], sampleRate: RATE }, { minSeconds: 0 }).problems,
    ).toEqual(['too-many-channels']);
  });

  it('passes 12.5 s and 35 s exactly, and flags one sample less or more', () => {
    const clip = (frames: number): string[] =>
      checkSignal({ channelData: [square(0.5, frames)], sampleRate: RATE }).problems;
    expect(clip(12.5 * RATE)).toEqual([]);
    expect(clip(12.5 * RATE - 1)).toEqual(['too-short']);
    expect(clip(35 * RATE)).toEqual([]);
    expect(clip(35 * RATE + 1)).toEqual(['too-long']);
  });
});

describe('silence', () => {
  it('flags all zeros', () => {
    expect(problemsOf(new Float32Array(1000))).toEqual(['silent']);
  });

  it('flags an RMS below −60 dBFS (an RMS of 0.001) and passes one above', () => {
    expect(problemsOf(square(0.00101, 1000))).toEqual([]);
    expect(problemsOf(square(0.00099, 1000))).toEqual(['silent']);
  });

  it('passes an RMS exactly at the threshold', () => {
    const at = 20 * Math.log10(0.25);
    expect(rmsDbfs(square(0.25, 100))).toBe(at);
    expect(problemsOf(square(0.25, 1000), { silenceDbfs: at })).toEqual([]);
    expect(problemsOf(square(0.2499, 1000), { silenceDbfs: at })).toEqual(['silent']);
  });

  it('flags more than half of the 50 ms frames silent, even when the whole is loud enough', () => {
    const frame = 0.05 * RATE; // 1600 samples
    const clip = (silentFrames: number): Float32Array => {
      const x = square(0.5, 10 * frame);
      x.fill(0, 0, silentFrames * frame);
      return x;
    };
    expect(silentFrameFraction(clip(5), frame, -60)).toBe(0.5);
    expect(problemsOf(clip(5))).toEqual([]);
    expect(silentFrameFraction(clip(6), frame, -60)).toBe(0.6);
    expect(problemsOf(clip(6))).toEqual(['silent']);
  });

  it('ignores a partial last frame, and treats a clip shorter than one frame as one frame', () => {
    const x = square(0.5, 2 * 1600 + 100);
    x.fill(0, 3200);
    expect(silentFrameFraction(x, 1600, -60)).toBe(0);
    expect(silentFrameFraction(new Float32Array(10), 1600, -60)).toBe(1);
    expect(silentFrameFraction(square(0.5, 10), 1600, -60)).toBe(0);
  });

  it('judges silence on the channel mean: a channel against its inverse is silent', () => {
    const x = square(0.5, 1000);
    const report = checkSignal({ channelData: [x, x.map((v) => -v)], sampleRate: RATE }, { minSeconds: 0 });
    expect(report.problems).toEqual(['silent']);
  });
});

describe('clipping', () => {
  /** 10 000 samples at half scale, `n` of them (spread out) at `level`. */
  function withPeaks(n: number, level: number): Float32Array {
    const x = square(0.5, 10000);
    for (let i = 0; i < n; i++) x[i * 97] = i % 2 === 0 ? level : -level;
    return x;
  }

  it('passes 0.1 % of samples at |x| ≥ 0.999 and flags more', () => {
    expect(clippedFraction([withPeaks(10, 0.999)], 0.999)).toBe(0.001);
    expect(problemsOf(withPeaks(10, 0.999))).toEqual([]);
    expect(problemsOf(withPeaks(11, 0.999))).toEqual(['clipped']);
    expect(problemsOf(withPeaks(11, 1))).toEqual(['clipped']);
  });

  it('does not count samples just under the clip level', () => {
    expect(clippedFraction([withPeaks(50, 0.9989)], 0.999)).toBe(0);
    expect(problemsOf(withPeaks(50, 0.9989))).toEqual([]);
  });

  it('counts over all channels together', () => {
    const report = checkSignal(
      { channelData: [withPeaks(11, 1), square(0.5, 10000)], sampleRate: RATE },
      { minSeconds: 0 },
    );
    expect(report.measurements.clippedFraction).toBe(11 / 20000);
    expect(report.problems).toEqual([]);
  });
});

describe('DC offset', () => {
  const offset = (dc: number): Float32Array => square(0.5, 1000).map((v) => v + dc);

  it('flags a mean beyond ±0.01 of full scale and passes one within', () => {
    expect(DEFAULT_SIGNAL_THRESHOLDS.maxDcOffset).toBe(0.01);
    expect(problemsOf(offset(0.0099))).toEqual([]);
    expect(problemsOf(offset(0.0101))).toEqual(['dc-offset']);
    expect(problemsOf(offset(-0.0101))).toEqual(['dc-offset']);
  });

  it('passes a mean exactly at the threshold', () => {
    expect(problemsOf(offset(0.25), { maxDcOffset: 0.25 })).toEqual([]);
  });

  it('looks at each channel, so opposite offsets do not cancel', () => {
    const report = checkSignal({ channelData: [offset(0.02), offset(-0.02)], sampleRate: RATE }, { minSeconds: 0 });
    expect(report.measurements.dcOffset).toBeCloseTo(0.02, 6);
    expect(report.problems).toEqual(['dc-offset']);
  });
});
