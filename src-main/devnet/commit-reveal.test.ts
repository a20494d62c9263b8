import { describe, expect, it, vi } from 'vitest';
import { commitHash } from '../chain/commit-hash.js';
import type { DemoParticipant } from './demo.js';
import type { DevnetChainOptions, TimelockRevealer } from './devnet-chain.js';
import type { DevnetSubnetConfig } from './state.js';
import { outcome, TAO, testNet } from './test-fixtures.js';

/**
 * netuid 1, tempo 10: epochs run in blocks 8, 19, 30, …; epoch index 0 is blocks 0–8, index 1 is
 * 9–19, index 2 is 20–30. uid 0: Alice (validator), uids 1–2: Bob, Charlie; all registered in block 1.
 */
async function crNet(config: Partial<DevnetSubnetConfig> = {}, options: DevnetChainOptions = {}) {
  const net = await testNet({ commitRevealEnabled: true, revealPeriodEpochs: 1, ...config }, options);
  const { chain, netuid, actor, register } = net;
  chain.advance(1);
  const alice = actor('Alice');
  const bob = actor('Bob');
  const charlie = actor('Charlie');
  for (const p of [alice, bob, charlie]) await register(p);
  chain.addStake(netuid, alice.hotkey.address, 100n * TAO);
  chain.refreshValidatorPermits(netuid);
  const reveal = { netuid, uids: [1, 2], weights: [65535, 32768], salt: [1, 2, 3, 4], versionKey: 0n };
  const hashOf = (who: DemoParticipant, r: typeof reveal = reveal) =>
    commitHash({
      hotkey: who.hotkey.address,
      netuidIndex: netuid,
      uids: r.uids,
      values: r.weights,
      salt: r.salt,
      versionKey: r.versionKey,
    });
  return { ...net, alice, bob, charlie, reveal, hashOf };
}

