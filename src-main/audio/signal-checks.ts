/**
 * Cheap, model-free checks of a clip before it is scored (scoring.md §3.3). Each failed check is
 * a named problem (a stable string the UI can show and translate); all are pure functions of the
 * samples. Run them on the raw audio a miner sent, before any peak normalisation, which would hide
 * silence, clipping and level.
 *
 * Thresholds (defaults in DEFAULT_SIGNAL_THRESHOLDS; each comparison is strict, so a value exactly
 * at a threshold passes):
 * - `empty`: no channels or no samples. Nothing else is checked.
 * - `non-finite`: any NaN or ±Infinity sample. The level checks below are then skipped.
 * - `wrong-sample-rate`: the declared rate differs from `expectedSampleRate` (32 000 Hz; the
 *   reference silently reads any rate as 32 kHz, §1.1).
 * - `too-many-channels`: more than `maxChannels` (2).
 * - `too-short` / `too-long`: frames ÷ declared rate below `minSeconds` (12.5 s, under which the
 *   reference's duration table stops penalising, §1.1) or above `maxSeconds` (35 s).
 * - `silent`: on the channel mean, a peak of 0, or an RMS below `silenceDbfs` (−60 dBFS, where
 *   0 dBFS is an RMS of 1), or more than `maxSilentFrameFraction` (50 %) of the non-overlapping
 *   `silenceFrameSeconds` (50 ms) frames below −60 dBFS.
 * - `clipped`: more than `maxClippedFraction` (0.1 %) of all samples, over all channels, at
 *   |x| ≥ `clipLevel` (0.999).
 * - `dc-offset`: some channel's mean beyond ±`maxDcOffset` (0.01 of full scale). FAD removes DC,
 *   KLD and CLAP do not (§1.3).
 */
import { mean, mixToMono } from './channels.js';

export const SIGNAL_PROBLEMS = [
  'empty',
  'non-finite',
  'wrong-sample-rate',
  'too-many-channels',
  'too-short',
  'too-long',
  'silent',
  'clipped',
  'dc-offset',
] as const;

/** Why a clip is refused before scoring. */
export type SignalProblem = (typeof SIGNAL_PROBLEMS)[number];

/** One line per problem, for people. */
export const SIGNAL_PROBLEM_TEXT: Readonly<Record<SignalProblem, string>> = {
  empty: 'the audio is empty',
  'non-finite': 'the audio contains NaN or infinite samples',
  'wrong-sample-rate': 'the audio is not at the expected sample rate',
  'too-many-channels': 'the audio has more channels than allowed',
  'too-short': 'the audio is shorter than the minimum duration',
  'too-long': 'the audio is longer than the maximum duration',
  silent: 'the audio is silent or almost silent',
  clipped: 'the audio is clipped',
  'dc-offset': 'the audio has a DC offset',
};

export interface SignalThresholds {
  expectedSampleRate: number;
  maxChannels: number;
  minSeconds: number;
  maxSeconds: number;
  silenceDbfs: number;
  silenceFrameSeconds: number;
  maxSilentFrameFraction: number;
  clipLevel: number;
  maxClippedFraction: number;
  maxDcOffset: number;
}

export const DEFAULT_SIGNAL_THRESHOLDS: Readonly<SignalThresholds> = {
  expectedSampleRate: 32000,
  maxChannels: 2,
  minSeconds: 12.5,
  maxSeconds: 35,
  silenceDbfs: -60,
  silenceFrameSeconds: 0.05,
  maxSilentFrameFraction: 0.5,
  clipLevel: 0.999,
  maxClippedFraction: 0.001,
  maxDcOffset: 0.01,
};

/** What the checks measured; null where a check was skipped (empty or non-finite audio). */
export interface SignalMeasurements {
  channels: number;
  frames: number;
  sampleRate: number;
  seconds: number;
  nonFiniteSamples: number;
  peak: number | null;
  rmsDbfs: number | null;
  silentFrameFraction: number | null;
  clippedFraction: number | null;
  dcOffset: number | null;
}

export interface SignalReport {
  ok: boolean;
  /** In the order of SIGNAL_PROBLEMS. */
  problems: SignalProblem[];
  measurements: SignalMeasurements;
}

export interface SignalInput {
  /** One array per channel, as decodeAudio returns them. */
  channelData: readonly Float32Array[];
  /** The rate the file or the miner declared. */
  sampleRate: number;
}

