import { describe, expect, it } from 'vitest';
import { alphaToTaoRao, formatRao, parseRao, raoToNumber } from './rao.js';

describe('formatRao', () => {
  it('shows whole units with grouped thousands and trims trailing zeros', () => {
    expect(formatRao('1500000000')).toBe('1.5 TAO');
    expect(formatRao('1234567800000000')).toBe('1,234,567.8 TAO');
    expect(formatRao('0')).toBe('0 TAO');
    expect(formatRao(2_000_000_000n, { unit: 'alpha' })).toBe('2 α');
  });

  it('cuts decimals instead of rounding up, so an amount is never overstated', () => {
    expect(formatRao('1999999999')).toBe('1.9999 TAO');
    expect(formatRao('1999999999', { maxDecimals: 9 })).toBe('1.999999999 TAO');
    expect(formatRao('1999999999', { maxDecimals: 0 })).toBe('1 TAO');
  });

  it('says "less than" for a non-zero amount below the shown precision', () => {
    expect(formatRao('1')).toBe('< 0.0001 TAO');
    expect(formatRao('99999', { unit: 'alpha' })).toBe('< 0.0001 α');
    expect(formatRao('1', { maxDecimals: 0 })).toBe('< 1 TAO');
    expect(formatRao(-1n)).toBe('> -0.0001 TAO');
    expect(formatRao(-1_500_000_000n)).toBe('-1.5 TAO');
  });

  it('keeps u64 amounts exact, beyond what a float holds', () => {
    expect(formatRao('18446744073709551615', { maxDecimals: 9 })).toBe('18,446,744,073.709551615 TAO');
  });

  it('refuses text that is not a rao amount, and bad precision', () => {
    expect(() => formatRao('1.5')).toThrow(/not an amount in rao/);
    expect(() => formatRao('-3')).toThrow(/not an amount in rao/);
    expect(() => parseRao('')).toThrow(/not an amount in rao/);
    expect(() => formatRao('1', { maxDecimals: 10 })).toThrow(/maxDecimals/);
  });
});

describe('raoToNumber', () => {
  it('gives whole units as a float for charts', () => {
    expect(raoToNumber('1500000000')).toBe(1.5);
    expect(raoToNumber('123')).toBeCloseTo(1.23e-7, 15);
  });
});

describe('alphaToTaoRao', () => {
  it('values alpha at a price in TAO rao per alpha, exactly past 2^53, rounding down (chain §3)', () => {
    expect(alphaToTaoRao('1500000000', '20000000')).toBe(30_000_000n);
    expect(alphaToTaoRao(18_446_744_073_709_551_615n, 1_000_000_000n)).toBe(18_446_744_073_709_551_615n);
    expect(alphaToTaoRao('3', '333333333')).toBe(0n);
    expect(() => alphaToTaoRao('1', '-5')).toThrow(/not an amount in rao/);
  });
});
