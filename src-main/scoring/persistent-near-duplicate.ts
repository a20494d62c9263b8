/**
 * The near-duplicate index that survives a restart (scoring.md §3.4: cached or replayed outputs
 * are caught "across miners and over time"): the in-memory `NearDuplicateIndex` does the
 * matching; every original it learns is also written through a `FingerprintLedger`
 * (store/FingerprintStore satisfies it; scoring does not import the store, layers.ts). On start
 * the recent fingerprints are loaded back and the ones too old to matter are pruned, so the table
 * stays as small as the index.
 */
import {
  NEAR_DUPLICATE_THRESHOLD,
  NearDuplicateIndex,
  type AudioFingerprint,
  type NearDuplicateHit,
  type NearDuplicateLookup,
} from './near-duplicate.js';

export interface StoredFingerprint extends AudioFingerprint {
  readonly id: string;
  /** ISO 8601, when it joined the index. */
  readonly time: string;
}

export interface FingerprintLedger {
  add(record: StoredFingerprint): void;
  /** The newest `limit` at or after `since`, oldest first; damaged rows are left out and counted. */
  recent(limit: number, since: string): { records: StoredFingerprint[]; damaged: number };
  /** Drops those older than `before`, and all but the newest `keep`. */
  prune(before: string, keep: number): number;
}

export interface PersistentIndexOptions {
  /** Outputs kept and compared (see NearDuplicateIndex: ~25 ms a comparison). */
  readonly capacity?: number;
  /** Older outputs are forgotten: a week of rounds by default. */
  readonly maxAgeSeconds?: number;
  readonly threshold?: number;
  readonly now?: () => Date;
}

export const DEFAULT_FINGERPRINT_MAX_AGE_SECONDS = 7 * 24 * 3600;

export class PersistentNearDuplicateIndex implements NearDuplicateLookup {
  private readonly memory: NearDuplicateIndex;
  private readonly capacity: number;
  private readonly maxAgeSeconds: number;
  private readonly now: () => Date;
  /** What start-up found: fingerprints loaded, rows pruned, damaged rows skipped. */
  readonly loaded: { readonly fingerprints: number; readonly pruned: number; readonly damaged: number };

  constructor(
    private readonly ledger: FingerprintLedger,
    options: PersistentIndexOptions = {},
  ) {
    this.capacity = options.capacity ?? 50;
    this.maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_FINGERPRINT_MAX_AGE_SECONDS;
    this.now = options.now ?? (() => new Date());
    this.memory = new NearDuplicateIndex(this.capacity, options.threshold ?? NEAR_DUPLICATE_THRESHOLD);
    const pruned = this.prune();
    const { records, damaged } = ledger.recent(this.capacity, this.cutoff());
    for (const record of records) this.memory.add(record.id, record);
    this.loaded = { fingerprints: records.length, pruned, damaged };
  }

  /** The round's reference is per round and is not persisted. */
  setReference(fingerprint: AudioFingerprint | null): void {
    this.memory.setReference(fingerprint);
  }

  add(id: string, fingerprint: AudioFingerprint): void {
    this.memory.add(id, fingerprint);
    const { frames, bands, hopSeconds, values } = fingerprint;
    this.ledger.add({ id, time: this.now().toISOString(), frames, bands, hopSeconds, values });
    this.prune();
  }

  findMatch(fingerprint: AudioFingerprint): NearDuplicateHit | null {
    return this.memory.findMatch(fingerprint);
  }

  private cutoff(): string {
    return new Date(this.now().getTime() - this.maxAgeSeconds * 1000).toISOString();
  }

  private prune(): number {
    return this.ledger.prune(this.cutoff(), this.capacity);
  }
}
