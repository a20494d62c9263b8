import { describe, expect, it } from 'vitest';
import type { DevnetSubnetConfig } from './state.js';
import { at, outcome, TAO, testNet } from './test-fixtures.js';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const sumBig = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

/**
 * netuid 1, tempo 9: epochs every 10 blocks, in blocks 7, 17, 27, …; 100 rao of alpha per block,
 * so 1000 rao per epoch once running. uids 0, 1: validators Alice (600) and Bob (400); uids 2–4:
 * miners Charlie, Dave, Eve. Everyone registers in block 1.
 */
async function rewardsNet(config: Partial<DevnetSubnetConfig> = {}) {
  const net = await testNet({ tempo: 9, alphaEmissionPerBlock: 100n, ...config });
  const { chain, netuid, actor, register } = net;
  chain.advance(1);
  const alice = actor('Alice');
  const bob = actor('Bob');
  const charlie = actor('Charlie');
  const dave = actor('Dave');
  const eve = actor('Eve');
  for (const p of [alice, bob, charlie, dave, eve]) await register(p);
  chain.addStake(netuid, alice.hotkey.address, 600n);
  chain.addStake(netuid, bob.hotkey.address, 400n);
  chain.refreshValidatorPermits(netuid);
  return { ...net, alice, bob, charlie, dave, eve };
}

