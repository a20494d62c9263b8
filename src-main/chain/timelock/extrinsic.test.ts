import { describe, expect, it } from 'vitest';
import { toBytes, toHex } from './bytes.js';
import { TimelockError } from './errors.js';
import {
  MAX_COMMIT_BYTES,
  commitTimelockedMechanismWeightsCall,
  encodeCommitCallData,
  parseCommitCallData,
} from './extrinsic.js';
import { MAINNET_CALL } from './test-vectors.js';

const callData = toBytes(MAINNET_CALL.callData, 'call');

describe('commit_timelocked_mechanism_weights (§5)', () => {
  it('parses the real mainnet call (§7.4) and re-encodes it byte for byte', () => {
    const args = parseCommitCallData(callData);
    expect(args.netuid).toBe(MAINNET_CALL.netuid);
    expect(args.mecid).toBe(MAINNET_CALL.mecid);
    expect(args.commit.length).toBe(MAINNET_CALL.commitLength);
    expect(args.revealRound).toBe(MAINNET_CALL.revealRound);
    expect(args.commitRevealVersion).toBe(MAINNET_CALL.commitRevealVersion);
    expect(toHex(encodeCommitCallData(args))).toBe(MAINNET_CALL.callData);
  });

  it('describes the call for polkadot.js in argument order', () => {
    const commit = new Uint8Array(300);
    const call = commitTimelockedMechanismWeightsCall({
      netuid: 50,
      mecid: 0,
      commit,
      revealRound: 123n,
      commitRevealVersion: 4,
    });
    expect(call.section).toBe('subtensorModule');
    expect(call.method).toBe('commitTimelockedMechanismWeights');
    expect(call.callName).toBe('commit_timelocked_mechanism_weights');
    expect(call.argsInOrder).toEqual([50, 0, commit, 123n, 4]);
  });

  it('enforces argument ranges and the 5000-byte bound', () => {
    const ok = { netuid: 50, mecid: 0, commit: new Uint8Array(10), revealRound: 1n, commitRevealVersion: 4 };
    expect(() => commitTimelockedMechanismWeightsCall({ ...ok, commit: new Uint8Array(MAX_COMMIT_BYTES + 1) })).toThrow(
      expect.objectContaining({ code: 'commit-too-large' }),
    );
    expect(() =>
      commitTimelockedMechanismWeightsCall({ ...ok, commit: new Uint8Array(MAX_COMMIT_BYTES) }),
    ).not.toThrow();
    expect(() => commitTimelockedMechanismWeightsCall({ ...ok, netuid: 65_536 })).toThrow(/netuid/);
    expect(() => commitTimelockedMechanismWeightsCall({ ...ok, mecid: 256 })).toThrow(/mecid/);
    expect(() => commitTimelockedMechanismWeightsCall({ ...ok, revealRound: 2n ** 64n })).toThrow(/revealRound/);
    expect(() => encodeCommitCallData({ ...ok, commitRevealVersion: -1 })).toThrow(/commitRevealVersion/);
  });

  it('rejects truncated, padded or foreign call data with a clear error', () => {
    for (const n of [0, 1, 2, 4, 5, 6, 100, callData.length - 3, callData.length - 1]) {
      expect(() => parseCommitCallData(callData.subarray(0, n)), `length ${n}`).toThrow(TimelockError);
    }
    expect(() => parseCommitCallData(Uint8Array.of(...callData, 0))).toThrow(/1 trailing bytes/);
    expect(() => parseCommitCallData(Uint8Array.of(0x07, 0x71, ...callData.subarray(2)))).toThrow(/call index 7\/113/);
  });
});
