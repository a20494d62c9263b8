import { describe, expect, it } from 'vitest';
import { at, outcome, TAO, testNet } from './test-fixtures.js';

describe('burned_register', () => {
  it('assigns the next uid, deducts the burn and records the registration block', async () => {
    const { chain, netuid, actor, register, events } = await testNet();
    const bob = actor('Bob');
    const charlie = actor('Charlie');
    chain.advance(3);
    expect(await register(bob)).toBe(0);
    expect(await register(charlie)).toBe(1);
    expect(chain.balanceOf(bob.coldkey.address)).toBe(1000n * TAO - TAO / 10n);
    const metagraph = await chain.metagraph(netuid);
    expect(metagraph.neurons.map((n) => [n.uid, n.hotkey, n.coldkey, n.blockAtRegistration, n.lastUpdate])).toEqual([
      [0, bob.hotkey.address, bob.coldkey.address, 3, 3],
      [1, charlie.hotkey.address, charlie.coldkey.address, 3, 3],
    ]);
    expect(metagraph.neurons[0]?.axon).toEqual({
      block: 0,
      version: 0,
      ip: '0.0.0.0',
      port: 0,
      ipType: 4,
      protocol: 0,
    });
    expect(events.filter((e) => e.type === 'NeuronRegistered')).toHaveLength(2);
  });

  it('returns the block it was included in', async () => {
    const { chain, netuid, actor } = await testNet();
    const bob = actor('Bob');
    chain.advance(4);
    const result = await chain.burnedRegister(bob.coldkey, netuid, bob.hotkey.address);
    expect(result).toMatchObject({ ok: true, blockNumber: 4 });
    if (result.ok) {
      expect(result.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(result.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    }
  });

  it('raises the burn by burnIncreaseMult after each registration, within maxBurn', async () => {
    const { chain, netuid, actor, register } = await testNet({ burnIncreaseMult: 2, maxBurn: TAO / 2n });
    expect(await chain.registrationCost(netuid)).toBe(TAO / 10n);
    const bob = actor('Bob');
    await register(bob);
    expect(await chain.registrationCost(netuid)).toBe(TAO / 5n);
    expect((await chain.hyperparameters(netuid)).burn).toBe(TAO / 5n);
    await register(actor('Charlie'));
    expect(await chain.registrationCost(netuid)).toBe((TAO * 2n) / 5n);
    await register(actor('Dave'));
    expect(await chain.registrationCost(netuid)).toBe(TAO / 2n);
    expect(chain.balanceOf(bob.coldkey.address)).toBe(1000n * TAO - TAO / 10n);
  });

  it('lets the burn decay by half every burnHalfLife blocks, down to minBurn', async () => {
    const { chain, netuid } = await testNet({ burn: TAO, burnHalfLife: 10, minBurn: TAO / 8n });
    chain.advance(11); // the decay starts at block 2
    const afterOneHalfLife = await chain.registrationCost(netuid);
    expect(Number(afterOneHalfLife)).toBeCloseTo(Number(TAO) / 2, -1);
    chain.advance(100);
    expect(await chain.registrationCost(netuid)).toBe(TAO / 8n);
  });

  it('refuses a hotkey that is already registered (HotKeyAlreadyRegisteredInSubNet)', async () => {
    const { chain, netuid, actor, register } = await testNet();
    const bob = actor('Bob');
    await register(bob);
    const balance = chain.balanceOf(bob.coldkey.address);
    const result = await chain.burnedRegister(bob.coldkey, netuid, bob.hotkey.address);
    expect(outcome(result)).toBe('HotKeyAlreadyRegisteredInSubNet');
    if (!result.ok) expect(result.error.message).toMatch(/already/);
    expect(chain.balanceOf(bob.coldkey.address)).toBe(balance);
  });

  it('refuses a coldkey that cannot pay the burn (NotEnoughBalanceToStake) and charges nothing', async () => {
    const { chain, netuid, keyring } = await testNet();
    const poor = keyring.addFromUri('//Poor');
    chain.endow(poor.address, TAO / 20n);
    const result = await chain.burnedRegister(poor, netuid, keyring.addFromUri('//Poor//hotkey').address);
    expect(outcome(result)).toBe('NotEnoughBalanceToStake');
    if (!result.ok) expect(result.error.message).toContain('0.1 TAO');
    expect(chain.balanceOf(poor.address)).toBe(TAO / 20n);
    expect((await chain.metagraph(netuid)).neurons).toEqual([]);
  });

  it('refuses a hotkey owned by another coldkey (NonAssociatedColdKey)', async () => {
    const { chain, actor, register } = await testNet();
    chain.createSubnet(2, { tempo: 10 });
    const bob = actor('Bob');
    const eve = actor('Eve');
    await register(bob);
    const result = await chain.burnedRegister(eve.coldkey, 2, bob.hotkey.address);
    expect(outcome(result)).toBe('NonAssociatedColdKey');
    expect(outcome(await chain.burnedRegister(bob.coldkey, 2, bob.hotkey.address))).toBe('ok');
  });

  it('checks in the chain order: root, subnet, registration allowed, already registered, balance', async () => {
    const { chain, netuid, actor, register, keyring } = await testNet();
    const bob = actor('Bob');
    await register(bob);
    const broke = keyring.addFromUri('//Broke');
    expect(outcome(await chain.burnedRegister(broke, 0, bob.hotkey.address))).toBe(
      'RegistrationNotPermittedOnRootSubnet',
    );
    expect(outcome(await chain.burnedRegister(broke, 9, bob.hotkey.address))).toBe('SubnetNotExists');
    // Already registered beats the empty balance.
    expect(outcome(await chain.burnedRegister(broke, netuid, bob.hotkey.address))).toBe(
      'HotKeyAlreadyRegisteredInSubNet',
    );
    chain.setHyperparameters(netuid, { registrationAllowed: false });
    expect(outcome(await chain.burnedRegister(broke, netuid, bob.hotkey.address))).toBe('SubNetRegistrationDisabled');
    expect(outcome(await chain.burnedRegister(broke, netuid, 'not-an-address'))).toBe('InvalidTransaction');
  });

  it('fails with ExtrinsicFailed events instead of throwing', async () => {
    const { chain, events, keyring } = await testNet();
    const result = await chain.burnedRegister(keyring.addFromUri('//X'), 9, keyring.addFromUri('//Y').address);
    expect(result.ok).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'ExtrinsicFailed', call: 'burned_register' });
  });
});

