import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChainConnection } from '../chain/types.js';
import { DevnetChain } from './devnet-chain.js';
import { DevnetError } from './errors.js';
import { RUNTIME_DEFAULTS } from './state.js';
import { testNet } from './test-fixtures.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('DevnetChain blocks and connection', () => {
  it('is always connected to the endpoint "devnet" and tells a new listener at once', () => {
    const chain = new DevnetChain();
    expect(chain.connection).toMatchObject({ status: 'connected', endpoint: 'devnet' });
    const seen: ChainConnection[] = [];
    const off = chain.onConnection((state) => seen.push(state));
    expect(seen).toEqual([chain.connection]);
    off();
  });

  it('advances block by block and calls onNewBlock for each block, in order', async () => {
    const chain = new DevnetChain({ startBlock: 10 });
    const blocks: number[] = [];
    const off = chain.onNewBlock((b) => blocks.push(b));
    expect(chain.advance()).toBe(11);
    expect(chain.advance(3)).toBe(14);
    expect(blocks).toEqual([11, 12, 13, 14]);
    expect(await chain.currentBlock()).toBe(14);
    off();
    chain.advance(2);
    expect(blocks).toHaveLength(4);
    expect(chain.advanceTo(12)).toBe(16);
  });

  it('keeps going when a listener throws', () => {
    const warnings: string[] = [];
    const chain = new DevnetChain({ logger: { info: () => undefined, warn: (m) => warnings.push(m) } });
    const blocks: number[] = [];
    chain.onNewBlock(() => {
      throw new Error('listener bug');
    });
    chain.onNewBlock((b) => blocks.push(b));
    chain.advance(2);
    expect(blocks).toEqual([1, 2]);
    expect(warnings).toHaveLength(2);
  });

  it('produces blocks on a timer until stopped or closed', async () => {
    vi.useFakeTimers();
    const chain = new DevnetChain();
    const blocks: number[] = [];
    chain.onNewBlock((b) => blocks.push(b));
    chain.startBlockProduction(250);
    expect(chain.producingBlocks).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(blocks).toEqual([1, 2, 3, 4]);
    chain.stopBlockProduction();
    vi.advanceTimersByTime(1000);
    expect(blocks).toHaveLength(4);
    chain.startBlockProduction(100);
    vi.advanceTimersByTime(300);
    expect(await chain.currentBlock()).toBe(7);
    await chain.close();
    vi.advanceTimersByTime(1000);
    expect(await chain.currentBlock()).toBe(7);
    expect(chain.producingBlocks).toBe(false);
  });

  it('creates subnets with the runtime defaults of chain §7 unless overridden', async () => {
    const chain = new DevnetChain();
    chain.createSubnet(50, { tempo: 10 });
    const hyperparameters = await chain.hyperparameters(50);
    expect(hyperparameters).toEqual({
      tempo: 10,
      immunityPeriod: 4096,
      weightsRateLimit: 100,
      minAllowedWeights: 1024,
      maxWeightsLimit: 65535,
      weightsVersionKey: 0n,
      commitRevealEnabled: true,
      revealPeriodEpochs: 1,
      servingRateLimit: 50,
      maxAllowedValidators: 128,
      maxAllowedUids: 256,
      activityCutoff: 5000,
      registrationAllowed: true,
      burn: 100_000_000n,
    });
    expect(RUNTIME_DEFAULTS.tempo).toBe(360);
    expect(await chain.metagraph(50)).toEqual({ netuid: 50, block: 0, tempo: 10, neurons: [] });
    expect(() => chain.createSubnet(50)).toThrow(DevnetError);
    expect(() => chain.createSubnet(0)).toThrow(/root/);
    expect(() => chain.createSubnet(2, { tempo: -1 })).toThrow(/tempo/);
    await expect(chain.metagraph(3)).rejects.toThrow(DevnetError);
    expect(await chain.uidOf(3, 'anything')).toBeUndefined();
  });

  it('accrues balances and stake with the devnet helpers', async () => {
    const { chain, netuid, actor } = await testNet();
    const bob = actor('Bob');
    chain.endow(bob.coldkey.address, 5n);
    expect(chain.balanceOf(bob.coldkey.address)).toBe(1000_000_000_000n + 5n);
    chain.addStake(netuid, bob.hotkey.address, 7n);
    chain.addStake(netuid, bob.hotkey.address, 3n);
    expect(chain.stakeOf(netuid, bob.hotkey.address)).toBe(10n);
    expect(() => chain.endow(bob.coldkey.address, -1n)).toThrow(DevnetError);
    expect(() => chain.addStake(netuid, 'nope', 1n)).toThrow(/SS58/);
  });
});
