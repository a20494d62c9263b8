import { describe, expect, it } from 'vitest';
import { deinterleave, interleave, mean, mixToMono, removeDc } from './channels.js';

describe('deinterleave', () => {
  it('splits L R L R … into one array per channel', () => {
    const [l, r] = deinterleave(Float32Array.from([1, -1, 2, -2, 3, -3]), 2);
    expect([...(l ?? [])]).toEqual([1, 2, 3]);
    expect([...(r ?? [])]).toEqual([-1, -2, -3]);
  });

  it('refuses a partial frame or no channels', () => {
    expect(() => deinterleave(new Float32Array(5), 2)).toThrow(/whole frames of 2 channels/);
    expect(() => deinterleave(new Float32Array(4), 0)).toThrow(RangeError);
  });
});

describe('mixToMono', () => {
  it('averages the channels sample by sample', () => {
    const mono = mixToMono([
      Float32Array.from([1, 0.5, -1]),
      Float32Array.from([0, 0.5, 1]),
      Float32Array.from([0.5, 0.5, 0]),
    ]);
    expect([...mono]).toEqual([0.5, 0.5, 0]);
  });

  it('cancels a channel against its inverse, and copies a single channel', () => {
    const x = Float32Array.from([0.25, -0.75]);
    expect([...mixToMono([x, x.map((v) => -v)])]).toEqual([0, 0]);
    const one = mixToMono([x]);
    expect([...one]).toEqual([...x]);
    expect(one).not.toBe(x);
  });

  it('refuses no channels or channels of different lengths', () => {
    expect(() => mixToMono([])).toThrow(/no channels/);
    expect(() => mixToMono([new Float32Array(2), new Float32Array(3)])).toThrow(/same length/);
  });
});

describe('removeDc', () => {
  it('subtracts the mean', () => {
    const x = Float32Array.from([0.5, 0.7, 0.3, 0.5]);
    expect(mean(x)).toBeCloseTo(0.5, 7);
    const y = removeDc(x);
    expect(mean(y)).toBeCloseTo(0, 7);
    expect(y[1]).toBeCloseTo(0.2, 7);
    expect(mean(new Float32Array(0))).toBe(0);
  });
});

describe('interleave', () => {
  it('is the inverse of deinterleave', () => {
    const left = Float32Array.from([1, 2, 3]);
    const right = Float32Array.from([-1, -2, -3]);
    const frames = interleave([left, right]);
    expect([...frames]).toEqual([1, -1, 2, -2, 3, -3]);
    expect(deinterleave(frames, 2)).toEqual([left, right]);
    expect([...interleave([left])]).toEqual([1, 2, 3]);
  });
});
