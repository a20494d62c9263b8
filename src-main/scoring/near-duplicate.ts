/**
 * Near-duplicate detection beyond the reference's exact hash (scoring.md §3.3, §3.4): a log-band
 * energy fingerprint (48 log-spaced bands, 150 Hz – 8 kHz, 128 ms Hann frames every 32 ms, in dB
 * below the clip's loudest cell, floored) compared by Pearson correlation at the best time offset
 * within ±10 s. A replayed reference or an earlier output with a 1-LSB dither, a time shift, a gain
 * change or low added noise stays near 1; distinct clips fall well below the threshold (measured
 * in near-duplicate.test.ts; numbers in docs/scoring-profiles.md).
 */
import { assertFinite, MetricInputError } from './errors.js';
import { powerSpectrum } from './fft.js';

export interface FingerprintOptions {
  readonly frameSeconds: number;
  readonly hopSeconds: number;
  readonly bands: number;
  readonly minHz: number;
  readonly maxHz: number;
  /** Cells more than this far below the clip's loudest cell are raised to it: silence and faint noise look alike. */
  readonly floorDb: number;
}

export const DEFAULT_FINGERPRINT_OPTIONS: FingerprintOptions = {
  frameSeconds: 0.128,
  hopSeconds: 0.032,
  bands: 48,
  minHz: 150,
  maxHz: 8000,
  floorDb: -50,
};

export interface AudioFingerprint {
  readonly frames: number;
  readonly bands: number;
  readonly hopSeconds: number;
  /** frames × bands, row-major, dB relative to the loudest cell, ≥ floorDb. */
  readonly values: Float32Array;
}

export interface MatchOptions {
  readonly maxShiftSeconds: number;
  /** Offsets that leave less overlap than this are not considered. */
  readonly minOverlapSeconds: number;
}

/** Up to 10 s either way, so a crop that keeps 5 s of a 15 s clip still lines up. */
export const DEFAULT_MATCH_OPTIONS: MatchOptions = { maxShiftSeconds: 10, minOverlapSeconds: 5 };

/**
 * Similarity at or above which two clips are the same recording. Measured on generated signals:
 * 36 edited copies ≥ 0.973, 231 distinct pairs ≤ 0.687, 0 false positives (near-duplicate.test.ts
 * prints these; docs/scoring-profiles.md).
 */
export const NEAR_DUPLICATE_THRESHOLD = 0.9;

export function audioFingerprint(
  samples: Float32Array,
  sampleRate: number,
  options: FingerprintOptions = DEFAULT_FINGERPRINT_OPTIONS,
): AudioFingerprint {
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) {
    throw new MetricInputError('invalid_value', `a sample rate of ${sampleRate}`);
  }
  assertFinite(samples, 'audio');
  const frameLength = Math.round(options.frameSeconds * sampleRate);
  const hop = Math.round(options.hopSeconds * sampleRate);
  if (samples.length < frameLength) {
    throw new MetricInputError(
      'too_few_frames',
      `${samples.length} samples is shorter than one ${options.frameSeconds} s frame`,
    );
  }
  const fftSize = 2 ** Math.ceil(Math.log2(frameLength));
  const maxHz = Math.min(options.maxHz, 0.95 * (sampleRate / 2));
  const filters = logBandFilters(options.bands, options.minHz, maxHz, fftSize, sampleRate);
  const window = Float64Array.from(
    { length: frameLength },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frameLength),
  );
  const frames = 1 + Math.floor((samples.length - frameLength) / hop);
  const values = new Float32Array(frames * options.bands);
  const frame = new Float64Array(frameLength);
  const power = new Float64Array(fftSize / 2 + 1);
  const scratch = { re: new Float64Array(fftSize), im: new Float64Array(fftSize) };
  let loudest = -Infinity;
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < frameLength; i++) frame[i] = (samples[f * hop + i] ?? 0) * (window[i] ?? 0);
    powerSpectrum(frame, fftSize, power, scratch);
    filters.forEach((filter, b) => {
      let energy = 0;
      for (let k = 0; k < filter.weights.length; k++)
        energy += (filter.weights[k] ?? 0) * (power[filter.start + k] ?? 0);
      const db = 10 * Math.log10(energy + 1e-20);
      values[f * options.bands + b] = db;
      loudest = Math.max(loudest, db);
    });
  }
  const floor = loudest + options.floorDb;
  for (let i = 0; i < values.length; i++) values[i] = Math.max(values[i] ?? 0, floor) - loudest;
  return { frames, bands: options.bands, hopSeconds: options.hopSeconds, values };
}