describe('commit-reveal v2', () => {
  it('commit → reveal too early → reveal in the reveal epoch applies the weights', async () => {
    const { chain, netuid, alice, reveal, hashOf, events } = await crNet();
    chain.advanceTo(2);
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, hashOf(alice)))).toBe('ok');
    expect(chain.pendingCommits(netuid, alice.hotkey.address)).toMatchObject([
      { commitBlock: 2, commitEpoch: 0, firstRevealBlock: 9, lastRevealBlock: 19 },
    ]);
    expect((await chain.metagraph(netuid)).neurons[0]?.lastUpdate).toBe(2);

    const early = await chain.revealWeights(alice.hotkey, reveal);
    expect(outcome(early)).toBe('RevealTooEarly');
    if (!early.ok) expect(early.error.message).toContain('block 9');
    chain.advanceTo(8);
    expect(outcome(await chain.revealWeights(alice.hotkey, reveal))).toBe('RevealTooEarly');
    expect(chain.weightsOf(netuid, 0)).toEqual([]);

    chain.advanceTo(9);
    expect(await chain.revealWeights(alice.hotkey, reveal)).toMatchObject({ ok: true, blockNumber: 9 });
    expect(chain.weightsOf(netuid, 0)).toEqual([
      [1, 65535],
      [2, 32768],
    ]);
    expect(chain.pendingCommits(netuid, alice.hotkey.address)).toEqual([]);
    expect((await chain.metagraph(netuid)).neurons[0]?.lastUpdate).toBe(9);
    expect(events.some((e) => e.type === 'WeightsRevealed' && e.block === 9)).toBe(true);

    // The revealed weights count in the epoch of block 19.
    chain.advanceTo(19);
    const incentive = (await chain.metagraph(netuid)).neurons.map((n) => +n.incentive.toFixed(3));
    expect(incentive).toEqual([0, 0.667, 0.333]);
  });

  it('accepts a reveal in the last block of the reveal epoch and refuses it after (ExpiredWeightCommit)', async () => {
    const { chain, netuid, alice, reveal, hashOf } = await crNet();
    chain.advanceTo(2);
    await chain.commitWeights(alice.hotkey, netuid, hashOf(alice));
    chain.advanceTo(20);
    const expired = await chain.revealWeights(alice.hotkey, reveal);
    expect(outcome(expired)).toBe('ExpiredWeightCommit');
    if (!expired.ok) expect(expired.error.message).toMatch(/commit again/i);
    // A failed call changes nothing: the expired commit is still stored until a commit prunes it.
    expect(chain.pendingCommits(netuid, alice.hotkey.address)).toHaveLength(1);
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, hashOf(alice, { ...reveal, salt: [9] })))).toBe(
      'ok',
    );
    expect(chain.pendingCommits(netuid, alice.hotkey.address).map((c) => c.commitBlock)).toEqual([20]);

    const second = await crNet();
    second.chain.advanceTo(2);
    await second.chain.commitWeights(second.alice.hotkey, second.netuid, second.hashOf(second.alice));
    second.chain.advanceTo(19);
    expect(outcome(await second.chain.revealWeights(second.alice.hotkey, second.reveal))).toBe('ok');
  });

  it('waits revealPeriodEpochs epochs', async () => {
    const { chain, netuid, alice, reveal, hashOf } = await crNet({ revealPeriodEpochs: 2 });
    chain.advanceTo(2);
    await chain.commitWeights(alice.hotkey, netuid, hashOf(alice));
    chain.advanceTo(19);
    expect(outcome(await chain.revealWeights(alice.hotkey, reveal))).toBe('RevealTooEarly');
    chain.advanceTo(20);
    expect(outcome(await chain.revealWeights(alice.hotkey, reveal))).toBe('ok');
  });

  it('refuses a reveal that does not match (InvalidRevealCommitHashNotMatch) or has no commit', async () => {
    const { chain, netuid, alice, bob, reveal, hashOf } = await crNet();
    expect(outcome(await chain.revealWeights(alice.hotkey, reveal))).toBe('NoWeightsCommitFound');
    chain.advanceTo(2);
    await chain.commitWeights(alice.hotkey, netuid, hashOf(alice));
    chain.advanceTo(9);
    expect(outcome(await chain.revealWeights(alice.hotkey, { ...reveal, salt: [1, 2, 3, 5] }))).toBe(
      'InvalidRevealCommitHashNotMatch',
    );
    expect(outcome(await chain.revealWeights(alice.hotkey, { ...reveal, versionKey: 1n }))).toBe(
      'InvalidRevealCommitHashNotMatch',
    );
    // Another hotkey's reveal of the same data hashes differently.
    expect(outcome(await chain.revealWeights(bob.hotkey, reveal))).toBe('NoWeightsCommitFound');
    expect(outcome(await chain.revealWeights(alice.hotkey, reveal))).toBe('ok');
  });

  it('drops the earlier commits when a later one is revealed', async () => {
    const { chain, netuid, alice, reveal, hashOf } = await crNet();
    const other = { ...reveal, salt: [7] };
    chain.advanceTo(2);
    await chain.commitWeights(alice.hotkey, netuid, hashOf(alice));
    chain.advanceTo(3);
    await chain.commitWeights(alice.hotkey, netuid, hashOf(alice, other));
    chain.advanceTo(9);
    expect(outcome(await chain.revealWeights(alice.hotkey, other))).toBe('ok');
    expect(outcome(await chain.revealWeights(alice.hotkey, reveal))).toBe('NoWeightsCommitFound');
  });

  it('applies the set_weights checks on reveal and keeps the commit when they fail', async () => {
    const { chain, netuid, bob, reveal, hashOf } = await crNet();
    chain.advanceTo(2);
    expect(outcome(await chain.commitWeights(bob.hotkey, netuid, hashOf(bob)))).toBe('ok');
    chain.advanceTo(9);
    expect(outcome(await chain.revealWeights(bob.hotkey, reveal))).toBe('NeuronNoValidatorPermit');
    expect(chain.pendingCommits(netuid, bob.hotkey.address)).toHaveLength(1);
  });

  it('is refused when commit-reveal is off (CommitRevealDisabled)', async () => {
    const { chain, netuid, alice, reveal, hashOf } = await crNet({ commitRevealEnabled: false });
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, hashOf(alice)))).toBe('CommitRevealDisabled');
    expect(outcome(await chain.revealWeights(alice.hotkey, reveal))).toBe('CommitRevealDisabled');
  });

  it('rate-limits commits against LastUpdate (CommittingWeightsTooFast)', async () => {
    const { chain, netuid, alice, hashOf, reveal } = await crNet({ weightsRateLimit: 5 });
    chain.advanceTo(5);
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, hashOf(alice)))).toBe('CommittingWeightsTooFast');
    chain.advanceTo(6);
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, hashOf(alice)))).toBe('ok');
    chain.advanceTo(10);
    const again = await chain.commitWeights(alice.hotkey, netuid, hashOf(alice, { ...reveal, salt: [3] }));
    expect(outcome(again)).toBe('CommittingWeightsTooFast');
    // A reveal is not rate-limited.
    expect(outcome(await chain.revealWeights(alice.hotkey, reveal))).toBe('ok');
  });

  it('keeps at most 10 unrevealed commits (TooManyUnrevealedCommits); expired ones make room', async () => {
    const { chain, netuid, alice, reveal, hashOf } = await crNet();
    chain.advanceTo(2);
    for (let i = 0; i < 10; i++) {
      const result = await chain.commitWeights(alice.hotkey, netuid, hashOf(alice, { ...reveal, salt: [i] }));
      expect(outcome(result)).toBe('ok');
    }
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, hashOf(alice, { ...reveal, salt: [10] })))).toBe(
      'TooManyUnrevealedCommits',
    );
    chain.advanceTo(20);
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, hashOf(alice, { ...reveal, salt: [10] })))).toBe(
      'ok',
    );
    expect(chain.pendingCommits(netuid, alice.hotkey.address)).toHaveLength(1);
  });

  it('checks commits in order: subnet, commit-reveal on, registered, hash size', async () => {
    const { chain, netuid, actor, hashOf, alice } = await crNet();
    const eve = actor('Eve');
    expect(outcome(await chain.commitWeights(eve.hotkey, 9, hashOf(eve)))).toBe('SubnetNotExists');
    expect(outcome(await chain.commitWeights(eve.hotkey, netuid, hashOf(eve)))).toBe('HotKeyNotRegisteredInSubNet');
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, new Uint8Array(31)))).toBe('InvalidTransaction');
    expect(outcome(await chain.commitWeights(alice.hotkey, netuid, hashOf(alice), 1))).toBe('MechanismDoesNotExist');
  });
});

