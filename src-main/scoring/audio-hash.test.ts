import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exactAudioHash, referencePeakNormalize } from './audio-hash.js';
import { MetricInputError } from './errors.js';

describe('exactAudioHash (sha256 of the peak-normalised float32 bytes, as the reference)', () => {
  it('hashes [0.5, −1, 0.25] as the little-endian float32 bytes 0x3F000000, 0xBF800000, 0x3E800000', () => {
    const bytes = Buffer.from([0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf, 0, 0, 0x80, 0x3e]);
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(exactAudioHash([0.5, -1, 0.25])).toBe(expected);
    // Peak 2: divided back to the same values, so the same key.
    expect(exactAudioHash(new Float32Array([1, -2, 0.5]))).toBe(expected);
  });

  it('divides in float32: 0.3/0.7 is the float32 quotient of the float32 inputs', () => {
    const out = referencePeakNormalize([0.3, 0.7]);
    expect(out[1]).toBe(1);
    expect(out[0]).toBe(Math.fround(Math.fround(0.3) / Math.fround(0.7)));
  });

  it('a 1-LSB change of one sample gives a different key', () => {
    const clip = new Float32Array(1000).map((_, i) => Math.sin(i / 7) * 0.8);
    const changed = clip.slice();
    const view = new DataView(changed.buffer);
    view.setUint32(400, view.getUint32(400, true) + 1, true);
    expect(changed[100]).not.toBe(clip[100]);
    expect(exactAudioHash(changed)).not.toBe(exactAudioHash(clip));
  });

  it('names silence, empty and non-finite input', () => {
    const reasonOf = (samples: number[]): string => {
      try {
        exactAudioHash(samples);
      } catch (error) {
        if (error instanceof MetricInputError) return error.reason;
      }
      return 'no error';
    };
    expect(reasonOf([0, 0, 0])).toBe('silence');
    expect(reasonOf([])).toBe('empty');
    expect(reasonOf([0.1, Number.NaN])).toBe('non_finite');
  });
});
