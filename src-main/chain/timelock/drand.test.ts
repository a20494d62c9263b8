import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.js';
import {
  QUICKNET,
  QUICKNET_DST,
  currentRoundAt,
  identityPoint,
  roundMessage,
  roundPublishedAt,
  verifyRoundSignature,
} from './drand.js';
import { TimelockError } from './errors.js';
import { QID_1000, ROUND_1000_SIGNATURE, ROUND_2000_SIGNATURE } from './test-vectors.js';

describe('drand quicknet (§1, §7.1, §7.2)', () => {
  it('signs SHA-256 of the round as a big-endian u64', () => {
    expect(toHex(roundMessage(1000n))).toBe(toHex(sha256(Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe8))));
    expect(toHex(roundMessage(1000))).toBe(toHex(roundMessage(1000n)));
  });

  it('Qid(1000) matches the arkworks point (§7.2)', () => {
    expect(toHex(identityPoint(1000n).toBytes(true))).toBe(QID_1000);
  });

  it('verifies the real quicknet signatures for rounds 1000 and 2000 (§7.1)', () => {
    expect(verifyRoundSignature(1000n, ROUND_1000_SIGNATURE)).toBe(true);
    expect(verifyRoundSignature(2000n, ROUND_2000_SIGNATURE)).toBe(true);
  });

  it('rejects a signature for another round, and the G2-DST variant', () => {
    expect(verifyRoundSignature(1001n, ROUND_1000_SIGNATURE)).toBe(false);
    const wrongDst = bls12_381.G1.hashToCurve(roundMessage(2000n), {
      DST: 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_',
    });
    expect(
      bls12_381.shortSignatures.verify(hexToBytes(ROUND_2000_SIGNATURE), wrongDst, hexToBytes(QUICKNET.publicKey)),
    ).toBe(false);
    expect(QUICKNET_DST).toBe('BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_');
  });

  it('throws a clear error for bytes that are not a signature', () => {
    const notAPoint = 'ff'.repeat(48);
    expect(() => verifyRoundSignature(1000n, notAPoint)).toThrow(TimelockError);
    expect(() => verifyRoundSignature(1000n, notAPoint)).toThrow(/drand signature rejected/);
    expect(() => verifyRoundSignature(1000n, ROUND_1000_SIGNATURE.slice(2))).toThrow(/expected 48 bytes/);
    expect(() => verifyRoundSignature(1000n, 'c0' + '00'.repeat(47))).toThrow(/infinity/);
    expect(() => verifyRoundSignature(-1n, ROUND_1000_SIGNATURE)).toThrow(/round/);
  });

  it('maps rounds to time like drand (round r at genesis + (r − 1)·3)', () => {
    expect(roundPublishedAt(1n)).toBe(QUICKNET.genesisTime);
    expect(roundPublishedAt(1000n)).toBe(QUICKNET.genesisTime + 2997);
    expect(currentRoundAt(QUICKNET.genesisTime)).toBe(1n);
    expect(currentRoundAt(QUICKNET.genesisTime + 2.999)).toBe(1n);
    expect(currentRoundAt(QUICKNET.genesisTime + 3)).toBe(2n);
    expect(currentRoundAt(QUICKNET.genesisTime - 1)).toBe(0n);
    expect(currentRoundAt(roundPublishedAt(32340463n))).toBe(32340463n);
  });
});
