import { describe, expect, it } from 'vitest';
import type { SetWeightsParams } from '../chain/types.js';
import type { DevnetSubnetConfig } from './state.js';
import { outcome, TAO, testNet } from './test-fixtures.js';

/**
 * uid 0: Alice, validator with 100 alpha and a permit; uids 1–3: Bob, Charlie, Dave (miners).
 * Everyone registers in block 1, so LastUpdate starts at 1 (registration sets it).
 */
async function weightsNet(config: Partial<DevnetSubnetConfig> = {}, stakeThreshold = 0n) {
  const net = await testNet(config, { stakeThreshold });
  const { chain, netuid, actor, register } = net;
  chain.advance(1);
  const alice = actor('Alice');
  const bob = actor('Bob');
  const charlie = actor('Charlie');
  const dave = actor('Dave');
  for (const p of [alice, bob, charlie, dave]) await register(p);
  chain.addStake(netuid, alice.hotkey.address, 100n * TAO);
  chain.refreshValidatorPermits(netuid);
  const params = (uids: number[], weights: number[], extra: Partial<SetWeightsParams> = {}): SetWeightsParams => ({
    netuid,
    uids,
    weights,
    versionKey: 0n,
    ...extra,
  });
  return { ...net, alice, bob, charlie, dave, params, eve: actor('Eve') };
}

