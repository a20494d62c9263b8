/**
 * Epoch snapshots of our uid (stake, incentive, emission, trust) in SQLite, so the rewards chart
 * has a history that survives restarts. One row per (netuid, hotkey, block): taking the same
 * snapshot twice (a restart inside an epoch) keeps the first.
 */
import type { RewardSnapshot } from '../../src-shared/schemas/neuron.js';
import type { Db } from './database.js';

interface Row {
  time: string;
  block: number;
  netuid: number;
  uid: number;
  hotkey: string;
  stake: string;
  incentive: number;
  emission: string;
  trust: number | null;
}

export class RewardStore {
  constructor(private readonly db: Db) {}

  /** Stores a snapshot; false when that block was already recorded for this hotkey. */
  add(snapshot: RewardSnapshot): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO rewards (time, block, netuid, uid, hotkey, stake, incentive, emission, trust)
         VALUES (@time, @block, @netuid, @uid, @hotkey, @stake, @incentive, @emission, @trust)`,
      )
      .run(snapshot);
    return result.changes > 0;
  }

  /** The newest `limit` snapshots, oldest first (the order a chart draws them). */
  list(options: { limit?: number } = {}): RewardSnapshot[] {
    const rows = this.db
      .prepare(
        `SELECT time, block, netuid, uid, hotkey, stake, incentive, emission, trust FROM
           (SELECT * FROM rewards ORDER BY id DESC LIMIT ?)
         ORDER BY id`,
      )
      .all(options.limit ?? 500) as Row[];
    return rows.map((row) => ({ ...row }));
  }
}
