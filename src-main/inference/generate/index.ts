/** MusicGen text-to-music generation (musicgen spec §1–§3, §8.3). */
export { GenerationError, isAbortError, type GenerationErrorCode } from './errors.js';
export {
  checkDtypePair,
  checkModelFolder,
  ioFloatType,
  MUSICGEN_SESSIONS,
  sessionDtypes,
  type MusicgenSession,
  type SessionDtypes,
} from './model-files.js';
export {
  MUSICGEN_DECODERS,
  MusicgenGenerator,
  type MusicgenDecoder,
  type BatchJob,
  type GenerateOptions,
  type GeneratedAudio,
  type GenerationProgress,
  type MusicGenerator,
  type MusicgenGeneratorOptions,
  type MusicgenSource,
} from './musicgen.js';
export {
  batchKey,
  DEFAULT_FRAME_RATE,
  expectedSamples,
  MAX_DURATION_SECONDS,
  maxNewTokens,
  MusicRequestSchema,
  type MusicRequest,
  type ParsedMusicRequest,
} from './request.js';
