import { describe, expect, it } from 'vitest';
import { KvCache, type TensorConstructor } from './kv-cache.js';

/** A stand-in for onnxruntime's Tensor that keeps what it wraps. */
class FakeTensor {
  constructor(
    readonly type: string,
    readonly data: Float32Array | Uint16Array,
    readonly dims: readonly number[],
  ) {}
  get size(): number {
    return this.data.length;
  }
}
const Tensor = FakeTensor as unknown as TensorConstructor;
const shape = { layers: 2, batch: 2, heads: 3, headDim: 4, steps: 5, float: 'float32' as const };
const frame = 2 * 3 * 4;

function wrapped(t: unknown): FakeTensor {
  expect(t).toBeInstanceOf(FakeTensor);
  return t as FakeTensor;
}

/** What one decoder step returns: frame `value` for every self-attention part, cross-attention once. */
function outputs(value: number, withCross: boolean) {
  const out: Record<string, FakeTensor> = {};
  for (let l = 0; l < 2; l++) {
    for (const part of ['key', 'value']) {
      out[`present.${l}.decoder.${part}.last_frame`] = new FakeTensor(
        'float32',
        new Float32Array(frame).fill(value),
        [2, 3, 1, 4],
      );
      if (withCross)
        out[`present.${l}.encoder.${part}`] = new FakeTensor('float32', new Float32Array(2 * 3 * 7 * 4), [2, 3, 7, 4]);
    }
  }
  return out as unknown as Parameters<KvCache['store']>[0];
}

describe('KvCache (time-major, one buffer per key and value)', () => {
  it('feeds empty pasts on step 0 and asks for the cross-attention cache once', () => {
    const cache = new KvCache(shape, Tensor);
    const { feeds, fetches } = cache.bind();
    expect(Object.keys(feeds)).toHaveLength(8);
    expect(wrapped(feeds['past_key_values.1.decoder.value.time_major']).dims).toEqual([0, 2, 3, 4]);
    expect(wrapped(feeds['past_key_values.1.encoder.key']).dims).toEqual([2, 3, 0, 4]);
    expect(Object.keys(fetches).sort()).toEqual(
      [0, 1]
        .flatMap((l) =>
          ['key', 'value'].flatMap((p) => [`present.${l}.decoder.${p}.last_frame`, `present.${l}.encoder.${p}`]),
        )
        .sort(),
    );
    cache.store(outputs(1, true));
    const next = cache.bind();
    expect(Object.keys(next.fetches).every((name) => name.endsWith('.last_frame'))).toBe(true);
    expect(wrapped(next.feeds['past_key_values.0.encoder.value']).dims).toEqual([2, 3, 7, 4]);
  });

  it('appends each returned frame and feeds the first n frames of the same buffer on step n', () => {
    const cache = new KvCache(shape, Tensor);
    const buffers = new Set<ArrayBufferLike>();
    for (let n = 0; n < 5; n++) {
      const past = wrapped(cache.bind().feeds['past_key_values.1.decoder.key.time_major']);
      expect(past.dims).toEqual([n, 2, 3, 4]);
      expect([...past.data]).toEqual(Array.from({ length: n * frame }, (_, i) => Math.floor(i / frame) + 10));
      buffers.add(past.data.buffer);
      cache.store(outputs(n + 10, n === 0));
      expect(cache.length).toBe(n + 1);
    }
    expect(buffers.size).toBe(1);
    expect(cache.reservedBytes).toBe(4 * frame * 5 * 4);
    expect(() => cache.bind()).toThrow(/full after 5 steps/);
  });

  it('refuses a frame of the wrong size or type, and shapes that are not positive', () => {
    const cache = new KvCache({ ...shape, float: 'float16' }, Tensor);
    expect(() => cache.store(outputs(1, true))).toThrow(/should be float16 \[24\]/);
    expect(() => new KvCache({ ...shape, heads: 0 }, Tensor)).toThrow(/heads/);
  });
});
