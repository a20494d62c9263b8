/**
 * The validator's scorer for one round (issue #11, scoring.md §3.1): every answer to the round's
 * prompt is scored against the same reference, so the shared work is done once per round — the
 * prompt's CLAP text embedding, the reference's CLAP audio embedding, its AudioSet probabilities
 * (once per common length: KL cuts both clips to the shorter one, §1.2) and its FAD frames — and
 * reused for every miner. Per answer, in order:
 *
 * 1. no audio → `no_answer`, punished as the reference punishes a failed reply (§1.1 step 3);
 * 2. signal checks on the raw audio (§3.3) → `bad_signal` with the named problems, score 0;
 * 3. exact duplicate (sha256 of the peak-normalised float32, the persisted ledger) and, under
 *    `fixed`, near duplicate (fingerprint against the reference and recent outputs of all miners,
 *    and the CLAP embedding against the reference's, §3.4);
 * 4. metrics on the model tasks; a task that fails (worker crash, bad output) scores that miner 0
 *    with the error in `errors` (`worker_failed`), and the round goes on;
 * 5. the profile's judgement (aggregation.ts).
 *
 * The task runner, the hash ledger and the near-duplicate index come in as interfaces, so the
 * engine passes the inference worker and the SQLite stores and tests pass in-process tiny models.
 */
import { mixToMono } from '../audio/channels.js';
import type { DecodedAudio } from '../audio/decode.js';
import { resample as torchaudioResample } from '../audio/resample.js';
import { checkSignal, type SignalThresholds } from '../audio/signal-checks.js';
import type { ModelTaskSource } from '../inference/worker/protocol.js';
import { FULL_DURATION_SECONDS, judgeResponse, type Judgement, type RawMetrics } from './aggregation.js';
import { dot, l2Normalize } from './cosine.js';
import { checkDuplicate, registerReferenceClip, type DuplicateVerdict, type HashLedger } from './duplicate-check.js';
import { frechetDistanceFromFrames } from './frechet.js';
import { kldBoth } from './kl-divergence.js';
import type { NearDuplicateLookup } from './near-duplicate.js';
import type { ModelTaskRunner, MonoClip } from './raw-metrics.js';
import type { RoundAnswer, RoundInput, RoundScorer, ScoredAnswer, ScoreRejection } from './round-types.js';

/**
 * FAD's embedder (VGGish, scoring.md §1.3): the embedding frames of one mono clip. The round
 * scorer asks it once for the reference and once per answer; the Fréchet distance between the
 * two frame sets is the FAD. Without one, `fad` is null (the profile decides what that means).
 */
export interface FadEmbedder {
  frames(clip: MonoClip): Promise<readonly ArrayLike<number>[]>;
}

/**
 * Cosine of an answer's mean CLAP embedding with the reference's at or above which it is the
 * reference clip again (scoring.md §3.3 (b), ~0.98). Only under `fixed`, as the fingerprint.
 */
export const REFERENCE_EMBEDDING_THRESHOLD = 0.98;

export interface RoundScorerDeps {
  /** The inference worker's `runTask` (or scoring's task handler in process). */
  readonly run: ModelTaskRunner;
  /** The persisted exact-hash set (store/DuplicateStore). */
  readonly ledger: HashLedger;
  /** Recent outputs of all miners (NearDuplicateIndex, or the persistent one). */
  readonly index: NearDuplicateLookup;
  readonly models: { readonly clap: ModelTaskSource; readonly classifier: ModelTaskSource };
  readonly fad?: FadEmbedder;
  /** Defaults to torchaudio's kernel (src-main/audio); called only when rates differ. */
  readonly resample?: (samples: Float32Array, fromRate: number, toRate: number) => Float32Array;
  /** Rates the models take (48 kHz CLAP, 16 kHz AST). */
  readonly rates?: { readonly clap: number; readonly classifier: number };
  readonly signalThresholds?: Partial<SignalThresholds>;
  /** Null turns the reference-embedding check off (e.g. for models whose cosines all sit near 1). */
  readonly referenceEmbeddingThreshold?: number | null;
  /**
   * The clip length this validator asks for, seconds, where that is not the ~15 s the duration
   * penalty (aggregation.ts `durationMultiplier`) was written for: a clip is then judged by the
   * share of it that came back, scaled to 15 s. The local network asks its tiny MusicGen for half a
   * second, and a full half-second clip is as complete as a full 15 s one; without this every
   * local answer would fall under 13 s and score 0. Unset on a real network. The measured length
   * (`durationSeconds`) is reported unscaled.
   */
  readonly requestedSeconds?: number;
}

