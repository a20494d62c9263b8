import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { openDatabase } from './database.js';
import { type NewWeightsRecord, WeightsStore } from './weights-store.js';

const tempDir = useTempDirs();

const submission = (block: number, patch: Partial<NewWeightsRecord> = {}): NewWeightsRecord => ({
  time: new Date(Date.UTC(2026, 11, 3, 7, 0, block % 60)).toISOString(),
  netuid: 50,
  hotkey: '5Validator',
  mode: 'plain',
  block,
  uids: [0, 1, 2],
  weights: [65535, 32768, 1],
  // Past 2^53: kept exactly, as text.
  versionKey: 18446744073709551615n,
  ...patch,
});

describe('WeightsStore', () => {
  it('writes a submission as submitted before it is sent, then records its outcome; survives reopening', () => {
    const dir = tempDir();
    const store = new WeightsStore(openDatabase(dir));
    const begun = store.begin(
      submission(120, { mode: 'commit-reveal', salt: [1, 2, 65535], commitHash: '0xabc', revealRound: 2n ** 63n }),
    );
    expect(begun).toMatchObject({ state: 'submitted', extrinsic: null, error: null, salt: [1, 2, 65535] });
    store.update(begun.id, { state: 'committed', extrinsic: '0xfeed', includedBlock: 121, firstRevealBlock: 130 });

    const reopened = new WeightsStore(openDatabase(dir));
    expect(reopened.get(begun.id)).toEqual({
      ...begun,
      state: 'committed',
      extrinsic: '0xfeed',
      includedBlock: 121,
      firstRevealBlock: 130,
    });
    expect(reopened.get(begun.id).revealRound).toBe(2n ** 63n);
    expect(reopened.get(begun.id).versionKey).toBe(18446744073709551615n);
  });

  it('tells the latest submission, the latest on chain, and the open ones apart, per neuron', () => {
    const store = new WeightsStore(openDatabase(tempDir()));
    const a = store.begin(submission(100));
    store.update(a.id, { state: 'included', includedBlock: 101 });
    const b = store.begin(submission(220, { mode: 'commit-reveal' }));
    store.update(b.id, { state: 'committed' });
    const c = store.begin(submission(340));
    store.update(c.id, { state: 'failed', error: 'SettingWeightsTooFast' });
    const d = store.begin(submission(350));
    store.begin(submission(999, { hotkey: '5Other' }));

    expect(store.latest(50, '5Validator')?.id).toBe(d.id);
    expect(store.latestOnChain(50, '5Validator')?.id).toBe(b.id);
    expect(store.open(50, '5Validator').map((r) => [r.id, r.state])).toEqual([
      [b.id, 'committed'],
      [d.id, 'submitted'],
    ]);
    expect(store.latest(7, '5Validator')).toBeUndefined();
    expect(store.list({ limit: 2 }).map((r) => r.block)).toEqual([999, 350]);
  });

  it('refuses mismatched vectors and unknown ids with a clear error, writing nothing', () => {
    const store = new WeightsStore(openDatabase(tempDir()));
    expect(() => store.begin(submission(1, { weights: [1] }))).toThrow(/differ in length \(3 and 1\)/);
    expect(store.list()).toEqual([]);
    expect(() => store.update(42, { state: 'failed' })).toThrow(/no weights submission with id 42/);
  });
});
