/**
 * Epoch snapshots of our uid (stake, incentive, emission, trust, immunity left, alpha price; a
 * validator's also dividends and permit) in SQLite, so the rewards charts have a history that
 * survives restarts. One row per (netuid, hotkey, block): taking the same snapshot twice (a restart inside an epoch) keeps the
 * first. The miner's and the validator's rows are kept apart by role, so neither chart shows the
 * other's uid.
 */
import type { RewardSnapshot } from '../../src-shared/schemas/neuron.js';
import type { Db } from './database.js';

export type RewardRole = 'miner' | 'validator';

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
  dividends: number | null;
  validator_permit: number | null;
  immunity_blocks_left: number | null;
  alpha_price: string | null;
}

const COLUMNS =
  'time, block, netuid, uid, hotkey, stake, incentive, emission, trust, dividends, validator_permit, ' +
  'immunity_blocks_left, alpha_price';

export class RewardStore {
  constructor(private readonly db: Db) {}

  /** Stores a snapshot; false when that block was already recorded for this hotkey. */
  add(snapshot: RewardSnapshot, role: RewardRole = 'miner'): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO rewards (${COLUMNS}, role)
         VALUES (@time, @block, @netuid, @uid, @hotkey, @stake, @incentive, @emission, @trust, @dividends,
           @validatorPermit, @immunityBlocksLeft, @alphaPrice, @role)`,
      )
      .run({
        time: snapshot.time,
        block: snapshot.block,
        netuid: snapshot.netuid,
        uid: snapshot.uid,
        hotkey: snapshot.hotkey,
        stake: snapshot.stake,
        incentive: snapshot.incentive,
        emission: snapshot.emission,
        trust: snapshot.trust,
        dividends: snapshot.dividends ?? null,
        validatorPermit:
          snapshot.validatorPermit === undefined || snapshot.validatorPermit === null
            ? null
            : Number(snapshot.validatorPermit),
        immunityBlocksLeft: snapshot.immunityBlocksLeft ?? null,
        alphaPrice: snapshot.alphaPrice ?? null,
        role,
      });
    return result.changes > 0;
  }

  /** The newest `limit` snapshots of a role (default the miner's), oldest first (the order a chart draws them). */
  list(options: { limit?: number; role?: RewardRole } = {}): RewardSnapshot[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM
           (SELECT * FROM rewards WHERE role = ? ORDER BY id DESC LIMIT ?)
         ORDER BY id`,
      )
      .all(options.role ?? 'miner', options.limit ?? 500) as Row[];
    return rows.map(fromRow);
  }

  /** One neuron's snapshots of a role since an ISO time (null: all), oldest first, at most `limit` (the newest). */
  history(options: {
    role: RewardRole;
    netuid: number;
    hotkey: string;
    since: string | null;
    limit?: number;
  }): RewardSnapshot[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM
           (SELECT * FROM rewards WHERE role = @role AND netuid = @netuid AND hotkey = @hotkey
              AND (@since IS NULL OR time >= @since) ORDER BY id DESC LIMIT @limit)
         ORDER BY id`,
      )
      .all({ ...options, limit: options.limit ?? 5000 }) as Row[];
    return rows.map(fromRow);
  }
}

function fromRow(row: Row): RewardSnapshot {
  const { dividends, validator_permit: permit, immunity_blocks_left: immunity, alpha_price: price, ...rest } = row;
  // Absent rather than null where never recorded (the miner's rows): the wire schema's optional fields.
  return {
    ...rest,
    ...(dividends === null ? {} : { dividends }),
    ...(permit === null ? {} : { validatorPermit: permit === 1 }),
    ...(immunity === null ? {} : { immunityBlocksLeft: immunity }),
    ...(price === null ? {} : { alphaPrice: price }),
  };
}
