import { type BytesLike, equalBytes, toBytes } from './bytes.js';
import { ENVELOPE_OVERHEAD_BYTES } from './envelope.js';
import type { G2Point } from './drand.js';
import { TimelockError } from './errors.js';
import {
  type CommitTimelockedMechanismWeightsCall,
  MAX_COMMIT_BYTES,
  SUPPORTED_COMMIT_REVEAL_VERSION,
  commitTimelockedMechanismWeightsCall,
} from './extrinsic.js';
import { type WeightsTlockPayload, decodeWeightsPayload, encodeWeightsPayload } from './payload.js';
import {
  MECHANISM_STRIDE,
  type RevealRoundInput,
  type RevealRoundPlan,
  assertRevealRoundUsable,
  revealRoundFor,
} from './reveal-round.js';
import { type TlockRandomness, tlockDecrypt, tlockEncrypt } from './tlock.js';

export interface BuildTimelockedCommitInput extends RevealRoundInput {
  /** Raw 32-byte public key of the hotkey that will sign the extrinsic (the payload must name the signer). */
  hotkeyPublicKey: BytesLike;
  uids: readonly number[];
  /** u16 weights, already converted like the SDK's `convert_weights_and_uids_for_emit`. */
  weights: readonly number[];
  /** At least `SubtensorModule.WeightsVersionKey(netuid)`. */
  versionKey: bigint | number;
  /** `SubtensorModule.CommitRevealWeightsVersion` read from storage; only 4 is supported. */
  commitRevealVersion: number;
  /** Beacon public key; defaults to drand quicknet. Tests pass a local key. */
  beaconPublicKey?: BytesLike | G2Point;
  /** Injected randomness, for known-answer tests only. */
  randomness?: TlockRandomness;
}

export interface TimelockedCommit {
  commit: Uint8Array;
  revealRound: bigint;
  /** The SCALE plaintext that was encrypted. */
  payload: Uint8Array;
  /** How the round was chosen, with any warnings (errors throw). */
  plan: RevealRoundPlan;
  /** mecid·4096 + netuid: the key of `TimelockedWeightCommits` and of the commit/reveal events. */
  netuidIndex: number;
  /** The extrinsic to submit, signed by the hotkey. */
  call: CommitTimelockedMechanismWeightsCall;
}

/**
 * Builds a commit-reveal v4 commit: encodes the payload, chooses the reveal round, encrypts, and describes
 * `commit_timelocked_mechanism_weights`. Throws `TimelockError` for anything the chain would reject or
 * silently drop that can be known locally (bad payload, unsupported version, oversize commit, unusable round).
 */
export function buildTimelockedCommit(input: BuildTimelockedCommitInput): TimelockedCommit {
  if (input.commitRevealVersion !== SUPPORTED_COMMIT_REVEAL_VERSION) {
    throw new TimelockError(
      'unsupported-commit-reveal-version',
      `CommitRevealWeightsVersion is ${input.commitRevealVersion}; this client builds version ${SUPPORTED_COMMIT_REVEAL_VERSION} commits only`,
    );
  }
  const payload = encodeWeightsPayload({
    hotkey: input.hotkeyPublicKey,
    uids: input.uids,
    values: input.weights,
    versionKey: input.versionKey,
  });
  if (payload.length + ENVELOPE_OVERHEAD_BYTES > MAX_COMMIT_BYTES) {
    throw new TimelockError(
      'commit-too-large',
      `${input.uids.length} weights make a ${payload.length + ENVELOPE_OVERHEAD_BYTES}-byte commit; the chain accepts at most ${MAX_COMMIT_BYTES} (1177 weights)`,
    );
  }
  const plan = revealRoundFor(input);
  assertRevealRoundUsable(plan);
  const mecid = input.mecid ?? 0;
  const commit = tlockEncrypt(payload, plan.revealRound, {
    ...(input.beaconPublicKey === undefined ? {} : { publicKey: input.beaconPublicKey }),
    ...(input.randomness === undefined ? {} : { randomness: input.randomness }),
  });
  const call = commitTimelockedMechanismWeightsCall({
    netuid: input.netuid,
    mecid,
    commit,
    revealRound: plan.revealRound,
    commitRevealVersion: input.commitRevealVersion,
  });
  return {
    commit,
    revealRound: plan.revealRound,
    payload,
    plan,
    netuidIndex: mecid * MECHANISM_STRIDE + input.netuid,
    call,
  };
}

/**
 * Opens a commit with the reveal round's drand signature and decodes the v4 payload — what the chain does at
 * reveal time. With `expectedHotkey`, also checks the payload names that signer (else `malformed-payload`).
 */
export function openTimelockedCommit(
  commit: Uint8Array,
  signature: BytesLike,
  expectedHotkey?: BytesLike,
): WeightsTlockPayload {
  const payload = decodeWeightsPayload(tlockDecrypt(commit, signature));
  if (expectedHotkey !== undefined && !equalBytes(payload.hotkey, toBytes(expectedHotkey, 'expectedHotkey'))) {
    throw new TimelockError('malformed-payload', 'payload hotkey differs from the committing hotkey');
  }
  return payload;
}
