/**
 * BittAudio's `MusicGeneration` synapse (wire-protocol §7.1, `ttm/protocol.py`).
 */
import { z } from 'zod';
import { laxInt } from './lax.js';
import {
  SYNAPSE_BASE_FIELDS,
  baseSynapseDefaults,
  synapseBaseShape,
  type SynapseBase,
  type SynapseDefinition,
} from './synapse.js';

export const MUSIC_MODEL_NAMES = ['facebook/musicgen-medium', 'facebook/musicgen-large'] as const;
export type MusicModelName = (typeof MUSIC_MODEL_NAMES)[number];
export const DEFAULT_MUSIC_MODEL: MusicModelName = 'facebook/musicgen-medium';

/** Samples are mono float32 PCM at this rate; the rate never travels on the wire (§7.1). */
export const MUSIC_SAMPLE_RATE = 32_000;
/** What validators ask for: 755 MusicGen tokens, about 15 s (§7.2). */
export const VALIDATOR_DURATION_TOKENS = 755;
/** The literal per-call timeout of SN50 validators, seconds (§7.2). */
export const VALIDATOR_TIMEOUT_SECONDS = 200;

/** Mono samples in [−1, 1]: a flat list of finite numbers, or a Float32Array. */
export type MusicOutput = Float32Array | number[];

const MusicOutputSchema = z.union([
  z.instanceof(Float32Array).refine((samples) => samples.every(Number.isFinite), 'samples must be finite'),
  z.array(z.number().refine(Number.isFinite, 'samples must be finite')),
]);

export const MusicGenerationSchema = z.object({
  ...synapseBaseShape('MusicGeneration'),
  /** The prompt. Required: no default. */
  text_input: z.string(),
  model_name: z.enum(MUSIC_MODEL_NAMES).nullable().default(DEFAULT_MUSIC_MODEL),
  music_output: MusicOutputSchema.nullable().default(null),
  /** A token count (`max_new_tokens`, ≈ 50 per second) despite its name; null = the model's default. */
  duration: laxInt.nullable().default(null),
});

export type MusicGeneration = SynapseBase & {
  text_input: string;
  model_name: MusicModelName | null;
  music_output: MusicOutput | null;
  duration: number | null;
};

export const MUSIC_GENERATION_FIELDS = [
  ...SYNAPSE_BASE_FIELDS,
  'text_input',
  'model_name',
  'music_output',
  'duration',
] as const;

export const MusicGenerationSynapse: SynapseDefinition<MusicGeneration> = {
  name: 'MusicGeneration',
  schema: MusicGenerationSchema,
  fields: MUSIC_GENERATION_FIELDS,
  requiredFields: [{ name: 'text_input', placeholderJson: '""' }],
  // No required_hash_fields: the body hash is the constant hash of "" (§3.6.1).
  hashFields: [],
};

/** A request as a validator builds it: `MusicGeneration(text_input=…, duration=…)`. */
export function musicGeneration(
  input: { text_input: string } & Partial<Pick<MusicGeneration, 'model_name' | 'duration' | 'music_output'>>,
): MusicGeneration {
  return {
    ...baseSynapseDefaults('MusicGeneration'),
    text_input: input.text_input,
    model_name: input.model_name === undefined ? DEFAULT_MUSIC_MODEL : input.model_name,
    music_output: input.music_output ?? null,
    duration: input.duration ?? null,
  };
}
