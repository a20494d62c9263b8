/**
 * The errors the devnet returns for refused submissions: the same names as subtensor's
 * `SubtensorModule` errors (chain §3–§5), so the UI maps them exactly as it maps the real chain's.
 * The message is the shared table's (chain/errors.ts: the same words whichever chain runs),
 * preceded by a sentence about this case (which block, which amount). The table below only
 * covers names the shared table does not know.
 */
import { chainError as sharedChainError, knownChainErrors } from '../chain/errors.js';
import type { ChainErrorInfo, Submission } from '../chain/types.js';

export type DevnetErrorName =
  | 'InvalidTransaction'
  | 'SubnetNotExists'
  | 'MechanismDoesNotExist'
  | 'RegistrationNotPermittedOnRootSubnet'
  | 'CanNotSetRootNetworkWeights'
  | 'SubNetRegistrationDisabled'
  | 'HotKeyAlreadyRegisteredInSubNet'
  | 'NotEnoughBalanceToStake'
  | 'NonAssociatedColdKey'
  | 'NoNeuronIdAvailable'
  | 'HotKeyNotRegisteredInNetwork'
  | 'InvalidIpType'
  | 'InvalidIpAddress'
  | 'InvalidPort'
  | 'ServingRateLimitExceeded'
  | 'CommitRevealEnabled'
  | 'CommitRevealDisabled'
  | 'WeightVecNotEqualSize'
  | 'UidsLengthExceedUidsInSubNet'
  | 'HotKeyNotRegisteredInSubNet'
  | 'NotEnoughStakeToSetWeights'
  | 'IncorrectWeightVersionKey'
  | 'SettingWeightsTooFast'
  | 'NeuronNoValidatorPermit'
  | 'DuplicateUids'
  | 'UidVecContainInvalidOne'
  | 'WeightVecLengthIsLow'
  | 'MaxWeightExceeded'
  | 'CommittingWeightsTooFast'
  | 'TooManyUnrevealedCommits'
  | 'NoWeightsCommitFound'
  | 'RevealTooEarly'
  | 'ExpiredWeightCommit'
  | 'InvalidRevealCommitHashNotMatch'
  | 'IncorrectCommitRevealVersion'
  | 'SignerUnsupported'
  | 'SignerRefused'
  | 'BadSignature';

/** Fallback messages, used only for names missing from chain/errors.ts. */
const MESSAGES: Record<DevnetErrorName, string> = {
  InvalidTransaction: 'The call could not be encoded for the chain. Check its arguments.',
  SubnetNotExists: 'That subnet does not exist on this network. Check the netuid.',
  MechanismDoesNotExist: 'That mechanism does not exist on this subnet. Use mechanism 0.',
  RegistrationNotPermittedOnRootSubnet: 'Registration on the root network (netuid 0) is not possible here.',
  CanNotSetRootNetworkWeights: 'Weights cannot be set on the root network (netuid 0). Use the subnet netuid.',
  SubNetRegistrationDisabled: 'Registration is closed on this subnet. Wait until the subnet owner opens it.',
  HotKeyAlreadyRegisteredInSubNet: 'This hotkey already has a uid on this subnet. There is no need to register again.',
  NotEnoughBalanceToStake:
    'The coldkey does not hold enough free TAO for the registration burn. Add TAO to the coldkey, or wait for the burn to fall.',
  NonAssociatedColdKey:
    'This hotkey belongs to another coldkey. Register it with the coldkey that owns it, or use a new hotkey.',
  NoNeuronIdAvailable: 'The subnet is full and no uid can be replaced now. Try again later.',
  HotKeyNotRegisteredInNetwork: 'The hotkey is not registered on any subnet. Register it before serving an axon.',
  InvalidIpType: 'The IP type must be 4 or 6. Check the axon address.',
  InvalidIpAddress:
    'The chain refuses this IP address (loopback, broadcast or not an address). Advertise the public IP of this machine.',
  InvalidPort: 'The axon port must not be 0. Set the port the axon listens on.',
  ServingRateLimitExceeded: 'The axon was served too recently on this subnet. Wait for the serving rate limit to pass.',
  CommitRevealEnabled:
    'Commit-reveal is on for this subnet, so plain set_weights is refused. Commit the weights and reveal them later.',
  CommitRevealDisabled: 'Commit-reveal is off for this subnet. Set the weights directly with set_weights.',
  WeightVecNotEqualSize: 'The uid and weight lists have different lengths. Send one weight per uid.',
  UidsLengthExceedUidsInSubNet: 'More weights were sent than the subnet has uids. Send at most one weight per uid.',
  HotKeyNotRegisteredInSubNet: 'The hotkey has no uid on this subnet. Register it first.',
  NotEnoughStakeToSetWeights: 'The hotkey holds less stake than the subnet requires to set weights. Add stake first.',
  IncorrectWeightVersionKey:
    "The weights' version key is below the subnet's WeightsVersionKey. Update the validator, or send at least the subnet's key.",
  SettingWeightsTooFast: 'Weights were set too recently. Wait for the weights rate limit to pass, then try again.',
  NeuronNoValidatorPermit:
    'This uid has no validator permit, so it can only set a weight on itself. Add stake to be among the top validators; permits are renewed every epoch.',
  DuplicateUids: 'A uid appears more than once in the weights. Send each uid once.',
  UidVecContainInvalidOne: 'The weights name a uid that does not exist on this subnet. Refresh the metagraph.',
  WeightVecLengthIsLow: 'Too few weights: the subnet requires a minimum number of non-self weights. Weight more uids.',
  MaxWeightExceeded: "One weight takes a larger share than the subnet's MaxWeightsLimit allows. Spread the weights.",
  CommittingWeightsTooFast: 'Weights were committed too recently. Wait for the weights rate limit to pass.',
  SignerUnsupported:
    'This signer cannot sign raw bytes, which the local network needs. Use another extension or a key held in the app.',
  SignerRefused: 'The signer did not sign the call. Nothing was submitted.',
  BadSignature: 'The signature does not belong to the account that should sign. Nothing was submitted.',
  TooManyUnrevealedCommits:
    'This hotkey already has 10 unrevealed commits. Reveal (or let expire) the pending ones first.',
  NoWeightsCommitFound: 'No pending weight commit was found for this hotkey. Commit the weights first.',
  RevealTooEarly: "The commit's reveal epoch has not started yet. Wait for it, then reveal.",
  ExpiredWeightCommit: "The commit's reveal epoch has passed, so it can no longer be revealed. Commit again.",
  InvalidRevealCommitHashNotMatch:
    'The revealed weights, salt or version key do not match any pending commit. Reveal exactly what was committed.',
  IncorrectCommitRevealVersion: 'The commit-reveal version does not match the chain. Update the app.',
};

const SHARED = new Set(knownChainErrors());

/** The error for `name`, with an optional sentence about this case put before the general advice. */
export function chainError(name: DevnetErrorName, detail?: string): ChainErrorInfo {
  const general = SHARED.has(name) ? sharedChainError(name).message : MESSAGES[name];
  return { name, message: detail ? `${detail} ${general}` : general };
}

export function failure(name: DevnetErrorName, detail?: string): Submission {
  return { ok: false, error: chainError(name, detail) };
}

/** Thrown for misuse of the devnet's own helpers (not for chain-rule failures, which are returned). */
export class DevnetError extends Error {
  override readonly name = 'DevnetError';
}
