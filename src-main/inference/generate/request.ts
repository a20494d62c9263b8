/**
 * A generation request and its mapping onto transformers.js `generate` options
 * (musicgen spec §1 "Length"): `max_new_tokens = 50·s + 3` gives exactly s seconds, because the
 * delay pattern of the 4 codebooks costs 3 extra steps and the start token one frame.
 */
import { z } from 'zod';

/** MusicGen was trained on 30 s clips; positions past that are untrained (musicgen spec §1). */
export const MAX_DURATION_SECONDS = 30;
/** EnCodec 32 kHz runs at 50 frames per second (hop 640). */
export const DEFAULT_FRAME_RATE = 50;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const MusicRequestSchema = z
  .strictObject({
    prompt: z.string().trim().min(1, 'the prompt is empty').max(2000, 'the prompt is longer than 2000 characters'),
    /** Seconds of audio, (0, 30]. */
    durationSeconds: finite.positive().max(MAX_DURATION_SECONDS).optional(),
    /** `max_new_tokens` itself (what BittAudio's synapse calls duration): 4 … 50·30+3. */
    durationTokens: z
      .number()
      .int()
      .min(4)
      .max(MAX_DURATION_SECONDS * DEFAULT_FRAME_RATE + 3)
      .optional(),
    /** Classifier-free guidance; 1 turns it off (one forward pass per step at half the batch). */
    guidanceScale: finite.min(1).max(20).default(3),
    topK: z.number().int().min(1).max(100_000).default(250),
    temperature: finite.positive().max(10).default(1),
    /** `sample` (top-k, seedable) or `greedy` (argmax, deterministic without a seed). */
    decoding: z.enum(['sample', 'greedy']).default('sample'),
    /** Seeds the sampler (our loop's xoshiro128**, transformers.js's MT19937 on its path); a random one is drawn (and reported) when absent. */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
  })
  .refine((r) => (r.durationSeconds === undefined) !== (r.durationTokens === undefined), {
    message: 'give exactly one of durationSeconds and durationTokens',
    path: ['durationSeconds'],
  });

export type MusicRequest = z.input<typeof MusicRequestSchema>;
export type ParsedMusicRequest = z.output<typeof MusicRequestSchema>;

/** `max_new_tokens` for a request at the model's frame rate. */
export function maxNewTokens(request: ParsedMusicRequest, frameRate = DEFAULT_FRAME_RATE): number {
  if (request.durationTokens !== undefined) return request.durationTokens;
  const seconds = Math.min(request.durationSeconds ?? 0, MAX_DURATION_SECONDS);
  return Math.max(1, Math.round(seconds * frameRate)) + 3;
}

/** Samples that `max_new_tokens` steps produce: one frame per step, less the 3 of the delay pattern. */
export function expectedSamples(tokens: number, hop: number, codebooks = 4): number {
  return Math.max(0, tokens - (codebooks - 1)) * hop;
}

/**
 * What requests must share to be decoded as one batch (`MusicGenerator.generateJobs`, the
 * scheduler's batches): the step count and the decode settings. Prompts and seeds may differ.
 */
export function batchKey(request: ParsedMusicRequest, frameRate = DEFAULT_FRAME_RATE): string {
  const { guidanceScale, topK, temperature, decoding } = request;
  return JSON.stringify([maxNewTokens(request, frameRate), guidanceScale, topK, temperature, decoding]);
}
