/**
 * ChainWeightSetter against the devnet chain double (issue #12): plain set_weights on the cadence,
 * commit-reveal v2 revealed in its window, timelocked commits confirmed by the chain's reveal,
 * and restart safety with a real SQLite store reopened from disk.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { describe, expect, it } from 'vitest';
import type { Chain } from '../chain/chain.js';
import { openTimelockedCommit } from '../chain/timelock/index.js';
import { localBeacon } from '../chain/timelock/test-vectors.js';
import type { Submission } from '../chain/types.js';
import type { DevnetChainOptions } from '../devnet/devnet-chain.js';
import type { DevnetSubnetConfig } from '../devnet/state.js';
import { TAO, testNet } from '../devnet/test-fixtures.js';
import { openDatabase } from '../store/database.js';
import { WeightsStore } from '../store/weights-store.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { ChainWeightSetter, type ChainWeightSetterOptions } from './weight-setter.js';

const tempDir = useTempDirs();

/** uid 0: Alice (the validator, staked, permit), uids 1-2: Bob and Charlie. netuid 1, tempo 10. */
async function validatorNet(config: Partial<DevnetSubnetConfig> = {}, options: DevnetChainOptions = {}) {
  const net = await testNet(config, options);
  const { chain, netuid, actor, register } = net;
  chain.advance(1);
  const alice = actor('Alice');
  for (const p of [alice, actor('Bob'), actor('Charlie')]) await register(p);
  chain.addStake(netuid, alice.hotkey.address, 100n * TAO);
  chain.refreshValidatorPermits(netuid);
  const dir = tempDir();
  const setter = (patch: Partial<ChainWeightSetterOptions> = {}): ChainWeightSetter =>
    new ChainWeightSetter({
      chain,
      // A fresh connection to the same file each time, as after a restart.
      store: new WeightsStore(openDatabase(dir)),
      hotkey: alice.hotkey,
      netuid,
      minIntervalBlocks: 100,
      now: () => 1_790_000_000_000,
      ...patch,
    });
  const onChain = (type: string) => net.events.filter((e) => e.type === type).length;
  return { ...net, alice, dir, setter, onChain };
}

const SCORES = new Map([
  [1, 0.6],
  [2, 0.3],
]);

/** The devnet, with one call replaced: a stand-in for a process killed while it waits. */
function crashingOn(chain: Chain, call: 'setWeights' | 'commitWeights', sendFirst: boolean): Chain {
  return new Proxy(chain, {
    get(target, key, receiver) {
      if (key !== call) return Reflect.get(target, key, receiver) as unknown;
      return async (hotkey: KeyringPair, ...args: unknown[]): Promise<Submission> => {
        if (sendFirst) await (target[call] as (...a: unknown[]) => Promise<Submission>).call(target, hotkey, ...args);
        return new Promise<Submission>(() => undefined); // never answers
      };
    },
  });
}

