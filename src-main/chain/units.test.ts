import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTao, parseTao } from './units.js';

describe('TAO units', () => {
  it('formats rao as TAO without floats', () => {
    expect(formatTao(1_500_000_000n)).toBe('1.5');
    expect(formatTao(1n)).toBe('0.000000001');
    expect(formatTao(0n)).toBe('0');
    expect(formatTao(21_000_000n * 1_000_000_000n)).toBe('21000000');
    expect(formatTao(-250_000_000n)).toBe('-0.25');
  });

  it('parses TAO text and refuses what it cannot represent', () => {
    expect(parseTao('0.25')).toBe(250_000_000n);
    expect(parseTao('3')).toBe(3_000_000_000n);
    expect(() => parseTao('0.0000000001')).toThrow(/up to 9 decimals/);
    expect(() => parseTao('-1')).toThrow();
    expect(() => parseTao('1e9')).toThrow();
  });

  it('round-trips every non-negative amount', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n }), (rao) => parseTao(formatTao(rao)) === rao));
  });
});
