/**
 * Deterministic analysis windows over a clip (scoring spec §3.1 stage 4): instead of the
 * reference's one random 10 s CLAP crop, windows of a fixed length spaced evenly from the start to
 * the end of the clip, the first at 0 and the last ending at the last sample, so every part of the
 * clip is seen and the same clip always gives the same windows.
 */

export interface Window {
  /** First sample. */
  start: number;
  /** Samples in the window: `windowSamples`, or the whole clip when it is shorter. */
  length: number;
}

/**
 * Windows of `windowSamples` over `clipSamples`, consecutive starts at most `maxHopSamples` apart.
 * A clip no longer than one window gives one window: the whole clip (the model's feature
 * extractor pads it). Otherwise `n = ceil((clip − window) / hop) + 1` windows with starts
 * `round(k · (clip − window) / (n − 1))`: for a 15 s clip, 10 s windows and a 2.5 s hop give
 * starts 0, 2.5 and 5 s; 10.24 s windows and a 10.24 s hop give 0 and 4.76 s.
 */
export function evenWindows(clipSamples: number, windowSamples: number, maxHopSamples: number): Window[] {
  for (const [name, value] of [
    ['clipSamples', clipSamples],
    ['windowSamples', windowSamples],
    ['maxHopSamples', maxHopSamples],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0)
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  if (clipSamples <= windowSamples) return [{ start: 0, length: clipSamples }];
  const span = clipSamples - windowSamples;
  const count = Math.ceil(span / maxHopSamples) + 1;
  return Array.from({ length: count }, (_, k) => ({
    start: Math.round((k * span) / (count - 1)),
    length: windowSamples,
  }));
}
