import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../audio/wav.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { openDatabase } from './database.js';
import { ValidatorStore, type NewRound } from './validator-store.js';

const tempDir = useTempDirs();
const SCOPE = '5Validator@50';
const T0 = '2026-12-03T07:00:00.000Z';
const T1 = '2026-12-03T07:00:05.000Z';

const newRound = (patch: Partial<NewRound> = {}): NewRound => ({
  scope: SCOPE,
  started: T0,
  block: 12,
  promptId: 'bundled:3',
  prompt: 'jazz trio with brushed drums',
  promptSource: 'bundled',
  referenceName: 'ref-3.wav',
  profile: 'bittaudio-1.1.3',
  durationTokens: 755,
  timeoutSeconds: 200,
  uids: [1, 4],
  ...patch,
});

const answer = (uid: number, failure: string | null = null) => ({
  time: T1,
  uid,
  hotkey: `5Miner${uid}`,
  statusCode: failure ? 408 : 200,
  statusMessage: failure,
  route: 'sealed' as const,
  elapsedMs: 1234,
  failure,
});

describe('ValidatorStore', () => {
  it('keeps rounds, answers with their WAV, outcomes and scores across reopening', () => {
    const dir = tempDir();
    const store = new ValidatorStore(openDatabase(dir), dir);
    const round = store.openRound(newRound());
    expect(round).toMatchObject({ state: 'querying', uids: [1, 4], ended: null });
    const samples = Float32Array.from({ length: 3200 }, (_, i) => 0.5 * Math.sin(i / 10));
    const good = store.addAnswer(round.id, answer(1), { samples, sampleRate: 32_000 });
    const silent = store.addAnswer(round.id, answer(4, 'timed out after 200 s'));
    store.setRoundState(round.id, 'scoring');
    store.closeRound(
      round.id,
      T1,
      [
        {
          answerId: good,
          metrics: { kld: 0.5 },
          judgement: { punish: false, update: 0.7 },
          scoreBefore: 0,
          scoreAfter: 0.63,
        },
        { answerId: silent, metrics: null, judgement: { punish: true, update: null }, scoreBefore: 0, scoreAfter: 0 },
      ],
      [
        { uid: 1, hotkey: '5Miner1', score: 0.63 },
        { uid: 4, hotkey: '5Miner4', score: 0 },
      ],
    );

    const again = new ValidatorStore(openDatabase(dir), dir);
    expect(again.round(round.id)).toMatchObject({ state: 'done', ended: T1, prompt: 'jazz trio with brushed drums' });
    expect([...again.scores(SCOPE).values()]).toEqual([
      { uid: 1, hotkey: '5Miner1', score: 0.63, updated: T1 },
      { uid: 4, hotkey: '5Miner4', score: 0, updated: T1 },
    ]);
    const [latest, first] = again.answers();
    expect(latest).toMatchObject({ uid: 4, failure: 'timed out after 200 s', wavFile: null, scoreAfter: 0 });
    expect(first).toMatchObject({ uid: 1, samples: 3200, sampleRate: 32_000, metrics: { kld: 0.5 }, scoreAfter: 0.63 });
    const wav = decodeWav(readFileSync(again.wavPath(first?.wavFile ?? '')));
    expect(wav.sampleRate).toBe(32_000);
    expect(wav.samples.length).toBe(3200);
    expect(again.answers({ uid: 1 }).map((a) => a.id)).toEqual([good]);
    expect(again.countAnswers({ roundId: round.id })).toBe(2);
    expect(again.countAnswers({ roundId: round.id + 1 })).toBe(0);
  });

  it('closes a round a crash left open as interrupted, scores untouched, answers kept', () => {
    const dir = tempDir();
    const store = new ValidatorStore(openDatabase(dir), dir);
    store.setScores(SCOPE, [{ uid: 1, hotkey: '5Miner1', score: 0.4 }], T0);
    const round = store.openRound(newRound());
    store.addAnswer(round.id, answer(1), { samples: new Float32Array(320).fill(0.1), sampleRate: 32_000 });
    // Another validator's open round is not ours to close.
    const other = store.openRound(newRound({ scope: '5Other@50' }));

    const after = new ValidatorStore(openDatabase(dir), dir);
    const closed = after.interruptOpenRounds(SCOPE, T1);
    expect(closed.map((r) => r.id)).toEqual([round.id]);
    expect(after.round(round.id)).toMatchObject({ state: 'interrupted', ended: T1 });
    expect(after.round(other.id)).toMatchObject({ state: 'querying', ended: null });
    expect(after.scores(SCOPE).get(1)?.score).toBe(0.4);
    const kept = after.answers({ roundId: round.id });
    expect(kept).toHaveLength(1);
    expect(existsSync(after.wavPath(kept[0]?.wavFile ?? ''))).toBe(true);
    expect(after.interruptOpenRounds(SCOPE, T1)).toEqual([]);
  });

  it("keeps a round's reference clip once as a WAV beside its answers, on the round and on each answer", () => {
    const dir = tempDir();
    const store = new ValidatorStore(openDatabase(dir), dir);
    const round = store.openRound(newRound());
    expect(round.referenceWavFile).toBeNull();
    const left = Float32Array.from({ length: 4800 }, (_, i) => 0.5 * Math.sin(i / 9));
    const right = Float32Array.from({ length: 4800 }, (_, i) => 0.25 * Math.cos(i / 13));
    const kept = store.addReference(round.id, { channelData: [left, right], sampleRate: 48_000 });
    expect(kept.referenceWavFile).toBe(`validator/${round.id}-reference.wav`);
    store.addAnswer(round.id, answer(1), { samples: new Float32Array(320).fill(0.1), sampleRate: 32_000 });
    store.addAnswer(round.id, answer(4, 'timed out after 200 s'));
    // Another round without a reference: its answers say so.
    const bare = store.openRound(newRound({ referenceName: null }));
    store.addAnswer(bare.id, answer(1), { samples: new Float32Array(320).fill(0.2), sampleRate: 32_000 });

    const again = new ValidatorStore(openDatabase(dir), dir);
    expect(again.round(round.id)?.referenceWavFile).toBe(kept.referenceWavFile);
    expect(again.answers({ roundId: round.id }).map((a) => a.referenceWavFile)).toEqual([
      kept.referenceWavFile,
      kept.referenceWavFile,
    ]);
    expect(again.answers({ roundId: bare.id }).map((a) => a.referenceWavFile)).toEqual([null]);
    const wav = decodeWav(readFileSync(again.wavPath(kept.referenceWavFile ?? '')));
    expect(wav).toMatchObject({ sampleRate: 48_000, channels: 2, format: 'pcm16' });
    expect(wav.samples.length).toBe(2 * 4800);
    // Interleaved PCM16: frame 100's left and right, within one quantisation step.
    expect(wav.samples[200]).toBeCloseTo(left[100] ?? 0, 4);
    expect(wav.samples[201]).toBeCloseTo(right[100] ?? 0, 4);

    // Once per round: a second clip does not replace the first.
    const before = readFileSync(again.wavPath(kept.referenceWavFile ?? ''));
    again.addReference(round.id, { channelData: [new Float32Array(10)], sampleRate: 32_000 });
    expect(readFileSync(again.wavPath(kept.referenceWavFile ?? '')).equals(before)).toBe(true);
  });

  it('refuses a reference clip without samples or with a bad rate, and the round stays without one', () => {
    const dir = tempDir();
    const store = new ValidatorStore(openDatabase(dir), dir);
    const round = store.openRound(newRound());
    expect(() => store.addReference(round.id, { channelData: [new Float32Array(0)], sampleRate: 32_000 })).toThrow(
      /has no samples/,
    );
    expect(() => store.addReference(round.id, { channelData: [new Float32Array(64)], sampleRate: 0 })).toThrow(
      /sample rate/,
    );
    expect(() => store.addReference(round.id + 1, { channelData: [new Float32Array(64)], sampleRate: 32_000 })).toThrow(
      `no validator round ${round.id + 1}`,
    );
    expect(store.round(round.id)?.referenceWavFile).toBeNull();
    expect(existsSync(join(dir, 'validator', `${round.id}-reference.wav`))).toBe(false);
  });

  it('refuses a negative or non-finite score and writes none of the batch', () => {
    const dir = tempDir();
    const store = new ValidatorStore(openDatabase(dir), dir);
    expect(() =>
      store.setScores(
        SCOPE,
        [
          { uid: 1, hotkey: '5Miner1', score: 0.2 },
          { uid: 2, hotkey: '5Miner2', score: Number.NaN },
        ],
        T0,
      ),
    ).toThrow(/NaN for uid 2/);
    expect(store.scores(SCOPE).size).toBe(0);
  });
});