describe('set_weights', () => {
  it('stores the max-upscaled weights and LastUpdate, and emits WeightsSet', async () => {
    const { chain, netuid, alice, params, events } = await weightsNet();
    chain.advance(2);
    const result = await chain.setWeights(alice.hotkey, params([1, 2, 3], [100, 50, 0]));
    expect(result).toMatchObject({ ok: true, blockNumber: 3 });
    expect(chain.weightsOf(netuid, 0)).toEqual([
      [1, 65535],
      [2, 32768],
    ]);
    expect((await chain.metagraph(netuid)).neurons[0]?.lastUpdate).toBe(3);
    expect(events.at(-1)).toEqual({ type: 'WeightsSet', netuid, uid: 0, hotkey: alice.hotkey.address, block: 3 });
  });

  it('refuses with CommitRevealEnabled when commit-reveal is on', async () => {
    const { chain, alice, params } = await weightsNet({ commitRevealEnabled: true });
    const result = await chain.setWeights(alice.hotkey, params([1], [1]));
    expect(outcome(result)).toBe('CommitRevealEnabled');
    if (!result.ok) expect(result.error.message).toMatch(/committed/);
  });

  it('rate-limits to WeightsSetRateLimit blocks since LastUpdate (registration counts)', async () => {
    const { chain, alice, params } = await weightsNet({ weightsRateLimit: 5 });
    // Registered in block 1: the first set is possible in block 6.
    chain.advance(4);
    const early = await chain.setWeights(alice.hotkey, params([1], [1]));
    expect(outcome(early)).toBe('SettingWeightsTooFast');
    if (!early.ok) expect(early.error.message).toContain('block 6');
    chain.advance(1);
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1])))).toBe('ok');
    chain.advance(4);
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1])))).toBe('SettingWeightsTooFast');
    chain.advance(1);
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1])))).toBe('ok');
  });

  it('does not rate-limit a uid whose LastUpdate is 0 (registered in block 0)', async () => {
    const { chain, netuid, actor, register } = await testNet({ weightsRateLimit: 100, minAllowedWeights: 1 });
    const bob = actor('Bob');
    await register(bob);
    const self = { netuid, uids: [0], weights: [1], versionKey: 0n };
    expect(outcome(await chain.setWeights(bob.hotkey, self))).toBe('ok');
    // Set again in block 0: LastUpdate is still 0, so still free.
    expect(outcome(await chain.setWeights(bob.hotkey, self))).toBe('ok');
    chain.advance(1);
    expect(outcome(await chain.setWeights(bob.hotkey, self))).toBe('ok');
    chain.advance(1);
    expect(outcome(await chain.setWeights(bob.hotkey, self))).toBe('SettingWeightsTooFast');
  });

  it('requires a validator permit, except for a single self-weight', async () => {
    const { chain, netuid, bob, params } = await weightsNet();
    expect(outcome(await chain.setWeights(bob.hotkey, params([2], [1])))).toBe('NeuronNoValidatorPermit');
    expect(outcome(await chain.setWeights(bob.hotkey, params([1, 2], [1, 1])))).toBe('NeuronNoValidatorPermit');
    expect(outcome(await chain.setWeights(bob.hotkey, params([1], [7])))).toBe('ok');
    expect(chain.weightsOf(netuid, 1)).toEqual([[1, 65535]]);
  });

  it('exempts the subnet owner hotkey from the stake threshold and the permit', async () => {
    const { chain, netuid, bob, params } = await weightsNet({}, 50n * TAO);
    expect(outcome(await chain.setWeights(bob.hotkey, params([2], [1])))).toBe('NotEnoughStakeToSetWeights');
    chain.setHyperparameters(netuid, { owner: { coldkey: bob.coldkey.address, hotkey: bob.hotkey.address } });
    expect(outcome(await chain.setWeights(bob.hotkey, params([2], [1])))).toBe('ok');
  });

  it('requires the stake threshold', async () => {
    const { chain, netuid, alice, params } = await weightsNet({}, 150n * TAO);
    const low = await chain.setWeights(alice.hotkey, params([1], [1]));
    expect(outcome(low)).toBe('NotEnoughStakeToSetWeights');
    chain.addStake(netuid, alice.hotkey.address, 50n * TAO);
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1])))).toBe('ok');
  });

  it("requires a version key at least the subnet's WeightsVersionKey (0 accepts any)", async () => {
    const { chain, netuid, alice, params } = await weightsNet();
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { versionKey: 0n })))).toBe('ok');
    chain.setHyperparameters(netuid, { weightsVersionKey: 10002000n });
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { versionKey: 10001999n })))).toBe(
      'IncorrectWeightVersionKey',
    );
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { versionKey: 10002001n })))).toBe('ok');
  });

  it('requires min(SubnetworkN, MinAllowedWeights) weights unless it is a self-weight', async () => {
    const { chain, alice, bob, params } = await weightsNet({ minAllowedWeights: 1024 });
    // 4 uids, so 4 weights are required.
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 2, 3], [1, 1, 1])))).toBe('WeightVecLengthIsLow');
    expect(outcome(await chain.setWeights(alice.hotkey, params([0, 1, 2, 3], [1, 1, 1, 1])))).toBe('ok');
    expect(outcome(await chain.setWeights(bob.hotkey, params([1], [1])))).toBe('ok');
  });

  it('checks MaxWeightsLimit on the normalised vector after max-upscaling; self-weights are exempt', async () => {
    const { chain, netuid, alice, params } = await weightsNet({ maxWeightsLimit: 32768 });
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 2], [3, 1])))).toBe('MaxWeightExceeded');
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 2], [10, 10])))).toBe('ok');
    expect(chain.weightsOf(netuid, 0)).toEqual([
      [1, 65535],
      [2, 65535],
    ]);
    expect(outcome(await chain.setWeights(alice.hotkey, params([0], [1])))).toBe('ok');
  });

  it('refuses duplicate and unknown uids', async () => {
    const { chain, alice, params } = await weightsNet();
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 1], [1, 2])))).toBe('DuplicateUids');
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 4], [1, 2])))).toBe('UidVecContainInvalidOne');
  });

  it('refuses arguments that do not encode (InvalidTransaction) without throwing', async () => {
    const { chain, alice, params } = await weightsNet();
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [70000])))).toBe('InvalidTransaction');
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [0.5])))).toBe('InvalidTransaction');
    expect(outcome(await chain.setWeights(alice.hotkey, params([-1], [1])))).toBe('InvalidTransaction');
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { versionKey: -1n })))).toBe(
      'InvalidTransaction',
    );
  });
});

