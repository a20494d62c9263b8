import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import type { Fp2 } from '@noble/curves/abstract/tower.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type BytesLike, toBytes, toInteger, u64Bytes, U64_RANGE } from './bytes.js';
import { TimelockError } from './errors.js';

export type G1Point = WeierstrassPoint<bigint>;
export type G2Point = WeierstrassPoint<Fp2>;

/** drand "quicknet" (unchained, signatures on G1), the beacon the Bittensor chain stores in `Drand.Pulses`. */
export const QUICKNET = {
  chainHash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
  publicKey:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  genesisTime: 1692803367,
  periodSeconds: 3,
  schemeId: 'bls-unchained-g1-rfc9380',
  groupHash: 'f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e',
  beaconId: 'quicknet',
} as const;

/** RFC 9380 domain separation tag for hashing round messages onto G1 (quicknet). */
export const QUICKNET_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

/** Decodes a compressed G2 point (96 bytes, zcash encoding); checks curve and subgroup, rejects infinity. */
export function decodeG2(value: BytesLike, label: string): G2Point {
  const bytes = toBytes(value, label, 96);
  let point: G2Point;
  try {
    point = bls12_381.G2.Point.fromBytes(bytes);
  } catch (cause) {
    throw new TimelockError('invalid-point', `${label}: not a valid compressed G2 point`, { cause });
  }
  if (point.is0()) throw new TimelockError('invalid-point', `${label}: is the point at infinity`);
  return point;
}

/** Decodes a compressed G1 point (48 bytes, zcash encoding); checks curve and subgroup, rejects infinity. */
export function decodeG1(value: BytesLike, label: string): G1Point {
  const bytes = toBytes(value, label, 48);
  let point: G1Point;
  try {
    point = bls12_381.G1.Point.fromBytes(bytes);
  } catch (cause) {
    throw new TimelockError('invalid-point', `${label}: not a valid compressed G1 point`, { cause });
  }
  if (point.is0()) throw new TimelockError('invalid-point', `${label}: is the point at infinity`);
  return point;
}

let quicknetKey: G2Point | undefined;

/** The quicknet public key as a G2 point (decoded once). */
export function quicknetPublicKey(): G2Point {
  quicknetKey ??= decodeG2(QUICKNET.publicKey, 'quicknet public key');
  return quicknetKey;
}

function toRound(round: bigint | number): bigint {
  return toInteger(round, 'round', U64_RANGE.min, U64_RANGE.max);
}

/** The message drand signs for `round` and the IBE identity: SHA-256 of the round as a big-endian u64. */
export function roundMessage(round: bigint | number): Uint8Array {
  return sha256(u64Bytes(toRound(round), false));
}

/** Qid: the round message hashed onto G1 (RFC 9380, quicknet DST). A round's signature is sk·Qid. */
export function identityPoint(round: bigint | number): G1Point {
  return bls12_381.G1.hashToCurve(roundMessage(round), { DST: QUICKNET_DST });
}

/**
 * Checks a drand round signature: e(sig, G2gen) == e(Qid(round), publicKey). Two pairings.
 * Returns false for a well-formed signature that does not verify; throws `invalid-signature` for bytes that
 * are not a G1 point at all.
 */
export function verifyRoundSignature(
  round: bigint | number,
  signature: BytesLike,
  publicKey: BytesLike | G2Point = QUICKNET.publicKey,
): boolean {
  const sig = decodeSignature(signature);
  const pk =
    typeof publicKey === 'string' || publicKey instanceof Uint8Array ? decodeG2(publicKey, 'public key') : publicKey;
  return bls12_381.shortSignatures.verify(sig, identityPoint(round), pk);
}

/** A drand round signature (48-byte compressed G1), with a `invalid-signature` error when it is not one. */
export function decodeSignature(signature: BytesLike): G1Point {
  try {
    return decodeG1(signature, 'signature');
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new TimelockError('invalid-signature', `drand signature rejected: ${detail}`, { cause });
  }
}

/** drand timing parameters; defaults to quicknet. */
export interface DrandTiming {
  genesisTime: number;
  periodSeconds: number;
}

export const QUICKNET_TIMING: DrandTiming = {
  genesisTime: QUICKNET.genesisTime,
  periodSeconds: QUICKNET.periodSeconds,
};

/** Unix time (seconds) at which drand publishes `round` (round 1 at genesis). */
export function roundPublishedAt(round: bigint, timing: DrandTiming = QUICKNET_TIMING): number {
  return timing.genesisTime + Number(round - 1n) * timing.periodSeconds;
}

/** The latest round published at unix time `seconds` (drand semantics: floor((t − genesis)/period) + 1). */
export function currentRoundAt(seconds: number, timing: DrandTiming = QUICKNET_TIMING): bigint {
  if (seconds < timing.genesisTime) return 0n;
  return BigInt(Math.floor((seconds - timing.genesisTime) / timing.periodSeconds)) + 1n;
}
