import { describe, expect, it } from 'vitest';
import { KvCache, type TensorConstructor } from './kv-cache.js';

/** A stand-in for onnxruntime's Tensor that keeps what it wraps. */
class FakeTensor {
  constructor(
    readonly type: string,
    readonly data: Float32Array | Uint16Array,
    readonly dims: readonly number[],
  ) {}
}
const Tensor = FakeTensor as unknown as TensorConstructor;
const shape = { layers: 2, batch: 2, heads: 3, headDim: 4, steps: 5, encoderLength: 7, float: 'float32' as const };
const frame = 2 * 3 * 4;

function wrapped(t: unknown): FakeTensor {
  expect(t).toBeInstanceOf(FakeTensor);
  return t as FakeTensor;
}

describe('KvCache', () => {
  it('feeds empty pasts on step 0 and binds the cross-attention outputs to their buffers', () => {
    const { feeds, fetches } = new KvCache(shape, Tensor).bind(0);
    expect(Object.keys(feeds)).toHaveLength(8);
    expect(Object.keys(fetches)).toHaveLength(8);
    expect(wrapped(feeds['past_key_values.1.decoder.value']).dims).toEqual([2, 3, 0, 4]);
    expect(wrapped(feeds['past_key_values.1.encoder.key']).dims).toEqual([2, 3, 0, 4]);
    expect(wrapped(fetches['present.1.decoder.value']).dims).toEqual([2, 3, 1, 4]);
    expect(wrapped(fetches['present.0.encoder.key']).dims).toEqual([2, 3, 7, 4]);
  });

  it('reads on step n the buffer step n − 1 wrote, with n frames, and never reallocates', () => {
    const cache = new KvCache(shape, Tensor);
    const written: ArrayBufferLike[] = [];
    for (let n = 0; n < 5; n++) {
      const { feeds, fetches } = cache.bind(n);
      const present = wrapped(fetches['present.0.decoder.key']);
      expect(present.dims).toEqual([2, 3, n + 1, 4]);
      expect(present.data.length).toBe(frame * (n + 1));
      if (n > 0) {
        const past = wrapped(feeds['past_key_values.0.decoder.key']);
        expect(past.dims).toEqual([2, 3, n, 4]);
        expect(past.data.length).toBe(frame * n);
        expect(past.data.buffer).toBe(written[n - 1]);
        expect(present.data.buffer).not.toBe(past.data.buffer);
      }
      written.push(present.data.buffer);
    }
    expect(new Set(written).size).toBe(2);
  });

  it('binds the cross-attention cache as input and output of the same buffer after step 0', () => {
    const cache = new KvCache(shape, Tensor);
    const first = wrapped(cache.bind(0).fetches['present.1.encoder.value']).data;
    const { feeds, fetches } = cache.bind(3);
    const input = wrapped(feeds['past_key_values.1.encoder.value']);
    expect(input.data).toBe(wrapped(fetches['present.1.encoder.value']).data);
    expect(input.data).toBe(first);
    expect(input.dims).toEqual([2, 3, 7, 4]);
  });

  it('holds float16 bits for fp16 exports and reports what it reserves', () => {
    const cache = new KvCache({ ...shape, float: 'float16' }, Tensor);
    expect(wrapped(cache.bind(1).fetches['present.0.decoder.key']).data).toBeInstanceOf(Uint16Array);
    expect(cache.reservedBytes).toBe(2 * frame * (4 * 5 + 2 * 7) * 2);
  });

  it('refuses steps outside the generation and shapes that are not positive', () => {
    const cache = new KvCache(shape, Tensor);
    expect(() => cache.bind(5)).toThrow(/step 5 is outside 0 … 4/);
    expect(() => cache.bind(-1)).toThrow(RangeError);
    expect(() => new KvCache({ ...shape, heads: 0 }, Tensor)).toThrow(/heads/);
  });
});