export interface FingerprintMatch {
  /** Pearson correlation of the overlapping cells at the best offset, in [−1, 1]. */
  readonly similarity: number;
  /** How much later b starts than a, in seconds, at the best offset. */
  readonly offsetSeconds: number;
}

export function fingerprintSimilarity(
  a: AudioFingerprint,
  b: AudioFingerprint,
  options: MatchOptions = DEFAULT_MATCH_OPTIONS,
): FingerprintMatch {
  if (a.bands !== b.bands || a.hopSeconds !== b.hopSeconds) {
    throw new MetricInputError('shape_mismatch', 'fingerprints made with different options');
  }
  const maxShift = Math.round(options.maxShiftSeconds / a.hopSeconds);
  const minOverlap = Math.max(1, Math.round(options.minOverlapSeconds / a.hopSeconds));
  const pa = framePrefixSums(a);
  const pb = framePrefixSums(b);
  let best: FingerprintMatch = { similarity: -1, offsetSeconds: 0 };
  for (let shift = -maxShift; shift <= maxShift; shift++) {
    // Frame i of a against frame i + shift of b.
    const startA = Math.max(0, -shift);
    const endA = Math.min(a.frames, b.frames - shift);
    const overlap = endA - startA;
    if (overlap < Math.min(minOverlap, a.frames, b.frames)) continue;
    const r = correlation(a, b, pa, pb, startA, shift, overlap);
    if (r > best.similarity) best = { similarity: r, offsetSeconds: shift * a.hopSeconds };
  }
  return best;
}

export interface NearDuplicateHit extends FingerprintMatch {
  /** 'reference' for the round's reference clip, else the id the output was added under. */
  readonly matched: string;
}

/**
 * What the duplicate check needs from an index of recent outputs: `NearDuplicateIndex` keeps them
 * in memory, a persistent one (scoring/persistent-near-duplicate.ts) also survives a restart.
 */
export interface NearDuplicateLookup {
  setReference(fingerprint: AudioFingerprint | null): void;
  add(id: string, fingerprint: AudioFingerprint): void;
  /** The strongest match at or above the threshold, or null. */
  findMatch(fingerprint: AudioFingerprint): NearDuplicateHit | null;
}

/**
 * The round's reference clip and the most recent outputs of all miners, checked for each new
 * response. Honest miners running the same checkpoint with the same seed produce identical audio
 * and will match each other: a caller decides whom to blame.
 */
export class NearDuplicateIndex implements NearDuplicateLookup {
  private reference: AudioFingerprint | null = null;
  private readonly recent: { id: string; fingerprint: AudioFingerprint }[] = [];

  /**
   * Each comparison searches every offset (about 25 ms for two 15 s clips on one core), so the
   * default keeps the last 50 outputs: five rounds of ten miners.
   */
  constructor(
    private readonly capacity = 50,
    private readonly threshold = NEAR_DUPLICATE_THRESHOLD,
  ) {}

  setReference(fingerprint: AudioFingerprint | null): void {
    this.reference = fingerprint;
  }

  add(id: string, fingerprint: AudioFingerprint): void {
    this.recent.push({ id, fingerprint });
    if (this.recent.length > this.capacity) this.recent.shift();
  }