describe('commit_timelocked_weights (CRv3/v4)', () => {
  const commit = new Uint8Array([1, 2, 3, 4]);
  const params = (netuid: number, revealRound = 1234n) => ({
    netuid,
    commit,
    revealRound,
    commitRevealVersion: 4,
  });

  it('stores the commit; without a revealer it stays unrevealed and an event says why', async () => {
    const { chain, netuid, alice, events } = await crNet();
    chain.advanceTo(2);
    expect(outcome(await chain.commitTimelockedWeights(alice.hotkey, params(netuid)))).toBe('ok');
    expect((await chain.metagraph(netuid)).neurons[0]?.lastUpdate).toBe(2);
    expect(events.at(-1)).toMatchObject({ type: 'TimelockedWeightsCommitted', revealRound: 1234n, revealEpoch: 1 });
    chain.advanceTo(18);
    expect(chain.timelockedCommits(netuid)[0]?.status).toBe('pending');
    chain.advanceTo(19);
    const [stored] = chain.timelockedCommits(netuid);
    expect(stored).toMatchObject({ hotkey: alice.hotkey.address, revealRound: 1234n, status: 'unrevealed' });
    const notice = events.find((e) => e.type === 'TimelockedWeightsNotRevealed');
    expect(notice).toMatchObject({ block: 19, hotkey: alice.hotkey.address });
    expect(notice?.type === 'TimelockedWeightsNotRevealed' && notice.message).toMatch(/no drand beacon/);
    expect(chain.weightsOf(netuid, 0)).toEqual([]);
    // The notice is given once.
    chain.advance(30);
    expect(events.filter((e) => e.type === 'TimelockedWeightsNotRevealed')).toHaveLength(1);
  });

  it('reveals through the injected function at the end of the reveal epoch, before consensus', async () => {
    const revealer = vi.fn<TimelockRevealer>(() => ({ uids: [1, 2], weights: [65535, 65535], versionKey: 0n }));
    const { chain, netuid, alice, events } = await crNet({}, { revealTimelocked: revealer });
    chain.advanceTo(2);
    await chain.commitTimelockedWeights(alice.hotkey, params(netuid, 99n));
    chain.advanceTo(18);
    expect(revealer).not.toHaveBeenCalled();
    chain.advanceTo(19);
    expect(revealer).toHaveBeenCalledTimes(1);
    const [bytes, round, context] = revealer.mock.calls[0] ?? [];
    expect(bytes).toEqual(commit);
    expect(round).toBe(99n);
    expect(context).toEqual({ netuid, hotkey: alice.hotkey.address });
    expect(chain.timelockedCommits(netuid)[0]?.status).toBe('revealed');
    expect(events.some((e) => e.type === 'TimelockedWeightsRevealed')).toBe(true);
    expect(await chain.timelockedWeightsRevealed(netuid, 19)).toEqual([alice.hotkey.address]);
    expect(await chain.timelockedWeightsRevealed(netuid, 18)).toEqual([]);
    const record = chain.epochHistory(netuid).at(-1);
    expect(record?.block).toBe(19);
    expect(record?.neurons.map((n) => +n.incentive.toFixed(3))).toEqual([0, 0.5, 0.5]);
  });

  it('marks commits it cannot decrypt unrevealed and weights that break the rules rejected', async () => {
    const answers = [undefined, { uids: [1, 1], weights: [1, 1], versionKey: 0n }];
    let call = 0;
    const revealer: TimelockRevealer = () => answers[call++];
    const { chain, netuid, alice, bob, events } = await crNet({}, { revealTimelocked: revealer });
    chain.addStake(netuid, bob.hotkey.address, 10n * TAO);
    chain.refreshValidatorPermits(netuid);
    chain.advanceTo(2);
    await chain.commitTimelockedWeights(alice.hotkey, params(netuid));
    await chain.commitTimelockedWeights(bob.hotkey, params(netuid));
    chain.advanceTo(19);
    expect(chain.timelockedCommits(netuid).map((c) => c.status)).toEqual(['unrevealed', 'rejected']);
    const rejected = events.find((e) => e.type === 'TimelockedWeightsNotRevealed' && e.error !== undefined);
    expect(rejected?.type === 'TimelockedWeightsNotRevealed' && rejected.error?.name).toBe('DuplicateUids');
  });

  it('checks the version, commit-reveal, registration and the unrevealed count', async () => {
    const { chain, netuid, alice, actor } = await crNet();
    expect(
      outcome(await chain.commitTimelockedWeights(alice.hotkey, { ...params(netuid), commitRevealVersion: 3 })),
    ).toBe('IncorrectCommitRevealVersion');
    expect(outcome(await chain.commitTimelockedWeights(actor('Eve').hotkey, params(netuid)))).toBe(
      'HotKeyNotRegisteredInSubNet',
    );
    for (let i = 0; i < 10; i++) {
      expect(outcome(await chain.commitTimelockedWeights(alice.hotkey, params(netuid, BigInt(i))))).toBe('ok');
    }
    expect(outcome(await chain.commitTimelockedWeights(alice.hotkey, params(netuid)))).toBe('TooManyUnrevealedCommits');
    chain.setHyperparameters(netuid, { commitRevealEnabled: false });
    expect(outcome(await chain.commitTimelockedWeights(alice.hotkey, params(netuid)))).toBe('CommitRevealDisabled');
  });
});
