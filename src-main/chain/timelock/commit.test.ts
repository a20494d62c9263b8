import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.js';
import { type BuildTimelockedCommitInput, buildTimelockedCommit, openTimelockedCommit } from './commit.js';
import { QUICKNET } from './drand.js';
import { TimelockError } from './errors.js';
import { KAT2, ROUND_2000_SIGNATURE, localBeacon } from './test-vectors.js';
import { tlockDecrypt } from './tlock.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof TimelockError) return error.code;
    throw error;
  }
  return 'no error';
}

/** Chain values of the §4.1 worked example: 212 blocks (2544 s) until the target block. */
const chain = {
  netuid: 1,
  currentBlock: 5_000_000,
  tempo: 360,
  subnetRevealPeriodEpochs: 1,
  blockTimeSeconds: 12,
  commitRevealVersion: 4,
} as const;

describe('buildTimelockedCommit', () => {
  it('end to end reproduces KAT-2 for round 2000 with the quicknet key and opens with the real signature', () => {
    const result = buildTimelockedCommit({
      ...chain,
      nowSeconds: QUICKNET.genesisTime + 2000 * 3 - 2544 + 0.5,
      hotkeyPublicKey: KAT2.hotkey,
      uids: KAT2.uids,
      weights: KAT2.values,
      versionKey: KAT2.versionKey,
      randomness: { esk: KAT2.esk, sigma: KAT2.sigma, nonce: KAT2.nonce },
    });
    expect(result.revealRound).toBe(2000n);
    expect(toHex(result.payload)).toBe(KAT2.payload);
    expect(toHex(result.commit)).toBe(KAT2.commit);
    expect(result.netuidIndex).toBe(1);
    expect(result.call.argsInOrder).toEqual([1, 0, result.commit, 2000n, 4]);
    const opened = openTimelockedCommit(result.commit, ROUND_2000_SIGNATURE, KAT2.hotkey);
    expect(opened.uids).toEqual(KAT2.uids);
    expect(opened.values).toEqual(KAT2.values);
  });

  const beacon = localBeacon(3);
  const hotkey = '2a'.repeat(32);
  const input: BuildTimelockedCommitInput = {
    ...chain,
    netuid: 50,
    mecid: 1,
    nowSeconds: 1_790_000_000,
    hotkeyPublicKey: hotkey,
    uids: [0, 5, 9],
    weights: [65535, 100, 7],
    versionKey: 1_002_003,
    beaconPublicKey: beacon.publicKey,
  };
  const built = buildTimelockedCommit(input);

  it('round-trips through a local beacon and checks the hotkey', () => {
    expect(built.netuidIndex).toBe(4096 + 50);
    expect(built.call.args.mecid).toBe(1);
    expect(built.commit.length).toBe(built.payload.length + 244);
    const sig = beacon.sign(built.revealRound);
    expect(openTimelockedCommit(built.commit, sig, hotkey)).toEqual({
      hotkey: new Uint8Array(32).fill(0x2a),
      uids: [0, 5, 9],
      values: [65535, 100, 7],
      versionKey: 1_002_003n,
    });
    expect(codeOf(() => openTimelockedCommit(built.commit, sig, '2b'.repeat(32)))).toBe('malformed-payload');
    expect(codeOf(() => openTimelockedCommit(built.commit, beacon.sign(built.revealRound - 1n)))).toBe(
      'wrong-signature',
    );
  });

  it('fuzz: a corrupted commit never decrypts and always fails with a TimelockError', () => {
    const sig = beacon.sign(built.revealRound);
    fc.assert(
      fc.property(fc.nat({ max: built.commit.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const bad = built.commit.slice();
        bad[at] = (bad[at] ?? 0) ^ mask;
        expect(codeOf(() => tlockDecrypt(bad, sig))).not.toBe('no error');
      }),
      { numRuns: 12, seed: 99 },
    );
  });

  it('refuses what the chain would reject or silently drop', () => {
    expect(codeOf(() => buildTimelockedCommit({ ...input, commitRevealVersion: 5 }))).toBe(
      'unsupported-commit-reveal-version',
    );
    expect(codeOf(() => buildTimelockedCommit({ ...input, hotkeyPublicKey: 'aa' }))).toBe('invalid-input');
    expect(codeOf(() => buildTimelockedCommit({ ...input, uids: [1, 1, 2] }))).toBe('invalid-input');
    expect(codeOf(() => buildTimelockedCommit({ ...input, currentBlock: 5_000_204, netuid: 1, mecid: 0 }))).toBe(
      'near-epoch-boundary',
    );
    expect(codeOf(() => buildTimelockedCommit({ ...input, lastStoredRound: 10n ** 12n }))).toBe(
      'reveal-round-rejected',
    );
    const many = Array.from({ length: 1178 }, (_, i) => i);
    expect(codeOf(() => buildTimelockedCommit({ ...input, uids: many, weights: many.map(() => 1) }))).toBe(
      'commit-too-large',
    );
  });

  it('accepts the largest commit the chain allows (1177 weights, 4997 bytes)', () => {
    const uids = Array.from({ length: 1177 }, (_, i) => i);
    const result = buildTimelockedCommit({ ...input, uids, weights: uids.map((u) => u + 1) });
    expect(result.commit.length).toBe(4997);
  });
});
