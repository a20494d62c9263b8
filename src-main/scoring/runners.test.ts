/**
 * The CLAP and AudioSet-classifier runners on the committed tiny models (models/tiny/clap, ast):
 * real transformers.js feature extractors and onnxruntime sessions, checked against the same
 * models called directly.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  AutoFeatureExtractor,
  AutoModelForAudioClassification,
  AutoTokenizer,
  ClapTextModelWithProjection,
  env,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelTaskError } from '../inference/worker/task-error.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { AudioClassifierRunner } from './classifier-runner.js';
import { ClapRunner } from './clap-runner.js';
import { dot, l2Normalize } from './cosine.js';
import { softmax } from './kl-divergence.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny');
const CLAP = { dir: join(TINY, 'clap') };
const AST = { dir: join(TINY, 'ast') };
const tempDir = useTempDirs();

/** A sine sweep, so that every window of the clip differs from the others. */
function sweep(sampleRate: number, seconds: number): Float32Array {
  const n = Math.round(sampleRate * seconds);
  return Float32Array.from({ length: n }, (_, i) => {
    const t = i / sampleRate;
    return 0.5 * Math.sin(2 * Math.PI * (200 * t + 150 * t * t));
  });
}

async function rejection(promise: Promise<unknown>): Promise<ModelTaskError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ModelTaskError)) throw new Error(`expected a ModelTaskError, got ${String(error)}`);
  return error;
}

let clap: ClapRunner;
let classifier: AudioClassifierRunner;
beforeAll(async () => {
  [clap, classifier] = await Promise.all([ClapRunner.load(CLAP), AudioClassifierRunner.load(AST)]);
});
afterAll(async () => {
  await Promise.all([clap.dispose(), classifier.dispose()]);
});

