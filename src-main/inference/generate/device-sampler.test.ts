/**
 * DeviceSampler's feeds on onnxruntime's CPU provider (the graph is the same on every provider):
 * each row draws from its own generator in row order, as the host loop does, k is clamped to the
 * vocabulary, and the feeds it reports are the host tensors it uploaded.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { DeviceSampler } from './device-sampler.js';
import { applyGuidance, sampleTopK, SeededRandom, TopKScratch } from './sampling.js';

const sampler = new DeviceSampler(ort, 'cpu', 'float32');
afterAll(() => sampler.dispose());

describe('DeviceSampler', () => {
  it("draws each row from its prompt's generator in row order, as the host loop does", async () => {
    const vocab = 16;
    const K = 2;
    const rows = 2 * K; // two prompts
    const source = new SeededRandom(3);
    // Multiples of 1/4: guidance with scale 2 rounds alike in float32 and float64.
    const logits = Float32Array.from({ length: 2 * rows * vocab }, () => Math.floor(source.next() * 32) / 4);
    const device = [new SeededRandom(100), new SeededRandom(200)];
    const host = [new SeededRandom(100), new SeededRandom(200)];
    const scores = new Float32Array(rows * vocab);
    applyGuidance(logits, rows, vocab, 2, scores);
    const scratch = new TopKScratch(vocab);
    for (let step = 0; step < 5; step++) {
      const { tokens, feeds } = await sampler.choose(new ort.Tensor('float32', logits, [2 * rows, 1, vocab]), {
        rows,
        vocab,
        guidanceScale: 2,
        sampling: {
          temperature: 1,
          topK: 1000,
          randoms: [0, 1, 2, 3].map((i) => device[Math.floor(i / K)] as SeededRandom),
        },
      });
      const expected = Array.from({ length: rows }, (_, i) =>
        sampleTopK(scores, i * vocab, vocab, 1000, host[Math.floor(i / K)] as SeededRandom, scratch),
      );
      expect([step, Array.from(tokens, Number)]).toEqual([step, expected]);
      // k = 1000 is clamped to the vocabulary, as sampleTopK clamps it.
      expect(Array.from(feeds.top_k?.data as BigInt64Array)).toEqual([16n]);
      expect(feeds.uniform?.dims).toEqual([rows, 1]);
    }
  });

  it('returns a token past the vocabulary for a row of NaN, and the tokens only as output', async () => {
    const logits = Float32Array.from([1, 5, 2, Number.NaN, Number.NaN, Number.NaN]);
    const { tokens, outputs } = await sampler.choose(new ort.Tensor('float32', logits, [2, 1, 3]), {
      rows: 2,
      vocab: 3,
      guidanceScale: null,
      sampling: null,
    });
    expect(Number(tokens[0])).toBe(1);
    expect(Number(tokens[1])).toBeGreaterThanOrEqual(3);
    expect(Object.keys(outputs)).toEqual(['tokens']);
  });
});
