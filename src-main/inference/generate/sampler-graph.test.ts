/**
 * The sampler graph (sampler-graph.ts) against the host sampler (sampling.ts) on onnxruntime's
 * CPU provider, which runs everywhere; the WebGPU provider runs the same graph in
 * ort-decoder-webgpu.test.ts. Logits are small multiples of 1/8 so that guidance and temperature
 * round the same in float32 and float64, and the comparison tests the graph's logic, not rounding.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { SAMPLER, samplerModel, type SamplerVariant } from './sampler-graph.js';
import { applyGuidance, applyTemperature, argmax, sampleTopK, SeededRandom, TopKScratch } from './sampling.js';

const sessions = new Map<string, Promise<ort.InferenceSession>>();
function session(variant: SamplerVariant): Promise<ort.InferenceSession> {
  const key = JSON.stringify(variant);
  let s = sessions.get(key);
  if (!s) {
    s = ort.InferenceSession.create(samplerModel(variant), { executionProviders: ['cpu'], logSeverityLevel: 3 });
    sessions.set(key, s);
  }
  return s;
}

interface Case {
  logits: Float32Array;
  rows: number;
  vocab: number;
  guidance: number | null;
  sample: { temperature: number; topK: number; uniform: Float32Array } | null;
}

async function onGraph({ logits, rows, vocab, guidance, sample }: Case): Promise<number[]> {
  const s = await session({ guided: guidance !== null, greedy: sample === null, float: 'float32', vocab });
  const logitRows = guidance !== null ? 2 * rows : rows;
  const feeds: Record<string, ort.Tensor> = {
    [SAMPLER.logits]: new ort.Tensor('float32', logits, [logitRows, 1, vocab]),
  };
  if (guidance !== null) feeds[SAMPLER.guidanceScale] = new ort.Tensor('float32', Float32Array.of(guidance), []);
  if (sample) {
    feeds[SAMPLER.temperature] = new ort.Tensor('float32', Float32Array.of(sample.temperature), []);
    feeds[SAMPLER.topK] = new ort.Tensor('int64', BigInt64Array.of(BigInt(sample.topK)), [1]);
    feeds[SAMPLER.topKFloat] = new ort.Tensor('float32', Float32Array.of(sample.topK), []);
    feeds[SAMPLER.uniform] = new ort.Tensor('float32', sample.uniform, [rows, 1]);
  }
  const out = await s.run(feeds);
  const tokens = out[SAMPLER.tokens] as ort.Tensor;
  expect(tokens.type).toBe('int64');
  expect(tokens.dims).toEqual([rows]);
  return Array.from(tokens.data as BigInt64Array, Number);
}

/** The host's choice with the same draws (a generator that replays `uniform`). */
function onHost({ logits, rows, vocab, guidance, sample }: Case): number[] {
  let scores = logits;
  if (guidance !== null) {
    scores = new Float32Array(rows * vocab);
    applyGuidance(logits, rows, vocab, guidance, scores);
  } else scores = Float32Array.from(logits);
  if (sample) applyTemperature(scores, sample.temperature);
  const scratch = new TopKScratch(vocab);
  return Array.from({ length: rows }, (_, i) => {
    if (!sample) return argmax(scores, i * vocab, vocab);
    const replay = { next: () => sample.uniform[i] as number } as SeededRandom;
    return sampleTopK(scores, i * vocab, vocab, sample.topK, replay, scratch);
  });
}

function eighths(random: SeededRandom, n: number, spread = 64): Float32Array {
  return Float32Array.from({ length: n }, () => Math.floor(random.next() * spread) / 8 - spread / 16);
}

