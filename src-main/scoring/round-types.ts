/**
 * The scoring round as the validator sees it (issue #11 ↔ #12): every answer of a round is scored
 * in one call, so the prompt's text embedding and the reference clip's features are computed once
 * and reused for every miner. `scoring/round-scorer.ts` implements `RoundScorer`; the validator
 * (`neuron/validator.ts`) only depends on this interface.
 */
import type { ScoringProfile } from '../../src-shared/schemas/scoring.js';
import type { DecodedAudio } from '../audio/decode.js';
import type { SignalProblem } from '../audio/signal-checks.js';
import type { Judgement, RawMetrics } from './aggregation.js';
import type { DuplicateVerdict } from './duplicate-check.js';

/** One miner's answer to the round's prompt. */
export interface RoundAnswer {
  readonly uid: number;
  readonly hotkey: string;
  /** The decoded audio, or null when the miner gave none (then `failure` says why). */
  readonly audio: DecodedAudio | null;
  /** Timeout, refusal, bad body, undecodable audio…: the miner is punished as the profile says. */
  readonly failure?: string;
  /** An id for the near-duplicate index and the store (e.g. the answer row id). */
  readonly id: string;
}

export interface RoundInput {
  readonly prompt: string;
  /** The round's reference clip (FAD and KL need one); null when the prompt source has none. */
  readonly reference: DecodedAudio | null;
  readonly profile: ScoringProfile;
  readonly answers: readonly RoundAnswer[];
  /** ISO 8601, for the duplicate ledger. */
  readonly time: string;
}

/** Why an answer got no metrics at all. */
export type ScoreRejection =
  | { readonly kind: 'no_answer'; readonly detail: string }
  | { readonly kind: 'bad_signal'; readonly problems: readonly SignalProblem[] }
  | { readonly kind: 'worker_failed'; readonly detail: string };

export interface ScoredAnswer {
  readonly uid: number;
  readonly hotkey: string;
  readonly id: string;
  /** Raw metrics (null where a metric failed); null when the answer was rejected before metrics. */
  readonly raw: RawMetrics | null;
  /** Mean CLAP windows, seconds and other details the Generations page shows. */
  readonly durationSeconds: number | null;
  readonly duplicate: DuplicateVerdict | null;
  readonly rejection: ScoreRejection | null;
  /** What the moving average does with this answer (punish, update or skip), per the profile. */
  readonly judgement: Judgement;
  /** Per-metric errors, e.g. "KL: worker exited"; logged, never thrown. */
  readonly errors: readonly string[];
}

export interface RoundScorer {
  /**
   * Scores every answer; never throws for one miner's failure (a worker crash scores that miner
   * 0 and the round continues). Rejects only when the round cannot be scored at all (no models).
   */
  scoreRound(input: RoundInput, signal?: AbortSignal): Promise<ScoredAnswer[]>;
}
