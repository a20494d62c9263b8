/**
 * Chain failures in words a miner understands. One table for the real chain and the devnet, so the
 * UI shows the same message whichever runs underneath.
 */
import type { ChainErrorInfo } from './types.js';

const MESSAGES: Record<string, string> = {
  SettingWeightsTooFast:
    'Weights were set too recently: the subnet allows one update per WeightsSetRateLimit blocks. They will be sent again after the limit.',
  CommittingWeightsTooFast: 'Weights were committed too recently: wait for the rate limit before the next commit.',
  NotEnoughStakeToSetWeights:
    'This hotkey has too little stake to set weights on this subnet (below StakeThreshold). Stake more alpha to the hotkey.',
  HotKeyNotRegisteredInSubNet: 'This hotkey is not registered on the subnet. Register it (burned_register) first.',
  HotKeyNotRegisteredInNetwork:
    'This hotkey is not registered on the subnet. Register it (burned_register) before serving an axon.',
  HotKeyAlreadyRegisteredInSubNet: 'This hotkey is already registered on the subnet; nothing to do.',
  CommitRevealEnabled: 'The subnet uses commit-reveal: weights must be committed (timelocked) instead of set directly.',
  CommitRevealDisabled: 'The subnet does not use commit-reveal: set weights directly.',
  RevealTooEarly: 'It is too early to reveal these weights: the reveal epoch has not started yet.',
  ExpiredWeightCommit: 'The weight commit expired before it was revealed; commit again.',
  NoWeightsCommitFound: 'There is no weight commit to reveal for this hotkey.',
  InvalidRevealCommitHashNotMatch:
    'The revealed weights do not match the commit (uids, values, salt and version must be identical).',
  TooManyUnrevealedCommits: 'This hotkey already has 10 unrevealed commits; reveal or wait for them to expire.',
  IncorrectCommitRevealVersion: 'The chain expects another commit-reveal version; update BittAudio.',
  IncorrectWeightVersionKey:
    'The weights version key is below the one the subnet owner set (WeightsVersionKey); update the validator.',
  WeightVecLengthIsLow: 'Too few weights: the subnet requires at least min(MinAllowedWeights, number of uids).',
  MaxWeightExceeded: 'One weight is above the subnet’s MaxWeightsLimit after normalisation.',
  DuplicateUids: 'The weights name the same uid twice.',
  UidVecContainInvalidOne: 'The weights name a uid that does not exist on the subnet.',
  WeightVecNotEqualSize: 'The uid and weight lists have different lengths.',
  UidsLengthExceedUidsInSubNet: 'More weights than there are uids on the subnet.',
  NeuronNoValidatorPermit: 'This hotkey has no validator permit: only the top validators by stake may set weights.',
  ServingRateLimitExceeded:
    'The axon was served too recently: the subnet allows one serve_axon per ServingRateLimit blocks.',
  InvalidIpType: 'The IP type must be 4 or 6.',
  InvalidIpAddress: 'The chain refuses this IP address (loopback or invalid); advertise the machine’s public address.',
  InvalidPort: 'The axon port must not be 0.',
  NotEnoughBalanceToStake: 'The coldkey’s free balance is below the registration burn.',
  InsufficientBalance: 'The coldkey’s free balance is too low for this.',
  SubNetRegistrationDisabled: 'Registration is closed on this subnet right now.',
  TooManyRegistrationsThisBlock: 'Too many registrations in this block; try again in a few blocks.',
  TooManyRegistrationsThisInterval: 'Too many registrations this interval; try again later.',
  SubnetNotExists: 'There is no subnet with this netuid.',
  MechanismDoesNotExist: 'This subnet has no such mechanism.',
  Disconnected: 'The connection to the chain dropped before the result was known.',
};

export function chainError(name: string, fallback?: string): ChainErrorInfo {
  return { name, message: MESSAGES[name] ?? fallback ?? `The chain refused the call (${name}).` };
}

export function knownChainErrors(): string[] {
  return Object.keys(MESSAGES);
}

/**
 * Why a chain read or connection failed, so callers (and tests) can tell "the subnet is not there"
 * from "this node's runtime cannot answer that" from "nothing listens at the endpoint".
 */
export type ChainFailureKind =
  /** NetworksAdded says the subnet is not on this chain. */
  | 'subnet-missing'
  /** The connected runtime has neither the runtime API nor the call nor the storage needed. */
  | 'unsupported'
  /** The endpoint refused the connection at once: nothing listens there. */
  | 'refused'
  /** The host name does not resolve or the network cannot reach it. */
  | 'unreachable'
  /** The endpoint accepted nothing and said nothing within the time limit. */
  | 'timeout'
  /** The node answered with bytes this client cannot decode. */
  | 'undecodable';

export class ChainError extends Error {
  constructor(
    readonly kind: ChainFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ChainError';
  }
}

export function subnetMissing(netuid: number): ChainError {
  return new ChainError('subnet-missing', `Subnet ${netuid} does not exist on this chain.`);
}

/** `what` names the missing runtime API or call the way the runtime spells it. */
export function unsupportedByRuntime(specVersion: number, what: string, detail?: string): ChainError {
  return new ChainError(
    'unsupported',
    `This node's runtime (spec ${specVersion}) cannot serve ${what}${detail ? `: ${detail}` : ''}. ` +
      'Connect to a node with a newer subtensor runtime.',
  );
}
