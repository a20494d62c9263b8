/**
 * The exact-duplicate set of the validator (the reference keeps it in `music_hashes.json`): the
 * sha256 of every clip seen, a round's reference clip included, persisted in SQLite so it
 * survives restarts. Checking and recording is one statement, so two responses with the same
 * clip cannot both pass.
 */
import type { Db } from './database.js';

export type AudioHashSource = 'response' | 'reference';

export interface AudioHashRecord {
  readonly hash: string;
  readonly firstSeen: string;
  readonly source: AudioHashSource;
  readonly hotkey: string | null;
}

interface Row {
  hash: string;
  first_seen: string;
  source: string;
  hotkey: string | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class DuplicateStore {
  constructor(private readonly db: Db) {}

  /**
   * Records the hash unless it is already known. Returns the earlier record when it was (a
   * duplicate), or null when this is its first sighting.
   */
  checkAndRecord(record: AudioHashRecord): AudioHashRecord | null {
    if (!SHA256_HEX.test(record.hash)) throw new RangeError(`not a sha256 hex digest: ${record.hash}`);
    const inserted = this.db
      .prepare(
        `INSERT OR IGNORE INTO audio_hashes (hash, first_seen, source, hotkey)
         VALUES (@hash, @firstSeen, @source, @hotkey)`,
      )
      .run(record);
    return inserted.changes > 0 ? null : this.get(record.hash);
  }

  get(hash: string): AudioHashRecord | null {
    const row = this.db
      .prepare('SELECT hash, first_seen, source, hotkey FROM audio_hashes WHERE hash = ?')
      .get(hash) as Row | undefined;
    if (row === undefined) return null;
    return {
      hash: row.hash,
      firstSeen: row.first_seen,
      source: row.source === 'reference' ? 'reference' : 'response',
      hotkey: row.hotkey,
    };
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM audio_hashes').get() as { n: number }).n;
  }
}
