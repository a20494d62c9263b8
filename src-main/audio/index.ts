/** Audio of generated music: WAV files and sample helpers. */
export { decodeWav, encodeWav, toPcm16, WavFormatError, writeWavFile } from './wav.js';
export type { DecodedWav, WavSampleFormat } from './wav.js';
export { firstNonFinite, halfToFloat, peak, peakNormalize, tensorToFloat32 } from './samples.js';
export type { AudioTensorLike } from './samples.js';
