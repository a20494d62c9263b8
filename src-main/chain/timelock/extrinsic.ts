import { concat, toInteger, u64Bytes, U64_RANGE } from './bytes.js';
import { TimelockError } from './errors.js';
import { ScaleReader, encodeBytesVec } from './scale.js';

/** `MAX_CRV3_COMMIT_SIZE_BYTES`: the chain's bound on `commit`. */
export const MAX_COMMIT_BYTES = 5000;
/** The only `CommitRevealWeightsVersion` whose payload and cipher this module produces. */
export const SUPPORTED_COMMIT_REVEAL_VERSION = 4;
/**
 * Pallet/call index of `commit_timelocked_mechanism_weights` on the runtimes read for the spec (7, 118).
 * For offline encoding and fixtures only: a live client builds the call from metadata.
 */
export const COMMIT_TIMELOCKED_MECHANISM_WEIGHTS_INDEX = [0x07, 0x76] as const;

export interface CommitTimelockedMechanismWeightsArgs {
  netuid: number;
  mecid: number;
  commit: Uint8Array;
  revealRound: bigint;
  /** Must equal storage `SubtensorModule.CommitRevealWeightsVersion` (4 today); read it, do not hard-code it. */
  commitRevealVersion: number;
}

/**
 * What the chain client submits, signed by the hotkey:
 * `api.tx[section][method](...argsInOrder)` with polkadot.js.
 */
export interface CommitTimelockedMechanismWeightsCall {
  pallet: 'SubtensorModule';
  section: 'subtensorModule';
  method: 'commitTimelockedMechanismWeights';
  callName: 'commit_timelocked_mechanism_weights';
  args: CommitTimelockedMechanismWeightsArgs;
  /** (netuid: u16, mecid: u8, commit: BoundedVec<u8, 5000>, reveal_round: u64, commit_reveal_version: u16). */
  argsInOrder: readonly [
    netuid: number,
    mecid: number,
    commit: Uint8Array,
    revealRound: bigint,
    commitRevealVersion: number,
  ];
}

function checkArgs(args: CommitTimelockedMechanismWeightsArgs): CommitTimelockedMechanismWeightsArgs {
  const netuid = Number(toInteger(args.netuid, 'netuid', 0n, 0xffffn));
  const mecid = Number(toInteger(args.mecid, 'mecid', 0n, 0xffn));
  const revealRound = toInteger(args.revealRound, 'revealRound', U64_RANGE.min, U64_RANGE.max);
  const commitRevealVersion = Number(toInteger(args.commitRevealVersion, 'commitRevealVersion', 0n, 0xffffn));
  if (!(args.commit instanceof Uint8Array)) throw new TimelockError('invalid-input', 'commit: expected bytes');
  if (args.commit.length > MAX_COMMIT_BYTES) {
    throw new TimelockError(
      'commit-too-large',
      `commit is ${args.commit.length} bytes; the chain accepts at most ${MAX_COMMIT_BYTES}`,
    );
  }
  return { netuid, mecid, commit: args.commit, revealRound, commitRevealVersion };
}

/** Describes `SubtensorModule.commit_timelocked_mechanism_weights` with checked argument ranges. */
export function commitTimelockedMechanismWeightsCall(
  args: CommitTimelockedMechanismWeightsArgs,
): CommitTimelockedMechanismWeightsCall {
  const a = checkArgs(args);
  return {
    pallet: 'SubtensorModule',
    section: 'subtensorModule',
    method: 'commitTimelockedMechanismWeights',
    callName: 'commit_timelocked_mechanism_weights',
    args: a,
    argsInOrder: [a.netuid, a.mecid, a.commit, a.revealRound, a.commitRevealVersion],
  };
}

/** Call data bytes: call index ‖ u16 netuid ‖ u8 mecid ‖ Vec<u8> commit ‖ u64 reveal_round ‖ u16 version. */
export function encodeCommitCallData(
  args: CommitTimelockedMechanismWeightsArgs,
  callIndex: readonly [number, number] = COMMIT_TIMELOCKED_MECHANISM_WEIGHTS_INDEX,
): Uint8Array {
  const a = checkArgs(args);
  return concat(
    Uint8Array.of(callIndex[0], callIndex[1], a.netuid & 0xff, a.netuid >> 8, a.mecid),
    encodeBytesVec(a.commit),
    u64Bytes(a.revealRound, true),
    Uint8Array.of(a.commitRevealVersion & 0xff, a.commitRevealVersion >> 8),
  );
}

/** Parses call data of `commit_timelocked_mechanism_weights` (for fixtures and monitoring). Throws `malformed-call`. */
export function parseCommitCallData(
  bytes: Uint8Array,
  callIndex: readonly [number, number] = COMMIT_TIMELOCKED_MECHANISM_WEIGHTS_INDEX,
): CommitTimelockedMechanismWeightsArgs {
  const r = new ScaleReader(bytes, 'malformed-call', 'call data');
  const index = r.take(2, 'call index');
  if (index[0] !== callIndex[0] || index[1] !== callIndex[1]) {
    r.fail(`call index ${index[0]}/${index[1]} is not ${callIndex[0]}/${callIndex[1]}`);
  }
  const netuid = r.u16('netuid');
  const mecid = r.u8('mecid');
  const commit = r.take(r.compactLength('commit length'), 'commit').slice();
  const revealRound = r.u64('reveal_round');
  const commitRevealVersion = r.u16('commit_reveal_version');
  r.end();
  return { netuid, mecid, commit, revealRound, commitRevealVersion };
}
