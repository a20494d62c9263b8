/** What bench/scoring.mjs needs from the scoring code, in one bundle. */
import type { HashLedger, HashRecord } from '../src-main/scoring/duplicate-check.js';

export { checkSignal } from '../src-main/audio/signal-checks.js';
export { resample } from '../src-main/audio/resample.js';
export { exactAudioHash } from '../src-main/scoring/audio-hash.js';
export { kldBoth } from '../src-main/scoring/kl-divergence.js';
export { frechetDistanceFromFrames } from '../src-main/scoring/frechet.js';
export { audioFingerprint, NearDuplicateIndex } from '../src-main/scoring/near-duplicate.js';
export { ModelRoundScorer } from '../src-main/scoring/round-scorer.js';
export { createModelTaskHandler } from '../src-main/scoring/worker-tasks.js';
export { gain, syntheticMusic } from '../src-main/testing/test-signals.js';

/** The hash ledger in memory: the bench measures scoring, not SQLite. */
export class MemoryLedger implements HashLedger {
  private readonly records = new Map<string, HashRecord>();
  checkAndRecord(record: HashRecord): HashRecord | null {
    const known = this.records.get(record.hash);
    if (known) return known;
    this.records.set(record.hash, record);
    return null;
  }
}
