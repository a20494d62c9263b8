/**
 * VGGish's log-mel front end in JS (scoring spec §1.3), as torchvggish's `vggish_input` /
 * `mel_features` compute it, so a VGGish ONNX sees the examples the reference feeds it:
 *   1. frames of 400 samples (25 ms at 16 kHz), hop 160 (10 ms), periodic Hann, no centring or
 *      padding: 1 + ⌊(n − 400) / 160⌋ frames;
 *   2. |rfft| at 512 points: magnitude, not power;
 *   3. 64 HTK-mel triangles (mel = 1127·ln(1 + f/700)) from 125 to 7500 Hz, DC row zeroed;
 *   4. ln(mel + 0.01);
 *   5. non-overlapping 96-frame examples (0.96 s), the remainder dropped.
 * A 15 s clip gives 1498 frames and 15 examples. Float64 until the examples, which are float32 as
 * the model takes them. audioldm_eval's zero-padding to at least 2 s is `padToFadMinimum`.
 *
 * Checked once against a numpy transcription of torchvggish's mel_features.py (no torch here):
 * 3 s of noise plus a tone gave examples at most 1.2e-7 apart, the float32 rounding of the output.
 */
import { fftInPlace } from './fft.js';

export const VGGISH_SAMPLE_RATE = 16_000;
/** 25 ms at 16 kHz. */
export const VGGISH_WINDOW_SAMPLES = 400;
/** 10 ms at 16 kHz. */
export const VGGISH_HOP_SAMPLES = 160;
/** The next power of two above the window, as mel_features picks it. */
export const VGGISH_FFT_SIZE = 512;
export const VGGISH_MEL_BINS = 64;
export const VGGISH_LOWER_HZ = 125;
export const VGGISH_UPPER_HZ = 7500;
export const VGGISH_LOG_OFFSET = 0.01;
/** Frames per example: 0.96 s at 100 frames per second. */
export const VGGISH_EXAMPLE_FRAMES = 96;
/** audioldm_eval pads every clip to at least 2 s before VGGish (scoring spec §1.3 step 5). */
export const FAD_MIN_SAMPLES = 2 * VGGISH_SAMPLE_RATE;

const SPECTRUM_BINS = VGGISH_FFT_SIZE / 2 + 1;

/** HTK mel, as mel_features.hertz_to_mel. */
export function hertzToMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

let melMatrix: Float64Array[] | null = null;

/**
 * mel_features.spectrogram_to_mel_matrix for 257 spectrum bins at 16 kHz: row k (spectrum bin k,
 * k·8000/256 Hz) holds the weight of that bin in each of the 64 bands. Band i rises linearly in mel
 * from edge i to edge i + 1 and falls to edge i + 2, the 66 edges evenly spaced in mel from 125 to
 * 7500 Hz. Row 0 (DC) is zero.
 */
export function vggishMelMatrix(): readonly Float64Array[] {
  if (melMatrix) return melMatrix;
  const lower = hertzToMel(VGGISH_LOWER_HZ);
  const upper = hertzToMel(VGGISH_UPPER_HZ);
  const edges = Array.from(
    { length: VGGISH_MEL_BINS + 2 },
    (_, i) => lower + ((upper - lower) * i) / (VGGISH_MEL_BINS + 1),
  );
  const nyquist = VGGISH_SAMPLE_RATE / 2;
  melMatrix = Array.from({ length: SPECTRUM_BINS }, (_, k) => {
    const row = new Float64Array(VGGISH_MEL_BINS);
    if (k === 0) return row;
    // np.linspace(0, nyquist, 257)
    const mel = hertzToMel((nyquist * k) / (SPECTRUM_BINS - 1));
    for (let i = 0; i < VGGISH_MEL_BINS; i++) {
      const [lo, centre, hi] = [edges[i] ?? 0, edges[i + 1] ?? 0, edges[i + 2] ?? 0];
      const rising = (mel - lo) / (centre - lo);
      const falling = (hi - mel) / (hi - centre);
      row[i] = Math.max(0, Math.min(rising, falling));
    }
    return row;
  });
  return melMatrix;
}