const DEFAULT_RATES = { clap: 48_000, classifier: 16_000 };

/** What is computed once per round and shared by every answer. */
interface RoundShared {
  readonly text: Float32Array;
  readonly reference: MonoClip | null;
  /** The reference's unit mean CLAP embedding, for the embedding near-duplicate check. */
  readonly referenceClap: Float64Array | null;
  readonly referenceAtClassifierRate: Float32Array | null;
  readonly referenceProbabilities: (length: number) => Promise<Float32Array[]>;
  readonly referenceFadFrames: readonly ArrayLike<number>[] | null;
  /** Why the reference could not be used (then the KL and FAD columns stay empty). */
  readonly referenceError: string | null;
}

/** A model task's failure, as opposed to a metric's maths refusing its input. */
class TaskFailure extends Error {}

export class ModelRoundScorer implements RoundScorer {
  private readonly rates: { readonly clap: number; readonly classifier: number };
  private readonly resampleFn: (samples: Float32Array, fromRate: number, toRate: number) => Float32Array;

  constructor(private readonly deps: RoundScorerDeps) {
    const requested = deps.requestedSeconds;
    if (requested !== undefined && !(Number.isFinite(requested) && requested > 0)) {
      throw new RangeError(`The requested clip length must be a positive number of seconds, got ${requested}.`);
    }
    this.rates = deps.rates ?? DEFAULT_RATES;
    this.resampleFn = deps.resample ?? ((samples, from, to) => torchaudioResample(samples, from, to));
  }

  async scoreRound(input: RoundInput, signal?: AbortSignal): Promise<ScoredAnswer[]> {
    signal?.throwIfAborted();
    const shared = await this.prepareRound(input);
    const scored: ScoredAnswer[] = [];
    for (const answer of input.answers) {
      signal?.throwIfAborted();
      scored.push(await this.scoreAnswer(answer, input, shared));
    }
    return scored;
  }

