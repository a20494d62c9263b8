import { describe, expect, it } from 'vitest';
import type { RewardSnapshot } from '../../src-shared/schemas/neuron.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { openDatabase, type Db } from './database.js';
import { RewardStore } from './reward-store.js';
import { readValidatorHistory } from './validator-history.js';
import { ValidatorStore } from './validator-store.js';
import { WeightsStore } from './weights-store.js';

const tempDir = useTempDirs();
const HOTKEY = '5Validator';
const NOW = new Date('2026-12-03T12:00:00.000Z');
const hoursAgo = (hours: number): string => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

/** One scored round: each [uid, score after] answered, closed `hours` ago at `block`. */
function scoredRound(
  db: Db,
  dir: string,
  block: number,
  hours: number,
  scores: [number, number][],
  scope = `${HOTKEY}@50`,
) {
  const store = new ValidatorStore(db, dir);
  const round = store.openRound({
    scope,
    started: hoursAgo(hours),
    block,
    promptId: 'p',
    prompt: 'a calm piano',
    promptSource: 'bundled',
    referenceName: null,
    profile: 'fixed',
    durationTokens: 50,
    timeoutSeconds: 5,
    uids: scores.map(([uid]) => uid),
  });
  const outcomes = scores.map(([uid, score]) => ({
    answerId: store.addAnswer(round.id, {
      time: hoursAgo(hours),
      uid,
      hotkey: `5Miner${uid}`,
      statusCode: 200,
      statusMessage: null,
      route: 'sealed',
      elapsedMs: 10,
      failure: null,
    }),
    metrics: null,
    judgement: null,
    scoreBefore: 0,
    scoreAfter: score,
  }));
  store.closeRound(
    round.id,
    hoursAgo(hours),
    outcomes,
    scores.map(([uid, score]) => ({ uid, hotkey: `5Miner${uid}`, score, updated: hoursAgo(hours) })),
  );
}

function weights(db: Db, block: number, hours: number, uids: number[], values: number[], state: 'included' | 'failed') {
  const store = new WeightsStore(db);
  const row = store.begin({
    time: hoursAgo(hours),
    netuid: 50,
    hotkey: HOTKEY,
    mode: 'plain',
    block,
    uids,
    weights: values,
    versionKey: 0n,
  });
  store.update(row.id, { state });
}

const snapshot = (block: number, hours: number, dividends: number): RewardSnapshot => ({
  time: hoursAgo(hours),
  block,
  netuid: 50,
  uid: 0,
  hotkey: HOTKEY,
  stake: '1000',
  incentive: 0,
  emission: '5',
  trust: null,
  dividends,
  validatorPermit: true,
});

describe('readValidatorHistory', () => {
  it('gives each miner its moving average per round and its share of each weights submission on chain, and our dividends', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    scoredRound(db, dir, 100, 3, [
      [1, 0.2],
      [2, 0],
    ]);
    scoredRound(db, dir, 110, 2, [[1, 0.28]]);
    weights(db, 105, 2.5, [1, 2], [49152, 16384], 'included');
    // Refused by the chain: it weighed nothing, so it is not history.
    weights(db, 115, 1.5, [1], [65535], 'failed');
    const rewards = new RewardStore(db);
    rewards.add(snapshot(100, 3, 0.5), 'validator');
    rewards.add(snapshot(200, 1, 0.75), 'validator');
    // The miner's own snapshots are not the validator's dividends.
    rewards.add({ ...snapshot(300, 0.5, 0), dividends: null });

    const history = readValidatorHistory(db, { hotkey: HOTKEY, netuid: 50, range: 'all', now: NOW });
    expect(history.since).toBeNull();
    expect(history.miners).toEqual([
      {
        uid: 1,
        scores: [
          { time: hoursAgo(3), block: 100, value: 0.2 },
          { time: hoursAgo(2), block: 110, value: 0.28 },
        ],
        weights: [{ time: hoursAgo(2.5), block: 105, value: 0.75 }],
      },
      {
        uid: 2,
        scores: [{ time: hoursAgo(3), block: 100, value: 0 }],
        weights: [{ time: hoursAgo(2.5), block: 105, value: 0.25 }],
      },
    ]);
    expect(history.dividends).toEqual([
      { time: hoursAgo(3), block: 100, value: 0.5 },
      { time: hoursAgo(1), block: 200, value: 0.75 },
    ]);
  });

  it('keeps to the range and to one validator', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    scoredRound(db, dir, 100, 48, [[1, 0.1]]);
    scoredRound(db, dir, 200, 1, [[1, 0.3]]);
    scoredRound(db, dir, 201, 1, [[9, 0.9]], '5Other@50');
    weights(db, 150, 30, [1], [65535], 'included');
    new RewardStore(db).add(snapshot(100, 48, 0.5), 'validator');

    const day = readValidatorHistory(db, { hotkey: HOTKEY, netuid: 50, range: '24h', now: NOW });
    expect(day.since).toBe(hoursAgo(24));
    expect(day.miners).toEqual([{ uid: 1, scores: [{ time: hoursAgo(1), block: 200, value: 0.3 }], weights: [] }]);
    expect(day.dividends).toEqual([]);
    const week = readValidatorHistory(db, { hotkey: HOTKEY, netuid: 50, range: '7d', now: NOW });
    expect(week.miners[0]?.scores.map((point) => point.block)).toEqual([100, 200]);
    expect(week.miners[0]?.weights.map((point) => point.value)).toEqual([1]);
  });

  it('answers an empty history when no validator ever ran here', () => {
    const db = openDatabase(tempDir());
    expect(readValidatorHistory(db, { hotkey: null, netuid: null, range: '30d', now: NOW })).toEqual({
      hotkey: null,
      netuid: null,
      range: '30d',
      since: hoursAgo(30 * 24),
      miners: [],
      dividends: [],
    });
  });
});