/** The centre of mel band `band` in Hz (the peak of its triangle). */
export function vggishBandCentreHz(band: number): number {
  const lower = hertzToMel(VGGISH_LOWER_HZ);
  const upper = hertzToMel(VGGISH_UPPER_HZ);
  const mel = lower + ((upper - lower) * (band + 1)) / (VGGISH_MEL_BINS + 1);
  return 700 * (Math.exp(mel / 1127) - 1);
}

/** STFT frames a clip of `samples` gives: 1 + ⌊(n − 400)/160⌋, or 0 when shorter than one window. */
export function vggishFrameCount(samples: number): number {
  if (samples < VGGISH_WINDOW_SAMPLES) return 0;
  return 1 + Math.floor((samples - VGGISH_WINDOW_SAMPLES) / VGGISH_HOP_SAMPLES);
}

/** 0.96 s examples a clip of `samples` gives (the frames' remainder dropped). */
export function vggishExampleCount(samples: number): number {
  return Math.floor(vggishFrameCount(samples) / VGGISH_EXAMPLE_FRAMES);
}

let hann: Float64Array | null = null;

/** The periodic Hann window of 400: 0.5 − 0.5·cos(2πn/400). */
function periodicHann(): Float64Array {
  hann ??= Float64Array.from(
    { length: VGGISH_WINDOW_SAMPLES },
    (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / VGGISH_WINDOW_SAMPLES),
  );
  return hann;
}

/** ln(mel + 0.01) per frame: `frames` rows of 64, row-major. `samples` must be at 16 kHz. */
export function vggishLogMel(samples: ArrayLike<number>): { frames: number; data: Float64Array } {
  const frames = vggishFrameCount(samples.length);
  const data = new Float64Array(frames * VGGISH_MEL_BINS);
  const window = periodicHann();
  const mel = vggishMelMatrix();
  const re = new Float64Array(VGGISH_FFT_SIZE);
  const im = new Float64Array(VGGISH_FFT_SIZE);
  for (let f = 0; f < frames; f++) {
    const start = f * VGGISH_HOP_SAMPLES;
    re.fill(0);
    im.fill(0);
    for (let n = 0; n < VGGISH_WINDOW_SAMPLES; n++) re[n] = (samples[start + n] ?? 0) * (window[n] ?? 0);
    fftInPlace(re, im);
    const row = data.subarray(f * VGGISH_MEL_BINS, (f + 1) * VGGISH_MEL_BINS);
    // Bin 0's weights are all zero (the DC row): start at bin 1.
    for (let k = 1; k < SPECTRUM_BINS; k++) {
      const magnitude = Math.hypot(re[k] ?? 0, im[k] ?? 0);
      if (magnitude === 0) continue;
      const weights = mel[k] as Float64Array;
      for (let b = 0; b < VGGISH_MEL_BINS; b++) row[b] = (row[b] ?? 0) + magnitude * (weights[b] ?? 0);
    }
    for (let b = 0; b < VGGISH_MEL_BINS; b++) row[b] = Math.log((row[b] ?? 0) + VGGISH_LOG_OFFSET);
  }
  return { frames, data };
}

/** VGGish's input: `count` examples laid out as [count, 1, 96, 64] float32, the frames in order. */
export interface VggishExamples {
  count: number;
  data: Float32Array;
}

/** The log-mel examples of a 16 kHz clip (scoring spec §1.3 steps 1–5). */
export function vggishExamples(samples: ArrayLike<number>): VggishExamples {
  const { data } = vggishLogMel(samples);
  const count = vggishExampleCount(samples.length);
  // Whole examples are the first count·96 frames, stored contiguously in the same order.
  return { count, data: Float32Array.from(data.subarray(0, count * VGGISH_EXAMPLE_FRAMES * VGGISH_MEL_BINS)) };
}

/** Zero-pads a clip to at least 2 s at 16 kHz, as audioldm_eval does before VGGish; longer clips are returned as they are. */
export function padToFadMinimum(samples: Float32Array): Float32Array {
  if (samples.length >= FAD_MIN_SAMPLES) return samples;
  const padded = new Float32Array(FAD_MIN_SAMPLES);
  padded.set(samples);
  return padded;
}
