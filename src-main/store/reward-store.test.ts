import { describe, expect, it } from 'vitest';
import type { RewardSnapshot } from '../../src-shared/schemas/neuron.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { openDatabase } from './database.js';
import { RewardStore } from './reward-store.js';

const tempDir = useTempDirs();

const snapshot = (block: number, patch: Partial<RewardSnapshot> = {}): RewardSnapshot => ({
  time: new Date(Date.UTC(2026, 11, 2, 12, 0, block)).toISOString(),
  block,
  netuid: 50,
  uid: 3,
  hotkey: '5Miner',
  // Past 2^53: kept exactly, as text.
  stake: '18446744073709551615',
  incentive: 0.25,
  emission: '1000000000',
  trust: null,
  ...patch,
});

describe('RewardStore', () => {
  it('keeps epoch snapshots across reopening, oldest first, amounts exact', () => {
    const dir = tempDir();
    const first = new RewardStore(openDatabase(dir));
    expect(first.add(snapshot(11))).toBe(true);
    expect(first.add(snapshot(22, { incentive: 0.5, trust: 0.75 }))).toBe(true);
    const again = new RewardStore(openDatabase(dir));
    expect(again.list()).toEqual([snapshot(11), snapshot(22, { incentive: 0.5, trust: 0.75 })]);
  });

  it('records a block once per hotkey (a restart inside an epoch)', () => {
    const store = new RewardStore(openDatabase(tempDir()));
    expect(store.add(snapshot(11))).toBe(true);
    expect(store.add(snapshot(11, { incentive: 0.9 }))).toBe(false);
    expect(store.add(snapshot(11, { hotkey: '5Other' }))).toBe(true);
    expect(store.list().map((s) => [s.hotkey, s.incentive])).toEqual([
      ['5Miner', 0.25],
      ['5Other', 0.25],
    ]);
  });

  it('keeps immunity left and the alpha price; rows without them read back without them', () => {
    const dir = tempDir();
    const store = new RewardStore(openDatabase(dir));
    store.add(snapshot(11, { immunityBlocksLeft: 4000, alphaPrice: '18446744073709551615' }));
    // The chain gave no price (a runtime without dynamic TAO): stored as no price, not as zero.
    store.add(snapshot(22, { immunityBlocksLeft: 0, alphaPrice: null }));
    store.add(snapshot(33));
    const rows = new RewardStore(openDatabase(dir)).list();
    expect(rows).toEqual([
      snapshot(11, { immunityBlocksLeft: 4000, alphaPrice: '18446744073709551615' }),
      snapshot(22, { immunityBlocksLeft: 0 }),
      snapshot(33),
    ]);
    expect(Object.keys(rows[2] ?? {})).not.toContain('immunityBlocksLeft');
  });

  it('limits to the newest snapshots, still oldest first', () => {
    const store = new RewardStore(openDatabase(tempDir()));
    for (const block of [11, 22, 33, 44]) store.add(snapshot(block));
    expect(store.list({ limit: 2 }).map((s) => s.block)).toEqual([33, 44]);
  });

  it("keeps the validator's snapshots, with dividends and permit, apart from the miner's", () => {
    const dir = tempDir();
    const store = new RewardStore(openDatabase(dir));
    store.add(snapshot(11));
    store.add(snapshot(12, { hotkey: '5Validator', uid: 0, dividends: 0.625, validatorPermit: true }), 'validator');
    const reopened = new RewardStore(openDatabase(dir));
    // The miner's chart sees only the miner's rows, without fields it never recorded.
    expect(reopened.list()).toEqual([snapshot(11)]);
    expect(Object.keys(reopened.list()[0] ?? {})).not.toContain('dividends');
    expect(reopened.list({ role: 'validator' })).toEqual([
      snapshot(12, { hotkey: '5Validator', uid: 0, dividends: 0.625, validatorPermit: true }),
    ]);
    expect(reopened.history({ role: 'validator', netuid: 50, hotkey: '5Validator', since: snapshot(13).time })).toEqual(
      [],
    );
  });
});