describe('ChainWeightSetter, plain set_weights', () => {
  it('sets the processed weights, records the extrinsic, and waits the cadence (rate limit above the floor)', async () => {
    const { chain, netuid, setter } = await validatorNet({ weightsRateLimit: 8 });
    const weights = setter({ minIntervalBlocks: 5 });
    // Registration in block 1 counts as an update: the chain's rate limit allows block 9 first.
    chain.advanceTo(9);
    const first = await weights.onBlock(9, SCORES);
    expect(first).toMatchObject({ mode: 'plain', block: 9, uids: [1, 2], weights: [65535, 32768], state: 'included' });
    expect(first?.extrinsic).toMatch(/^0x[0-9a-f]{64}$/);
    expect(chain.weightsOf(netuid, 0)).toEqual([
      [1, 65535],
      [2, 32768],
    ]);
    // WeightsSetRateLimit 8 > the floor 5.
    expect(weights.status()).toMatchObject({ mode: 'plain', nextBlock: 17, pendingReveals: 0, alerts: [] });
    chain.advanceTo(16);
    expect(await weights.onBlock(16, SCORES)).toBeNull();
    chain.advanceTo(17);
    expect(await weights.onBlock(17, new Map([[2, 1]]))).toMatchObject({ block: 17, uids: [2], state: 'included' });
    expect(chain.weightsOf(netuid, 0)).toEqual([[2, 65535]]);
  });

  it('records a refused extrinsic with its error, alerts, and retries after retryAfterBlocks', async () => {
    const { chain, netuid, setter } = await validatorNet({ weightsVersionKey: 7n });
    const weights = setter({ versionKey: 3n, retryAfterBlocks: 4 });
    chain.advanceTo(2);
    const failed = await weights.onBlock(2, SCORES);
    expect(failed).toMatchObject({ state: 'failed', error: expect.stringMatching(/^IncorrectWeightVersionKey/) });
    expect(failed?.extrinsic).toMatch(/^0x/);
    expect(weights.status().alerts.join('\n')).toMatch(/refused.*IncorrectWeightVersionKey/);
    expect(weights.status().nextBlock).toBe(6);
    expect(chain.weightsOf(netuid, 0)).toEqual([]);

    // The version key defaults to the subnet's own.
    const fixed = setter({ retryAfterBlocks: 4 });
    chain.advanceTo(6);
    expect(await fixed.onBlock(6, SCORES)).toMatchObject({ state: 'included' });
  });

  it('refuses scores that cannot be weights with an alert, sends and records nothing', async () => {
    const { chain, setter, onChain } = await validatorNet();
    const weights = setter();
    chain.advanceTo(2);
    expect(await weights.onBlock(2, new Map([[1, Number.NaN]]))).toBeNull();
    expect(weights.status()).toMatchObject({ last: null, nextBlock: 0 });
    expect(weights.status().alerts).toEqual(['Weights: the score of uid 1 is NaN; scores must be finite and >= 0']);
    expect(onChain('WeightsSet')).toBe(0);
    expect(await weights.onBlock(2, SCORES)).toMatchObject({ state: 'included' });
  });

  it('never sends again after a restart: the cadence comes from the store', async () => {
    const { chain, setter, onChain } = await validatorNet();
    chain.advanceTo(2);
    await setter().onBlock(2, SCORES);
    const restarted = setter();
    expect(restarted.status()).toMatchObject({ last: { block: 2, state: 'included' }, nextBlock: 102 });
    chain.advanceTo(3);
    expect(await restarted.onBlock(3, SCORES)).toBeNull();
    expect(onChain('WeightsSet')).toBe(1);
  });

  it('a kill between send and record: the restart finds it on chain (LastUpdate) and does not resend', async () => {
    const { chain, setter, onChain } = await validatorNet();
    chain.advanceTo(2);
    const crashed = setter({ chain: crashingOn(chain, 'setWeights', true) });
    void crashed.onBlock(2, SCORES);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(onChain('WeightsSet')).toBe(1);

    const restarted = setter();
    expect(restarted.status()).toMatchObject({ last: { state: 'submitted' }, nextBlock: null });
    chain.advanceTo(3);
    expect(await restarted.onBlock(3, SCORES)).toBeNull();
    expect(restarted.status()).toMatchObject({ last: { block: 2, state: 'included' }, nextBlock: 102 });
    expect(onChain('WeightsSet')).toBe(1);
  });

  it('a kill before the send: the restart marks it failed, not resent at once, and retries later', async () => {
    const { chain, setter, onChain } = await validatorNet();
    chain.advanceTo(2);
    void setter({ chain: crashingOn(chain, 'setWeights', false) }).onBlock(2, SCORES);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const restarted = setter({ retryAfterBlocks: 5 });
    chain.advanceTo(3);
    expect(await restarted.onBlock(3, SCORES)).toBeNull();
    expect(restarted.status().last).toMatchObject({ state: 'failed', error: expect.stringMatching(/not resent/) });
    expect(onChain('WeightsSet')).toBe(0);
    chain.advanceTo(7);
    expect(await restarted.onBlock(7, SCORES)).toMatchObject({ block: 7, state: 'included' });
  });
});

