/**
 * The near-duplicate index's memory across restarts (scoring.md §3.4: "the perceptual index
 * across miners and over time"): the log-band fingerprints of recent answers, so a miner who
 * replays an earlier output after the validator restarted is still caught. The rows are plain
 * numbers; what they mean belongs to scoring/near-duplicate.ts, which this layer does not import
 * (layers.ts), so the record mirrors its `AudioFingerprint` shape.
 */
import type { Db } from './database.js';

export interface FingerprintRecord {
  readonly id: string;
  /** ISO 8601, when the fingerprint joined the index. */
  readonly time: string;
  readonly frames: number;
  readonly bands: number;
  readonly hopSeconds: number;
  /** frames × bands, row-major. */
  readonly values: Float32Array;
}

interface Row {
  id: string;
  time: string;
  frames: number;
  bands: number;
  hop_seconds: number;
  cells: Buffer;
}

export class FingerprintStore {
  constructor(private readonly db: Db) {}

  /** Adds (or replaces, for a re-scored id) one fingerprint. */
  add(record: FingerprintRecord): void {
    const { frames, bands, hopSeconds, values } = record;
    if (!(Number.isInteger(frames) && frames > 0 && Number.isInteger(bands) && bands > 0)) {
      throw new RangeError(`a fingerprint of ${frames} × ${bands} cells`);
    }
    if (values.length !== frames * bands) {
      throw new RangeError(`a fingerprint of ${frames} × ${bands} cells holds ${values.length} values`);
    }
    if (!(Number.isFinite(hopSeconds) && hopSeconds > 0)) throw new RangeError(`a hop of ${hopSeconds} s`);
    if (Number.isNaN(Date.parse(record.time))) throw new RangeError(`not an ISO 8601 time: ${record.time}`);
    this.db
      .prepare(
        `INSERT OR REPLACE INTO audio_fingerprints (id, time, frames, bands, hop_seconds, cells)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(record.id, record.time, frames, bands, hopSeconds, toBlob(values));
  }

  /**
   * The newest `limit` fingerprints at or after `since`, oldest first (the order they joined).
   * A row whose cells do not match its shape (a damaged file) is left out and counted.
   */
  recent(limit: number, since: string): { records: FingerprintRecord[]; damaged: number } {
    const rows = this.db
      .prepare(
        `SELECT id, time, frames, bands, hop_seconds, cells FROM audio_fingerprints
         WHERE time >= ? ORDER BY time DESC, rowid DESC LIMIT ?`,
      )
      .all(since, limit) as Row[];
    const records: FingerprintRecord[] = [];
    let damaged = 0;
    for (const row of rows.reverse()) {
      if (row.cells.length !== row.frames * row.bands * 4) {
        damaged++;
        continue;
      }
      records.push({
        id: row.id,
        time: row.time,
        frames: row.frames,
        bands: row.bands,
        hopSeconds: row.hop_seconds,
        values: fromBlob(row.cells),
      });
    }
    return { records, damaged };
  }

  /** Deletes fingerprints older than `before`, and all but the newest `keep`. Returns how many went. */
  prune(before: string, keep: number): number {
    const old = this.db.prepare('DELETE FROM audio_fingerprints WHERE time < ?').run(before).changes;
    const surplus = this.db
      .prepare(
        `DELETE FROM audio_fingerprints WHERE rowid NOT IN
           (SELECT rowid FROM audio_fingerprints ORDER BY time DESC, rowid DESC LIMIT ?)`,
      )
      .run(Math.max(0, keep)).changes;
    return old + surplus;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM audio_fingerprints').get() as { n: number }).n;
  }
}

/** float32 little-endian, whatever the host's order. */
function toBlob(values: Float32Array): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes;
}

function fromBlob(bytes: Buffer): Float32Array {
  const values = new Float32Array(bytes.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
  return values;
}
