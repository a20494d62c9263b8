import { describe, expect, it } from 'vitest';
import { createDemoDevnet } from './demo.js';
import { at, outcome } from './test-fixtures.js';

describe('createDemoDevnet', () => {
  it('builds subnet 50 with a staked validator, registered miners, a spare coldkey and an owner', async () => {
    const demo = await createDemoDevnet();
    const { chain, netuid, validator, miners, spare, owner } = demo;
    expect(netuid).toBe(50);
    expect(validator.coldkeyUri).toBe('//Alice');
    expect(validator.hotkeyUri).toBe('//Alice//hotkey');
    expect(miners.map((m) => m.name)).toEqual(['Bob', 'Charlie', 'Dave']);
    const metagraph = await chain.metagraph(netuid);
    expect(metagraph.tempo).toBe(10);
    expect(metagraph.neurons.map((n) => n.hotkey)).toEqual([validator, ...miners].map((p) => p.hotkey.address));
    expect(metagraph.neurons.map((n) => n.validatorPermit)).toEqual([true, false, false, false]);
    expect(metagraph.neurons[0]?.alphaStake).toBe(1000_000_000_000n);
    expect(await chain.uidOf(netuid, spare.hotkey.address)).toBeUndefined();
    expect(chain.balanceOf(spare.coldkey.address)).toBe(100_000_000_000n);
    expect((await chain.hyperparameters(netuid)).commitRevealEnabled).toBe(false);
    expect(chain.producingBlocks).toBe(false);
    expect(owner.hotkey.address).not.toBe(validator.hotkey.address);
  });

  it('lets the validator set weights and the miners earn alpha at the next epoch', async () => {
    const { chain, netuid, validator, miners, spare } = await createDemoDevnet();
    chain.advance(1);
    for (const [i, miner] of miners.entries()) {
      const served = await chain.serveAxon(miner.hotkey, { netuid, ip: `10.0.0.${i + 1}`, port: 8091, version: 1 });
      expect(outcome(served)).toBe('ok');
    }
    const set = await chain.setWeights(validator.hotkey, {
      netuid,
      uids: miners.map((m) => m.uid),
      weights: [65535, 32768, 16384],
      versionKey: 0n,
    });
    expect(outcome(set)).toBe('ok');
    chain.advanceTo(await chain.nextEpochBlock(netuid));
    const metagraph = await chain.metagraph(netuid);
    const [v, m1, m2, m3] = [0, 1, 2, 3].map((uid) => at(metagraph.neurons, uid));
    expect(v?.dividends).toBe(1);
    expect(m1?.emission).toBeGreaterThan(m2?.emission ?? 0n);
    expect(m2?.emission).toBeGreaterThan(m3?.emission ?? 0n);
    expect(m3?.emission).toBeGreaterThan(0n);
    expect(m1?.axon).toMatchObject({ ip: '10.0.0.1', port: 8091 });
    expect(chain.epochHistory(netuid)).toHaveLength(1);
    // The spare coldkey can register its hotkey from the app.
    const registered = await chain.burnedRegister(spare.coldkey, netuid, spare.hotkey.address);
    expect(outcome(registered)).toBe('ok');
    expect(await chain.uidOf(netuid, spare.hotkey.address)).toBe(4);
  });

  it('takes options: more miners, other subnet settings, a block timer', async () => {
    const demo = await createDemoDevnet({
      miners: 5,
      subnet: { tempo: 20, commitRevealEnabled: true },
      blockTimeMs: 60_000,
    });
    expect(demo.miners.map((m) => m.name)).toEqual(['Bob', 'Charlie', 'Dave', 'Miner4', 'Miner5']);
    expect((await demo.chain.hyperparameters(demo.netuid)).tempo).toBe(20);
    expect(demo.chain.producingBlocks).toBe(true);
    await demo.chain.close();
    expect(demo.chain.producingBlocks).toBe(false);
  });
});
