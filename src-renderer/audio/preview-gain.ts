/**
 * How loud a preview may play. A random tiny model (the local network's) makes full-scale noise,
 * about −5 dBFS RMS: played as is it hurts. The clip is measured once decoded and the element's
 * volume set so that its loudest stretch plays at about −20 dBFS RMS, and no peak above −6 dBFS.
 * The element's volume can only attenuate (0…1), so a quiet clip plays as it is.
 */

/** The loudness a preview may reach: −20 dBFS RMS over a short window. */
export const TARGET_RMS_DBFS = -20;
/** No sample louder than this after the gain: −6 dBFS. */
export const PEAK_CEILING_DBFS = -6;
/** Until a clip is measured (or when it cannot be): as if it were full-scale noise. */
export const UNMEASURED_VOLUME = 0.1;
/** The window over which loudness is judged (about what an ear integrates, as in momentary loudness). */
export const WINDOW_SECONDS = 0.4;

export interface ClipLevels {
  /** Largest absolute sample, 0…1 (float audio may exceed 1). */
  readonly peak: number;
  /** RMS of the loudest window, so that a loud burst in a quiet clip still counts. */
  readonly maxWindowRms: number;
}

export function dbfsToAmplitude(dbfs: number): number {
  return 10 ** (dbfs / 20);
}

export function amplitudeToDbfs(amplitude: number): number {
  return 20 * Math.log10(amplitude);
}

/**
 * Peak and loudest-window RMS over all channels (windows of WINDOW_SECONDS, half overlapping; a
 * clip shorter than one window is one window). Channels of unequal length are read to the shortest.
 */
export function measureLevels(channels: readonly Float32Array[], sampleRate: number): ClipLevels {
  if (!(sampleRate > 0)) throw new Error(`sampleRate must be positive, not ${sampleRate}`);
  const length = channels.length === 0 ? 0 : Math.min(...channels.map((channel) => channel.length));
  if (length === 0) return { peak: 0, maxWindowRms: 0 };
  const window = Math.max(1, Math.min(length, Math.round(WINDOW_SECONDS * sampleRate)));
  const hop = Math.max(1, Math.floor(window / 2));
  // Per-sample energy summed over channels, then a running sum across windows.
  const energy = new Float64Array(length);
  let peak = 0;
  for (const channel of channels) {
    for (let i = 0; i < length; i++) {
      const sample = channel[i] ?? 0;
      const abs = Math.abs(sample);
      if (abs > peak) peak = abs;
      energy[i] = (energy[i] ?? 0) + sample * sample;
    }
  }
  const prefix = new Float64Array(length + 1);
  for (let i = 0; i < length; i++) prefix[i + 1] = (prefix[i] ?? 0) + (energy[i] ?? 0);
  let maxMeanSquare = 0;
  const lastStart = length - window;
  for (let start = 0; ; start = Math.min(start + hop, lastStart)) {
    const sum = (prefix[start + window] ?? 0) - (prefix[start] ?? 0);
    maxMeanSquare = Math.max(maxMeanSquare, sum / (window * channels.length));
    if (start === lastStart) break;
  }
  return { peak, maxWindowRms: Math.sqrt(maxMeanSquare) };
}

/**
 * The element volume (0…1) for a clip with these levels: brings the loudest window down to
 * TARGET_RMS_DBFS and the peak under PEAK_CEILING_DBFS, never up. Silence plays at full volume
 * (there is nothing to hear); levels that are not numbers get UNMEASURED_VOLUME.
 */
export function previewVolume(levels: ClipLevels | null): number {
  if (levels === null) return UNMEASURED_VOLUME;
  const { peak, maxWindowRms } = levels;
  if (!Number.isFinite(peak) || !Number.isFinite(maxWindowRms) || peak < 0 || maxWindowRms < 0) {
    return UNMEASURED_VOLUME;
  }
  let volume = 1;
  if (maxWindowRms > 0) volume = Math.min(volume, dbfsToAmplitude(TARGET_RMS_DBFS) / maxWindowRms);
  if (peak > 0) volume = Math.min(volume, dbfsToAmplitude(PEAK_CEILING_DBFS) / peak);
  return volume;
}
