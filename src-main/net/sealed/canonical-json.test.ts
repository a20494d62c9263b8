import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalNumber, type CanonicalJson } from './canonical-json.js';
import { SealedError } from './errors.js';

describe('canonical JSON (RFC 8785 rules)', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(
      canonicalJson({ text_input: 'x', duration: 755, model_name: null, nested: { b: [1, { z: 1, a: 2 }], a: true } }),
    ).toBe('{"duration":755,"model_name":null,"nested":{"a":true,"b":[1,{"a":2,"z":1}]},"text_input":"x"}');
  });

  it('sorts by UTF-16 code units, so upper case comes before lower case and é after z', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, a: 4 })).toBe('{"Z":3,"a":4,"z":2,"é":1}');
  });

  it('escapes strings as JSON.stringify does and keeps other characters as they are', () => {
    expect(canonicalJson('a"b\\c\n\u0001é🎵')).toBe('"a\\"b\\\\c\\n\\u0001é🎵"');
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
  });

  it('writes numbers in the shortest ECMAScript form, -0 as 0', () => {
    expect([1, 1.5, -0, 1e21, 1e-7, 0.1, 123456789012345680, 2 ** 53].map(canonicalNumber)).toEqual([
      '1',
      '1.5',
      '0',
      '1e+21',
      '1e-7',
      '0.1',
      '123456789012345680',
      '9007199254740992',
    ]);
  });

  it('refuses NaN and the infinities', () => {
    for (const value of [NaN, Infinity, -Infinity]) {
      expect(() => canonicalJson(value)).toThrow(SealedError);
    }
  });

  // Property runs are CPU work a busy machine may take past the default 5 s for; the limit is not the point.
  it('is a fixed point: parsing and writing again gives the same text', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (value) => {
        const text = canonicalJson(value as CanonicalJson);
        expect(canonicalJson(JSON.parse(text) as CanonicalJson)).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
