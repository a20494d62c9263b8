import type { Fp12 } from '@noble/curves/abstract/tower.js';

const COEFFICIENT_BYTES = 48;

/** The 12 base-field coefficients of an Fp12 element in arkworks order (c0.c0.c0, c0.c0.c1, …, c1.c2.c1). */
function coefficients(x: Fp12): bigint[] {
  const out: bigint[] = [];
  for (const fp6 of [x.c0, x.c1]) {
    for (const fp2 of [fp6.c0, fp6.c1, fp6.c2]) out.push(fp2.c0, fp2.c1);
  }
  return out;
}

/**
 * arkworks 0.4 `CanonicalSerialize` of a GT element: 12 coefficients, each a canonical 48-byte
 * little-endian integer, no flags or length (576 bytes). Only used inside the IBE's H2.
 */
export function serializeGt(x: Fp12): Uint8Array {
  const out = new Uint8Array(12 * COEFFICIENT_BYTES);
  coefficients(x).forEach((c, i) => {
    let v = c;
    for (let j = 0; j < COEFFICIENT_BYTES; j++) {
      out[i * COEFFICIENT_BYTES + j] = Number(v & 0xffn);
      v >>= 8n;
    }
  });
  return out;
}
