import { describe, expect, it } from 'vitest';
import { levelsOf } from './levels-of.js';

describe('levelsOf', () => {
  it('measures every channel of a decoded buffer at its own sample rate', () => {
    const channels = [new Float32Array(800).fill(0.5), new Float32Array(800).fill(-0.5)];
    const levels = levelsOf({
      numberOfChannels: 2,
      sampleRate: 8000,
      getChannelData: (index) => channels[index] ?? new Float32Array(0),
    });
    expect(levels).toEqual({ peak: 0.5, maxWindowRms: 0.5 });
  });

  it('gives null when nothing was decoded', () => {
    expect(levelsOf(null)).toBeNull();
    expect(levelsOf({ numberOfChannels: 0, sampleRate: 8000, getChannelData: () => new Float32Array(0) })).toBeNull();
  });
});