describe('ClapRunner', () => {
  it('embeds text at exactly 77 tokens: unit vectors equal to the normalised text_embeds of a 77-token input', async () => {
    expect(clap.sampleRate).toBe(48_000);
    expect(clap.windowSamples).toBe(480_000);
    const { embeddings } = await clap.embedText(['calm piano music', 'fast rock with drums']);
    expect(embeddings).toHaveLength(2);
    const [first, second] = embeddings;
    if (!first || !second) throw new Error('missing embeddings');
    expect(dot(first, first)).toBeCloseTo(1, 6);
    expect(dot(first, second)).toBeLessThan(0.999999);

    env.allowRemoteModels = false;
    env.localModelPath = `${TINY}/`;
    const tokenizer = await AutoTokenizer.from_pretrained('clap');
    const model = await ClapTextModelWithProjection.from_pretrained('clap', { dtype: 'fp32', device: 'cpu' });
    const inputs = tokenizer(['calm piano music'], { padding: 'max_length', truncation: true, max_length: 77 });
    expect(inputs.input_ids.dims).toEqual([1, 77]);
    const direct = (await model(inputs)) as { text_embeds: { data: Float32Array } };
    expect(Array.from(first)).toEqual(Array.from(Float32Array.from(l2Normalize(direct.text_embeds.data))));
    await model.dispose();
  });

  it('truncates prompts at 77 tokens: texts that differ only after token 77 embed identically', async () => {
    // Each 'x ' is one byte token per character; 100 of them run far past 77 tokens.
    const long = 'x '.repeat(100);
    const { embeddings } = await clap.embedText([`${long}calm`, `${long}rock`, 'calm']);
    expect(Array.from(embeddings[0] ?? [])).toEqual(Array.from(embeddings[1] ?? []));
    expect(Array.from(embeddings[0] ?? [])).not.toEqual(Array.from(embeddings[2] ?? []));
  });

  it('embeds 15 s of audio as three 10 s windows at 0, 2.5 and 5 s, each the embedding of that slice alone', async () => {
    const audio = sweep(48_000, 15);
    const result = await clap.embedAudio(audio, 48_000);
    expect(result.startsSeconds).toEqual([0, 2.5, 5]);
    expect(result.windows).toHaveLength(3);
    for (const [k, start] of result.startsSeconds.entries()) {
      const window = result.windows[k] ?? new Float32Array();
      expect(dot(window, window)).toBeCloseTo(1, 6);
      const alone = await clap.embedAudio(audio.slice(start * 48_000, start * 48_000 + 480_000), 48_000);
      expect(alone.startsSeconds).toEqual([0]);
      expect(Array.from(alone.windows[0] ?? [])).toEqual(Array.from(window));
    }
    // The mean of the unit windows: its dot with a unit text vector is the mean of the cosines.
    const [text] = (await clap.embedText(['calm piano music'])).embeddings;
    if (!text) throw new Error('no text embedding');
    const meanCosine = result.windows.reduce((sum, w) => sum + dot(w, text), 0) / 3;
    expect(dot(result.mean, text)).toBeCloseTo(meanCosine, 6);
    // Deterministic: the same clip gives the same embeddings (no random crop).
    const again = await clap.embedAudio(audio, 48_000);
    expect(again.windows.map((w) => Array.from(w))).toEqual(result.windows.map((w) => Array.from(w)));
  });

  it('refuses audio at another sample rate, empty audio and NaN with invalid_input', async () => {
    const wrongRate = await rejection(clap.embedAudio(sweep(32_000, 1), 32_000));
    expect([wrongRate.code, wrongRate.message]).toEqual([
      'invalid_input',
      'CLAP needs audio at 48000 Hz, got 32000 Hz; resample it first.',
    ]);
    expect((await rejection(clap.embedAudio(new Float32Array(0), 48_000))).code).toBe('invalid_input');
    const nan = Float32Array.from([0, 0.1, Number.NaN]);
    expect((await rejection(clap.embedAudio(nan, 48_000))).message).toMatch(/non-finite sample at index 2/);
    expect((await rejection(clap.embedText([]))).code).toBe('invalid_input');
  });

  it('names the missing file when a tower is absent', async () => {
    const dir = join(tempDir(), 'clap');
    cpSync(CLAP.dir, dir, { recursive: true });
    rmSync(join(dir, 'onnx', 'audio_model.onnx'));
    const error = await rejection(ClapRunner.load({ dir }));
    expect(error.code).toBe('missing_file');
    expect(error.message).toContain('audio_model.onnx');
  });
});

describe('AudioClassifierRunner', () => {
  it('gives softmax probabilities over 527 labels per 10.24 s window: two windows for 15 s', async () => {
    expect([classifier.sampleRate, classifier.windowSamples, classifier.labels.length]).toEqual([16_000, 163_840, 527]);
    expect(classifier.labels[137]).toBe('Music');
    const audio = sweep(16_000, 15);
    const result = await classifier.classify(audio, 16_000);
    expect(result.startsSeconds).toEqual([0, 4.76]);
    for (const p of result.windows) {
      expect(p).toHaveLength(527);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(Math.min(...p)).toBeGreaterThan(0);
    }

    env.allowRemoteModels = false;
    env.localModelPath = `${TINY}/`;
    const extractor = await AutoFeatureExtractor.from_pretrained('ast');
    const model = await AutoModelForAudioClassification.from_pretrained('ast', { dtype: 'fp32', device: 'cpu' });
    const second = audio.slice(76_160, 240_000);
    const direct = (await model(await extractor(second))) as { logits: { data: Float32Array } };
    expect(Array.from(result.windows[1] ?? [])).toEqual(Array.from(Float32Array.from(softmax(direct.logits.data))));
    await model.dispose();
  });

  it('classifies a clip shorter than 10.24 s as one padded window, and refuses 32 kHz audio', async () => {
    const result = await classifier.classify(sweep(16_000, 3), 16_000);
    expect(result.startsSeconds).toEqual([0]);
    expect(result.windows).toHaveLength(1);
    expect((await rejection(classifier.classify(sweep(32_000, 1), 32_000))).code).toBe('invalid_input');
  });
});
