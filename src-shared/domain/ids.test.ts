import { describe, expect, it } from 'vitest';
import { isU16, looksLikeSs58, parseNetuid, parseUid } from './ids.js';

describe('subnet ids and uids', () => {
  it('parses whole numbers from 0 to 65535', () => {
    expect(parseNetuid('0')).toBe(0);
    expect(parseNetuid(' 50 ')).toBe(50);
    expect(parseUid('65535')).toBe(65535);
    expect(() => parseUid('65536')).toThrow(/uid 65536 is out of range/);
    for (const bad of ['', '-1', '1.5', '1e2', '0x10', 'fifty', '123456']) {
      expect(() => parseNetuid(bad), bad).toThrow(/is not a subnet id/);
    }
    expect([0, 65535].every(isU16)).toBe(true);
    expect([-1, 65536, 1.5, Number.NaN].some(isU16)).toBe(false);
  });

  it('tells an SS58 address by its shape', () => {
    expect(looksLikeSs58('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')).toBe(true);
    expect(looksLikeSs58('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ0')).toBe(false); // 0 is not base58
    expect(looksLikeSs58('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut')).toBe(false);
    expect(looksLikeSs58('1GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')).toBe(false);
    expect(looksLikeSs58('')).toBe(false);
  });
});
