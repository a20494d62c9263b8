import { describe, expect, it } from 'vitest';
import { firstNonFinite, halfToFloat, peak, peakNormalize, tensorToFloat32 } from './samples.js';

describe('tensorToFloat32', () => {
  it('takes one batch row of a float32 [batch, 1, samples] tensor as a copy', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const tensor = { type: 'float32', dims: [2, 1, 3], data };
    const row1 = tensorToFloat32(tensor, 1);
    expect([...row1]).toEqual([4, 5, 6]);
    row1[0] = 9;
    expect(data[3]).toBe(4);
    expect([...tensorToFloat32(tensor)]).toEqual([1, 2, 3]);
    expect(() => tensorToFloat32(tensor, 2)).toThrow(/outside the batch of 2/);
  });

  it('decodes float16 bits (an fp16 EnCodec output)', () => {
    // 0x3c00 = 1, 0xb800 = -0.5, 0x0001 = 2^-24, 0x7bff = 65504, 0x0000 = 0
    const tensor = { type: 'float16', dims: [1, 1, 5], data: Uint16Array.from([0x3c00, 0xb800, 0x0001, 0x7bff, 0]) };
    expect([...tensorToFloat32(tensor)]).toEqual([1, -0.5, 2 ** -24, 65504, 0]);
  });

  it('refuses other tensor types', () => {
    expect(() => tensorToFloat32({ type: 'int64', dims: [1, 1], data: new BigInt64Array(1) })).toThrow(
      /float32 or float16/,
    );
  });
});

describe('halfToFloat', () => {
  it('handles infinities and NaN', () => {
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });
});

describe('peakNormalize', () => {
  it('scales the loudest finite sample to the target and zeroes non-finite samples', () => {
    const out = peakNormalize(Float32Array.from([0.1, -0.5, Number.NaN, 0.25]), 1);
    expect([...out]).toEqual([Math.fround(0.2), -1, 0, 0.5]);
    expect(peak(out)).toBe(1);
  });

  it('leaves silence silent and defaults to a 0.99 peak', () => {
    expect([...peakNormalize(new Float32Array(3))]).toEqual([0, 0, 0]);
    expect(peak(peakNormalize(Float32Array.from([0.001, -0.002])))).toBeCloseTo(0.99, 6);
    expect(() => peakNormalize(new Float32Array(1), 0)).toThrow(RangeError);
  });

  it('finds the first non-finite sample', () => {
    expect(firstNonFinite(Float32Array.from([0, 1, Infinity, Number.NaN]))).toBe(2);
    expect(firstNonFinite(Float32Array.from([0, 1]))).toBe(-1);
  });
});
