/**
 * The decoder's KV cache for one generation, allocated once and written in place by
 * onnxruntime (issue #14; musicgen spec §11): every `present.*` output is bound to a buffer we
 * own, so no step allocates, page-faults or copies the cache into JavaScript.
 *
 * The exported merged decoder concatenates `past` ([B, H, t, Dh]) and the new frame into
 * `present` ([B, H, t + 1, Dh]). Both are dense with the time axis inside, so one buffer cannot
 * serve as both; each self-attention key and value therefore has two buffers of the full
 * length, and steps alternate between them (step n reads the one step n − 1 wrote). The
 * cross-attention keys and values are computed on step 0 and then bound as input and output
 * of the same buffer, which the graph's Identity passes through.
 *
 * The buffers come from `new Float32Array(n)` (zeroed, lazily mapped pages), so resident memory
 * grows with the frames actually written, up to 2 × the self-attention cache at the last step.
 */
import type { Tensor as OrtTensor } from 'onnxruntime-node';

/** Element types a cache can hold: float32 (fp32 and q8 exports) or float16 bits (fp16 exports). */
export type CacheFloat = 'float32' | 'float16';
type CacheArray = Float32Array | Uint16Array;

export interface KvCacheShape {
  layers: number;
  /** Rows of the decoder batch: 2·B with classifier-free guidance, B without. */
  batch: number;
  heads: number;
  headDim: number;
  /** Decoding steps; the self-attention cache reaches this many frames. */
  steps: number;
  /** Tokens of the (padded) prompt: the cross-attention cache length. */
  encoderLength: number;
  float: CacheFloat;
}

/** The Tensor constructor of onnxruntime-node, passed in so that this module loads it lazily. */
export type TensorConstructor = new (type: CacheFloat, data: CacheArray, dims: readonly number[]) => OrtTensor;

interface LayerBuffers {
  /** Self-attention key and value, two buffers each (ping-pong). */
  key: [CacheArray, CacheArray];
  value: [CacheArray, CacheArray];
  encoderKey: CacheArray;
  encoderValue: CacheArray;
}

export class KvCache {
  private readonly layers: LayerBuffers[];
  /** Elements of one self-attention frame across the batch and the heads. */
  private readonly frame: number;

  constructor(
    readonly shape: KvCacheShape,
    private readonly Tensor: TensorConstructor,
  ) {
    for (const key of ['layers', 'batch', 'heads', 'headDim', 'steps', 'encoderLength'] as const) {
      const v = shape[key];
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`the KV cache needs a positive whole ${key}, not ${v}`);
    }
    const make = (n: number): CacheArray => (shape.float === 'float16' ? new Uint16Array(n) : new Float32Array(n));
    this.frame = shape.batch * shape.heads * shape.headDim;
    const selfSize = this.frame * shape.steps;
    const crossSize = this.frame * shape.encoderLength;
    this.layers = Array.from({ length: shape.layers }, () => ({
      key: [make(selfSize), make(selfSize)],
      value: [make(selfSize), make(selfSize)],
      encoderKey: make(crossSize),
      encoderValue: make(crossSize),
    }));
  }

  /** Bytes this cache reserves (virtual; pages are touched as frames are written). */
  get reservedBytes(): number {
    const bytes = this.shape.float === 'float16' ? 2 : 4;
    const { batch, heads, headDim, steps, encoderLength, layers } = this.shape;
    return layers * batch * heads * headDim * (4 * steps + 2 * encoderLength) * bytes;
  }

  /**
   * The `past_key_values.*` feeds and the `present.*` fetches for decoding step `step`
   * (0-based; the past then holds `step` frames). Step 0 feeds empty pasts, as the merged
   * decoder's no-cache branch expects, and binds the cross-attention outputs to their buffers.
   */
  bind(step: number): { feeds: Record<string, OrtTensor>; fetches: Record<string, OrtTensor> } {
    const { batch, heads, headDim, steps, encoderLength, float } = this.shape;
    if (!Number.isInteger(step) || step < 0 || step >= steps) {
      throw new RangeError(`step ${step} is outside 0 … ${steps - 1}`);
    }
    const feeds: Record<string, OrtTensor> = {};
    const fetches: Record<string, OrtTensor> = {};
    const pastDims = [batch, heads, step, headDim];
    const presentDims = [batch, heads, step + 1, headDim];
    const crossDims = [batch, heads, encoderLength, headDim];
    const empty = float === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    const write = step % 2;
    const read = 1 - write;
    this.layers.forEach((layer, i) => {
      for (const part of ['key', 'value'] as const) {
        const [even, odd] = layer[part];
        const past = step === 0 ? empty : (read === 0 ? even : odd).subarray(0, this.frame * step);
        feeds[`past_key_values.${i}.decoder.${part}`] = new this.Tensor(float, past, pastDims);
        fetches[`present.${i}.decoder.${part}`] = new this.Tensor(
          float,
          (write === 0 ? even : odd).subarray(0, this.frame * (step + 1)),
          presentDims,
        );
        const cross = part === 'key' ? layer.encoderKey : layer.encoderValue;
        const crossTensor = new this.Tensor(float, cross, crossDims);
        feeds[`past_key_values.${i}.encoder.${part}`] =
          step === 0 ? new this.Tensor(float, empty, [batch, heads, 0, headDim]) : crossTensor;
        fetches[`present.${i}.encoder.${part}`] = crossTensor;
      }
    });
    return { feeds, fetches };
  }
}
