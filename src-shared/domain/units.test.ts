import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatAlpha,
  formatAmount,
  formatTao,
  isRaoString,
  parseTao,
  RAO_PER_TAO,
  raoFromWire,
  raoToWire,
  U64_MAX,
} from './units.js';
import { RaoStringSchema } from '../schemas/network.js';

describe('formatting rao as TAO and alpha', () => {
  it('is exact, without floats, with trailing zeros trimmed', () => {
    expect(formatTao(0n)).toBe('0');
    expect(formatTao(1n)).toBe('0.000000001');
    expect(formatTao(1_500_000_000n)).toBe('1.5');
    expect(formatTao(21_000_000n * RAO_PER_TAO)).toBe('21000000');
    expect(formatTao(-250_000_000n)).toBe('-0.25');
    // 2^53 + 1 rao is where a float would already be wrong.
    expect(formatTao(9_007_199_254_740_993n)).toBe('9007199.254740993');
    expect(formatTao(U64_MAX)).toBe('18446744073.709551615');
    expect(formatAlpha(123n)).toBe('0.000000123');
  });

  it('rounds half away from zero to fewer decimals', () => {
    expect(formatTao(1_234_500_000n, { maxDecimals: 4 })).toBe('1.2345');
    expect(formatTao(1_234_550_000n, { maxDecimals: 4 })).toBe('1.2346');
    expect(formatTao(1_234_549_999n, { maxDecimals: 4 })).toBe('1.2345');
    expect(formatTao(999_999_999n, { maxDecimals: 2 })).toBe('1');
    expect(formatTao(-1_005_000_000n, { maxDecimals: 2 })).toBe('-1.01');
    expect(formatTao(1n, { maxDecimals: 4 })).toBe('0');
    // Rounding a tiny negative to zero does not print "-0".
    expect(formatTao(-1n, { maxDecimals: 4 })).toBe('0');
    expect(formatTao(U64_MAX, { maxDecimals: 0 })).toBe('18446744074');
    expect(() => formatTao(1n, { maxDecimals: 10 })).toThrow(/0 to 9/);
    expect(() => formatTao(1n, { maxDecimals: 1.5 })).toThrow(/0 to 9/);
  });

  it('puts the unit sign before the number', () => {
    expect(formatAmount(1_500_000_000n, 'tao')).toBe('τ1.5');
    expect(formatAmount(250_000_000n, 'alpha')).toBe('α0.25');
    expect(formatAmount(-250_000_000n, 'alpha', { maxDecimals: 1 })).toBe('-α0.3');
  });
});

describe('parsing TAO text', () => {
  it('reads whole numbers, decimals and a leading unit sign', () => {
    expect(parseTao('0')).toBe(0n);
    expect(parseTao('0.000000001')).toBe(1n);
    expect(parseTao('0.25')).toBe(250_000_000n);
    expect(parseTao('.5')).toBe(500_000_000n);
    expect(parseTao(' 3 ')).toBe(3_000_000_000n);
    expect(parseTao('τ1.5')).toBe(1_500_000_000n);
    expect(parseTao('α 2')).toBe(2_000_000_000n);
    expect(parseTao('18446744073.709551615')).toBe(U64_MAX);
  });

  it('refuses what it cannot represent exactly, with the text in the message', () => {
    for (const bad of [
      '',
      ' ',
      '.',
      '1.',
      '-1',
      '+1',
      '1e9',
      '1,5',
      '1_000',
      '0x10',
      'NaN',
      'Infinity',
      '1.2.3',
      'abc',
    ]) {
      expect(() => parseTao(bad), bad).toThrow(/is not an amount of TAO/);
    }
    expect(() => parseTao('0.0000000001')).toThrow(/up to 9 decimals/);
    expect(() => parseTao('18446744073.709551616')).toThrow(/more than a chain balance can hold/);
  });

  it('round-trips every amount a chain balance holds', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), (rao) => parseTao(formatTao(rao)) === rao));
  });
});

describe('rao on the wire', () => {
  it('is a decimal string both ways, the same strings the schema accepts', () => {
    expect(raoToWire(0n)).toBe('0');
    expect(raoToWire(U64_MAX)).toBe('18446744073709551615');
    expect(raoFromWire('18446744073709551615')).toBe(U64_MAX);
    expect(raoFromWire('0')).toBe(0n);
    expect(() => raoToWire(-1n)).toThrow(/not negative/);
    for (const bad of ['', '-1', '1.5', '1e3', ' 1', '0x1', '1'.repeat(31)]) {
      expect(() => raoFromWire(bad), bad).toThrow(/not an amount in rao/);
      expect(isRaoString(bad)).toBe(false);
      expect(RaoStringSchema.safeParse(bad).success).toBe(false);
    }
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n - 1n }), (rao) => {
        const wire = raoToWire(rao);
        return RaoStringSchema.safeParse(wire).success && raoFromWire(wire) === rao;
      }),
    );
  });
});
