/**
 * The validator as the Host API shows it (issue #12): its state, the rounds it ran, every answer
 * with its metrics and what the moving average did with it, the moving-average scores by uid, and
 * the weights it submitted.
 */
import { z } from 'zod';
import { JsonValueSchema } from './json.js';
import { RaoStringSchema } from './network.js';
import { NeuronStateSchema } from './neuron.js';
import { ScoringProfileSchema } from './scoring.js';

const Uid = z.number().int().nonnegative();

export const ValidatorRoundStateSchema = z.enum(['querying', 'scoring', 'done', 'interrupted', 'failed']);
export type ValidatorRoundState = z.infer<typeof ValidatorRoundStateSchema>;

export const ValidatorRoundSchema = z.strictObject({
  id: z.number().int().positive(),
  /** ISO 8601. */
  started: z.string(),
  block: z.number().int().nonnegative(),
  promptId: z.string(),
  prompt: z.string(),
  promptSource: z.string(),
  referenceName: z.string().nullable(),
  profile: ScoringProfileSchema,
  durationTokens: z.number().int().positive(),
  timeoutSeconds: z.number().positive(),
  uids: z.array(Uid),
  state: ValidatorRoundStateSchema,
  ended: z.string().nullable(),
  error: z.string().nullable(),
  /** The media path of the reference clip's WAV (`validator/<round>-reference.wav`), null without one. */
  referenceWavFile: z.string().nullable(),
});
export type ValidatorRound = z.infer<typeof ValidatorRoundSchema>;

export const ValidatorAnswerSchema = z.strictObject({
  id: z.number().int().positive(),
  roundId: z.number().int().positive(),
  time: z.string(),
  uid: Uid,
  hotkey: z.string(),
  /** The dendrite's status (408 timeout, 503 unreachable…); null before the call ended. */
  statusCode: z.number().int().nullable(),
  statusMessage: z.string().nullable(),
  route: z.enum(['sealed', 'plaintext']).nullable(),
  elapsedMs: z.number().nonnegative(),
  /** Why there is no usable audio; null with audio. */
  failure: z.string().nullable(),
  samples: z.number().int().nonnegative(),
  sampleRate: z.number().int().positive().nullable(),
  audioBytes: z.number().int().nonnegative(),
  /** The media path of the answer's WAV (`validator/<file>`), null without audio. */
  wavFile: z.string().nullable(),
  /** Raw metrics, duplicate verdict, rejection and per-metric errors, as the scorer gave them. */
  metrics: JsonValueSchema.nullable(),
  /** What the moving average did (punish, update), as the profile says. */
  judgement: JsonValueSchema.nullable(),
  scoreBefore: z.number().nullable(),
  scoreAfter: z.number().nullable(),
  /** The round's reference clip (its media path), so an answer plays beside it even when its round is not at hand. */
  referenceWavFile: z.string().nullable(),
});
export type ValidatorAnswer = z.infer<typeof ValidatorAnswerSchema>;

export const ValidatorScoreSchema = z.strictObject({
  uid: Uid,
  hotkey: z.string(),
  /** The moving average, ≥ 0. */
  score: z.number().nonnegative(),
  updated: z.string(),
});
export type ValidatorScore = z.infer<typeof ValidatorScoreSchema>;

export const WeightsSubmissionSchema = z.strictObject({
  id: z.number().int(),
  mode: z.enum(['plain', 'commit-reveal', 'timelocked']),
  block: z.number().int().nonnegative(),
  uids: z.array(Uid),
  weights: z.array(z.number().int().min(0).max(65535)),
  extrinsic: z.string().nullable(),
  state: z.enum(['submitted', 'included', 'failed', 'committed', 'revealed', 'reveal_missing']),
  error: z.string().nullable(),
  time: z.string(),
});
export type WeightsSubmissionWire = z.infer<typeof WeightsSubmissionSchema>;

