/**
 * ModelRoundScorer on the tiny CLAP and AST (real ONNX sessions through scoring's own task
 * handler, as the worker runs it) and the real fingerprint index.
 * FAD here uses CLAP windows every 2 s as its frames (fadtk's `clap-laion-music` protocol,
 * scoring.md §2.3) through the same task runner, until the VGGish runner lands; the round
 * scorer only sees a FadEmbedder.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { DecodedAudio } from '../audio/decode.js';
import { resample } from '../audio/resample.js';
import type { ModelTask, ModelTaskResult } from '../inference/worker/protocol.js';
import { ModelTaskError } from '../inference/worker/task-error.js';
import { gain, lsbDither, syntheticMusic, timeShift } from '../testing/test-signals.js';
import { judgeResponse } from './aggregation.js';
import type { HashLedger, HashRecord } from './duplicate-check.js';
import { kldBoth } from './kl-divergence.js';
import { audioFingerprint, fingerprintSimilarity, NearDuplicateIndex } from './near-duplicate.js';
import { rawMetrics, type ModelTaskRunner } from './raw-metrics.js';
import { ModelRoundScorer, type FadEmbedder, type RoundScorerDeps } from './round-scorer.js';
import type { RoundAnswer, RoundInput } from './round-types.js';
import { createModelTaskHandler } from './worker-tasks.js';
import { frechetDistanceFromFrames } from './frechet.js';
import type { ScoringProfile } from '../../src-shared/schemas/scoring.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny');
const models = { clap: { dir: join(TINY, 'clap') }, classifier: { dir: join(TINY, 'ast') } };
const RATE = 32_000;

/**
 * The ledger's contract in memory (scoring may not import the store, layers.ts); the SQLite
 * DuplicateStore behind the same interface is exercised in neuron/validator-duplicates.test.ts.
 */
class MemoryLedger implements HashLedger {
  readonly records = new Map<string, HashRecord>();
  checkAndRecord(record: HashRecord): HashRecord | null {
    const known = this.records.get(record.hash);
    if (known) return known;
    this.records.set(record.hash, record);
    return null;
  }
}

const handler = createModelTaskHandler();

/** The handler with a log of every task it ran (kind and audio length). */
function countingRunner(fail?: (task: ModelTask, index: number) => boolean) {
  const calls: { kind: ModelTask['kind']; samples: number; hop?: number }[] = [];
  const run = ((task: ModelTask): Promise<ModelTaskResult> => {
    const index = calls.length;
    calls.push({
      kind: task.kind,
      samples: task.kind === 'embed-text' ? 0 : task.audio.length,
      ...(task.kind === 'embed-audio' && task.hopSeconds !== undefined ? { hop: task.hopSeconds } : {}),
    });
    if (fail?.(task, index)) {
      return Promise.reject(new ModelTaskError('worker_crashed', 'The inference worker exited (signal SIGKILL).'));
    }
    return handler(task);
  }) as ModelTaskRunner;
  const count = (kind: ModelTask['kind'], hop?: number) => calls.filter((c) => c.kind === kind && c.hop === hop).length;
  return { run, calls, count };
}

/** FAD frames: CLAP embeddings of 10 s windows every 2 s (after fadtk's CLAP protocol). */
function clapFad(run: ModelTaskRunner): FadEmbedder {
  return {
    frames: async (clip) => {
      const audio = clip.sampleRate === 48_000 ? clip.samples : resample(clip.samples, clip.sampleRate, 48_000);
      return (await run({ kind: 'embed-audio', model: models.clap, audio, sampleRate: 48_000, hopSeconds: 2 })).windows;
    },
  };
}

const music = (seed: number, seconds = 15): Float32Array => gain(syntheticMusic(seed, seconds, RATE), 0.5);
const decoded = (samples: Float32Array, sampleRate = RATE): DecodedAudio => ({
  container: 'wav',
  sampleRate,
  channelData: [samples],
});
const answer = (uid: number, samples: Float32Array | null, extra: Partial<RoundAnswer> = {}): RoundAnswer => ({
  uid,
  hotkey: `5Miner${uid}`,
  id: `answer-${uid}-${extra.id ?? 'r1'}`,
  audio: samples === null ? null : decoded(samples),
  ...extra,
});

function setup(options: { fail?: (task: ModelTask, index: number) => boolean; deps?: Partial<RoundScorerDeps> } = {}) {
  const runner = countingRunner(options.fail);
  const ledger = new MemoryLedger();
  const index = new NearDuplicateIndex();
  const scorer = new ModelRoundScorer({
    run: runner.run,
    ledger,
    index,
    models,
    fad: clapFad(runner.run),
    ...options.deps,
  });
  return { scorer, runner, ledger, index };
}

