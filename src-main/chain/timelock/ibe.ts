import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBigintBE, concat, xor } from './bytes.js';
import { type G1Point, type G2Point, identityPoint } from './drand.js';
import { TimelockError } from './errors.js';
import { serializeGt } from './gt.js';

/** The IBE header (tle `Ciphertext`): U on G2, V and W 32 bytes each. */
export interface IbeHeader {
  u: G2Point;
  v: Uint8Array;
  w: Uint8Array;
}

const Fr = bls12_381.fields.Fr;
const G2_BASE = bls12_381.G2.Point.BASE;

/** H3: r = SHA-256(sigma ‖ msg) read as a big-endian integer, reduced mod q. */
function h3(sigma: Uint8Array, message: Uint8Array): bigint {
  return Fr.create(bytesToBigintBE(sha256(concat(sigma, message))));
}

/** H2: SHA-256 of the arkworks serialization of a GT element. */
function h2(g1: G1Point, g2: G2Point): Uint8Array {
  return sha256(serializeGt(bls12_381.pairing(g1, g2)));
}

/**
 * Boneh–Franklin FullIdent as in tle (TinyBLS381): encapsulates the 32-byte `message` (the AES key) for the
 * identity of `round` under `publicKey`. `sigma` is 32 random bytes. One pairing.
 */
export function ibeEncrypt(publicKey: G2Point, round: bigint, message: Uint8Array, sigma: Uint8Array): IbeHeader {
  if (message.length !== 32) throw new TimelockError('invalid-input', 'IBE message must be 32 bytes');
  if (sigma.length !== 32) throw new TimelockError('invalid-input', 'sigma must be 32 bytes');
  const r = h3(sigma, message);
  if (r === 0n) throw new TimelockError('invalid-input', 'sigma yields r = 0; draw another sigma');
  const u = G2_BASE.multiply(r);
  const v = xor(sigma, h2(identityPoint(round), publicKey.multiply(r)));
  const w = xor(message, sha256(sigma));
  return { u, v, w };
}

/**
 * Opens an IBE header with the round's signature (sk·Qid). Throws `wrong-signature` when the
 * consistency check r·G2gen == U fails, i.e. the signature is for another round or another key. One pairing.
 */
export function ibeDecrypt(header: IbeHeader, signature: G1Point): Uint8Array {
  if (header.v.length !== 32 || header.w.length !== 32) {
    throw new TimelockError('malformed-commit', 'IBE header: V and W must be 32 bytes');
  }
  if (header.u.is0() || signature.is0()) {
    throw new TimelockError('malformed-commit', 'IBE header or signature is the point at infinity');
  }
  const sigma = xor(header.v, h2(signature, header.u));
  const message = xor(header.w, sha256(sigma));
  const r = h3(sigma, message);
  if (r === 0n || !G2_BASE.multiply(r).equals(header.u)) {
    throw new TimelockError(
      'wrong-signature',
      'timelock decryption failed: the signature does not open this ciphertext (wrong round, wrong key, or corrupted U/V/W)',
    );
  }
  return message;
}