export function checkSignal(audio: SignalInput, thresholds: Partial<SignalThresholds> = {}): SignalReport {
  const t = { ...DEFAULT_SIGNAL_THRESHOLDS, ...thresholds };
  const { channelData, sampleRate } = audio;
  const frames = channelData[0]?.length ?? 0;
  if (channelData.some((c) => c.length !== frames)) throw new RangeError('all channels must have the same length');
  const found = new Set<SignalProblem>();
  const measurements: SignalMeasurements = {
    channels: channelData.length,
    frames,
    sampleRate,
    seconds: sampleRate > 0 ? frames / sampleRate : 0,
    nonFiniteSamples: 0,
    peak: null,
    rmsDbfs: null,
    silentFrameFraction: null,
    clippedFraction: null,
    dcOffset: null,
  };
  if (channelData.length === 0 || frames === 0) {
    return { ok: false, problems: ['empty'], measurements };
  }
  if (sampleRate !== t.expectedSampleRate) found.add('wrong-sample-rate');
  if (channelData.length > t.maxChannels) found.add('too-many-channels');
  if (!(measurements.seconds >= t.minSeconds)) found.add('too-short');
  if (measurements.seconds > t.maxSeconds) found.add('too-long');
  measurements.nonFiniteSamples = channelData.reduce((n, c) => n + countNonFinite(c), 0);
  if (measurements.nonFiniteSamples > 0) {
    found.add('non-finite');
  } else {
    const mono = mixToMono(channelData);
    measurements.peak = peakLevel(mono);
    measurements.rmsDbfs = rmsDbfs(mono);
    measurements.silentFrameFraction = silentFrameFraction(
      mono,
      frameLength(sampleRate, t.silenceFrameSeconds),
      t.silenceDbfs,
    );
    measurements.clippedFraction = clippedFraction(channelData, t.clipLevel);
    measurements.dcOffset = dcOffset(channelData);
    if (
      measurements.peak === 0 ||
      measurements.rmsDbfs < t.silenceDbfs ||
      measurements.silentFrameFraction > t.maxSilentFrameFraction
    ) {
      found.add('silent');
    }
    if (measurements.clippedFraction > t.maxClippedFraction) found.add('clipped');
    if (measurements.dcOffset > t.maxDcOffset) found.add('dc-offset');
  }
  const problems = SIGNAL_PROBLEMS.filter((p) => found.has(p));
  return { ok: problems.length === 0, problems, measurements };
}

function countNonFinite(samples: Float32Array): number {
  let n = 0;
  for (const s of samples) if (!Number.isFinite(s)) n++;
  return n;
}

function peakLevel(samples: Float32Array): number {
  let max = 0;
  for (const s of samples) max = Math.max(max, Math.abs(s));
  return max;
}

/** 20·log10(RMS) over samples[from, to): 0 dBFS is an RMS of 1; silence is −Infinity. */
export function rmsDbfs(samples: Float32Array, from = 0, to = samples.length): number {
  if (to <= from) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] ?? 0) ** 2;
  return 20 * Math.log10(Math.sqrt(sum / (to - from)));
}

/** Samples per silence frame: at least one. */
function frameLength(sampleRate: number, seconds: number): number {
  return Math.max(1, Math.round(sampleRate * seconds));
}

/**
 * The fraction of non-overlapping frames of `frameLength` samples whose RMS is below `dbfs`. A
 * partial last frame is ignored, unless the clip is shorter than one frame (then it is the frame).
 */
export function silentFrameFraction(samples: Float32Array, frameLength: number, dbfs: number): number {
  const whole = Math.floor(samples.length / frameLength);
  if (whole === 0) return rmsDbfs(samples) < dbfs ? 1 : 0;
  let silent = 0;
  for (let f = 0; f < whole; f++) if (rmsDbfs(samples, f * frameLength, (f + 1) * frameLength) < dbfs) silent++;
  return silent / whole;
}

/** The fraction of all samples, over all channels, with |x| ≥ level. */
export function clippedFraction(channelData: readonly Float32Array[], level: number): number {
  let clipped = 0;
  let total = 0;
  for (const channel of channelData) {
    for (const s of channel) if (Math.abs(s) >= level) clipped++;
    total += channel.length;
  }
  return total === 0 ? 0 : clipped / total;
}

/** The largest |mean| over the channels. */
export function dcOffset(channelData: readonly Float32Array[]): number {
  return channelData.reduce((max, c) => Math.max(max, Math.abs(mean(c))), 0);
}