const round = (answers: RoundAnswer[], profile: ScoringProfile = 'bittaudio-1.1.3', seed = 100): RoundInput => ({
  prompt: 'calm piano with soft drums',
  reference: decoded(music(seed)),
  profile,
  answers,
  time: '2026-12-03T07:00:00.000Z',
});

describe('ModelRoundScorer', { timeout: 120_000 }, () => {
  it("computes the prompt's and the reference's features once per round and reuses them for every answer", async () => {
    const { scorer, runner } = setup();
    const input = round([answer(1, music(1)), answer(2, music(2)), answer(3, music(3)), answer(4, music(4, 13.5))]);
    const scored = await scorer.scoreRound(input);

    expect(scored.map((s) => [s.uid, s.rejection, s.duplicate?.duplicate, s.errors])).toEqual([
      [1, null, false, []],
      [2, null, false, []],
      [3, null, false, []],
      [4, null, false, []],
    ]);
    // One text embedding; one CLAP embedding and one set of FAD frames of the reference, then one
    // per answer; the reference's probabilities once at full length and once at 13.5 s (KL cuts
    // both clips to the common length).
    expect(runner.count('embed-text')).toBe(1);
    expect(runner.count('embed-audio')).toBe(1 + 4);
    expect(runner.count('embed-audio', 2)).toBe(1 + 4);
    expect(runner.count('classify')).toBe(2 + 4);
    expect(runner.calls).toHaveLength(1 + 5 + 5 + 6);

    // The same numbers as rawMetrics on each clip alone, which recomputes the shared work.
    const reference = input.reference?.channelData[0] as Float32Array;
    const alone = await rawMetrics(
      {
        prompt: input.prompt,
        reference: { samples: reference, sampleRate: RATE },
        generated: input.answers.map((a) => ({
          name: a.id,
          clip: { samples: a.audio?.channelData[0] as Float32Array, sampleRate: RATE },
        })),
        models,
      },
      { run: handler as ModelTaskRunner, resample, kldBoth: (g, r) => kldBoth(g, r).kldBoth },
    );
    scored.forEach((s, i) => {
      expect(s.raw?.clap).toBeCloseTo(alone[i]?.clapCosine ?? Number.NaN, 6);
      expect(s.raw?.kld).toBeCloseTo(alone[i]?.kld ?? Number.NaN, 6);
      expect(s.raw?.fad).toEqual(expect.any(Number));
    });
    expect(scored[3]?.durationSeconds).toBe(13.5);
    // The judgement is the profile's, on these raw metrics and the clip's duration.
    for (const s of scored) {
      const raw = s.raw ?? { kld: null, fad: null, clap: null };
      expect(s.judgement).toEqual(
        judgeResponse('bittaudio-1.1.3', { ...raw, durationSeconds: s.durationSeconds ?? 0, duplicate: false }),
      );
    }
  });

  it('computes FAD as the Fréchet distance of the answer frames against the reference frames', async () => {
    const { scorer } = setup();
    const input = round([answer(1, music(7))]);
    const [scored] = await scorer.scoreRound(input);
    const fad = clapFad(handler as ModelTaskRunner);
    const referenceFrames = await fad.frames({
      samples: input.reference?.channelData[0] as Float32Array,
      sampleRate: RATE,
    });
    const answerFrames = await fad.frames({ samples: music(7), sampleRate: RATE });
    expect(scored?.raw?.fad).toBeCloseTo(frechetDistanceFromFrames(answerFrames, referenceFrames).raw, 9);
  });

  it('leaves FAD null without an embedder, and the reference profile then skips the update', async () => {
    const { scorer } = setup({ deps: { fad: undefined } });
    const [scored] = await scorer.scoreRound(round([answer(1, music(1))]));
    expect(scored?.raw).toMatchObject({ fad: null, clap: expect.any(Number), kld: expect.any(Number) });
    expect(scored?.judgement).toMatchObject({ update: null, note: 'metric_failed_no_update' });
  });

  it('flags an exact duplicate across miners (a gain change hashes alike): punished and still scored under the reference profile', async () => {
    const { scorer, ledger } = setup();
    const original = music(11);
    const scored = await scorer.scoreRound(round([answer(1, original), answer(2, gain(original, 0.5))]));
    expect(scored[0]?.duplicate).toMatchObject({ exact: null, duplicate: false });
    expect(scored[1]?.duplicate).toMatchObject({ exact: { hotkey: '5Miner1', source: 'response' }, duplicate: true });
    expect(scored[1]?.judgement.punish).toBe(true);
    expect(scored[1]?.judgement.update).toEqual(expect.any(Number));
    expect(scored[1]?.raw?.clap).toEqual(expect.any(Number));
    // The reference clip joined the ledger too.
    expect(ledger.records.size).toBe(2);
  });

  it('catches a byte-identical replay of the reference clip through the ledger', async () => {
    const { scorer } = setup();
    const input = round([answer(1, music(100))], 'bittaudio-1.1.3', 100);
    const [scored] = await scorer.scoreRound(input);
    expect(scored?.duplicate).toMatchObject({ exact: { source: 'reference', hotkey: null }, duplicate: true });
  });

  it('under fixed, catches a dithered reference and a shifted replay of an earlier round, punishes them and runs no model for them', async () => {
    // The tiny CLAP puts distinct clips at cosines near 0.985, so only the fingerprint is on here.
    const { scorer, runner } = setup({ deps: { referenceEmbeddingThreshold: null } });
    const first = await scorer.scoreRound(round([answer(1, music(21))], 'fixed', 200));
    expect(first[0]?.duplicate?.duplicate).toBe(false);
    runner.calls.length = 0;

    const reference = music(300);
    const input: RoundInput = {
      ...round([], 'fixed'),
      reference: decoded(reference),
      answers: [
        answer(2, lsbDither(reference, 5), { id: 'r2' }),
        answer(3, timeShift(music(21), 0.7, RATE), { id: 'r2' }),
        answer(4, music(22), { id: 'r2' }),
      ],
    };
    const scored = await scorer.scoreRound(input);
    expect(scored[0]?.duplicate).toMatchObject({ exact: null, near: { matched: 'reference' }, duplicate: true });
    expect(scored[1]?.duplicate).toMatchObject({ exact: null, near: { matched: 'answer-1-r1' }, duplicate: true });
    expect(scored[1]?.duplicate?.near?.similarity).toBeGreaterThan(0.9);
    expect(scored[2]?.duplicate?.duplicate).toBe(false);
    for (const dup of scored.slice(0, 2)) {
      expect(dup.raw).toBeNull();
      expect(dup.judgement).toMatchObject({ punish: true, update: null, note: 'duplicate_not_scored' });
    }
    // Text and reference once; only answer 4 ran the models (CLAP, FAD frames, classifier).
    expect(runner.count('embed-audio')).toBe(1 + 1);
    expect(runner.count('classify')).toBe(1 + 1);
  });

  it("under fixed, flags an answer whose CLAP embedding is the reference's though its fingerprint differs", async () => {
    const { scorer } = setup({ deps: { referenceEmbeddingThreshold: 0.9999 } });
    const reference = music(400);
    // Time-reversed: the fingerprint's frames no longer line up, but the tiny CLAP pools over time.
    const reversed = reference.slice().reverse();
    const input: RoundInput = {
      ...round([answer(1, reversed), answer(2, music(401))], 'fixed'),
      reference: decoded(reference),
    };
    const scored = await scorer.scoreRound(input);
    const fingerprint = fingerprintSimilarity(audioFingerprint(reference, RATE), audioFingerprint(reversed, RATE));
    expect(fingerprint.similarity).toBeLessThan(0.9);
    expect(scored[0]?.duplicate).toMatchObject({
      exact: null,
      near: { matched: 'reference', offsetSeconds: 0 },
      duplicate: true,
    });
    expect(scored[0]?.judgement).toMatchObject({ punish: true, update: null, note: 'duplicate_not_scored' });
    expect(scored[1]?.duplicate?.duplicate).toBe(false);
  });

  it('rejects bad audio with its named problems and scores it 0 without running a model; no reply is punished', async () => {
    const { scorer, runner } = setup();
    const scored = await scorer.scoreRound(
      round([
        answer(1, new Float32Array(15 * RATE)),
        { ...answer(2, null), audio: decoded(gain(syntheticMusic(2, 15, 44_100), 0.5), 44_100) },
        answer(3, music(3, 5)),
        answer(4, null, { failure: 'timeout after 200 s' }),
        answer(5, music(5)),
      ]),
    );
    expect(scored.map((s) => s.rejection)).toEqual([
      { kind: 'bad_signal', problems: ['silent'] },
      { kind: 'bad_signal', problems: ['wrong-sample-rate'] },
      { kind: 'bad_signal', problems: ['too-short'] },
      { kind: 'no_answer', detail: 'timeout after 200 s' },
      null,
    ]);
    for (const s of scored.slice(0, 3))
      expect(s.judgement).toMatchObject({ punish: false, update: 0, note: 'rejected' });
    expect(scored[3]?.judgement).toMatchObject({ punish: true, update: null, note: 'rejected' });
    expect(scored[2]?.durationSeconds).toBe(5);
    // Reference work once, then only answer 5.
    expect(runner.count('embed-audio')).toBe(2);
    expect(runner.count('classify')).toBe(2);
  });

  it('scores a miner whose task crashed 0 with the error, and goes on with the round', async () => {
    // Task 0 is the text, 1–3 the reference (CLAP, classifier, FAD frames); 4 is answer 1's CLAP,
    // 7 answer 2's CLAP.
    const { scorer } = setup({ fail: (task, index) => index === 7 && task.kind === 'embed-audio' });
    const scored = await scorer.scoreRound(round([answer(1, music(31)), answer(2, music(32)), answer(3, music(33))]));
    expect(scored[1]).toMatchObject({
      uid: 2,
      rejection: { kind: 'worker_failed', detail: expect.stringContaining('worker exited') },
      judgement: { update: 0, punish: false, note: 'rejected' },
    });
    expect(scored[1]?.errors).toEqual([expect.stringMatching(/^CLAP: The inference worker exited/)]);
    // KL and FAD of the crashed answer still ran; answers 1 and 3 are untouched by its crash.
    expect(scored[1]?.raw).toMatchObject({ clap: null, kld: expect.any(Number) });
    for (const s of [scored[0], scored[2]]) {
      expect(s?.rejection).toBeNull();
      expect(s?.errors).toEqual([]);
      expect(s?.raw?.clap).toEqual(expect.any(Number));
    }
  });

  it('refuses a round whose prompt cannot be embedded, and keeps scoring without a usable reference', async () => {
    const broken = setup({ fail: (task) => task.kind === 'embed-text' });
    await expect(broken.scorer.scoreRound(round([answer(1, music(1))]))).rejects.toThrow(
      /cannot be scored: the CLAP text embedding failed: The inference worker exited/,
    );

    const { scorer } = setup();
    const input = { ...round([answer(1, music(41))]), reference: decoded(new Float32Array(15 * RATE)) };
    const [scored] = await scorer.scoreRound(input);
    expect(scored?.errors).toEqual([expect.stringMatching(/^reference: .*silent/)]);
    expect(scored?.raw).toMatchObject({ clap: expect.any(Number), kld: null, fad: null });
  });

  it('judges a clip by its share of the requested length when one is given (the local network asks for half a second)', async () => {
    const half = (seed: number, seconds: number) => gain(syntheticMusic(seed, seconds, RATE), 0.5);
    const input = {
      ...round([answer(1, half(51, 0.5)), answer(2, half(52, 0.45))], 'fixed'),
      reference: decoded(half(50, 0.5)),
    };
    const signalThresholds = { minSeconds: 0.25 };
    const asked = setup({ deps: { requestedSeconds: 0.5, signalThresholds } });
    const scored = await asked.scorer.scoreRound(input);
    // Reported as measured; judged as 15 s (all of it) and 13.5 s (90 %).
    expect(scored.map((s) => s.durationSeconds)).toEqual([0.5, 0.45]);
    expect(scored.map((s) => s.judgement.durationMultiplier)).toEqual([1, 0.7]);
    scored.forEach((s, i) => {
      const raw = s.raw ?? { kld: null, fad: null, clap: null };
      const judgedSeconds = [15, 13.5][i] ?? 0;
      expect(s.judgement).toEqual(judgeResponse('fixed', { ...raw, durationSeconds: judgedSeconds, duplicate: false }));
    });
    // Without it the same clips are half a second long, and `fixed` scores anything under 13 s 0.
    const plain = setup({ deps: { signalThresholds } });
    const unscaled = await plain.scorer.scoreRound({ ...input, time: '2026-12-03T08:00:00.000Z' });
    expect(unscaled.map((s) => [s.judgement.durationMultiplier, s.judgement.update])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(() => setup({ deps: { requestedSeconds: 0 } })).toThrow(/positive number of seconds, got 0/);
    expect(() => setup({ deps: { requestedSeconds: Number.NaN } })).toThrow(RangeError);
  });

  it('stops between answers when aborted', async () => {
    const { scorer } = setup();
    const controller = new AbortController();
    controller.abort(new Error('validator stopping'));
    await expect(scorer.scoreRound(round([answer(1, music(1))]), controller.signal)).rejects.toThrow(
      'validator stopping',
    );
  });
});
