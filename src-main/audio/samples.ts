/** Sample-level helpers for generated audio: tensor output to float32, peak normalisation, checks. */

/** The part of a transformers.js / onnxruntime Tensor that holds audio. */
export interface AudioTensorLike {
  type: string;
  dims: readonly number[];
  data: unknown;
}

/**
 * The samples of one batch row of a `[batch, 1, samples]` (or `[batch, samples]`, or flat) float
 * tensor as a Float32Array. float16 tensors (an fp16 EnCodec, musicgen spec §3) arrive as raw
 * half-precision bits in a Uint16Array, or as a Float16Array where the runtime has one.
 */
export function tensorToFloat32(tensor: AudioTensorLike, row = 0): Float32Array {
  const { dims } = tensor;
  const batch = dims.length >= 2 ? (dims[0] ?? 1) : 1;
  const perRow = dims.length >= 2 ? dims.slice(1).reduce((a, b) => a * b, 1) : (dims[0] ?? 0);
  if (!Number.isInteger(row) || row < 0 || row >= batch) {
    throw new RangeError(`row ${row} is outside the batch of ${batch}`);
  }
  const start = row * perRow;
  const data = tensor.data;
  if (tensor.type === 'float32' && data instanceof Float32Array) {
    return data.slice(start, start + perRow);
  }
  if (tensor.type === 'float16') {
    if (data instanceof Uint16Array) {
      const out = new Float32Array(perRow);
      for (let i = 0; i < perRow; i++) out[i] = halfToFloat(data[start + i] ?? 0);
      return out;
    }
    if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
      // A native Float16Array: its elements read as numbers.
      const values = data as unknown as ArrayLike<number>;
      return Float32Array.from({ length: perRow }, (_, i) => values[start + i] ?? 0);
    }
  }
  throw new TypeError(`expected a float32 or float16 audio tensor, got ${tensor.type}`);
}

/** IEEE 754 binary16 bits → number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The largest absolute finite sample; 0 for silence or empty input. */
export function peak(samples: Float32Array): number {
  let max = 0;
  for (const s of samples) if (Number.isFinite(s) && Math.abs(s) > max) max = Math.abs(s);
  return max;
}

/**
 * Scales the samples so that the peak is `targetPeak` (default 0.99, just under full scale).
 * Silence stays silence; non-finite samples become 0. Returns a new array.
 */
export function peakNormalize(samples: Float32Array, targetPeak = 0.99): Float32Array {
  if (!(targetPeak > 0 && targetPeak <= 1))
    throw new RangeError(`the target peak must be in (0, 1], not ${targetPeak}`);
  const max = peak(samples);
  const gain = max > 0 ? targetPeak / max : 1;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    out[i] = Number.isFinite(s) ? s * gain : 0;
  }
  return out;
}

/** The index of the first NaN or infinite sample, or -1. */
export function firstNonFinite(samples: Float32Array): number {
  for (let i = 0; i < samples.length; i++) if (!Number.isFinite(samples[i])) return i;
  return -1;
}
