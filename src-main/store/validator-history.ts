/**
 * One validator's history for the Rewards page (issue #12), read from what is already stored:
 * the moving average after each scored answer (validator_answers.score_after, at its round's
 * block), each weights submission that reached the chain as every uid's share of it, and the
 * dividends of the validator's reward snapshots. Nothing is recorded for it alone.
 */
import type {
  ValidatorHistory,
  ValidatorHistoryPoint,
  ValidatorHistoryRange,
} from '../../src-shared/schemas/validator.js';
import type { Db } from './database.js';
import { RewardStore } from './reward-store.js';
import { WeightsStore } from './weights-store.js';

const HOUR_MS = 3_600_000;
const RANGE_MS: Record<ValidatorHistoryRange, number | null> = {
  '24h': 24 * HOUR_MS,
  '7d': 7 * 24 * HOUR_MS,
  '30d': 30 * 24 * HOUR_MS,
  all: null,
};

/** Newest points kept per series kind: enough for a month of rounds at a few minutes each. */
export const MAX_HISTORY_POINTS = 20_000;

export interface ValidatorHistoryQuery {
  /** The validator: null when none ever ran here (the answer is empty). */
  hotkey: string | null;
  netuid: number | null;
  range: ValidatorHistoryRange;
  now: Date;
  limit?: number;
}

interface ScoreRow {
  uid: number;
  time: string;
  block: number;
  score: number;
}

export function readValidatorHistory(db: Db, query: ValidatorHistoryQuery): ValidatorHistory {
  const span = RANGE_MS[query.range];
  const since = span === null ? null : new Date(query.now.getTime() - span).toISOString();
  const empty: ValidatorHistory = {
    hotkey: query.hotkey,
    netuid: query.netuid,
    range: query.range,
    since,
    miners: [],
    dividends: [],
  };
  if (query.hotkey === null || query.netuid === null) return empty;
  const { hotkey, netuid } = query;
  const limit = query.limit ?? MAX_HISTORY_POINTS;
  const miners = new Map<number, { scores: ValidatorHistoryPoint[]; weights: ValidatorHistoryPoint[] }>();
  const of = (uid: number) => {
    let series = miners.get(uid);
    if (!series) miners.set(uid, (series = { scores: [], weights: [] }));
    return series;
  };
  // An answer's score is final when its round closes (the round's end), at the round's block.
  const scores = db
    .prepare(
      `SELECT uid, time, block, score FROM (
         SELECT a.id, a.uid, COALESCE(r.ended, a.time) AS time, r.block, a.score_after AS score
         FROM validator_answers a JOIN validator_rounds r ON r.id = a.round_id
         WHERE r.scope = @scope AND a.score_after IS NOT NULL AND (@since IS NULL OR COALESCE(r.ended, a.time) >= @since)
         ORDER BY a.id DESC LIMIT @limit)
       ORDER BY id`,
    )
    .all({ scope: `${hotkey}@${netuid}`, since, limit }) as ScoreRow[];
  for (const row of scores) of(row.uid).scores.push({ time: row.time, block: row.block, value: row.score });
  for (const submission of new WeightsStore(db).onChainSince(netuid, hotkey, since, limit)) {
    const total = submission.weights.reduce((sum, weight) => sum + weight, 0);
    if (total === 0) continue;
    submission.uids.forEach((uid, index) => {
      of(uid).weights.push({
        time: submission.time,
        block: submission.block,
        value: (submission.weights[index] ?? 0) / total,
      });
    });
  }
  const dividends = new RewardStore(db)
    .history({ role: 'validator', netuid, hotkey, since, limit })
    .filter((snapshot) => snapshot.dividends !== undefined && snapshot.dividends !== null)
    .map((snapshot) => ({ time: snapshot.time, block: snapshot.block, value: snapshot.dividends ?? 0 }));
  return {
    ...empty,
    miners: [...miners.entries()].sort(([a], [b]) => a - b).map(([uid, series]) => ({ uid, ...series })),
    dividends,
  };
}
