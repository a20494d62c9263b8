/**
 * Timelocked weight commits (commit-reveal v4) for Bittensor: drand quicknet timelock encryption that is
 * byte-compatible with the Rust `tle` crate the chain decrypts with, the `WeightsTlockPayload` plaintext,
 * the reveal-round choice, and the `commit_timelocked_mechanism_weights` call description.
 */
export { TimelockError, type TimelockErrorCode } from './errors.js';
export { type BytesLike } from './bytes.js';
export {
  QUICKNET,
  QUICKNET_DST,
  QUICKNET_TIMING,
  type DrandTiming,
  type G1Point,
  type G2Point,
  currentRoundAt,
  identityPoint,
  roundMessage,
  roundPublishedAt,
  verifyRoundSignature,
} from './drand.js';
export {
  AES_GCM_SUITE,
  ENVELOPE_OVERHEAD_BYTES,
  type TimelockCiphertext,
  parseCiphertext,
  serializeCiphertext,
} from './envelope.js';
export {
  type TlockEncryptOptions,
  type TlockRandomness,
  tlockDecrypt,
  tlockEncrypt,
  tlockEncryptToCiphertext,
} from './tlock.js';
export {
  type WeightsTlockPayload,
  type WeightsTlockPayloadInput,
  decodeWeightsPayload,
  encodeWeightsPayload,
  validateWeightsPayload,
  weightsPayloadLength,
} from './payload.js';
export {
  DEFAULT_MIN_BLOCKS_BEFORE_EPOCH_BOUNDARY,
  MECHANISM_STRIDE,
  SECURITY_BLOCK_OFFSET,
  type RevealRoundIssueCode,
  type RevealRoundInput,
  type RevealRoundIssue,
  type RevealRoundPlan,
  assertRevealRoundUsable,
  revealRoundFor,
} from './reveal-round.js';
export {
  COMMIT_TIMELOCKED_MECHANISM_WEIGHTS_INDEX,
  MAX_COMMIT_BYTES,
  SUPPORTED_COMMIT_REVEAL_VERSION,
  type CommitTimelockedMechanismWeightsArgs,
  type CommitTimelockedMechanismWeightsCall,
  commitTimelockedMechanismWeightsCall,
  encodeCommitCallData,
  parseCommitCallData,
} from './extrinsic.js';
export {
  type BuildTimelockedCommitInput,
  type TimelockedCommit,
  buildTimelockedCommit,
  openTimelockedCommit,
} from './commit.js';