describe('the sampler graph on the CPU provider', () => {
  const vocab = 64;
  const rows = 8;

  for (const guidance of [3, null]) {
    it(`picks the host's greedy tokens (${guidance === null ? 'unguided' : `guidance ${guidance}`})`, async () => {
      const random = new SeededRandom(11);
      const c: Case = {
        logits: eighths(random, (guidance ? 2 : 1) * rows * vocab, 4096),
        rows,
        vocab,
        guidance,
        sample: null,
      };
      const expected = onHost(c);
      expect(await onGraph(c)).toEqual(expected);
    });

    for (const [topK, temperature] of [
      [250, 1],
      [5, 2],
      [1, 1],
    ] as const) {
      it(`draws the host's tokens with the same uniforms (top-k ${topK}, temperature ${temperature}, ${guidance === null ? 'unguided' : 'guided'})`, async () => {
        const random = new SeededRandom(23 + topK);
        for (let round = 0; round < 20; round++) {
          const uniform = Float32Array.from({ length: rows }, () => random.next());
          const c: Case = {
            logits: eighths(random, (guidance ? 2 : 1) * rows * vocab),
            rows,
            vocab,
            guidance,
            sample: { temperature, topK: Math.min(topK, vocab), uniform },
          };
          expect([round, await onGraph(c)]).toEqual([round, onHost(c)]);
        }
      });
    }
  }

  it('keeps ties with the k-th value in index order, as many as fit', async () => {
    // Row: 2 above the threshold (5, 4), then four 3s; k = 4 keeps the first two 3s (indices 0, 1).
    const logits = Float32Array.from([3, 3, 5, 3, 4, 3, 0, 0]);
    const draws = [0, 0.2, 0.5, 0.8, 0.9999];
    for (const u of draws) {
      const c: Case = {
        logits,
        rows: 1,
        vocab: 8,
        guidance: null,
        sample: { temperature: 1, topK: 4, uniform: Float32Array.of(u) },
      };
      const token = (await onGraph(c))[0];
      expect([u, token]).toEqual([u, onHost(c)[0]]);
      expect([0, 1, 2, 4]).toContain(token);
    }
  });

  it('gives the last kept token when the draw rounds up to the total', async () => {
    const logits = Float32Array.from([0, 1, 0, 1, 0, 0]);
    const c: Case = {
      logits,
      rows: 1,
      vocab: 6,
      guidance: null,
      sample: { temperature: 1, topK: 2, uniform: Float32Array.of(1) },
    };
    expect(await onGraph(c)).toEqual([3]);
  });

  it('flags a row with a non-finite value with a token past the vocabulary, and only that row', async () => {
    const logits = Float32Array.from([1, 2, 3, 0, Number.NaN, 1, 2, 3, Number.POSITIVE_INFINITY, 0, 0, 1]);
    for (const sample of [null, { temperature: 1, topK: 2, uniform: Float32Array.of(0.5, 0.5, 0.5) }]) {
      const tokens = await onGraph({ logits, rows: 3, vocab: 4, guidance: null, sample });
      expect(tokens[0]).toBeLessThan(4);
      expect(tokens[1]).toBeGreaterThanOrEqual(4);
      expect(tokens[2]).toBeGreaterThanOrEqual(4);
    }
  });

  it('reads float16 logits exactly', async () => {
    const s = await session({ guided: true, greedy: true, float: 'float16', vocab: 4 });
    // 1.0, 2.0, 0.5, 0.0 | 0, 0, 1.0, 0 in IEEE half: guided (scale 3): 3, 6, -0.5, 0 → token 1.
    const half = Uint16Array.from([0x3c00, 0x4000, 0x3800, 0x0000, 0, 0, 0x3c00, 0]);
    const out = await s.run({
      [SAMPLER.logits]: new ort.Tensor('float16', half, [2, 1, 4]),
      [SAMPLER.guidanceScale]: new ort.Tensor('float32', Float32Array.of(3), []),
    });
    expect(Array.from((out[SAMPLER.tokens] as ort.Tensor).data as BigInt64Array, Number)).toEqual([1]);
  });

  it('refuses a vocabulary it cannot index exactly in float32', () => {
    expect(() => samplerModel({ guided: false, greedy: true, float: 'float32', vocab: 0 })).toThrow(/vocabulary/);
    expect(() => samplerModel({ guided: false, greedy: true, float: 'float32', vocab: 2 ** 24 + 1 })).toThrow(
      /vocabulary/,
    );
  });
});
