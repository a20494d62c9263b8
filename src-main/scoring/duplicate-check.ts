/**
 * One response's duplicate verdict: the reference's exact hash against the persisted set, plus
 * (in the `fixed` profile) the near-duplicate fingerprint against the round's reference clip and
 * recent outputs. The hash set is passed in as an interface, so scoring needs no store import
 * (src-main/layers.ts); `store/DuplicateStore` satisfies it.
 */
import type { ScoringProfile } from '../../src-shared/schemas/scoring.js';
import { exactAudioHash } from './audio-hash.js';
import { audioFingerprint, type NearDuplicateHit, type NearDuplicateLookup } from './near-duplicate.js';

export interface HashRecord {
  readonly hash: string;
  readonly firstSeen: string;
  readonly source: 'response' | 'reference';
  readonly hotkey: string | null;
}

/** Records a hash unless known; returns the earlier record for a duplicate, else null. */
export interface HashLedger {
  checkAndRecord(record: HashRecord): HashRecord | null;
}

export interface DuplicateVerdict {
  readonly hash: string;
  /** The earlier sighting of the same bytes, if any. */
  readonly exact: HashRecord | null;
  /** The near-duplicate match, if any (always null under `bittaudio-1.1.3`, which has no such check). */
  readonly near: NearDuplicateHit | null;
  /** What `judgeResponse` takes as `duplicate`. */
  readonly duplicate: boolean;
}

export interface ResponseAudio {
  readonly samples: Float32Array;
  readonly sampleRate: number;
  readonly hotkey: string;
  /** ISO 8601. */
  readonly time: string;
  /** An id for the near-duplicate index (e.g. the generation row id). */
  readonly id: string;
}

export function checkDuplicate(
  profile: ScoringProfile,
  response: ResponseAudio,
  ledger: HashLedger,
  index: NearDuplicateLookup,
): DuplicateVerdict {
  const hash = exactAudioHash(response.samples);
  const exact = ledger.checkAndRecord({ hash, firstSeen: response.time, source: 'response', hotkey: response.hotkey });
  if (profile === 'bittaudio-1.1.3') return { hash, exact, near: null, duplicate: exact !== null };
  const fingerprint = audioFingerprint(response.samples, response.sampleRate);
  const near = index.findMatch(fingerprint);
  // Only originals join the index, so a chain of copies still points at the first.
  if (exact === null && near === null) index.add(response.id, fingerprint);
  return { hash, exact, near, duplicate: exact !== null || near !== null };
}

/** At the start of a round: the reference clip joins the hash set (as the reference does) and the index. */
export function registerReferenceClip(
  samples: Float32Array,
  sampleRate: number,
  time: string,
  ledger: HashLedger,
  index: NearDuplicateLookup,
): void {
  ledger.checkAndRecord({ hash: exactAudioHash(samples), firstSeen: time, source: 'reference', hotkey: null });
  index.setReference(audioFingerprint(samples, sampleRate));
}