  /** The strongest match at or above the threshold, or null. */
  findMatch(fingerprint: AudioFingerprint): NearDuplicateHit | null {
    const candidates = [
      ...(this.reference === null ? [] : [{ id: 'reference', fingerprint: this.reference }]),
      ...this.recent,
    ];
    let best: NearDuplicateHit | null = null;
    for (const c of candidates) {
      const m = fingerprintSimilarity(c.fingerprint, fingerprint);
      if (m.similarity >= this.threshold && (best === null || m.similarity > best.similarity)) {
        best = { ...m, matched: c.id };
      }
    }
    return best;
  }
}

/** Running sums of the cells and their squares by frame, so each offset needs only one pass (Σxy). */
function framePrefixSums(fp: AudioFingerprint): { sum: Float64Array; sq: Float64Array } {
  const sum = new Float64Array(fp.frames + 1);
  const sq = new Float64Array(fp.frames + 1);
  for (let f = 0; f < fp.frames; f++) {
    let s = 0;
    let q = 0;
    for (let b = 0; b < fp.bands; b++) {
      const v = fp.values[f * fp.bands + b] ?? 0;
      s += v;
      q += v * v;
    }
    sum[f + 1] = (sum[f] ?? 0) + s;
    sq[f + 1] = (sq[f] ?? 0) + q;
  }
  return { sum, sq };
}

function correlation(
  a: AudioFingerprint,
  b: AudioFingerprint,
  pa: { sum: Float64Array; sq: Float64Array },
  pb: { sum: Float64Array; sq: Float64Array },
  startA: number,
  shift: number,
  frames: number,
): number {
  const n = frames * a.bands;
  const startB = startA + shift;
  const sx = (pa.sum[startA + frames] ?? 0) - (pa.sum[startA] ?? 0);
  const sy = (pb.sum[startB + frames] ?? 0) - (pb.sum[startB] ?? 0);
  const sxx = (pa.sq[startA + frames] ?? 0) - (pa.sq[startA] ?? 0) - (sx * sx) / n;
  const syy = (pb.sq[startB + frames] ?? 0) - (pb.sq[startB] ?? 0) - (sy * sy) / n;
  const x = a.values;
  const y = b.values;
  const offX = startA * a.bands;
  const offY = startB * a.bands;
  let sxy = 0;
  // In range by construction; `as number` keeps the undefined checks out of the hot loop.
  for (let i = 0; i < n; i++) sxy += (x[offX + i] as number) * (y[offY + i] as number);
  sxy -= (sx * sy) / n;
  // Flat fingerprints (silence) match each other and nothing else; 1e-9 absorbs rounding.
  const flatX = sxx <= 1e-9 * n;
  const flatY = syy <= 1e-9 * n;
  if (flatX || flatY) return flatX && flatY ? 1 : 0;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

interface BandFilter {
  readonly start: number;
  readonly weights: Float64Array;
}

/** Triangles on a log-frequency axis, each spanning its neighbours' centres (mel-style overlap). */
function logBandFilters(
  bands: number,
  minHz: number,
  maxHz: number,
  fftSize: number,
  sampleRate: number,
): BandFilter[] {
  const logMin = Math.log(minHz);
  const step = (Math.log(maxHz) - logMin) / (bands + 1);
  const binHz = sampleRate / fftSize;
  return Array.from({ length: bands }, (_, b) => {
    const lo = Math.exp(logMin + b * step);
    const centre = Math.exp(logMin + (b + 1) * step);
    const hi = Math.exp(logMin + (b + 2) * step);
    const start = Math.max(1, Math.floor(lo / binHz));
    const end = Math.min(fftSize / 2, Math.ceil(hi / binHz));
    const weights = new Float64Array(end - start + 1);
    for (let k = start; k <= end; k++) {
      const f = k * binHz;
      const w = f <= centre ? (f - lo) / (centre - lo) : (hi - f) / (hi - centre);
      weights[k - start] = Math.max(0, w);
    }
    // A band narrower than one bin still takes its nearest bin.
    if (weights.every((w) => w === 0)) weights[Math.min(weights.length - 1, Math.round(centre / binHz) - start)] = 1;
    return { start, weights };
  });
}
