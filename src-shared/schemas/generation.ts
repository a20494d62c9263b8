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
  /** Why the job failed or was cancelled. */
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});
export type GenerationEvent = z.infer<typeof GenerationEventSchema>;