describe('epoch rewards', () => {
  it('reproduces the worked example of consensus.ts through the chain', async () => {
    const { chain, netuid, alice, bob } = await rewardsNet();
    chain.advanceTo(7); // first epoch: nobody has weights yet, everything is recycled
    expect(chain.epochHistory(netuid)[0]).toMatchObject({ block: 7, emitted: 700n, recycled: 700n });
    expect(
      outcome(await chain.setWeights(alice.hotkey, { netuid, uids: [2, 3], weights: [1, 1], versionKey: 0n })),
    ).toBe('ok');
    const bobSet = await chain.setWeights(bob.hotkey, { netuid, uids: [2, 3, 4], weights: [1, 1, 3], versionKey: 0n });
    expect(outcome(bobSet)).toBe('ok');
    chain.advanceTo(17);
    const record = chain.epochHistory(netuid)[1];
    expect(record).toMatchObject({ block: 17, emitted: 1000n, toMiners: 410n, toValidators: 410n });
    // No owner is configured on this subnet, so the owner cut is recycled.
    expect(record?.recycled).toBe(180n);
    expect(record?.neurons.map((n) => n.emission)).toEqual([324n, 86n, 205n, 205n, 0n]);
    expect(record?.neurons.map((n) => +n.consensus.toFixed(4))).toEqual([0, 0, 0.5, 0.5, 0]);
    expect(record?.neurons.map((n) => +n.dividends.toFixed(4))).toEqual([0.7895, 0.2105, 0, 0, 0]);
    // Rewards are staked.
    expect(chain.stakeOf(netuid, alice.hotkey.address)).toBe(600n + 324n);
    expect(chain.stakeOf(netuid, bob.hotkey.address)).toBe(400n + 86n);
  });

  it('makes incentive sum to 1 over the miners with weights and pays dividends to validators who set weights', async () => {
    const { chain, netuid, alice } = await rewardsNet({ alphaEmissionPerBlock: TAO });
    // Only Alice sets weights; Bob has a permit and stake but sets none.
    chain.advance(1);
    await chain.setWeights(alice.hotkey, { netuid, uids: [2, 3, 4], weights: [10, 20, 30], versionKey: 0n });
    chain.advanceTo(await chain.nextEpochBlock(netuid));
    const metagraph = await chain.metagraph(netuid);
    const incentive = metagraph.neurons.map((n) => n.incentive);
    expect(sum(incentive.slice(2))).toBeCloseTo(1, 4);
    expect(incentive.slice(2).map((x) => +x.toFixed(3))).toEqual([0.167, 0.333, 0.5]);
    expect(metagraph.neurons[0]?.dividends).toBe(1);
    expect(metagraph.neurons[1]?.dividends).toBe(0);
    expect(metagraph.neurons[1]?.emission).toBe(0n);
    // Miner emissions are in the ratio of the weights.
    const emission = metagraph.neurons.map((n) => Number(n.emission));
    expect(at(emission, 3) / at(emission, 2)).toBeCloseTo(2, 6);
    expect(at(emission, 4) / at(emission, 2)).toBeCloseTo(3, 6);
  });

  it('emits exactly alphaEmissionPerBlock for every block, split 18 / 41 / 41', async () => {
    const { chain, netuid, alice, keyring } = await rewardsNet({ alphaEmissionPerBlock: 1_000_003n });
    const owner = keyring.addFromUri('//Ferdie//hotkey').address;
    chain.setHyperparameters(netuid, { owner: { coldkey: keyring.addFromUri('//Ferdie').address, hotkey: owner } });
    chain.advance(1);
    await chain.setWeights(alice.hotkey, { netuid, uids: [2, 3], weights: [1, 2], versionKey: 0n });
    chain.advanceTo(57);
    const history = chain.epochHistory(netuid);
    expect(history.map((r) => r.block)).toEqual([7, 17, 27, 37, 47, 57]);
    // Subnet created in block 0: 57 blocks of emission handed out by block 57.
    expect(sumBig(history.map((r) => r.emitted))).toBe(57n * 1_000_003n);
    for (const record of history.slice(1)) {
      expect(record.emitted).toBe(10n * 1_000_003n);
      expect(record.toOwner + record.toMiners + record.toValidators + record.recycled).toBe(record.emitted);
      expect(record.toOwner).toBe((record.emitted * 18n) / 100n);
      expect(record.toMiners).toBe((record.emitted - record.toOwner) / 2n);
      expect(record.toValidators).toBe(record.emitted - record.toOwner - record.toMiners);
      expect(record.recycled).toBe(0n);
      expect(sumBig(record.neurons.map((n) => n.emission))).toBe(record.toMiners + record.toValidators);
      expect(sumBig(record.neurons.map((n) => n.minerEmission))).toBe(record.toMiners);
    }
    // The owner cut is staked to the owner hotkey.
    expect(chain.stakeOf(netuid, owner)).toBe(sumBig(history.map((r) => r.toOwner)));
  });

  it('stakes the rewards: alpha stake grows by each epoch emission', async () => {
    const { chain, netuid, alice, charlie } = await rewardsNet({ alphaEmissionPerBlock: TAO });
    chain.advance(1);
    await chain.setWeights(alice.hotkey, { netuid, uids: [2], weights: [1], versionKey: 0n });
    chain.advanceTo(7);
    const before = (await chain.metagraph(netuid)).neurons.map((n) => n.alphaStake);
    chain.advanceTo(17);
    const after = await chain.metagraph(netuid);
    const record = chain.epochHistory(netuid).at(-1);
    after.neurons.forEach((n, uid) => {
      expect(n.alphaStake).toBe(at(before, uid) + n.emission);
      expect(n.totalStake).toBe(n.alphaStake);
      expect(record?.neurons[uid]?.alphaStake).toBe(n.alphaStake);
    });
    expect(after.neurons[2]?.emission).toBe((10n * TAO - (10n * TAO * 18n) / 100n) / 2n);
    // Charlie had no stake: all of it is the miner emission of the two epochs.
    const earned = sumBig(chain.epochHistory(netuid).map((r) => r.neurons[2]?.minerEmission ?? 0n));
    expect(chain.stakeOf(netuid, charlie.hotkey.address)).toBe(earned);
    expect(earned).toBeGreaterThan(at(after.neurons, 2).emission);
  });

  it('recycles the miner and validator halves when nobody set weights', async () => {
    const { chain, netuid } = await rewardsNet();
    chain.advanceTo(17);
    const record = chain.epochHistory(netuid).at(-1);
    expect(record).toMatchObject({ emitted: 1000n, toMiners: 0n, toValidators: 0n, toOwner: 0n, recycled: 1000n });
    expect(record?.neurons.every((n) => n.emission === 0n)).toBe(true);
  });

  it('marks uids inactive after activityCutoff blocks without an update; their weights stop counting', async () => {
    const { chain, netuid, alice, bob } = await rewardsNet({ activityCutoff: 15 });
    chain.advance(1);
    await chain.setWeights(alice.hotkey, { netuid, uids: [2], weights: [1], versionKey: 0n });
    await chain.setWeights(bob.hotkey, { netuid, uids: [3], weights: [1], versionKey: 0n });
    chain.advanceTo(7);
    let metagraph = await chain.metagraph(netuid);
    expect(metagraph.neurons.map((n) => n.active)).toEqual([true, true, true, true, true]);
    // Block 17: the miners' LastUpdate (1, their registration) is 16 blocks old.
    chain.advanceTo(17);
    metagraph = await chain.metagraph(netuid);
    expect(metagraph.neurons.map((n) => n.active)).toEqual([true, true, false, false, false]);
    expect(metagraph.neurons[3]?.incentive).toBe(0); // Bob's minority weight is clipped
    // Block 27: Alice's LastUpdate (2) is 25 blocks old; Bob updates in block 26.
    chain.advanceTo(26);
    await chain.setWeights(bob.hotkey, { netuid, uids: [3], weights: [1], versionKey: 0n });
    chain.advanceTo(27);
    metagraph = await chain.metagraph(netuid);
    expect(metagraph.neurons.map((n) => n.active)).toEqual([false, true, false, false, false]);
    // Only Bob's stake counts now: uid 3 takes all the incentive, Bob all the dividends.
    expect(metagraph.neurons[3]?.incentive).toBe(1);
    expect(metagraph.neurons[1]?.dividends).toBe(1);
    expect(metagraph.neurons[0]?.dividends).toBe(0);
  });

  it('ignores weights set before the target uid registered (a replaced uid starts afresh)', async () => {
    const { chain, netuid, alice, bob, actor, register } = await rewardsNet({ maxAllowedUids: 5 });
    chain.advance(1);
    await chain.setWeights(alice.hotkey, { netuid, uids: [2, 3, 4], weights: [100, 100, 1], versionKey: 0n });
    await chain.setWeights(bob.hotkey, { netuid, uids: [2, 3], weights: [1, 1], versionKey: 0n });
    chain.advanceTo(7);
    const before = await chain.metagraph(netuid);
    expect(before.neurons[4]?.incentive).toBeGreaterThan(0);
    // uid 4 has the lowest emission, so a newcomer takes it over.
    expect(await register(actor('Zed'))).toBe(4);
    chain.advanceTo(17);
    // Alice still stores a weight on uid 4, but it predates the newcomer and does not count.
    expect(chain.weightsOf(netuid, 0).map(([uid]) => uid)).toEqual([2, 3, 4]);
    const after = await chain.metagraph(netuid);
    expect(after.neurons[4]?.incentive).toBe(0);
    expect(after.neurons[4]?.emission).toBe(0n);
    expect(after.neurons[2]?.incentive).toBeCloseTo(0.5, 4);
  });
});