describe('set_weights checks in the order of chain §4.1: two broken rules give the first error', () => {
  it('CommitRevealEnabled before CanNotSetRootNetworkWeights / WeightVecNotEqualSize', async () => {
    const { chain, alice, params } = await weightsNet({ commitRevealEnabled: true });
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 2], [1])))).toBe('CommitRevealEnabled');
  });

  it('CanNotSetRootNetworkWeights before WeightVecNotEqualSize', async () => {
    const { chain, alice, params } = await weightsNet();
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 2], [1], { netuid: 0 })))).toBe(
      'CanNotSetRootNetworkWeights',
    );
  });

  it('WeightVecNotEqualSize before SubnetNotExists, which comes before MechanismDoesNotExist', async () => {
    const { chain, alice, params } = await weightsNet();
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 2], [1], { netuid: 9 })))).toBe(
      'WeightVecNotEqualSize',
    );
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { netuid: 9, mechanismId: 1 })))).toBe(
      'SubnetNotExists',
    );
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { mechanismId: 1 })))).toBe(
      'MechanismDoesNotExist',
    );
  });

  it('UidsLengthExceedUidsInSubNet before HotKeyNotRegisteredInSubNet', async () => {
    const { chain, eve, params } = await weightsNet();
    expect(outcome(await chain.setWeights(eve.hotkey, params([0, 1, 2, 3, 4], [1, 1, 1, 1, 1])))).toBe(
      'UidsLengthExceedUidsInSubNet',
    );
    expect(outcome(await chain.setWeights(eve.hotkey, params([0], [1])))).toBe('HotKeyNotRegisteredInSubNet');
  });

  it('HotKeyNotRegisteredInSubNet before NotEnoughStakeToSetWeights', async () => {
    const { chain, eve, params } = await weightsNet({}, 1000n * TAO);
    expect(outcome(await chain.setWeights(eve.hotkey, params([0], [1])))).toBe('HotKeyNotRegisteredInSubNet');
  });

  it('NotEnoughStakeToSetWeights before IncorrectWeightVersionKey', async () => {
    const { chain, alice, params } = await weightsNet({ weightsVersionKey: 5n }, 1000n * TAO);
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { versionKey: 1n })))).toBe(
      'NotEnoughStakeToSetWeights',
    );
  });

  it('IncorrectWeightVersionKey before SettingWeightsTooFast', async () => {
    const { chain, alice, params } = await weightsNet({ weightsVersionKey: 5n, weightsRateLimit: 100 });
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { versionKey: 1n })))).toBe(
      'IncorrectWeightVersionKey',
    );
    expect(outcome(await chain.setWeights(alice.hotkey, params([1], [1], { versionKey: 5n })))).toBe(
      'SettingWeightsTooFast',
    );
  });

  it('SettingWeightsTooFast before NeuronNoValidatorPermit', async () => {
    const { chain, bob, params } = await weightsNet({ weightsRateLimit: 100 });
    expect(outcome(await chain.setWeights(bob.hotkey, params([2], [1])))).toBe('SettingWeightsTooFast');
  });

  it('NeuronNoValidatorPermit before DuplicateUids', async () => {
    const { chain, bob, params } = await weightsNet();
    expect(outcome(await chain.setWeights(bob.hotkey, params([2, 2], [1, 1])))).toBe('NeuronNoValidatorPermit');
  });

  it('DuplicateUids before UidVecContainInvalidOne', async () => {
    const { chain, alice, params } = await weightsNet();
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 1, 7], [1, 1, 1])))).toBe('DuplicateUids');
  });

  it('UidVecContainInvalidOne before WeightVecLengthIsLow', async () => {
    const { chain, alice, params } = await weightsNet({ minAllowedWeights: 3 });
    expect(outcome(await chain.setWeights(alice.hotkey, params([7], [1])))).toBe('UidVecContainInvalidOne');
  });

  it('WeightVecLengthIsLow before MaxWeightExceeded', async () => {
    const { chain, alice, params } = await weightsNet({ minAllowedWeights: 3, maxWeightsLimit: 100 });
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 2], [5, 1])))).toBe('WeightVecLengthIsLow');
    expect(outcome(await chain.setWeights(alice.hotkey, params([1, 2, 3], [5, 1, 1])))).toBe('MaxWeightExceeded');
  });
});
