/** Scoring: the metric maths, the aggregation profiles and the duplicate checks (models run elsewhere). */
export { MetricInputError } from './errors.js';
export type { MetricInputReason } from './errors.js';
export { KL_EPSILON, kldBoth, klDivergence, softmax } from './kl-divergence.js';
export type { KldResult } from './kl-divergence.js';
export { cosineSimilarity, l2Normalize, meanEmbedding } from './cosine.js';
export {
  frameStatistics,
  frechetDistanceFromFrames,
  frechetDistanceFromGaussians,
  frechetDistanceFromStatistics,
} from './frechet.js';
export type { FrameStatistics, FrechetTerms } from './frechet.js';
export {
  applyJudgement,
  CLAP_GATE,
  durationMultiplier,
  EMA_ALPHA,
  emaUpdate,
  geometricMean,
  judgeResponse,
  normalizeFad,
  normalizeKld,
  PUNISH_VALUE,
  punishScore,
} from './aggregation.js';
export type { Judgement, RawMetrics, ResponseFacts } from './aggregation.js';
export { exactAudioHash, referencePeakNormalize } from './audio-hash.js';
export {
  audioFingerprint,
  fingerprintSimilarity,
  NEAR_DUPLICATE_THRESHOLD,
  NearDuplicateIndex,
} from './near-duplicate.js';
export type { AudioFingerprint, FingerprintMatch, NearDuplicateHit } from './near-duplicate.js';
export { checkDuplicate, registerReferenceClip } from './duplicate-check.js';
export type { DuplicateVerdict, HashLedger, HashRecord, ResponseAudio } from './duplicate-check.js';
export {
  FAD_MIN_SAMPLES,
  padToFadMinimum,
  vggishExampleCount,
  vggishExamples,
  vggishLogMel,
} from './vggish-frontend.js';
export type { VggishExamples } from './vggish-frontend.js';
export { encodeNpy, encodeNpyMatrix } from './npy.js';
export type { NearDuplicateLookup } from './near-duplicate.js';
export { PersistentNearDuplicateIndex, DEFAULT_FINGERPRINT_MAX_AGE_SECONDS } from './persistent-near-duplicate.js';
export type { FingerprintLedger, PersistentIndexOptions, StoredFingerprint } from './persistent-near-duplicate.js';
export { ModelRoundScorer, REFERENCE_EMBEDDING_THRESHOLD } from './round-scorer.js';
export type { FadEmbedder, RoundScorerDeps } from './round-scorer.js';