describe('ChainWeightSetter, commit-reveal v2', () => {
  const CR = { commitRevealEnabled: true, revealPeriodEpochs: 1 };

  it('commits the hash, waits for the reveal window, then reveals what it committed', async () => {
    const { chain, netuid, setter, alice } = await validatorNet(CR);
    const weights = setter({ mode: 'commit-reveal' });
    chain.advanceTo(2);
    expect(await weights.onBlock(2, SCORES)).toMatchObject({ mode: 'commit-reveal', state: 'committed' });
    expect(chain.pendingCommits(netuid, alice.hotkey.address)).toHaveLength(1);
    expect(weights.status().pendingReveals).toBe(1);
    chain.advanceTo(8);
    await weights.onBlock(8, SCORES);
    expect(chain.weightsOf(netuid, 0)).toEqual([]);
    chain.advanceTo(9);
    expect(await weights.onBlock(9, SCORES)).toBeNull();
    expect(chain.weightsOf(netuid, 0)).toEqual([
      [1, 65535],
      [2, 32768],
    ]);
    expect(chain.pendingCommits(netuid, alice.hotkey.address)).toEqual([]);
    expect(weights.status()).toMatchObject({ pendingReveals: 0, last: { state: 'revealed' }, alerts: [] });
  });

  it('a pending commit survives a restart: the new process reveals it with the salt from disk', async () => {
    const { chain, netuid, setter, alice, onChain } = await validatorNet(CR);
    chain.advanceTo(2);
    await setter({ mode: 'commit-reveal' }).onBlock(2, SCORES);

    const restarted = setter({ mode: 'commit-reveal' });
    expect(restarted.status()).toMatchObject({ pendingReveals: 1, nextBlock: 102 });
    chain.advanceTo(10);
    expect(await restarted.onBlock(10, SCORES)).toBeNull();
    expect(onChain('WeightsRevealed')).toBe(1);
    expect(onChain('WeightsCommitted')).toBe(1);
    expect(chain.weightsOf(netuid, 0)).toHaveLength(2);
    expect(chain.pendingCommits(netuid, alice.hotkey.address)).toEqual([]);
  });

  it('a kill between commit and record: the restart finds the commit in WeightCommits and reveals it', async () => {
    const { chain, netuid, setter, onChain } = await validatorNet(CR);
    chain.advanceTo(2);
    void setter({ mode: 'commit-reveal', chain: crashingOn(chain, 'commitWeights', true) }).onBlock(2, SCORES);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const restarted = setter({ mode: 'commit-reveal' });
    chain.advanceTo(9);
    expect(await restarted.onBlock(9, SCORES)).toBeNull();
    expect(onChain('WeightsCommitted')).toBe(1);
    expect(chain.weightsOf(netuid, 0)).toHaveLength(2);
    expect(restarted.status().last).toMatchObject({ state: 'revealed' });
  });

  it('reports a reveal that missed its window', async () => {
    const { chain, setter } = await validatorNet(CR);
    chain.advanceTo(2);
    await setter({ mode: 'commit-reveal' }).onBlock(2, SCORES);
    const late = setter({ mode: 'commit-reveal' });
    chain.advanceTo(20);
    await late.onBlock(20, SCORES);
    expect(late.status()).toMatchObject({ pendingReveals: 0, last: { state: 'reveal_missing' } });
    expect(late.status().alerts.join('\n')).toMatch(/not revealed.*reveal window \(blocks 9–19\)/);
  });
});

describe('ChainWeightSetter, timelocked (commit-reveal v4)', () => {
  const CR = { commitRevealEnabled: true, revealPeriodEpochs: 1 };
  const beacon = localBeacon(5);

  it('picks timelocked when commit-reveal is on, and confirms the commit by the chain reveal', async () => {
    const { chain, netuid, setter } = await validatorNet(CR, {
      revealTimelocked: (commit, round) => {
        const payload = openTimelockedCommit(commit, beacon.sign(round));
        return { uids: payload.uids, weights: payload.values, versionKey: payload.versionKey };
      },
    });
    const weights = setter({ beaconPublicKey: beacon.publicKey });
    chain.advanceTo(2);
    const committed = await weights.onBlock(2, SCORES);
    expect(committed).toMatchObject({ mode: 'timelocked', state: 'committed', uids: [1, 2] });
    expect(chain.timelockedCommits(netuid)).toHaveLength(1);
    chain.advanceTo(19);
    await weights.onBlock(19, SCORES);
    expect(weights.status()).toMatchObject({ mode: 'timelocked', pendingReveals: 0, last: { state: 'revealed' } });
    expect(chain.weightsOf(netuid, 0)).toEqual([
      [1, 65535],
      [2, 32768],
    ]);
  });

  it('reports a timelocked reveal that never came', async () => {
    const { chain, setter } = await validatorNet(CR);
    const weights = setter({ beaconPublicKey: beacon.publicKey });
    chain.advanceTo(2);
    await weights.onBlock(2, SCORES);
    chain.advanceTo(22);
    await weights.onBlock(22, SCORES);
    expect(weights.status().last).toMatchObject({ state: 'reveal_missing' });
    expect(weights.status().alerts.join('\n')).toMatch(/did not reveal it by block 21/);
  });

  it('waits instead of committing right before an epoch start', async () => {
    const { chain, setter, onChain } = await validatorNet(CR);
    const weights = setter({ beaconPublicKey: beacon.publicKey });
    chain.advanceTo(5); // the next epoch starts in block 8
    expect(await weights.onBlock(5, SCORES)).toBeNull();
    expect(weights.status().last).toBeNull();
    expect(onChain('TimelockedWeightsCommitted')).toBe(0);
  });
});
