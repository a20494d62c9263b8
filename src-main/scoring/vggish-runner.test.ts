/**
 * The VGGish runner on the committed tiny VGGish (models/tiny/vggish): our front end and a real
 * onnxruntime session, checked against the same graph called directly on the front end's examples.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVggishModel } from '../../scripts/tiny-musicgen/scoring-models.mjs';
import { ModelTaskError } from '../inference/worker/task-error.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { vggishExamples } from './vggish-frontend.js';
import { VggishRunner } from './vggish-runner.js';
import { createModelTaskHandler } from './worker-tasks.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny');
const VGGISH = { dir: join(TINY, 'vggish') };
const tempDir = useTempDirs();

/** A sine sweep, so that every 0.96 s example differs from the others. */
function sweep(seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(16_000 * seconds) }, (_, i) => {
    const t = i / 16_000;
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

let runner: VggishRunner;
beforeAll(async () => {
  runner = await VggishRunner.load(VGGISH);
});
afterAll(async () => {
  await runner.dispose();
});

describe('VggishRunner', () => {
  it('gives one 128-d embedding per 0.96 s example, as the graph gives for the front end’s examples', async () => {
    const clip = sweep(15);
    const result = await runner.embedFrames(clip, 16_000);
    expect(result.windows).toHaveLength(15);
    expect(result.startsSeconds[1]).toBeCloseTo(0.96, 12);
    expect(result.startsSeconds[14]).toBeCloseTo(14 * 0.96, 12);

    const session = await ort.InferenceSession.create(join(VGGISH.dir, 'onnx', 'model.onnx'));
    const { count, data } = vggishExamples(clip);
    const out = await session.run({ input_features: new ort.Tensor('float32', data, [count, 1, 96, 64]) });
    await session.release();
    const direct = out.embeddings?.data as Float32Array;
    expect(result.windows.map((w) => Array.from(w))).toEqual(
      Array.from({ length: 15 }, (_, i) => Array.from(direct.subarray(i * 128, (i + 1) * 128))),
    );
    // Pre-ReLU: negative values occur, and the examples of a sweep differ.
    expect(Math.min(...result.windows.flatMap((w) => Array.from(w)))).toBeLessThan(0);
    expect(result.windows[0]).not.toEqual(result.windows[14]);
  });

  it('pads a clip shorter than 2 s with zeros (2 examples), as audioldm_eval does', async () => {
    const short = sweep(0.5);
    const padded = new Float32Array(32_000);
    padded.set(short);
    const result = await runner.embedFrames(short, 16_000);
    expect(result.windows).toHaveLength(2);
    expect(result).toEqual(await runner.embedFrames(padded, 16_000));
  });

  it('refuses other rates, empty or non-finite audio, a missing graph and a config for another front end', async () => {
    expect((await rejection(runner.embedFrames(sweep(1), 32_000))).message).toMatch(/16000 Hz, got 32000 Hz/);
    expect((await rejection(runner.embedFrames(new Float32Array(0), 16_000))).code).toBe('invalid_input');
    expect((await rejection(runner.embedFrames(Float32Array.of(0, Number.NaN), 16_000))).message).toMatch(
      /non-finite sample at index 1/,
    );
    const missing = await rejection(VggishRunner.load({ dir: join(TINY, 'no-such') }));
    expect(missing.code).toBe('missing_file');
    expect(missing.message).toMatch(/no-such\/onnx\/model\.onnx is missing/);

    const dir = tempDir();
    cpSync(VGGISH.dir, dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ sampling_rate: 44_100, num_mel_bins: 64 }));
    const wrong = await rejection(VggishRunner.load({ dir }));
    expect(wrong.code).toBe('load_failed');
    expect(wrong.message).toMatch(/does not fit the VGGish front end \(sampling_rate/);
    writeFileSync(join(dir, 'config.json'), '{ not json');
    expect((await rejection(VggishRunner.load({ dir }))).message).toMatch(/config\.json is not JSON/);
  });

  it('uses a graph whose one input and one output have other names, as another export names them', async () => {
    const dir = tempDir();
    writeVggishModel(dir, { names: { input: 'waveform_examples', output: 'vggish_out' } });
    const foreign = await VggishRunner.load({ dir });
    try {
      const clip = sweep(3);
      // The same weights under other names: the same embeddings.
      expect(await foreign.embedFrames(clip, 16_000)).toEqual(await runner.embedFrames(clip, 16_000));
    } finally {
      await foreign.dispose();
    }
  });

  it('runs as the worker task embed-frames', async () => {
    const handler = createModelTaskHandler();
    const clip = sweep(3);
    const result = await handler({ kind: 'embed-frames', model: VGGISH, audio: clip, sampleRate: 16_000 });
    expect(result).toEqual(await runner.embedFrames(clip, 16_000));
  });
});
