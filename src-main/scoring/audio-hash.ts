/**
 * The reference's exact-duplicate key (scoring.md §1.1 step 5): sha256 of the peak-normalised
 * float32 samples' bytes, `hashlib.sha256((x / max|x|).numpy().tobytes())`. Gain changes give the
 * same key only where the division rounds alike; any 1-LSB change gives a new one (the
 * near-duplicate fingerprint covers that).
 */
import { createHash } from 'node:crypto';
import { assertFinite, MetricInputError } from './errors.js';

/** `x / max|x|` in float32, as torch divides a float32 tensor by its float32 peak. */
export function referencePeakNormalize(samples: ArrayLike<number>): Float32Array {
  if (samples.length === 0) throw new MetricInputError('empty', 'no samples');
  // torch.Tensor(list) rounds each value to float32 first.
  const x = Float32Array.from(samples);
  assertFinite(x, 'audio');
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  // The reference divides by zero here and hashes NaNs; a silent clip is rejected instead.
  if (peak === 0) throw new MetricInputError('silence', 'the clip is silent (peak 0)');
  const out = new Float32Array(x.length);
  // float32 ÷ float32 computed in float64 and rounded once is the correctly rounded float32 quotient.
  for (let i = 0; i < x.length; i++) out[i] = (x[i] ?? 0) / peak;
  return out;
}

/** sha256 hex of the peak-normalised samples as little-endian float32 (numpy's order on x86/ARM). */
export function exactAudioHash(samples: ArrayLike<number>): string {
  const normalized = referencePeakNormalize(samples);
  const bytes = Buffer.alloc(normalized.length * 4);
  normalized.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return createHash('sha256').update(bytes).digest('hex');
}
