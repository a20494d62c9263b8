import { describe, expect, it } from 'vitest';
import { chainError as sharedChainError, knownChainErrors } from '../chain/errors.js';
import { chainError, type DevnetErrorName } from './errors.js';

const NAMES: DevnetErrorName[] = [
  'InvalidTransaction',
  'SubnetNotExists',
  'MechanismDoesNotExist',
  'RegistrationNotPermittedOnRootSubnet',
  'CanNotSetRootNetworkWeights',
  'SubNetRegistrationDisabled',
  'HotKeyAlreadyRegisteredInSubNet',
  'NotEnoughBalanceToStake',
  'NonAssociatedColdKey',
  'NoNeuronIdAvailable',
  'HotKeyNotRegisteredInNetwork',
  'InvalidIpType',
  'InvalidIpAddress',
  'InvalidPort',
  'ServingRateLimitExceeded',
  'CommitRevealEnabled',
  'CommitRevealDisabled',
  'WeightVecNotEqualSize',
  'UidsLengthExceedUidsInSubNet',
  'HotKeyNotRegisteredInSubNet',
  'NotEnoughStakeToSetWeights',
  'IncorrectWeightVersionKey',
  'SettingWeightsTooFast',
  'NeuronNoValidatorPermit',
  'DuplicateUids',
  'UidVecContainInvalidOne',
  'WeightVecLengthIsLow',
  'MaxWeightExceeded',
  'CommittingWeightsTooFast',
  'TooManyUnrevealedCommits',
  'NoWeightsCommitFound',
  'RevealTooEarly',
  'ExpiredWeightCommit',
  'InvalidRevealCommitHashNotMatch',
  'IncorrectCommitRevealVersion',
];

describe('devnet errors', () => {
  it('use the shared message table where it knows the name, so both chains read the same', () => {
    const shared = new Set(knownChainErrors());
    for (const name of NAMES.filter((n) => shared.has(n))) {
      expect(chainError(name).message, name).toBe(sharedChainError(name).message);
    }
    expect(NAMES.filter((n) => shared.has(n)).length).toBeGreaterThan(25);
  });

  it('have a message for every name, with the case-specific sentence first', () => {
    for (const name of NAMES) {
      const { message } = chainError(name);
      expect(message.length, name).toBeGreaterThan(20);
      expect(message, name).not.toMatch(/refused the call \(/);
    }
    expect(chainError('RevealTooEarly', 'Opens in block 9.').message).toMatch(/^Opens in block 9\. \S/);
  });
});