export const ValidatorStatusSchema = z.strictObject({
  state: NeuronStateSchema,
  hotkey: z.string().nullable(),
  netuid: z.number().int().nonnegative().nullable(),
  profile: ScoringProfileSchema,
  minersPerRound: z.number().int().positive(),
  alpha: z.number().min(0).max(1),
  /** The prompt source, described ("bundled (8 prompts)"); null while stopped. */
  prompts: z.string().nullable(),
  /** Rounds finished since the validator started. */
  roundsDone: z.number().int().nonnegative(),
  /** The round under way. */
  current: ValidatorRoundSchema.nullable(),
  /** The newest round that is over (done, interrupted or failed). */
  last: ValidatorRoundSchema.nullable(),
  scores: z.array(ValidatorScoreSchema),
  lastWeights: WeightsSubmissionSchema.nullable(),
  /** Why the validator stopped or could not start. */
  error: z.string().nullable(),
  /**
   * The first block at which the weight setter may submit again (last weights block plus the
   * larger of WeightsSetRateLimit and the 120-block floor; a refused one retries sooner); 0 before
   * any submission; null while stopped or while a submission's outcome is still unknown.
   */
  nextWeightsBlock: z.number().int().nonnegative().nullable(),
  /** What the metagraph said of our hotkey's validator permit at the last round; null before one. */
  permit: z
    .strictObject({
      block: z.number().int().nonnegative(),
      /** Whether our hotkey holds a validator permit (the chain refuses weights without one). */
      validatorPermit: z.boolean(),
      /** Our stake weight (alpha + weighted root TAO), the figure permits are ranked by. */
      stake: RaoStringSchema,
      /** The smallest stake weight among the uids holding a permit; null when nobody holds one. */
      lowestPermittedStake: RaoStringSchema.nullable(),
    })
    .nullable(),
});
export type ValidatorStatus = z.infer<typeof ValidatorStatusSchema>;

/** `validator.round`: a round began or ended (with the scores after it). */
export const ValidatorRoundEventSchema = z.strictObject({
  round: ValidatorRoundSchema,
  scores: z.array(ValidatorScoreSchema),
});
export type ValidatorRoundEvent = z.infer<typeof ValidatorRoundEventSchema>;

export const ValidatorAnswersInputSchema = z.strictObject({
  limit: z.number().int().min(1).max(200).default(50),
  offset: z.number().int().nonnegative().default(0),
  uid: Uid.optional(),
  roundId: z.number().int().positive().optional(),
});

export const ValidatorAnswersOutputSchema = z.strictObject({
  items: z.array(ValidatorAnswerSchema),
  total: z.number().int().nonnegative(),
});

/** How far back `validator.history` reaches. */
export const ValidatorHistoryRangeSchema = z.enum(['24h', '7d', '30d', 'all']);
export type ValidatorHistoryRange = z.infer<typeof ValidatorHistoryRangeSchema>;

export const ValidatorHistoryPointSchema = z.strictObject({
  /** ISO 8601. */
  time: z.string(),
  block: z.number().int().nonnegative(),
  value: z.number().nonnegative(),
});
export type ValidatorHistoryPoint = z.infer<typeof ValidatorHistoryPointSchema>;

export const ValidatorHistoryInputSchema = z.strictObject({
  range: ValidatorHistoryRangeSchema.default('all'),
});

/**
 * One validator's history (the running one, else the last that ran): per miner uid the moving
 * average after each scored answer and the share of each weights submission that reached the
 * chain (u16 weight / sum of the submission), and our dividends at each reward snapshot.
 */
export const ValidatorHistorySchema = z.strictObject({
  hotkey: z.string().nullable(),
  netuid: z.number().int().nonnegative().nullable(),
  range: ValidatorHistoryRangeSchema,
  /** ISO 8601 start of the range; null for 'all'. */
  since: z.string().nullable(),
  miners: z.array(
    z.strictObject({
      uid: Uid,
      scores: z.array(ValidatorHistoryPointSchema),
      weights: z.array(ValidatorHistoryPointSchema),
    }),
  ),
  /** Dividends (0 … 1) at each snapshot, oldest first. */
  dividends: z.array(ValidatorHistoryPointSchema),
});
export type ValidatorHistory = z.infer<typeof ValidatorHistorySchema>;
