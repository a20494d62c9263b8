/**
 * Every weights submission of the validator (issue #12) in SQLite. A row is written *before* the
 * extrinsic is sent and updated with its outcome, so after a kill -9 the weight setter knows the
 * last weight block, the commits still waiting for their reveal, and the submissions whose fate
 * it has to ask the chain about instead of sending them again.
 */
import type { Db } from './database.js';

export type StoredWeightsMode = 'plain' | 'commit-reveal' | 'timelocked';
export type StoredWeightsState = 'submitted' | 'included' | 'failed' | 'committed' | 'revealed' | 'reveal_missing';

export interface NewWeightsRecord {
  time: string;
  netuid: number;
  hotkey: string;
  mode: StoredWeightsMode;
  block: number;
  uids: readonly number[];
  weights: readonly number[];
  versionKey: bigint;
  salt?: readonly number[] | null;
  commitHash?: string | null;
  revealRound?: bigint | null;
  firstRevealBlock?: number | null;
  lastRevealBlock?: number | null;
}

export interface WeightsRecord {
  id: number;
  time: string;
  netuid: number;
  hotkey: string;
  mode: StoredWeightsMode;
  block: number;
  uids: number[];
  weights: number[];
  versionKey: bigint;
  salt: number[] | null;
  commitHash: string | null;
  revealRound: bigint | null;
  firstRevealBlock: number | null;
  lastRevealBlock: number | null;
  extrinsic: string | null;
  includedBlock: number | null;
  revealExtrinsic: string | null;
  revealBlock: number | null;
  state: StoredWeightsState;
  error: string | null;
}

/** What an outcome may change; everything else is fixed when the row is written. */
export type WeightsRecordPatch = Partial<
  Pick<
    WeightsRecord,
    | 'state'
    | 'error'
    | 'extrinsic'
    | 'includedBlock'
    | 'revealExtrinsic'
    | 'revealBlock'
    | 'firstRevealBlock'
    | 'lastRevealBlock'
  >
>;

interface Row {
  id: number;
  time: string;
  netuid: number;
  hotkey: string;
  mode: string;
  block: number;
  uids: string;
  weights: string;
  version_key: string;
  salt: string | null;
  commit_hash: string | null;
  reveal_round: string | null;
  first_reveal_block: number | null;
  last_reveal_block: number | null;
  extrinsic: string | null;
  included_block: number | null;
  reveal_extrinsic: string | null;
  reveal_block: number | null;
  state: string;
  error: string | null;
}

const MODES: readonly string[] = ['plain', 'commit-reveal', 'timelocked'];
const STATES: readonly string[] = ['submitted', 'included', 'failed', 'committed', 'revealed', 'reveal_missing'];

const COLUMNS: Record<keyof WeightsRecordPatch, string> = {
  state: 'state',
  error: 'error',
  extrinsic: 'extrinsic',
  includedBlock: 'included_block',
  revealExtrinsic: 'reveal_extrinsic',
  revealBlock: 'reveal_block',
  firstRevealBlock: 'first_reveal_block',
  lastRevealBlock: 'last_reveal_block',
};

export class WeightsStore {
  constructor(private readonly db: Db) {}

  /** Writes a submission in state `submitted`, before it is sent. */
  begin(record: NewWeightsRecord): WeightsRecord {
    if (record.uids.length !== record.weights.length) {
      throw new Error(`uids and weights differ in length (${record.uids.length} and ${record.weights.length})`);
    }
    const result = this.db
      .prepare(
        `INSERT INTO weight_submissions (time, netuid, hotkey, mode, block, uids, weights, version_key, salt,
           commit_hash, reveal_round, first_reveal_block, last_reveal_block, state)
         VALUES (@time, @netuid, @hotkey, @mode, @block, @uids, @weights, @versionKey, @salt,
           @commitHash, @revealRound, @firstRevealBlock, @lastRevealBlock, 'submitted')`,
      )
      .run({
        time: record.time,
        netuid: record.netuid,
        hotkey: record.hotkey,
        mode: record.mode,
        block: record.block,
        uids: JSON.stringify(record.uids),
        weights: JSON.stringify(record.weights),
        versionKey: record.versionKey.toString(),
        salt: record.salt ? JSON.stringify(record.salt) : null,
        commitHash: record.commitHash ?? null,
        revealRound:
          record.revealRound === undefined || record.revealRound === null ? null : String(record.revealRound),
        firstRevealBlock: record.firstRevealBlock ?? null,
        lastRevealBlock: record.lastRevealBlock ?? null,
      });
    return this.get(Number(result.lastInsertRowid));
  }

