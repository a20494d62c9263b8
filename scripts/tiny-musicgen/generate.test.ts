import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readOnnxGraphSummary } from '../../src-main/models/onnx-graph.js';
import { useTempDirs } from '../../src-main/testing/temp-dir.js';
import fc from 'fast-check';
import { formatJson, SIZES, writeMusicgenModel } from './generate.mjs';

const tempDir = useTempDirs();
const COMMITTED = join(import.meta.dirname, '..', '..', 'models', 'tiny', 'musicgen');

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('a session output is missing');
  return value;
}

function digests(dir: string, files: string[]): Record<string, string> {
  return Object.fromEntries(
    files.map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

describe('the tiny MusicGen generator', () => {
  it('writes the same bytes for the same seed, and other weights for another seed', () => {
    const a = writeMusicgenModel(tempDir());
    const b = writeMusicgenModel(tempDir());
    const c = writeMusicgenModel(tempDir(), { seed: 2 });
    expect(a.files).toEqual(b.files);
    expect(digests(a.dir, a.files)).toEqual(digests(b.dir, b.files));
    const other = digests(c.dir, c.files);
    expect(other['onnx/decoder_model_merged.onnx']).not.toBe(digests(a.dir, a.files)['onnx/decoder_model_merged.onnx']);
    expect(other['tokenizer.json']).toBe(digests(a.dir, a.files)['tokenizer.json']);
  });

  it('matches the committed models/tiny/musicgen (regenerate it after changing the generator)', () => {
    const fresh = writeMusicgenModel(tempDir());
    expect(digests(COMMITTED, fresh.files)).toEqual(digests(fresh.dir, fresh.files));
  });

  it('gives the graphs the optimum export names and dtypes, q8 with float32 inputs and outputs', async () => {
    const { dir } = writeMusicgenModel(tempDir());
    for (const suffix of ['', '_quantized']) {
      const decoder = await readOnnxGraphSummary(join(dir, `onnx/decoder_model_merged${suffix}.onnx`));
      const inputs = Object.fromEntries(decoder.inputs.map((v) => [v.name, v.elemType]));
      expect(inputs).toMatchObject({
        encoder_attention_mask: 7,
        input_ids: 7,
        encoder_hidden_states: 1,
        use_cache_branch: 9,
        'past_key_values.0.decoder.key': 1,
        'past_key_values.1.encoder.value': 1,
      });
      expect(decoder.inputs).toHaveLength(3 + 2 * 4 + 1);
      expect(decoder.outputs.map((v) => v.name)).toEqual([
        'logits',
        ...[0, 1].flatMap((l) =>
          ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value'].map((p) => `present.${l}.${p}`),
        ),
      ]);
      const encoder = await readOnnxGraphSummary(join(dir, `onnx/text_encoder${suffix}.onnx`));
      expect(encoder.outputs).toEqual([{ name: 'last_hidden_state', elemType: 1 }]);
      const encodec = await readOnnxGraphSummary(join(dir, `onnx/encodec_decode${suffix}.onnx`));
      expect(encodec.inputs).toEqual([{ name: 'audio_codes', elemType: 7 }]);
    }
    const fp16 = await readOnnxGraphSummary(join(dir, 'onnx/decoder_model_merged_fp16.onnx'));
    const fp16Types = Object.fromEntries([...fp16.inputs, ...fp16.outputs].map((v) => [v.name, v.elemType]));
    expect(fp16Types).toMatchObject({
      input_ids: 7,
      encoder_hidden_states: 10,
      'past_key_values.0.decoder.key': 10,
      logits: 10,
      'present.1.encoder.value': 10,
    });
    const fp16Encoder = await readOnnxGraphSummary(join(dir, 'onnx/text_encoder_fp16.onnx'));
    expect(fp16Encoder.outputs).toEqual([{ name: 'last_hidden_state', elemType: 10 }]);
    const fp16Encodec = await readOnnxGraphSummary(join(dir, 'onnx/encodec_decode_fp16.onnx'));
    expect(fp16Encodec.outputs).toEqual([{ name: 'audio_values', elemType: 10 }]);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      decoder: { num_hidden_layers: number };
    };
    expect(config.decoder.num_hidden_layers).toBe(2);
  });

  it('lays JSON out in a form that parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(formatJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
    expect(formatJson({ a: [1, 2], b: { c: 'd' } })).toBe('{\n  "a": [1, 2],\n  "b": {\n    "c": "d"\n  }\n}');
  });

  it('gives --size small the musicgen-small shapes of the bundled manifest (musicgen spec §2)', () => {
    const manifest = JSON.parse(
      readFileSync(join(COMMITTED, '..', '..', 'manifests', 'xenova-musicgen-small.json'), 'utf8'),
    ) as {
      architecture: { numHiddenLayers: number; numAttentionHeads: number; hiddenSize: number; numCodebooks: number };
    };
    const { decoder, textEncoder, encodec } = SIZES.small;
    expect({
      numHiddenLayers: decoder.layers,
      numAttentionHeads: decoder.heads,
      hiddenSize: decoder.width,
      numCodebooks: decoder.codebooks,
    }).toEqual({
      numHiddenLayers: manifest.architecture.numHiddenLayers,
      numAttentionHeads: manifest.architecture.numAttentionHeads,
      hiddenSize: manifest.architecture.hiddenSize,
      numCodebooks: manifest.architecture.numCodebooks,
    });
    expect([decoder.vocab, decoder.ffn, textEncoder.width, encodec.hop]).toEqual([2048, 4096, 768, 640]);
  });

  it('decodes step by step with the KV cache to the same logits as one pass without it', async () => {
    const { dir } = writeMusicgenModel(tempDir(), { dtypes: ['fp32'] });
    const encoder = await ort.InferenceSession.create(join(dir, 'onnx/text_encoder.onnx'));
    const decoder = await ort.InferenceSession.create(join(dir, 'onnx/decoder_model_merged.onnx'));
    const i64 = (values: number[], dims: number[]) =>
      new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
    // Two rows, the second padded: the classifier-free-guidance layout has an all-zero mask row.
    const mask = i64([1, 1, 1, 0, 0, 0], [2, 3]);
    const { last_hidden_state: states } = await encoder.run({
      input_ids: i64([5, 21, 1, 0, 0, 0], [2, 3]),
      attention_mask: mask,
    });
    const T = 3;
    const tokens = Array.from({ length: 8 * T }, (_, i) => (i * 7) % 65); // includes the pad id 64
    const emptyPast = () => new ort.Tensor('float32', new Float32Array(0), [0, 2, 0, 16]);
    const pastNames = [0, 1].flatMap((l) =>
      ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value'].map((p) => `${l}.${p}`),
    );
    const feeds = (ids: ort.Tensor, useCache: boolean, past: Record<string, ort.Tensor>) => ({
      input_ids: ids,
      encoder_hidden_states: required(states),
      encoder_attention_mask: mask,
      use_cache_branch: new ort.Tensor('bool', Uint8Array.from([useCache ? 1 : 0]), [1]),
      ...Object.fromEntries(pastNames.map((n) => [`past_key_values.${n}`, past[n] ?? emptyPast()])),
    });
    const full = await decoder.run(feeds(i64(tokens, [8, T]), false, {}));
    const fullLogits = required(full.logits).data as Float32Array;
    expect(required(full.logits).dims).toEqual([8, T, 64]);

    let past: Record<string, ort.Tensor> = {};
    for (let t = 0; t < T; t++) {
      const column = Array.from({ length: 8 }, (_, row) => tokens[row * T + t] ?? 0);
      const out = await decoder.run(feeds(i64(column, [8, 1]), t > 0, past));
      expect(required(out['present.0.decoder.key']).dims).toEqual([2, 2, t + 1, 16]);
      const step = required(out.logits).data as Float32Array;
      for (let row = 0; row < 8; row++) {
        for (let v = 0; v < 64; v++) {
          expect(step[row * 64 + v]).toBeCloseTo(fullLogits[(row * T + t) * 64 + v] ?? Number.NaN, 4);
        }
      }
      // The with-past branch returns empty constants as its cross-attention cache (optimum's merged
      // layout): the caller keeps the first step's, as transformers.js does.
      if (t > 0) expect(required(out['present.1.encoder.value']).dims).toEqual([0, 2, 0, 16]);
      past = Object.fromEntries(
        pastNames.map((n) => [n, n.includes('encoder') && t > 0 ? required(past[n]) : required(out[`present.${n}`])]),
      );
    }
    await encoder.release();
    await decoder.release();
  });
});
