/**
 * How the validator turns raw metrics into a score (scoring.md §1.5, docs/scoring-profiles.md):
 * `bittaudio-1.1.3` reproduces the reference validator, quirks included; `fixed` repairs the
 * quirks the spec lists. A validator setting; the default is the reference-compatible profile.
 */
import { z } from 'zod';

export const SCORING_PROFILES = ['bittaudio-1.1.3', 'fixed'] as const;
export const ScoringProfileSchema = z.enum(SCORING_PROFILES);
export type ScoringProfile = z.infer<typeof ScoringProfileSchema>;
export const DEFAULT_SCORING_PROFILE: ScoringProfile = 'bittaudio-1.1.3';
/** For a settings object: absent means the default. */
export const ScoringProfileSettingSchema = ScoringProfileSchema.default(DEFAULT_SCORING_PROFILE);
