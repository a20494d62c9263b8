/**
 * The validator's duplicate memory across a restart, on real SQLite in a temp folder: the exact
 * hash ledger (store/DuplicateStore) and the persistent near-duplicate index
 * (scoring/PersistentNearDuplicateIndex over store/FingerprintStore), alone and behind the round
 * scorer on the tiny scoring models. Lives in neuron/, the lowest layer that may use both scoring
 * and store (layers.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DecodedAudio } from '../audio/decode.js';
import { audioFingerprint } from '../scoring/near-duplicate.js';
import { PersistentNearDuplicateIndex } from '../scoring/persistent-near-duplicate.js';
import type { ModelTaskRunner } from '../scoring/raw-metrics.js';
import { ModelRoundScorer } from '../scoring/round-scorer.js';
import type { RoundInput } from '../scoring/round-types.js';
import { createModelTaskHandler } from '../scoring/worker-tasks.js';
import { openDatabase } from '../store/database.js';
import { DuplicateStore } from '../store/duplicate-store.js';
import { FingerprintStore } from '../store/fingerprint-store.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { addNoise, gain, lsbDither, syntheticMusic, timeShift } from '../testing/test-signals.js';

const RATE = 32_000;
const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny');
const tempDir = useTempDirs();
const music = (seed: number): Float32Array => gain(syntheticMusic(seed, 15, RATE), 0.5);
const at = (iso: string) => () => new Date(iso);

describe('PersistentNearDuplicateIndex on SQLite', () => {
  it('catches a replay of an output seen before the restart', () => {
    const dir = tempDir();
    const original = music(1);
    const before = new PersistentNearDuplicateIndex(new FingerprintStore(openDatabase(dir)), {
      now: at('2026-12-03T07:00:00.000Z'),
    });
    expect(before.loaded).toEqual({ fingerprints: 0, pruned: 0, damaged: 0 });
    before.add('answer-1', audioFingerprint(original, RATE));
    before.add('answer-2', audioFingerprint(music(2), RATE));

    const after = new PersistentNearDuplicateIndex(new FingerprintStore(openDatabase(dir)), {
      now: at('2026-12-03T08:00:00.000Z'),
    });
    expect(after.loaded).toEqual({ fingerprints: 2, pruned: 0, damaged: 0 });
    const replay = addNoise(timeShift(lsbDither(original, 3), 1.3, RATE), 30, 4);
    expect(after.findMatch(audioFingerprint(replay, RATE))).toMatchObject({ matched: 'answer-1' });
    expect(after.findMatch(audioFingerprint(music(3), RATE))).toBeNull();
  });

  it('forgets outputs older than its age limit and beyond its capacity, on disk too', () => {
    const dir = tempDir();
    const store = new FingerprintStore(openDatabase(dir));
    const first = new PersistentNearDuplicateIndex(store, { capacity: 2, now: at('2026-12-01T00:00:00.000Z') });
    first.add('old', audioFingerprint(music(1), RATE));
    const later = new PersistentNearDuplicateIndex(store, { capacity: 2, now: at('2026-12-06T00:00:00.000Z') });
    later.add('a', audioFingerprint(music(2), RATE));
    later.add('b', audioFingerprint(music(3), RATE));
    // Capacity 2: 'old' left the table when 'b' came.
    expect(store.count()).toBe(2);

    const weekOn = new PersistentNearDuplicateIndex(new FingerprintStore(openDatabase(dir)), {
      capacity: 2,
      maxAgeSeconds: 3 * 24 * 3600,
      now: at('2026-12-10T00:00:00.000Z'),
    });
    expect(weekOn.loaded).toEqual({ fingerprints: 0, pruned: 2, damaged: 0 });
    expect(weekOn.findMatch(audioFingerprint(music(2), RATE))).toBeNull();
  });
});

describe('ModelRoundScorer with the SQLite ledgers', { timeout: 120_000 }, () => {
  it('still catches an exact and a near replay of an earlier answer after the validator restarts', async () => {
    const dir = tempDir();
    const handler = createModelTaskHandler();
    const models = { clap: { dir: join(TINY, 'clap') }, classifier: { dir: join(TINY, 'ast') } };
    const scorerOn = (now: string) => {
      const db = openDatabase(dir);
      return new ModelRoundScorer({
        run: handler as ModelTaskRunner,
        ledger: new DuplicateStore(db),
        index: new PersistentNearDuplicateIndex(new FingerprintStore(db), { now: at(now) }),
        models,
        // The tiny CLAP puts distinct clips near cosine 0.985: the fingerprint alone decides here.
        referenceEmbeddingThreshold: null,
      });
    };
    const decoded = (samples: Float32Array): DecodedAudio => ({
      container: 'wav',
      sampleRate: RATE,
      channelData: [samples],
    });
    const round = (answers: RoundInput['answers'], referenceSeed: number): RoundInput => ({
      prompt: 'lofi beat',
      reference: decoded(music(referenceSeed)),
      profile: 'fixed',
      answers,
      time: '2026-12-03T07:00:00.000Z',
    });

    const original = music(50);
    const first = await scorerOn('2026-12-03T07:00:00.000Z').scoreRound(
      round([{ uid: 1, hotkey: '5Honest', id: 'round1-uid1', audio: decoded(original) }], 500),
    );
    expect(first[0]?.duplicate?.duplicate).toBe(false);

    const second = await scorerOn('2026-12-03T09:00:00.000Z').scoreRound(
      round(
        [
          { uid: 2, hotkey: '5Copier', id: 'round2-uid2', audio: decoded(original.slice()) },
          { uid: 3, hotkey: '5Shifter', id: 'round2-uid3', audio: decoded(timeShift(lsbDither(original, 9), 2, RATE)) },
        ],
        501,
      ),
    );
    expect(second[0]?.duplicate).toMatchObject({
      exact: { hotkey: '5Honest', source: 'response' },
      duplicate: true,
    });
    expect(second[1]?.duplicate).toMatchObject({ exact: null, near: { matched: 'round1-uid1' }, duplicate: true });
    for (const s of second) expect(s.judgement).toMatchObject({ punish: true, update: null });
  });
});