describe('registration on a full subnet', () => {
  /**
   * uid 0 validator (stake), uids 1–3 miners. The validator weights miners 1, 2, 3 as 3 : 1 : 2,
   * so after an epoch uid 2 has the lowest emission.
   */
  async function fullSubnet(immunityPeriod: number) {
    const net = await testNet({ maxAllowedUids: 4, immunityPeriod });
    const { chain, netuid, actor, register } = net;
    const validator = actor('Alice');
    const miners = [actor('Bob'), actor('Charlie'), actor('Dave')];
    await register(validator);
    for (const m of miners) await register(m);
    chain.addStake(netuid, validator.hotkey.address, 1000n * TAO);
    chain.refreshValidatorPermits(netuid);
    chain.advance(1);
    const set = await chain.setWeights(validator.hotkey, {
      netuid,
      uids: [1, 2, 3],
      weights: [3, 1, 2],
      versionKey: 0n,
    });
    expect(outcome(set)).toBe('ok');
    chain.advanceTo(await chain.nextEpochBlock(netuid));
    const emissions = (await chain.metagraph(netuid)).neurons.map((n) => n.emission);
    expect(emissions[2]).toBeLessThan(emissions[3] as bigint);
    expect(emissions[3]).toBeLessThan(emissions[1] as bigint);
    return { ...net, validator, miners };
  }

  it('replaces the non-immune uid with the lowest emission', async () => {
    const { chain, netuid, actor, register, miners, events } = await fullSubnet(0);
    const eve = actor('Eve');
    const charlie = at(miners, 1);
    chain.addStake(netuid, charlie.hotkey.address, 0n);
    const stakeBefore = chain.stakeOf(netuid, charlie.hotkey.address);
    expect(stakeBefore).toBeGreaterThan(0n);
    const served = await chain.serveAxon(charlie.hotkey, { netuid, ip: '1.2.3.4', port: 8091, version: 1 });
    expect(outcome(served)).toBe('ok');

    expect(await register(eve)).toBe(2);
    const block = chain.blockNumber;
    expect(await chain.uidOf(netuid, charlie.hotkey.address)).toBeUndefined();
    const neuron = at((await chain.metagraph(netuid)).neurons, 2);
    expect(neuron).toMatchObject({
      hotkey: eve.hotkey.address,
      blockAtRegistration: block,
      lastUpdate: block,
      emission: 0n,
      incentive: 0,
      validatorPermit: false,
    });
    expect(neuron.axon.port).toBe(0);
    // The replaced hotkey keeps its alpha.
    expect(chain.stakeOf(netuid, charlie.hotkey.address)).toBe(stakeBefore);
    expect(events.at(-1)).toMatchObject({ type: 'NeuronRegistered', uid: 2, replaced: charlie.hotkey.address });
  });

  it('protects immune uids even when their emission is the lowest', async () => {
    const { chain, netuid, actor, register } = await fullSubnet(1000);
    // Every uid is immune: the lowest-emission immune uid is the fallback (subtensor HEAD).
    expect(await register(actor('Eve'))).toBe(2);
    // Now uid 2 (Eve) is immune with emission 0 while the others have left immunity.
    chain.setHyperparameters(netuid, { immunityPeriod: 5 });
    chain.advance(3);
    const metagraph = await chain.metagraph(netuid);
    expect(at(metagraph.neurons, 2).emission).toBe(0n);
    expect(await register(actor('Ferdie'))).toBe(3);
  });

  it('breaks emission ties by the older registration, then by the lower uid', async () => {
    const net = await testNet({ maxAllowedUids: 3, immunityPeriod: 2 });
    const { chain, actor, register } = net;
    const a = actor('A');
    const b = actor('B');
    const c = actor('C');
    await register(a); // uid 0, block 0
    await register(b); // uid 1, block 0
    chain.advance(1);
    await register(c); // uid 2, block 1
    chain.advance(5);
    // All emissions are 0; uids 0 and 1 registered first, so the lower uid (0) goes.
    expect(await register(actor('D'))).toBe(0);
    chain.advance(5);
    // uid 0 is now the newest; uid 1 (block 0) is older than uid 2 (block 1).
    expect(await register(actor('E'))).toBe(1);
    chain.advance(5);
    expect(await register(actor('F'))).toBe(2);
  });

  it('never replaces the subnet owner hotkey (NoNeuronIdAvailable when nothing else is left)', async () => {
    const { chain, netuid, keyring, actor, register } = await testNet({ maxAllowedUids: 1 });
    const owner = actor('Ferdie');
    chain.setHyperparameters(netuid, { owner: { coldkey: owner.coldkey.address, hotkey: owner.hotkey.address } });
    await register(owner);
    chain.advance(2);
    const eve = actor('Eve');
    const result = await chain.burnedRegister(eve.coldkey, netuid, eve.hotkey.address);
    expect(outcome(result)).toBe('NoNeuronIdAvailable');
    expect(chain.balanceOf(eve.coldkey.address)).toBe(1000n * TAO);
    chain.setHyperparameters(netuid, { maxAllowedUids: 0 });
    const other = keyring.addFromUri('//Other');
    chain.endow(other.address, TAO);
    expect(outcome(await chain.burnedRegister(other, netuid, eve.hotkey.address))).toBe('NoNeuronIdAvailable');
  });
});
