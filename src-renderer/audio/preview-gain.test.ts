import { describe, expect, it } from 'vitest';
import {
  PEAK_CEILING_DBFS,
  TARGET_RMS_DBFS,
  UNMEASURED_VOLUME,
  amplitudeToDbfs,
  dbfsToAmplitude,
  measureLevels,
  previewVolume,
} from './preview-gain.js';

const RATE = 8000;

/** Deterministic full-scale white noise (a tiny random model's output, in effect). */
function noise(seconds: number, amplitude = 1, seed = 7): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  let state = seed;
  for (let i = 0; i < out.length; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    out[i] = amplitude * ((state / 2 ** 31) * 2 - 1);
  }
  return out;
}

function sine(seconds: number, amplitude: number, hz = 440): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / RATE);
  return out;
}

/** The RMS (dBFS) of the loudest window once the volume is applied. */
function playedDbfs(channels: Float32Array[]): number {
  const levels = measureLevels(channels, RATE);
  return amplitudeToDbfs(levels.maxWindowRms * previewVolume(levels));
}

describe('preview loudness', () => {
  it('measures a sine: peak = amplitude, RMS = amplitude / √2', () => {
    const levels = measureLevels([sine(2, 0.5)], RATE);
    expect(levels.peak).toBeCloseTo(0.5, 3);
    expect(levels.maxWindowRms).toBeCloseTo(0.5 / Math.SQRT2, 3);
  });

  it('turns full-scale noise down to about −20 dBFS RMS', () => {
    const clip = noise(3);
    const levels = measureLevels([clip], RATE);
    expect(amplitudeToDbfs(levels.maxWindowRms)).toBeGreaterThan(-6); // it is loud as made
    const volume = previewVolume(levels);
    expect(volume).toBeLessThan(0.2);
    expect(playedDbfs([clip])).toBeCloseTo(TARGET_RMS_DBFS, 1);
  });

  it('never turns a quiet clip up: the element volume stays at most 1', () => {
    const quiet = sine(2, dbfsToAmplitude(-35));
    expect(previewVolume(measureLevels([quiet], RATE))).toBe(1);
    expect(playedDbfs([quiet])).toBeLessThan(TARGET_RMS_DBFS);
  });

  it('judges by the loudest stretch, so a loud burst in a quiet clip is turned down', () => {
    const clip = new Float32Array(5 * RATE);
    clip.set(noise(0.5), 2 * RATE); // half a second of full-scale noise in five of silence
    const levels = measureLevels([clip], RATE);
    // Over the whole clip the RMS would be ~14 dB lower and let the burst through.
    expect(playedDbfs([clip])).toBeLessThanOrEqual(TARGET_RMS_DBFS + 0.5);
    expect(previewVolume(levels)).toBeLessThan(0.25);
  });

  it('keeps a lone spike under the peak ceiling', () => {
    const clip = new Float32Array(2 * RATE);
    clip[RATE] = 1;
    const levels = measureLevels([clip], RATE);
    expect(levels.peak).toBe(1);
    expect(previewVolume(levels)).toBeCloseTo(dbfsToAmplitude(PEAK_CEILING_DBFS), 6);
  });

  it('measures stereo over both channels and a clip shorter than one window', () => {
    const left = noise(0.1, 1, 1);
    const right = new Float32Array(left.length);
    const levels = measureLevels([left, right], RATE);
    const mono = measureLevels([left], RATE);
    expect(levels.maxWindowRms).toBeCloseTo(mono.maxWindowRms / Math.SQRT2, 6);
    expect(playedDbfs([left, right])).toBeLessThanOrEqual(TARGET_RMS_DBFS + 0.01);
  });

  it('plays silence as is and falls back to a safe volume when a clip could not be measured', () => {
    expect(previewVolume(measureLevels([new Float32Array(RATE)], RATE))).toBe(1);
    expect(previewVolume(measureLevels([], RATE))).toBe(1);
    expect(previewVolume(null)).toBe(UNMEASURED_VOLUME);
    expect(previewVolume({ peak: Number.NaN, maxWindowRms: 0.5 })).toBe(UNMEASURED_VOLUME);
    // The fallback assumes full-scale noise: it alone keeps that near the target.
    expect(amplitudeToDbfs(0.58 * UNMEASURED_VOLUME)).toBeLessThan(TARGET_RMS_DBFS);
    expect(() => measureLevels([new Float32Array(4)], 0)).toThrow(/sampleRate/);
  });
});
