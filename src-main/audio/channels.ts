/** Channel layout helpers: interleaved ↔ planar, mono mixdown, DC removal. */

/** Interleaved frames (L R L R …) → one Float32Array per channel. */
export function deinterleave(samples: Float32Array, channels: number): Float32Array[] {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be ≥ 1, not ${channels}`);
  if (samples.length % channels !== 0) {
    throw new RangeError(`${samples.length} samples do not split into whole frames of ${channels} channels`);
  }
  const frames = samples.length / channels;
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) (out[c] as Float32Array)[f] = samples[f * channels + c] ?? 0;
  }
  return out;
}

/**
 * The mean of the channels, sample by sample (the reference's `x.mean(dim=0)` for KLD and CLAP,
 * scoring.md §1.2, §1.4). One channel comes back as a copy.
 */
export function mixToMono(channelData: readonly Float32Array[]): Float32Array {
  const first = channelData[0];
  if (!first) throw new RangeError('no channels to mix');
  const frames = first.length;
  if (channelData.some((c) => c.length !== frames)) throw new RangeError('all channels must have the same length');
  if (channelData.length === 1) return first.slice();
  const sum = new Float64Array(frames);
  for (const channel of channelData) for (let i = 0; i < frames; i++) sum[i] = (sum[i] ?? 0) + (channel[i] ?? 0);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = (sum[i] ?? 0) / channelData.length;
  return out;
}

/** The mean of the samples (in float64); 0 for an empty array. */
export function mean(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s;
  return samples.length === 0 ? 0 : sum / samples.length;
}

/** The samples minus their mean: the FAD loader's DC removal (scoring.md §1.3 step 3). */
export function removeDc(samples: Float32Array): Float32Array {
  const m = mean(samples);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = (samples[i] ?? 0) - m;
  return out;
}

/** Planar channels → interleaved frames (L R L R …), the inverse of `deinterleave`. */
export function interleave(channelData: readonly Float32Array[]): Float32Array {
  const channels = channelData.length;
  const frames = channelData[0]?.length ?? 0;
  const out = new Float32Array(frames * channels);
  channelData.forEach((channel, c) => {
    for (let i = 0; i < frames; i++) out[i * channels + c] = channel[i] ?? 0;
  });
  return out;
}
