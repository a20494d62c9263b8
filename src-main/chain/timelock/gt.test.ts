import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concat, toHex } from './bytes.js';
import { serializeGt } from './gt.js';
import { GT_GENERATOR_FIRST_96, GT_GENERATOR_SHA256 } from './test-vectors.js';

describe('GT serialization (§2.5, §7.2)', () => {
  const gt = bls12_381.pairing(bls12_381.G1.Point.BASE, bls12_381.G2.Point.BASE);
  const bytes = serializeGt(gt);

  it('hashes e(G1gen, G2gen) like arkworks 0.4', () => {
    expect(bytes.length).toBe(576);
    expect(toHex(sha256(bytes))).toBe(GT_GENERATOR_SHA256);
    expect(toHex(bytes.subarray(0, 96))).toBe(GT_GENERATOR_FIRST_96);
  });

  it("equals noble's Fp12.toBytes with each 48-byte coefficient reversed", () => {
    const noble = bls12_381.fields.Fp12.toBytes(gt);
    const chunks = Array.from({ length: 12 }, (_, i) => noble.slice(i * 48, (i + 1) * 48).reverse());
    expect(toHex(concat(...chunks))).toBe(toHex(bytes));
  });

  it('writes the one element as 1 followed by zeros', () => {
    const one = serializeGt(bls12_381.fields.Fp12.ONE);
    expect(one[0]).toBe(1);
    expect(one.subarray(1).every((b) => b === 0)).toBe(true);
  });
});
