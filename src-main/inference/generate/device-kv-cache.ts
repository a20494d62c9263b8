/**
 * The decoder's KV cache kept on the GPU between steps (issue #14, WebGPU): the decoder session is
 * created with `preferredOutputLocation: 'gpu-buffer'` for every `present.*` output, and each
 * step's `present.L.decoder.*` is fed back as the next step's `past_key_values.L.decoder.*`
 * without leaving the device (as transformers.js does on WebGPU). Only the logits come back to the
 * host, or with the device sampler (device-sampler.ts) only the tokens. This works on the exporter's own decoder: the time-major rewrite (kv-graph.ts) exists to
 * avoid host copies, which a device-resident cache has none of.
 *
 * Ownership: the cache owns the device tensors it holds and disposes each one as soon as it is
 * replaced, and the rest in `dispose()`. Every step also returns `present.L.encoder.*` (in the
 * cached branch a device copy of the past it was fed; onnxruntime-node 1.30 refuses a subset of
 * outputs when output locations are set, "Output count mismatch"), so those are disposed at once
 * and step 0's are kept.
 *
 * Never read a device tensor's data: in onnxruntime-node 1.30 `getData()` on a 'gpu-buffer'
 * output aborts the process ("terminate called after throwing an instance of 'char const*'").
 */
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import type { CacheFloat, KvCacheShape } from './kv-cache.js';

const PARTS = ['key', 'value'] as const;

/** The names of the decoder's cache outputs, which the session keeps on the device. */
export function presentNames(layers: number): string[] {
  const names: string[] = [];
  for (let l = 0; l < layers; l++) {
    for (const kind of ['decoder', 'encoder']) for (const part of PARTS) names.push(`present.${l}.${kind}.${part}`);
  }
  return names;
}

/** An empty host tensor for step 0's pasts, which the no-cache branch ignores (0 bytes to upload). */
export type EmptyTensor = (float: CacheFloat, dims: readonly number[]) => OrtTensor;

export class DeviceKvCache {
  /** `past_key_values.*` name → the device tensor the next step reads. */
  private readonly held = new Map<string, OrtTensor>();
  private written = 0;
  private disposed = false;

  constructor(
    readonly shape: Omit<KvCacheShape, 'steps'>,
    private readonly empty: EmptyTensor,
  ) {
    for (const key of ['layers', 'batch', 'heads', 'headDim'] as const) {
      const v = shape[key];
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`the KV cache needs a positive whole ${key}, not ${v}`);
    }
  }

  /** Frames written so far: the past length of the next step. */
  get length(): number {
    return this.written;
  }

  /** Device tensors currently held (for tests: one per layer, kind and part after step 0, none after dispose). */
  get heldTensors(): number {
    return this.held.size;
  }

  /** The `past_key_values.*` feeds of the next step; all outputs are fetched (see the module comment). */
  bind(): { feeds: Record<string, OrtTensor>; fetches: null } {
    if (this.disposed) throw new RangeError('the KV cache was disposed');
    const { layers, batch, heads, headDim, float } = this.shape;
    const feeds: Record<string, OrtTensor> = {};
    for (let l = 0; l < layers; l++) {
      for (const kind of ['decoder', 'encoder']) {
        for (const part of PARTS) {
          const name = `past_key_values.${l}.${kind}.${part}`;
          feeds[name] = this.held.get(name) ?? this.empty(float, [batch, heads, 0, headDim]);
        }
      }
    }
    return { feeds, fetches: null };
  }

  /**
   * Takes the step's `present.*` tensors: the decoder ones replace (and dispose) the previous
   * step's, the encoder ones are kept from step 0 and disposed on later steps. Checks each
   * decoder present's shape, [batch, heads, frames + 1, headDim], before taking anything, so that
   * a bad output leaves the cache as it was (the caller disposes what it returned).
   */
  store(outputs: Readonly<Record<string, OrtTensor | undefined>>): void {
    if (this.disposed) throw new RangeError('the KV cache was disposed');
    const { layers, batch, heads, headDim, float } = this.shape;
    const expected = [batch, heads, this.written + 1, headDim];
    for (let l = 0; l < layers; l++) {
      for (const kind of ['decoder', 'encoder']) {
        for (const part of PARTS) {
          const name = `present.${l}.${kind}.${part}`;
          const t = outputs[name];
          const ok =
            t &&
            t.type === float &&
            (kind === 'encoder' || (t.dims.length === 4 && t.dims.every((d, i) => d === expected[i])));
          if (!ok) {
            throw new RangeError(
              `${name} should be ${float}` +
                (kind === 'decoder' ? ` [${expected.join(', ')}]` : '') +
                `, not ${t?.type} [${t?.dims.join(', ')}]`,
            );
          }
        }
      }
    }
    for (let l = 0; l < layers; l++) {
      for (const kind of ['decoder', 'encoder']) {
        for (const part of PARTS) {
          const tensor = outputs[`present.${l}.${kind}.${part}`] as OrtTensor;
          const name = `past_key_values.${l}.${kind}.${part}`;
          const previous = this.held.get(name);
          if (kind === 'encoder' && previous) {
            if (tensor !== previous) release(tensor);
            continue;
          }
          if (previous && previous !== tensor) release(previous);
          this.held.set(name, tensor);
        }
      }
    }
    this.written += 1;
  }

  /** Releases every device tensor held; the cache cannot be used afterwards. Safe to call twice. */
  dispose(): void {
    for (const tensor of this.held.values()) release(tensor);
    this.held.clear();
    this.disposed = true;
  }
}

/** Disposes the device memory of a device tensor; host tensors are the garbage collector's. */
export function release(tensor: OrtTensor | undefined): void {
  if (tensor?.location === 'gpu-buffer') tensor.dispose();
}