  /** Records an outcome; returns the row as it is now. */
  update(id: number, patch: WeightsRecordPatch): WeightsRecord {
    const keys = (Object.keys(patch) as Array<keyof WeightsRecordPatch>).filter((key) => patch[key] !== undefined);
    if (keys.length > 0) {
      const sets = keys.map((key) => `${COLUMNS[key]} = @${key}`).join(', ');
      const values: Record<string, unknown> = { id };
      for (const key of keys) values[key] = patch[key];
      const result = this.db.prepare(`UPDATE weight_submissions SET ${sets} WHERE id = @id`).run(values);
      if (result.changes === 0) throw new Error(`no weights submission with id ${id}`);
    }
    return this.get(id);
  }

  get(id: number): WeightsRecord {
    const row = this.db.prepare('SELECT * FROM weight_submissions WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new Error(`no weights submission with id ${id}`);
    return fromRow(row);
  }

  /** The newest submission of a neuron, whatever its state. */
  latest(netuid: number, hotkey: string): WeightsRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM weight_submissions WHERE netuid = ? AND hotkey = ? ORDER BY id DESC LIMIT 1')
      .get(netuid, hotkey) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The newest submission that reached the chain (not failed, not unresolved). */
  latestOnChain(netuid: number, hotkey: string): WeightsRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM weight_submissions WHERE netuid = ? AND hotkey = ?
           AND state IN ('included', 'committed', 'revealed', 'reveal_missing') ORDER BY id DESC LIMIT 1`,
      )
      .get(netuid, hotkey) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /**
   * A neuron's submissions that reached the chain (included, committed, revealed, reveal_missing)
   * since an ISO time (null: all), oldest first, at most the newest `limit`.
   */
  onChainSince(netuid: number, hotkey: string, since: string | null, limit = 1000): WeightsRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM (SELECT * FROM weight_submissions WHERE netuid = @netuid AND hotkey = @hotkey
           AND state IN ('included', 'committed', 'revealed', 'reveal_missing')
           AND (@since IS NULL OR time >= @since) ORDER BY id DESC LIMIT @limit)
         ORDER BY id`,
      )
      .all({ netuid, hotkey, since, limit }) as Row[];
    return rows.map(fromRow);
  }

  /** Submissions still waiting for something: an outcome (`submitted`) or a reveal (`committed`), oldest first. */
  open(netuid: number, hotkey: string): WeightsRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM weight_submissions WHERE netuid = ? AND hotkey = ? AND state IN ('submitted', 'committed')
         ORDER BY id`,
      )
      .all(netuid, hotkey) as Row[];
    return rows.map(fromRow);
  }

  /** The newest `limit` submissions, newest first (the order a history table shows them). */
  list(options: { limit?: number } = {}): WeightsRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM weight_submissions ORDER BY id DESC LIMIT ?')
      .all(options.limit ?? 100) as Row[];
    return rows.map(fromRow);
  }
}

function u16List(text: string, what: string, id: number): number[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((x) => Number.isInteger(x) && x >= 0 && x <= 65535)) {
    throw new Error(`weights submission ${id}: ${what} is not a list of u16`);
  }
  return value as number[];
}

function fromRow(row: Row): WeightsRecord {
  if (!MODES.includes(row.mode)) throw new Error(`weights submission ${row.id}: unknown mode ${row.mode}`);
  if (!STATES.includes(row.state)) throw new Error(`weights submission ${row.id}: unknown state ${row.state}`);
  return {
    id: row.id,
    time: row.time,
    netuid: row.netuid,
    hotkey: row.hotkey,
    mode: row.mode as StoredWeightsMode,
    block: row.block,
    uids: u16List(row.uids, 'uids', row.id),
    weights: u16List(row.weights, 'weights', row.id),
    versionKey: BigInt(row.version_key),
    salt: row.salt === null ? null : u16List(row.salt, 'salt', row.id),
    commitHash: row.commit_hash,
    revealRound: row.reveal_round === null ? null : BigInt(row.reveal_round),
    firstRevealBlock: row.first_reveal_block,
    lastRevealBlock: row.last_reveal_block,
    extrinsic: row.extrinsic,
    includedBlock: row.included_block,
    revealExtrinsic: row.reveal_extrinsic,
    revealBlock: row.reveal_block,
    state: row.state as StoredWeightsState,
    error: row.error,
  };
}