  /** The round's shared work. Only the text embedding is essential: without it nothing can be scored. */
  private async prepareRound(input: RoundInput): Promise<RoundShared> {
    const { run, models } = this.deps;
    let text: Float32Array | undefined;
    try {
      [text] = (await run({ kind: 'embed-text', model: models.clap, texts: [input.prompt] })).embeddings;
    } catch (error) {
      throw new Error(`The round cannot be scored: the CLAP text embedding failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (!text) throw new Error('The round cannot be scored: CLAP returned no text embedding');

    const none = {
      text,
      reference: null,
      referenceClap: null,
      referenceAtClassifierRate: null,
      referenceProbabilities: () => Promise.resolve([]),
      referenceFadFrames: null,
    };
    if (input.reference === null) return { ...none, referenceError: null };
    try {
      const reference = monoOf(input.reference);
      // The reference joins the hash set and the fingerprint index (scoring.md §1.1 step 1, §3.4).
      registerReferenceClip(reference.samples, reference.sampleRate, input.time, this.deps.ledger, this.deps.index);
      const referenceClap = l2Normalize(
        (
          await run({
            kind: 'embed-audio',
            model: models.clap,
            audio: this.at(reference, this.rates.clap),
            sampleRate: this.rates.clap,
          })
        ).mean,
      );
      const atClassifier = this.at(reference, this.rates.classifier);
      const byLength = new Map<number, Promise<Float32Array[]>>();
      const referenceProbabilities = (length: number): Promise<Float32Array[]> => {
        let known = byLength.get(length);
        if (!known) {
          known = run({
            kind: 'classify',
            model: models.classifier,
            audio: atClassifier.subarray(0, length),
            sampleRate: this.rates.classifier,
          }).then((r) => r.windows);
          byLength.set(length, known);
        }
        return known;
      };
      // The full-length probabilities now: every answer at least as long as the reference shares them.
      await referenceProbabilities(atClassifier.length);
      const referenceFadFrames = this.deps.fad ? await this.deps.fad.frames(reference) : null;
      return {
        text,
        reference,
        referenceClap,
        referenceAtClassifierRate: atClassifier,
        referenceProbabilities,
        referenceFadFrames,
        referenceError: null,
      };
    } catch (error) {
      // A broken reference (silent, a failed task) costs this round its KL and FAD, not its CLAP.
      return { ...none, referenceError: `reference: ${messageOf(error)}` };
    }
  }

  private async scoreAnswer(answer: RoundAnswer, input: RoundInput, shared: RoundShared): Promise<ScoredAnswer> {
    const { profile } = input;
    const base = { uid: answer.uid, hotkey: answer.hotkey, id: answer.id };
    const errors: string[] = shared.referenceError ? [shared.referenceError] : [];
    if (answer.audio === null) {
      const detail = answer.failure ?? 'no audio';
      return rejected(base, { kind: 'no_answer', detail }, null, null, errors, true);
    }
    const report = checkSignal(answer.audio, this.deps.signalThresholds);
    const durationSeconds = report.measurements.seconds;
    if (!report.ok) {
      return rejected(base, { kind: 'bad_signal', problems: report.problems }, durationSeconds, null, errors, false);
    }
    const clip = monoOf(answer.audio);
    let duplicate = checkDuplicate(
      profile,
      { samples: clip.samples, sampleRate: clip.sampleRate, hotkey: answer.hotkey, time: input.time, id: answer.id },
      this.deps.ledger,
      this.deps.index,
    );
    if (profile === 'fixed' && duplicate.duplicate) {
      // `fixed` punishes a duplicate and does not score it: the models need not run.
      const judgement = judgeResponse(profile, {
        kld: null,
        fad: null,
        clap: null,
        durationSeconds: this.judgedSeconds(durationSeconds),
        duplicate: true,
      });
      return { ...base, raw: null, durationSeconds, duplicate, rejection: null, judgement, errors };
    }

    const metrics = await this.metrics(clip, shared, errors);
    if (profile === 'fixed' && metrics.clapMean && shared.referenceClap) {
      duplicate = this.embeddingDuplicate(duplicate, metrics.clapMean, shared.referenceClap);
    }
    if (metrics.taskFailed) {
      const detail = errors.join('; ');
      return rejected(base, { kind: 'worker_failed', detail }, durationSeconds, duplicate, errors, false, metrics.raw);
    }
    const judgement = judgeResponse(profile, {
      ...metrics.raw,
      durationSeconds: this.judgedSeconds(durationSeconds),
      duplicate: duplicate.duplicate,
    });
    return { ...base, raw: metrics.raw, durationSeconds, duplicate, rejection: null, judgement, errors };
  }

  /** CLAP, KL and FAD of one answer; a failed metric stays null with its error noted. */
  private async metrics(
    clip: MonoClip,
    shared: RoundShared,
    errors: string[],
  ): Promise<{ raw: RawMetrics; clapMean: Float64Array | null; taskFailed: boolean }> {
    const { run, models } = this.deps;
    let taskFailed = false;
    const attempt = async <T>(label: string, work: () => Promise<T>): Promise<T | null> => {
      try {
        return await work();
      } catch (error) {
        if (error instanceof TaskFailure) taskFailed = true;
        errors.push(`${label}: ${messageOf(error)}`);
        return null;
      }
    };
    const task = <T>(promise: Promise<T>): Promise<T> =>
      promise.catch((error: unknown) => {
        throw new TaskFailure(messageOf(error), { cause: error });
      });

    let clapMean: Float64Array | null = null;
    const clap = await attempt('CLAP', async () => {
      const audio = await task(
        run({
          kind: 'embed-audio',
          model: models.clap,
          audio: this.at(clip, this.rates.clap),
          sampleRate: this.rates.clap,
        }),
      );
      clapMean = l2Normalize(audio.mean);
      return dot(audio.mean, shared.text);
    });
    const reference = shared.referenceAtClassifierRate;
    const kld =
      reference === null
        ? null
        : await attempt('KL', async () => {
            // Both cut to the common length, as the reference validator does (scoring.md §1.2).
            const generated = this.at(clip, this.rates.classifier);
            const length = Math.min(generated.length, reference.length);
            const [gen, ref] = await Promise.all([
              task(
                run({
                  kind: 'classify',
                  model: models.classifier,
                  audio: generated.subarray(0, length),
                  sampleRate: this.rates.classifier,
                }),
              ),
              task(shared.referenceProbabilities(length)),
            ]);
            return kldBoth(gen.windows, ref).kldBoth;
          });
    const fadFrames = shared.referenceFadFrames;
    const fadEmbedder = this.deps.fad;
    const fad =
      fadFrames === null || fadEmbedder === undefined
        ? null
        : await attempt('FAD', async () => {
            const frames = await task(fadEmbedder.frames(clip));
            return frechetDistanceFromFrames(frames, fadFrames).raw;
          });
    return { raw: { clap, kld, fad }, clapMean, taskFailed };
  }

  /** The reference played back (re-encoded, dithered, shifted) keeps its CLAP embedding (scoring.md §3.4). */
  private embeddingDuplicate(
    verdict: DuplicateVerdict,
    answer: Float64Array,
    reference: Float64Array,
  ): DuplicateVerdict {
    const threshold =
      this.deps.referenceEmbeddingThreshold === undefined
        ? REFERENCE_EMBEDDING_THRESHOLD
        : this.deps.referenceEmbeddingThreshold;
    if (threshold === null || verdict.duplicate) return verdict;
    const similarity = dot(answer, reference);
    if (similarity < threshold) return verdict;
    return { ...verdict, near: { matched: 'reference', similarity, offsetSeconds: 0 }, duplicate: true };
  }

  /** The length the duration penalty sees: measured, or its share of `requestedSeconds` scaled to 15 s. */
  private judgedSeconds(measured: number): number {
    const requested = this.deps.requestedSeconds;
    return requested === undefined ? measured : (measured / requested) * FULL_DURATION_SECONDS;
  }

  private at(clip: MonoClip, rate: number): Float32Array {
    return clip.sampleRate === rate ? clip.samples : this.resampleFn(clip.samples, clip.sampleRate, rate);
  }
}

function monoOf(audio: DecodedAudio): MonoClip {
  return { samples: mixToMono(audio.channelData), sampleRate: audio.sampleRate };
}

/** An answer that got no score from its metrics: punished (no reply) or scored 0 (bad audio, failed task). */
function rejected(
  base: { uid: number; hotkey: string; id: string },
  rejection: ScoreRejection,
  durationSeconds: number | null,
  duplicate: DuplicateVerdict | null,
  errors: readonly string[],
  punish: boolean,
  raw: RawMetrics | null = null,
): ScoredAnswer {
  const judgement: Judgement = {
    // The reference punishes a failed reply and does not score it (scoring.md §1.1 step 3).
    punish: punish || (duplicate?.duplicate ?? false),
    update: punish ? null : 0,
    normalizedKld: 0,
    normalizedFad: 0,
    quality: 0,
    gatedScore: 0,
    durationMultiplier: 0,
    note: 'rejected',
  };
  return { ...base, raw, durationSeconds, duplicate, rejection, judgement, errors };
}

/** Local, not model-loading.ts's: that module loads transformers.js, which the main process must not pay for. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
