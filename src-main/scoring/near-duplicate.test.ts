import { describe, expect, it } from 'vitest';
import {
  addNoise,
  chord,
  gain,
  lsbDither,
  noiseBursts,
  syntheticMusic,
  timeShift,
  tone,
} from '../testing/test-signals.js';
import {
  audioFingerprint,
  fingerprintSimilarity,
  NEAR_DUPLICATE_THRESHOLD,
  NearDuplicateIndex,
  type AudioFingerprint,
} from './near-duplicate.js';

const RATE = 32_000;
const SECONDS = 15;

const originals: Record<string, Float32Array> = {
  'tone 440 Hz': tone(440, SECONDS, RATE),
  'tone 330 Hz': tone(330, SECONDS, RATE),
  'chord C major': chord([261.63, 329.63, 392.0], SECONDS, RATE),
  'chord A minor': chord([220.0, 261.63, 329.63], SECONDS, RATE),
  'noise bursts 1': noiseBursts(1, SECONDS, RATE),
  'noise bursts 2': noiseBursts(2, SECONDS, RATE),
};
for (let seed = 1; seed <= 16; seed++) originals[`music ${seed}`] = syntheticMusic(seed, SECONDS, RATE);

const edits: Record<string, (x: Float32Array) => Float32Array> = {
  '1-LSB dither': (x) => lsbDither(x, 9),
  'delayed 0.5013 s': (x) => timeShift(x, 0.5013, RATE),
  'advanced 1.27 s': (x) => timeShift(x, -1.27, RATE),
  'first 7 s cut off': (x) => timeShift(x, -7, RATE),
  'gain ×0.3': (x) => gain(x, 0.3),
  'noise at 30 dB SNR': (x) => addNoise(x, 30, 5),
  'all of them': (x) => addNoise(gain(timeShift(lsbDither(x, 3), 0.77, RATE), 0.5), 30, 6),
};

const fingerprints = new Map<string, AudioFingerprint>();
const fp = (name: string): AudioFingerprint => {
  let f = fingerprints.get(name);
  if (f === undefined) {
    f = audioFingerprint(originals[name] as Float32Array, RATE);
    fingerprints.set(name, f);
  }
  return f;
};

// Hundreds of fingerprints and pair searches: vitest's 5 s default is too tight on a shared CPU.
describe('near-duplicate fingerprint', { timeout: 120_000 }, () => {
  it('finds every edited copy (1-LSB, time shift, gain, low noise, all together) above the threshold', () => {
    const scores: number[] = [];
    const originalsChecked = ['tone 440 Hz', 'chord C major', 'noise bursts 1', 'music 1', 'music 2', 'music 3'];
    for (const name of originalsChecked) {
      for (const [editName, edit] of Object.entries(edits)) {
        const copy = audioFingerprint(edit(originals[name] as Float32Array), RATE);
        const match = fingerprintSimilarity(fp(name), copy);
        scores.push(match.similarity);
        expect(match.similarity, `${name}, ${editName}`).toBeGreaterThanOrEqual(NEAR_DUPLICATE_THRESHOLD);
      }
    }
    console.log(
      `near-duplicate: ${scores.length} edited copies, similarity min ${Math.min(...scores).toFixed(4)}, ` +
        `mean ${(scores.reduce((s, v) => s + v, 0) / scores.length).toFixed(4)} (threshold ${NEAR_DUPLICATE_THRESHOLD})`,
    );
  });

  it('matches the same music rendered at 44.1 kHz against 32 kHz (a resampled reference)', () => {
    const at44k = audioFingerprint(syntheticMusic(1, SECONDS, 44_100), 44_100);
    const match = fingerprintSimilarity(fp('music 1'), at44k);
    console.log(`near-duplicate: music 1 at 44.1 kHz against 32 kHz, similarity ${match.similarity.toFixed(4)}`);
    expect(match.similarity).toBeGreaterThanOrEqual(NEAR_DUPLICATE_THRESHOLD);
  });

  it('recovers the time shift it matched at', () => {
    const delayed = audioFingerprint(timeShift(originals['music 4'] as Float32Array, 1.0, RATE), RATE);
    const match = fingerprintSimilarity(fp('music 4'), delayed);
    expect(match.offsetSeconds).toBeCloseTo(1.0, 1);
  });

  it('keeps distinct clips apart: the false-positive rate over all distinct pairs is 0', () => {
    const names = Object.keys(originals);
    const scores: number[] = [];
    let falsePositives = 0;
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const s = fingerprintSimilarity(fp(names[i] as string), fp(names[j] as string)).similarity;
        scores.push(s);
        if (s >= NEAR_DUPLICATE_THRESHOLD) falsePositives++;
      }
    }
    const max = Math.max(...scores);
    console.log(
      `near-duplicate: ${scores.length} distinct pairs, similarity max ${max.toFixed(4)}, ` +
        `false positives ${falsePositives}/${scores.length}`,
    );
    expect(falsePositives).toBe(0);
  });
});

describe('NearDuplicateIndex', { timeout: 60_000 }, () => {
  it("flags the round's reference and recent outputs, and passes a new clip", () => {
    const index = new NearDuplicateIndex();
    index.setReference(fp('music 5'));
    index.add('uid 7', fp('music 6'));
    const replayed = audioFingerprint(lsbDither(originals['music 5'] as Float32Array, 1), RATE);
    expect(index.findMatch(replayed)?.matched).toBe('reference');
    const copied = audioFingerprint(timeShift(originals['music 6'] as Float32Array, 0.3, RATE), RATE);
    expect(index.findMatch(copied)?.matched).toBe('uid 7');
    expect(index.findMatch(fp('music 7'))).toBeNull();
  });

  it('forgets the oldest outputs past its capacity', () => {
    const index = new NearDuplicateIndex(1);
    index.add('old', fp('music 8'));
    index.add('new', fp('music 9'));
    expect(index.findMatch(fp('music 8'))).toBeNull();
    expect(index.findMatch(fp('music 9'))?.matched).toBe('new');
  });

  it('names audio shorter than one frame', () => {
    expect(() => audioFingerprint(new Float32Array(100), RATE)).toThrow(/shorter than one/);
  });
});
