import { describe, expect, it } from 'vitest';
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { DeviceKvCache, presentNames } from './device-kv-cache.js';

/**
 * A stand-in for a device tensor of onnxruntime-node (real ones need a WebGPU adapter; the
 * WebGPU tests in ort-decoder-webgpu.test.ts decode with them): it records its disposal.
 */
class FakeDeviceTensor {
  readonly location = 'gpu-buffer';
  disposed = 0;
  constructor(
    readonly type: string,
    readonly dims: readonly number[],
  ) {}
  dispose(): void {
    this.disposed += 1;
  }
}
const shape = { layers: 2, batch: 2, heads: 3, headDim: 4, float: 'float32' as const };
const emptyTensor = (float: string, dims: readonly number[]) =>
  ({ location: 'cpu', type: float, dims, data: new Float32Array(0) }) as unknown as OrtTensor;

/** What decoder step `n` returns: self-attention presents of n + 1 frames, cross-attention of 7 tokens. */
function step(n: number): Record<string, FakeDeviceTensor> {
  const out: Record<string, FakeDeviceTensor> = {};
  for (const name of presentNames(2)) {
    out[name] = new FakeDeviceTensor('float32', name.includes('decoder') ? [2, 3, n + 1, 4] : [2, 3, 7, 4]);
  }
  return out;
}
const asOutputs = (o: Record<string, FakeDeviceTensor>) => o as unknown as Record<string, OrtTensor>;

describe('DeviceKvCache', () => {
  it('feeds empty pasts first, then each step’s presents, disposing each tensor once it is replaced', () => {
    const cache = new DeviceKvCache(shape, emptyTensor);
    const first = cache.bind();
    expect(first.fetches).toBeNull();
    expect(Object.keys(first.feeds)).toHaveLength(8);
    expect(first.feeds['past_key_values.1.decoder.value']?.dims).toEqual([2, 3, 0, 4]);

    const s0 = step(0);
    cache.store(asOutputs(s0));
    const s1 = step(1);
    const fed = cache.bind().feeds;
    expect(fed['past_key_values.0.decoder.key']).toBe(s0['present.0.decoder.key']);
    expect(fed['past_key_values.1.encoder.value']).toBe(s0['present.1.encoder.value']);
    cache.store(asOutputs(s1));

    // Step 0's self-attention presents are replaced and released; its cross-attention ones are
    // kept, and step 1's copies of them are released at once.
    for (const [name, t] of Object.entries(s0))
      expect([name, t.disposed]).toEqual([name, name.includes('decoder') ? 1 : 0]);
    for (const [name, t] of Object.entries(s1))
      expect([name, t.disposed]).toEqual([name, name.includes('encoder') ? 1 : 0]);
    expect(cache.bind().feeds['past_key_values.0.decoder.key']).toBe(s1['present.0.decoder.key']);
    expect(cache.bind().feeds['past_key_values.0.encoder.key']).toBe(s0['present.0.encoder.key']);
    expect(cache.length).toBe(2);
    expect(cache.heldTensors).toBe(8);

    cache.dispose();
    expect(cache.heldTensors).toBe(0);
    for (const t of [...Object.values(s0), ...Object.values(s1)]) expect(t.disposed).toBe(1);
    cache.dispose();
    expect(() => cache.bind()).toThrow(/disposed/);
  });

  it('refuses a present of the wrong length or type and takes nothing of that step', () => {
    const cache = new DeviceKvCache(shape, emptyTensor);
    const s0 = step(0);
    cache.store(asOutputs(s0));
    const stale = step(0); // one frame short at step 1
    expect(() => cache.store(asOutputs(stale))).toThrow(/present\.0\.decoder\.key should be float32 \[2, 3, 2, 4\]/);
    const halves = step(1);
    halves['present.1.encoder.key'] = new FakeDeviceTensor('float16', [2, 3, 7, 4]);
    expect(() => cache.store(asOutputs(halves))).toThrow(/present\.1\.encoder\.key should be float32, not float16/);
    expect(cache.length).toBe(1);
    expect(Object.values(s0).every((t) => t.disposed === 0)).toBe(true);
    expect(cache.bind().feeds['past_key_values.0.decoder.key']).toBe(s0['present.0.decoder.key']);
    const missing = step(1);
    delete missing['present.0.decoder.value'];
    expect(() => cache.store(asOutputs(missing))).toThrow(/present\.0\.decoder\.value should be/);
  });

  it('refuses a shape that is not whole and positive', () => {
    expect(() => new DeviceKvCache({ ...shape, heads: 0 }, emptyTensor)).toThrow(/positive whole heads/);
  });
});
