/** Audio of generated music and of reference clips: decoding, WAV files, resampling, sample helpers. */
export { decodeAudio, sniffContainer } from './decode.js';
export type { DecodedAudio } from './decode.js';
export { AudioDecodeError } from './decode-error.js';
export type { AudioContainer, AudioDecodeFailure } from './decode-error.js';
export { decodeWav, encodeWav, encodeWavChannels, toPcm16, toPcmInt, WavFormatError, writeWavFile } from './wav.js';
export type { DecodedWav, EncodeWavOptions, WavSampleFormat } from './wav.js';
export { deinterleave, mean, mixToMono, removeDc } from './channels.js';
export { resample, resampledLength, resampleWithKernel, sincResampleKernel } from './resample.js';
export type { ResampleOptions, SincKernel } from './resample.js';
export { firstNonFinite, halfToFloat, peak, peakNormalize, tensorToFloat32 } from './samples.js';
export type { AudioTensorLike } from './samples.js';
export {
  checkSignal,
  clippedFraction,
  dcOffset,
  DEFAULT_SIGNAL_THRESHOLDS,
  rmsDbfs,
  SIGNAL_PROBLEM_TEXT,
  SIGNAL_PROBLEMS,
  silentFrameFraction,
} from './signal-checks.js';
export type {
  SignalInput,
  SignalMeasurements,
  SignalProblem,
  SignalReport,
  SignalThresholds,
} from './signal-checks.js';
