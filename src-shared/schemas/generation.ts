/**
 * The `generation` event: one job of the generation queue, queued → running (step k of n) →
 * done / failed / cancelled. Sent at most ~10 times a second per job, plus on every state change.
 */
import { z } from 'zod';

export const GENERATION_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export const GenerationStateSchema = z.enum(GENERATION_STATES);
export type GenerationState = z.infer<typeof GenerationStateSchema>;

/** Prompts are cut to this many characters in events (the full prompt stays with the job). */
export const GENERATION_EVENT_PROMPT_MAX = 200;

export const GenerationEventSchema = z.strictObject({
  /** The queue's id for the job. */
  id: z.string().min(1),
  state: GenerationStateSchema,
  /** Decoding steps done, 0 … steps. */
  step: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  /** Measured on this job while it runs, otherwise the queue's running average. */
  stepsPerSecond: z.number().nonnegative(),
  /** Milliseconds until the job should be done (queue wait included while queued); null once it ended. */
  etaMs: z.number().nonnegative().nullable(),
  prompt: z.string().max(GENERATION_EVENT_PROMPT_MAX),
  durationSeconds: z.number().nonnegative(),
  /** Who asked (a validator hotkey, `ui`, …), when known. */
  caller: z.string().optional(),
  /** While running in a batch of several jobs decoded together (issue #14): how many. */
  batchSize: z.number().int().min(2).optional(),
  /** Why the job failed or was cancelled. */
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});
export type GenerationEvent = z.infer<typeof GenerationEventSchema>;

/**
 * One stored generation (a row of the history): what was asked, by whom, how it went, and whether
 * its audio is kept. The audio itself is fetched by `mediaPath` through the host's media route
 * (HostClient.mediaUrl), never inline.
 */
export const StoredGenerationSchema = z.strictObject({
  id: z.number().int().positive(),
  /** ISO 8601, when the request arrived. */
  time: z.string(),
  role: z.enum(['miner', 'validator']),
  caller: z.string(),
  prompt: z.string(),
  durationTokens: z.number().int().nonnegative(),
  /** durationTokens as seconds of audio (50 tokens a second, the delay pattern's 3 removed). */
  durationSeconds: z.number().nonnegative(),
  model: z.string().nullable(),
  device: z.string().nullable(),
  status: z.enum(['ok', 'failed']),
  error: z.string().nullable(),
  queuedMs: z.number().nonnegative(),
  generateMs: z.number().nonnegative(),
  audioBytes: z.number().int().nonnegative(),
  /** `generations/<id>.wav`, relative to the media route; null when there is no audio (failed, or removed by retention). */
  mediaPath: z.string().nullable(),
});
export type StoredGenerationItem = z.infer<typeof StoredGenerationSchema>;
