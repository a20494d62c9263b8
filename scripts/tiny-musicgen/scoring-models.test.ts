import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  AutoFeatureExtractor,
  AutoModelForAudioClassification,
  AutoTokenizer,
  ClapAudioModelWithProjection,
  ClapTextModelWithProjection,
  env,
} from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { readOnnxGraphSummary } from '../../src-main/models/onnx-graph.js';
import { CLAP_GATE, normalizeFad } from '../../src-main/scoring/aggregation.js';
import { ClapRunner } from '../../src-main/scoring/clap-runner.js';
import { dot } from '../../src-main/scoring/cosine.js';
import { frechetDistanceFromFrames } from '../../src-main/scoring/frechet.js';
import { VggishRunner } from '../../src-main/scoring/vggish-runner.js';
import { useTempDirs } from '../../src-main/testing/temp-dir.js';
import { SCORING_SHAPES, writeClapModel, writeScoringModels } from './scoring-models.mjs';

const tempDir = useTempDirs();
const COMMITTED = join(import.meta.dirname, '..', '..', 'models', 'tiny');

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

function sine(hz: number, sampleRate: number, samples: number): Float32Array {
  return Float32Array.from({ length: samples }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
}

describe('the tiny scoring-model generator', () => {
  it('writes the same bytes for the same seed, matching the committed models/tiny/{clap,ast,vggish}', () => {
    const a = writeScoringModels(tempDir());
    const b = writeScoringModels(tempDir());
    for (const kind of ['clap', 'ast', 'vggish'] as const) {
      expect(digests(a[kind].dir, a[kind].files)).toEqual(digests(b[kind].dir, b[kind].files));
      expect(digests(join(COMMITTED, kind), a[kind].files)).toEqual(digests(a[kind].dir, a[kind].files));
    }
    const other = writeScoringModels(tempDir(), { seed: 2 });
    expect(digests(other.clap.dir, ['onnx/audio_model.onnx'])).not.toEqual(
      digests(a.clap.dir, ['onnx/audio_model.onnx']),
    );
  });

  it('gives each graph the names and dtypes transformers.js feeds and reads', async () => {
    const root = tempDir();
    writeScoringModels(root);
    const summary = async (path: string) => {
      const s = await readOnnxGraphSummary(join(root, path));
      return { inputs: s.inputs, outputs: s.outputs.map((o) => o.name).sort() };
    };
    expect(await summary('clap/onnx/audio_model.onnx')).toEqual({
      inputs: [{ name: 'input_features', elemType: 1 }],
      outputs: ['audio_embeds', 'last_hidden_state'],
    });
    expect(await summary('clap/onnx/text_model.onnx')).toEqual({
      inputs: [
        { name: 'input_ids', elemType: 7 },
        { name: 'attention_mask', elemType: 7 },
      ],
      outputs: ['last_hidden_state', 'text_embeds'],
    });
    expect(await summary('ast/onnx/model.onnx')).toEqual({
      inputs: [{ name: 'input_values', elemType: 1 }],
      outputs: ['logits'],
    });
    expect(await summary('vggish/onnx/model.onnx')).toEqual({
      inputs: [{ name: 'input_features', elemType: 1 }],
      outputs: ['embeddings'],
    });
  });

  it('loads in transformers.js: CLAP towers, feature extractors and tokenizer, AST with 527 labels', async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${COMMITTED}/`;
    const tokenizer = await AutoTokenizer.from_pretrained('clap');
    const text = tokenizer(['calm piano music'], { padding: 'max_length', truncation: true, max_length: 77 });
    expect(text.input_ids.dims).toEqual([1, 77]);
    // <s> … </s> then <pad> (id 1) to 77, as roberta-base pads.
    const ids = Array.from(text.input_ids.data as BigInt64Array, Number);
    expect(ids[0]).toBe(0);
    expect(ids.at(-1)).toBe(1);
    const textModel = await ClapTextModelWithProjection.from_pretrained('clap', { dtype: 'fp32', device: 'cpu' });
    const { text_embeds: textEmbeds } = (await textModel(text)) as { text_embeds: { dims: number[] } };
    expect(textEmbeds.dims).toEqual([1, SCORING_SHAPES.clap.projection]);

    const clapFeatures = await AutoFeatureExtractor.from_pretrained('clap');
    const { input_features: features } = (await clapFeatures(sine(440, 48_000, 480_000))) as {
      input_features: { dims: number[] };
    };
    expect(features.dims).toEqual([1, 1, 1001, 64]); // 480 000 samples at hop 480, centred (scoring spec §2.1)
    const audioModel = await ClapAudioModelWithProjection.from_pretrained('clap', { dtype: 'fp32', device: 'cpu' });
    const { audio_embeds: audioEmbeds } = (await audioModel({ input_features: features })) as {
      audio_embeds: { dims: number[] };
    };
    expect(audioEmbeds.dims).toEqual([1, SCORING_SHAPES.clap.projection]);

    const astFeatures = await AutoFeatureExtractor.from_pretrained('ast');
    const { input_values: values } = (await astFeatures(sine(440, 16_000, 163_840))) as {
      input_values: { dims: number[] };
    };
    expect(values.dims).toEqual([1, 1024, 128]);
    const ast = await AutoModelForAudioClassification.from_pretrained('ast', { dtype: 'fp32', device: 'cpu' });
    const { logits } = (await ast({ input_values: values })) as { logits: { dims: number[] } };
    expect(logits.dims).toEqual([1, 527]);
    const labels = (ast.config as unknown as { id2label: Record<string, string> }).id2label;
    expect([labels['0'], labels['137'], Object.keys(labels).length]).toEqual(['Speech', 'Music', 527]);
    await Promise.all([textModel.dispose(), audioModel.dispose(), ast.dispose()]);
  });

  it("opens CLAP's gate for prompts and tonal clips through the towers' shared direction, which the random towers alone do not", async () => {
    // Half-second clips at 48 kHz, as the local network's validator embeds them.
    const chord = (hz: number[]) =>
      Float32Array.from({ length: 24_000 }, (_, i) =>
        hz.reduce((s, f) => s + 0.2 * Math.sin((2 * Math.PI * f * i) / 48_000), 0),
      );
    const clips = [sine(440, 48_000, 24_000), chord([220, 277, 330]), chord([98, 147, 1175])];
    const prompts = ['calm piano music', 'fast rock with drums', 'solo cello playing a sad slow melody'];
    const cosines = async (dir: string): Promise<number[]> => {
      const clap = await ClapRunner.load({ dir, device: 'cpu' });
      try {
        const { embeddings } = await clap.embedText(prompts);
        const audio = await Promise.all(clips.map(async (c) => (await clap.embedAudio(c, 48_000)).mean));
        return embeddings.flatMap((text) => audio.map((a) => dot(a, text)));
      } finally {
        await clap.dispose();
      }
    };
    const committed = await cosines(join(COMMITTED, 'clap'));
    for (const cosine of committed) expect(cosine).toBeGreaterThan(CLAP_GATE);
    // The rest of the embedding still follows the input: nine pairs, nine different cosines.
    expect(new Set(committed.map((c) => c.toFixed(4))).size).toBe(committed.length);
    const unrelated = await cosines(writeClapModel(tempDir(), { agreement: 0 }).dir);
    expect(Math.min(...unrelated)).toBeLessThanOrEqual(CLAP_GATE);
  });

  it("puts the FAD of different half-second clips on the tiny VGGish where fixed's normaliser still tells them apart", async () => {
    const runner = await VggishRunner.load({ dir: join(COMMITTED, 'vggish'), device: 'cpu' });
    try {
      const frames = async (hz: number) => (await runner.embedFrames(sine(hz, 16_000, 8_000), 16_000)).windows;
      const [low, high, higher] = await Promise.all([frames(220), frames(880), frames(3_520)]);
      const fads = [frechetDistanceFromFrames(low, high).distance, frechetDistanceFromFrames(low, higher).distance];
      for (const fad of fads) {
        expect(fad).toBeGreaterThan(0);
        // Neither 1 (identical) nor 0 (≥ 10, the floor every answer sat at before the scale).
        expect(normalizeFad('fixed', fad)).toBeGreaterThan(0);
        expect(normalizeFad('fixed', fad)).toBeLessThan(1);
      }
      expect(fads[0]).not.toBeCloseTo(fads[1] ?? 0, 3);
    } finally {
      await runner.dispose();
    }
  });

  it('keeps VGGish embeddings pre-ReLU (negative values occur) at 128 dimensions per 0.96 s example', async () => {
    const session = await ort.InferenceSession.create(join(COMMITTED, 'vggish', 'onnx', 'model.onnx'));
    const examples = 15;
    const input = Float32Array.from({ length: examples * 96 * 64 }, (_, i) => Math.sin(i * 0.37) * 3);
    const out = await session.run({ input_features: new ort.Tensor('float32', input, [examples, 1, 96, 64]) });
    const embeddings = out.embeddings;
    if (!embeddings) throw new Error('no embeddings output');
    expect(embeddings.dims).toEqual([examples, 128]);
    expect(Math.min(...(embeddings.data as Float32Array))).toBeLessThan(0);
    await session.release();
  });
});
