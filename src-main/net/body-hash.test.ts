import { describe, expect, it } from 'vitest';
import { keccakAsHex } from '@polkadot/util-crypto';
import { MusicGenerationSynapse, musicGeneration } from '../../src-shared/synapse/music-generation.js';
import type { HashField } from '../../src-shared/synapse/synapse.js';
import { computeBodyHash, sha3_256Hex } from './body-hash.js';
import { EMPTY_BODY_HASH } from './constants.js';
import { pythonFloatRepr, pythonRepr, pythonStr, pythonStringRepr } from './python-text.js';
import { TV1, TV2 } from './testing/wire-vectors.js';

describe('TV-1: SHA3-256, not Keccak', () => {
  it('hashes the empty string to the SN50 body hash', () => {
    expect(sha3_256Hex('')).toBe(TV1.sha3_256Empty);
    expect(EMPTY_BODY_HASH).toBe(TV1.sha3_256Empty);
    expect(keccakAsHex('', 256).slice(2)).toBe(TV1.keccak256Empty);
    expect(TV1.keccak256Empty).not.toBe(sha3_256Hex(''));
  });

  it('gives MusicGeneration the constant hash whatever it holds', () => {
    const a = musicGeneration({ text_input: 'a', duration: 755 });
    const b = musicGeneration({ text_input: 'something else', duration: 1510, music_output: [0.5] });
    expect(computeBodyHash(MusicGenerationSynapse, a)).toBe(TV1.sha3_256Empty);
    expect(computeBodyHash(MusicGenerationSynapse, b)).toBe(TV1.sha3_256Empty);
  });
});

describe('TV-2: body hash over required_hash_fields', () => {
  const fields: HashField[] = [
    { name: 'prompt', type: 'str' },
    { name: 'seed', type: 'int' },
    { name: 'weights', type: { list: 'float' } },
    { name: 'flags', type: { dict: 'any' } },
  ];

  it('writes each value as Python str() does', () => {
    expect(pythonStr(TV2.values.prompt, 'str')).toBe(TV2.texts.prompt);
    expect(pythonStr(TV2.values.seed, 'int')).toBe(TV2.texts.seed);
    expect(pythonStr(TV2.values.weights, { list: 'float' })).toBe(TV2.texts.weights);
    expect(pythonStr(TV2.values.flags, { dict: 'any' })).toBe(TV2.texts.flags);
  });

  it('hashes each field and then the concatenation', () => {
    for (const field of fields) {
      const key = field.name as keyof typeof TV2.fieldHashes;
      expect(sha3_256Hex(pythonStr(TV2.values[key], field.type)), field.name).toBe(TV2.fieldHashes[key]);
    }
    expect(computeBodyHash({ hashFields: fields }, TV2.values)).toBe(TV2.bodyHash);
  });
});

describe('Python float repr (wire-protocol §3.6.2 table)', () => {
  it.each([
    [1.0, '1.0'],
    [1e-5, '1e-05'],
    [1e-7, '1e-07'],
    [1e16, '1e+16'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [3.0517578125e-5, '3.0517578125e-05'],
    [-0.0, '-0.0'],
    [0.0001, '0.0001'],
    [123.456, '123.456'],
    [1e15, '1000000000000000.0'],
    [200, '200.0'],
    [12.5, '12.5'],
    [0.1, '0.1'],
    [-2.5e-10, '-2.5e-10'],
    [1.5e300, '1.5e+300'],
    [Infinity, 'inf'],
    [Number.NaN, 'nan'],
  ])('%s → %s', (value, text) => {
    expect(pythonFloatRepr(value)).toBe(text);
  });
});

describe('Python string repr', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", '"it\'s"'],
    ['both \' and "', "'both \\' and \"'"],
    ['tab\there\nnew', "'tab\\there\\nnew'"],
    ['back\\slash', "'back\\\\slash'"],
    ['\u0007bell', "'\\x07bell'"],
    ['héllo ✓', "'héllo ✓'"],
    ['\u200b', "'\\u200b'"],
  ])('%j → %s', (value, text) => {
    expect(pythonStringRepr(value)).toBe(text);
  });

  it('writes lists, dicts, None and booleans as Python does', () => {
    expect(pythonRepr(['a', 1, 2.5, null, true], 'any')).toBe("['a', 1, 2.5, None, True]");
    expect(pythonRepr({ k: [1, 2] }, 'any')).toBe("{'k': [1, 2]}");
    expect(pythonRepr(1717171717123456789n, 'int')).toBe('1717171717123456789');
    expect(pythonRepr([1, 2], { list: 'float' })).toBe('[1.0, 2.0]');
  });
});
