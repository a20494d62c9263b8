/**
 * The decoder's KV cache for one generation, allocated once (issue #14), for the decoder as
 * kv-graph.ts rewrites it: each self-attention key and value lives in one time-major buffer
 * [steps, B, H, Dh]. Step n feeds its first n frames as a view (onnxruntime borrows inputs
 * without copying) and appends the one frame the step returns; nothing of cache size is
 * allocated or copied in JavaScript. The cross-attention keys and values come from step 0's
 * outputs and are fed back unchanged.
 *
 * The buffers come from `new Float32Array(n)` (zeroed, lazily mapped pages), so resident memory
 * grows with the frames actually written, up to one copy of the cache.
 */
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { LAST_FRAME_SUFFIX, TIME_MAJOR_SUFFIX } from './kv-graph.js';

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
  float: CacheFloat;
}

/** The Tensor constructor of onnxruntime-node, passed in so that this module loads it lazily. */
export type TensorConstructor = new (type: CacheFloat, data: CacheArray, dims: readonly number[]) => OrtTensor;

const PARTS = ['key', 'value'] as const;

export class KvCache {
  /** Per layer and part, `layers × 2` time-major buffers. */
  private readonly self: CacheArray[];
  /** Step 0's cross-attention outputs, per layer and part. */
  private readonly cross: (OrtTensor | null)[];
  /** Elements of one self-attention frame across the batch and the heads. */
  private readonly frame: number;
  private written = 0;

  constructor(
    readonly shape: KvCacheShape,
    private readonly Tensor: TensorConstructor,
  ) {
    for (const key of ['layers', 'batch', 'heads', 'headDim', 'steps'] as const) {
      const v = shape[key];
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`the KV cache needs a positive whole ${key}, not ${v}`);
    }
    this.frame = shape.batch * shape.heads * shape.headDim;
    const size = this.frame * shape.steps;
    this.self = Array.from({ length: 2 * shape.layers }, () =>
      shape.float === 'float16' ? new Uint16Array(size) : new Float32Array(size),
    );
    this.cross = new Array<OrtTensor | null>(2 * shape.layers).fill(null);
  }

  /** Bytes of the self-attention buffers (virtual; pages are touched as frames are written). */
  get reservedBytes(): number {
    return this.self.reduce((n, b) => n + b.byteLength, 0);
  }

  /** Frames written so far: the past length of the next step. */
  get length(): number {
    return this.written;
  }

  /** The `past_key_values.*` feeds and the names to fetch (null: onnxruntime allocates) for the next step. */
  bind(): { feeds: Record<string, OrtTensor>; fetches: Record<string, null> } {
    const { batch, heads, headDim, steps, float, layers } = this.shape;
    const step = this.written;
    if (step >= steps) throw new RangeError(`the cache is full after ${steps} steps`);
    const feeds: Record<string, OrtTensor> = {};
    const fetches: Record<string, null> = {};
    const empty = float === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    for (let l = 0; l < layers; l++) {
      PARTS.forEach((part, p) => {
        const buffer = this.self[2 * l + p] as CacheArray;
        feeds[`past_key_values.${l}.decoder.${part}${TIME_MAJOR_SUFFIX}`] = new this.Tensor(
          float,
          buffer.subarray(0, this.frame * step),
          [step, batch, heads, headDim],
        );
        fetches[`present.${l}.decoder.${part}${LAST_FRAME_SUFFIX}`] = null;
        const cross = this.cross[2 * l + p];
        // Step 0 runs the no-cache branch, which ignores the pasts and computes the cross-attention cache.
        feeds[`past_key_values.${l}.encoder.${part}`] =
          cross ?? new this.Tensor(float, empty, [batch, heads, 0, headDim]);
        if (!cross) fetches[`present.${l}.encoder.${part}`] = null;
      });
    }
    return { feeds, fetches };
  }

  /** Appends the frame the step returned (and keeps step 0's cross-attention cache). */
  store(outputs: Readonly<Record<string, OrtTensor | undefined>>): void {
    const { layers, float } = this.shape;
    const step = this.written;
    for (let l = 0; l < layers; l++) {
      PARTS.forEach((part, p) => {
        const name = `present.${l}.decoder.${part}${LAST_FRAME_SUFFIX}`;
        const frame = outputs[name];
        if (!frame || frame.type !== float || frame.size !== this.frame) {
          throw new RangeError(
            `${name} should be ${float} [${this.frame}], not ${frame?.type} [${frame?.dims.join(', ')}]`,
          );
        }
        (this.self[2 * l + p] as CacheArray).set(frame.data as CacheArray, this.frame * step);
        if (!this.cross[2 * l + p]) {
          const cross = outputs[`present.${l}.encoder.${part}`];
          if (!cross) throw new RangeError(`step ${step} returned no present.${l}.encoder.${part}`);
          this.cross[2 * l + p] = cross;
        }
      });
    }
    this.written += 1;
  }
}
