/**
 * From raw metrics to the number fed to the miner's moving average (scoring.md §1.1, §1.5).
 *
 * `bittaudio-1.1.3` is the reference validator, quirks kept on purpose (§1.8): normalisers that
 * fall to 0 at KLD 1 / FAD 5 and jump back to 0.5 just above; a negative KLD (identical clips,
 * from the 1e-6 epsilon) normalised to 0; no duration penalty below 12.5 s; a duplicate punished
 * *and* scored; a KLD failure zeroing only its term while a FAD or CLAP failure skips the update.
 * `fixed` repairs those: continuous, monotonic normalisers, every duration below 13 s scored 0,
 * a duplicate punished and not scored, any metric failure scored 0.
 */
import type { ScoringProfile } from '../../src-shared/schemas/scoring.js';
import { MetricInputError } from './errors.js';

/** `Aggregator.geometric_mean` replaces values below this before the product. */
export const GEOMETRIC_MEAN_FLOOR = 1e-4;
/** The CLAP cosine must exceed this (strictly) or the score is 0. */
export const CLAP_GATE = 0.1;
/** `--alpha` default in the reference's `update_score`: the newest score weighs 1 − α = 0.9. */
export const EMA_ALPHA = 0.1;
/** What `punish()` feeds the moving average. */
export const PUNISH_VALUE = -0.0075;
/** Clips at least this long get no duration penalty. */
export const FULL_DURATION_SECONDS = 15;

/** Raw metrics of one response; null where the metric failed. */
export interface RawMetrics {
  /** `kld_both`. */
  readonly kld: number | null;
  /** The Fréchet distance (before the reference's max(0, ·)). */
  readonly fad: number | null;
  /** Raw CLAP cosine in [−1, 1]. */
  readonly clap: number | null;
}

export interface ResponseFacts extends RawMetrics {
  /** frames / rate of the clip as written. */
  readonly durationSeconds: number;
  /** The exact (or, in `fixed`, near) duplicate check hit. */
  readonly duplicate: boolean;
}

export interface Judgement {
  /** Apply `punishScore` first. */
  readonly punish: boolean;
  /** The score the moving average takes next; null: no update at all (the reference's skips). */
  readonly update: number | null;
  readonly normalizedKld: number;
  readonly normalizedFad: number;
  /** gm(normalised KLD, normalised FAD). */
  readonly quality: number;
  /** The score before the duration multiplier (0 when the CLAP gate closed). */
  readonly gatedScore: number;
  readonly durationMultiplier: number;
  /** Why the update is what it is, for the log. */
  readonly note: 'scored' | 'duplicate_not_scored' | 'metric_failed_no_update' | 'metric_failed_zero' | 'rejected';
}

/** `Π max(v, 1e-4)^(1/n)`. NaN stays NaN, as Python's max(nan, 1e-4) does. */
export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) throw new MetricInputError('empty', 'geometric mean of nothing');
  const product = values.reduce((p, v) => p * (Number.isNaN(v) ? v : Math.max(v, GEOMETRIC_MEAN_FLOOR)), 1);
  return product ** (1 / values.length);
}

export function normalizeKld(profile: ScoringProfile, kld: number | null): number {
  if (kld === null || Number.isNaN(kld)) return 0;
  if (profile === 'bittaudio-1.1.3') {
    if (kld >= 0 && kld <= 1) return 1 - kld;
    if (kld > 1 && kld <= 2) return 0.5 * (2 - kld);
    return 0;
  }
  // A slightly negative KLD is the epsilon at work on near-identical clips: as good as 0.
  return Math.max(0, 1 - 0.5 * Math.max(0, kld));
}

export function normalizeFad(profile: ScoringProfile, fad: number | null): number {
  if (fad === null) return 0;
  if (profile === 'bittaudio-1.1.3') {
    // calculate_fad's max(0, fad): Python keeps the first argument when the second is NaN.
    const f = fad > 0 ? fad : 0;
    if (f <= 5) return (5 - f) / 5;
    if (f <= 10) return (0.5 * (10 - f)) / 5;
    return 0;
  }
  if (Number.isNaN(fad)) return 0;
  return Math.max(0, 1 - Math.max(0, fad) / 10);
}

/** ttm.py `score_adjustment`, applied when the clip is shorter than 15 s. */
export function durationMultiplier(profile: ScoringProfile, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new MetricInputError('invalid_value', `a clip duration of ${seconds} s`);
  }
  if (seconds >= FULL_DURATION_SECONDS) return 1;
  if (seconds >= 14.5) return 0.9;
  if (seconds >= 14) return 0.8;
  if (seconds >= 13.5) return 0.7;
  if (seconds >= 13) return 0.6;
  if (seconds >= 12.5) return 0;
  // The reference's table ends at 12.5 s, so shorter clips fall through unpenalised.
  return profile === 'bittaudio-1.1.3' ? 1 : 0;
}

/** What the validator does with one response's metrics under a profile. */
export function judgeResponse(profile: ScoringProfile, facts: ResponseFacts): Judgement {
  const multiplier = durationMultiplier(profile, facts.durationSeconds);
  const normalizedKld = normalizeKld(profile, facts.kld);
  const normalizedFad = normalizeFad(profile, facts.fad);
  const quality = geometricMean([normalizedKld, normalizedFad]);
  const parts = { normalizedKld, normalizedFad, quality, durationMultiplier: multiplier };

  if (profile === 'fixed') {
    if (facts.duplicate) {
      return { ...parts, punish: true, update: null, gatedScore: 0, note: 'duplicate_not_scored' };
    }
    const failed = [facts.kld, facts.fad, facts.clap].some((v) => v === null || !Number.isFinite(v));
    if (failed) return { ...parts, punish: false, update: 0, gatedScore: 0, note: 'metric_failed_zero' };
  } else if (facts.fad === null || facts.clap === null) {
    // The reference's scoring raises past its own handlers: the miner's score is not touched.
    return {
      ...parts,
      punish: facts.duplicate,
      update: null,
      gatedScore: 0,
      note: 'metric_failed_no_update',
    };
  }
  const clap = facts.clap ?? Number.NaN;
  // NaN > 0.1 is false in Python too: the gate closes.
  const gatedScore = clap > CLAP_GATE ? geometricMean([quality, clap]) : 0;
  return { ...parts, punish: facts.duplicate, update: gatedScore * multiplier, gatedScore, note: 'scored' };
}

/** `update_score`: s ← α·s + (1 − α)·score. */
export function emaUpdate(previous: number, score: number, alpha = EMA_ALPHA): number {
  return alpha * previous + (1 - alpha) * score;
}

/** `punish()`: s ← max(0, α·s + (1 − α)·(−0.0075)). */
export function punishScore(previous: number, alpha = EMA_ALPHA): number {
  return Math.max(0, alpha * previous + (1 - alpha) * PUNISH_VALUE);
}

/** A judgement applied to a miner's moving score: the punishment first, as the reference orders them. */
export function applyJudgement(previous: number, judgement: Judgement, alpha = EMA_ALPHA): number {
  let score = judgement.punish ? punishScore(previous, alpha) : previous;
  if (judgement.update !== null) score = emaUpdate(score, judgement.update, alpha);
  return score;
}