describe('validator permits', () => {
  it('go to the top maxAllowedValidators by stake at each epoch', async () => {
    const { chain, netuid, charlie, events } = await rewardsNet({ maxAllowedValidators: 2 });
    expect((await chain.metagraph(netuid)).neurons.map((n) => n.validatorPermit)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    // Charlie stakes more than Bob: the permit moves at the next epoch, not before.
    chain.addStake(netuid, charlie.hotkey.address, 500n);
    expect((await chain.metagraph(netuid)).neurons[2]?.validatorPermit).toBe(false);
    chain.advanceTo(7);
    expect((await chain.metagraph(netuid)).neurons.map((n) => n.validatorPermit)).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(events.at(-2)).toMatchObject({ type: 'ValidatorPermitsUpdated', permits: [0, 2], block: 7 });
  });

  it('need stake: a permitless miner cannot set weights until it has one', async () => {
    const { chain, netuid, dave } = await rewardsNet({ maxAllowedValidators: 3 });
    chain.advance(1);
    const set = () => chain.setWeights(dave.hotkey, { netuid, uids: [2], weights: [1], versionKey: 0n });
    expect(outcome(await set())).toBe('NeuronNoValidatorPermit');
    chain.addStake(netuid, dave.hotkey.address, 1n);
    chain.advanceTo(7);
    expect((await chain.metagraph(netuid)).neurons[3]?.validatorPermit).toBe(true);
    expect(outcome(await set())).toBe('ok');
  });

  it('use the permits of the previous epoch for consensus, as subtensor does', async () => {
    const { chain, netuid, charlie } = await rewardsNet({ maxAllowedValidators: 2 });
    chain.addStake(netuid, charlie.hotkey.address, 10_000n);
    chain.advance(1);
    // Charlie has no permit yet (only a self-weight is allowed).
    expect(outcome(await chain.setWeights(charlie.hotkey, { netuid, uids: [2], weights: [1], versionKey: 0n }))).toBe(
      'ok',
    );
    chain.advanceTo(7);
    const record = chain.epochHistory(netuid)[0];
    expect(record?.neurons[2]?.dividends).toBe(0);
    expect(record?.neurons[2]?.validatorPermit).toBe(true);
  });
});
