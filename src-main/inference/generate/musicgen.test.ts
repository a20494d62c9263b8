import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../testing/temp-dir.js';
import { GenerationError } from './errors.js';
import {
  MusicgenGenerator,
  type BatchJob,
  type GenerateOptions,
  type GeneratedAudio,
  type GenerationProgress,
} from './musicgen.js';
import type { MusicRequest } from './request.js';

// The committed tiny model (scripts/tiny-musicgen): the optimum graph signatures, random weights.
const TINY = join(import.meta.dirname, '..', '..', '..', 'models', 'tiny', 'musicgen');
const tempDir = useTempDirs();

const fp32 = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' });
const q8 = new MusicgenGenerator({ dir: TINY, dtype: 'q8' });
afterAll(async () => {
  await fp32.dispose();
  await q8.dispose();
});

function copyOfTiny(): string {
  const dir = join(tempDir(), 'musicgen');
  cpSync(TINY, dir, { recursive: true });
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<GenerationError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GenerationError);
  return error as GenerationError;
}

describe('MusicgenGenerator on the tiny model', () => {
  it('makes exactly s seconds at 32 kHz: max_new_tokens = 50·s + 3, (tokens − 3)·640 samples', async () => {
    const first = await fp32.generate({ prompt: 'Rock with drums', durationSeconds: 1, seed: 1 });
    expect(first).toMatchObject({ sampleRate: 32000, steps: 53, model: 'musicgen', device: 'cpu', seed: 1 });
    expect(first.dtype).toEqual({ text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' });
    expect(first.audio).toBeInstanceOf(Float32Array);
    expect(first.audio.length).toBe(32000);
    expect(first.audio.every((s) => Number.isFinite(s) && Math.abs(s) <= 1)).toBe(true);
    expect(Math.max(...first.audio.map(Math.abs))).toBeGreaterThan(0.01);
    const again = await fp32.generate({ prompt: 'calm piano', durationTokens: 10 });
    expect(again.audio.length).toBe(7 * 640);
    expect(again.steps).toBe(10);
    expect(again.seed).toEqual(expect.any(Number));
    expect(again.timings.loadMs).toBeUndefined();
    for (const t of [again.timings.encodeMs, again.timings.decodeMs, again.timings.audioMs]) {
      expect(t).toBeGreaterThanOrEqual(0);
    }
    expect(again.timings.totalMs).toBeGreaterThanOrEqual(again.timings.decodeMs);
  });

  it('reports the load time on the call that loaded', async () => {
    const generator = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' });
    const result = await generator.generate({ prompt: 'jazz', durationTokens: 5, decoding: 'greedy' });
    expect(result.timings.loadMs).toBeGreaterThan(0);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.loadMs ?? Infinity);
    await generator.dispose();
  });

  it('is reproducible with a seed, also when generations overlap, and differs with another seed', async () => {
    const request = { prompt: 'epic synth beat', durationTokens: 30 };
    const [a, b, c] = await Promise.all([
      fp32.generate({ ...request, seed: 42 }),
      fp32.generate({ ...request, seed: 7 }),
      q8.generate({ ...request, seed: 42 }),
    ]);
    const again = await fp32.generate({ ...request, seed: 42 });
    expect(again.audio).toEqual(a.audio);
    expect(b.audio).not.toEqual(a.audio);
    expect(c.audio.length).toBe(a.audio.length);
    expect(c.dtype.decoder_model_merged).toBe('q8');
  });

  it('decodes greedily, deterministically and without a seed', async () => {
    const request = { prompt: 'slow ambient piano', durationTokens: 20, decoding: 'greedy' as const };
    const a = await fp32.generate(request);
    const b = await fp32.generate({ ...request, seed: 99 });
    expect(a.seed).toBeNull();
    expect(b.audio).toEqual(a.audio);
  });

  it('applies classifier-free guidance: guidance 1 and 3 give different audio for the same seed', async () => {
    const request = { prompt: 'happy pop', durationTokens: 20, decoding: 'greedy' as const };
    const off = await fp32.generate({ ...request, guidanceScale: 1 });
    const on = await fp32.generate({ ...request, guidanceScale: 3 });
    const strong = await fp32.generate({ ...request, guidanceScale: 8 });
    expect(off.audio.length).toBe(on.audio.length);
    expect(on.audio).not.toEqual(off.audio);
    expect(strong.audio).not.toEqual(on.audio);
  });

  it('takes the prompt into account', async () => {
    const request = { durationTokens: 20, decoding: 'greedy' as const };
    const a = await fp32.generate({ ...request, prompt: 'sad guitar' });
    const b = await fp32.generate({ ...request, prompt: 'fast drums and bass' });
    expect(b.audio).not.toEqual(a.audio);
  });

  it('reports progress once per step, 0 … steps, in order', async () => {
    const events: GenerationProgress[] = [];
    await fp32.generate({ prompt: 'lofi beat', durationTokens: 12, seed: 3 }, { onProgress: (p) => events.push(p) });
    expect(events.map((e) => e.step)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(events.every((e) => e.steps === 12)).toBe(true);
  });

  it('stops at the next step when the signal aborts, and keeps working afterwards', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await failure(
      fp32.generate(
        { prompt: 'rock', durationSeconds: 30, seed: 1 },
        {
          signal: controller.signal,
          onProgress: ({ step }) => {
            seen.push(step);
            if (step === 5) controller.abort();
          },
        },
      ),
    );
    expect(error.code).toBe('aborted');
    expect(error.message).toBe('The generation was cancelled after step 6 of 1503.');
    expect(seen.at(-1)).toBe(5);
    const after = await fp32.generate({ prompt: 'rock', durationTokens: 4, seed: 1 });
    expect(after.audio.length).toBe(640);
  });

  it('does not start when the signal is already aborted', async () => {
    const error = await failure(
      fp32.generate({ prompt: 'rock', durationTokens: 8 }, { signal: AbortSignal.abort(new Error('shutting down')) }),
    );
    expect(error).toMatchObject({ code: 'aborted', message: 'The generation was cancelled: shutting down.' });
  });

  it('refuses requests out of range before generating', async () => {
    const cases: [object, RegExp][] = [
      [{ prompt: 'a', durationSeconds: 31 }, /durationSeconds/],
      [{ prompt: 'a', durationSeconds: 5, durationTokens: 253 }, /exactly one of durationSeconds and durationTokens/],
      [{ prompt: '   ', durationSeconds: 5 }, /prompt is empty/],
      [{ prompt: 'a', durationTokens: 3 }, /durationTokens/],
      [{ prompt: 'a', durationSeconds: 5, guidanceScale: 0.5 }, /guidanceScale/],
      [{ prompt: 'a', durationSeconds: 5, topK: 0 }, /topK/],
    ];
    for (const [request, message] of cases) {
      const error = await failure(fp32.generate(request as never));
      expect(error.code).toBe('invalid_request');
      expect(error.message).toMatch(message);
    }
  });
});

describe('MusicgenGenerator loading', () => {
  it('names a missing ONNX file', async () => {
    const dir = copyOfTiny();
    rmSync(join(dir, 'onnx', 'encodec_decode_quantized.onnx'));
    const error = await failure(new MusicgenGenerator({ dir, dtype: 'q8' }).load());
    expect(error.code).toBe('missing_file');
    expect(error.message).toBe(
      `${join(dir, 'onnx', 'encodec_decode_quantized.onnx')} is missing (the encodec_decode graph at q8).`,
    );
  });

  it('names a missing tokenizer and an unparsable config', async () => {
    const dir = copyOfTiny();
    rmSync(join(dir, 'tokenizer.json'));
    expect((await failure(new MusicgenGenerator({ dir, dtype: 'fp32' }).load())).message).toMatch(
      /tokenizer\.json is missing/,
    );
    writeFileSync(join(dir, 'config.json'), '{"model_type": "musicgen",');
    const error = await failure(new MusicgenGenerator({ dir, dtype: 'fp32' }).load());
    expect(error.code).toBe('corrupt_file');
    expect(error.message).toMatch(/config\.json is not valid JSON/);
  });

  it('names a truncated (corrupt) ONNX file, and loads once it is repaired', async () => {
    const dir = copyOfTiny();
    const path = join(dir, 'onnx', 'decoder_model_merged.onnx');
    const good = readFileSync(path);
    truncateSync(path, 5000);
    const generator = new MusicgenGenerator({ dir, dtype: 'fp32' });
    const error = await failure(generator.load());
    expect(error.code).toBe('corrupt_file');
    expect(error.message).toBe(`${path} is not a readable ONNX model: a protobuf field runs past its message.`);
    writeFileSync(path, good);
    expect((await generator.load()).loadMs).toBeGreaterThan(0);
    await generator.dispose();
  });

  it('turns an onnxruntime load failure into an error naming the folder', async () => {
    const dir = copyOfTiny();
    // A valid header whose graph onnxruntime rejects: a node with an op type that does not exist.
    const path = join(dir, 'onnx', 'encodec_decode.onnx');
    writeFileSync(path, Buffer.from(readFileSync(path).toString('latin1').replaceAll('Tanh', 'Tanx'), 'latin1'));
    const error = await failure(new MusicgenGenerator({ dir, dtype: 'fp32' }).load());
    expect(error.code).toBe('load_failed');
    expect(error.message).toContain(`MusicGen in ${dir} (fp32) could not be loaded on cpu:`);
    expect(error.message).toMatch(/Tanx/);
  });

  it('refuses an fp32 text encoder with an fp16 decoder before loading anything', async () => {
    const generator = new MusicgenGenerator({
      dir: join(tempDir(), 'no-such-model'),
      dtype: { text_encoder: 'fp32', decoder_model_merged: 'fp16', encodec_decode: 'fp16' },
    });
    const error = await failure(generator.load());
    expect(error.code).toBe('dtype_mismatch');
    expect(error.message).toMatch(
      /text encoder at fp32 returns float32 hidden states, but the decoder at fp16 takes float16/,
    );
  });

  it('runs the fp16 files (float16 in and out) and returns float32 samples', async () => {
    const generator = new MusicgenGenerator({ dir: TINY, dtype: 'fp16' });
    const result = await generator.generate({ prompt: 'piano', durationTokens: 13, seed: 5 });
    expect(result.audio).toBeInstanceOf(Float32Array);
    expect(result.audio.length).toBe(10 * 640);
    expect(result.audio.every((s) => Number.isFinite(s) && Math.abs(s) <= 1)).toBe(true);
    const again = await generator.generate({ prompt: 'piano', durationTokens: 13, seed: 5 });
    expect(again.audio).toEqual(result.audio);
    await generator.dispose();
  });

  it('reads the graphs too: a float16 text encoder under the fp32 name is refused, naming both files', async () => {
    const dir = copyOfTiny();
    cpSync(join(dir, 'onnx', 'text_encoder_fp16.onnx'), join(dir, 'onnx', 'text_encoder.onnx'));
    const error = await failure(new MusicgenGenerator({ dir, dtype: 'fp32' }).load());
    expect(error.code).toBe('dtype_mismatch');
    expect(error.message).toBe(
      'onnx/text_encoder.onnx returns float16 but onnx/decoder_model_merged.onnx takes float32 encoder_hidden_states.',
    );
  });

  it('mixes q8 and fp32 sessions freely (both keep float32 inputs and outputs)', async () => {
    const generator = new MusicgenGenerator({
      localModelPath: join(TINY, '..'),
      modelId: 'musicgen',
      dtype: { text_encoder: 'fp32', decoder_model_merged: 'q8', encodec_decode: 'fp32' },
    });
    const result = await generator.generate({ prompt: 'bass', durationTokens: 6, decoding: 'greedy' });
    expect(result.audio.length).toBe(3 * 640);
    expect(result.dtype.decoder_model_merged).toBe('q8');
    await generator.dispose();
  });

  it('falls back to the CPU when the chosen device cannot create the sessions (no CUDA here)', async () => {
    const generator = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' }, { device: 'cuda' });
    const result = await generator.generate({ prompt: 'drums', durationTokens: 5, decoding: 'greedy' });
    expect(result.device).toBe('cpu');
    await generator.dispose();
    const strict = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' }, { device: 'cuda', fallbackToCpu: false });
    const error = await failure(strict.load());
    expect(error.code).toBe('load_failed');
    expect(error.message).toMatch(/could not be loaded on cuda/);
  });
});

describe('MusicgenGenerator.generateBatch on the tiny model', () => {
  // Prompts of different token lengths, so the tokenizer pads the shorter one.
  const prompts = ['rock', 'slow ambient piano with soft strings'];

  it('returns one result per prompt, in order, each of the exact sample count, from one run', async () => {
    const events: GenerationProgress[] = [];
    const results = await fp32.generateBatch(
      prompts.map((prompt) => ({ prompt, durationTokens: 12, seed: 8 })),
      { onProgress: (p) => events.push(p) },
    );
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatchObject({ sampleRate: 32000, steps: 12, seed: 8, device: 'cpu' });
      expect(result.audio).toBeInstanceOf(Float32Array);
      expect(result.audio.length).toBe(9 * 640);
      expect(result.audio.every((s) => Number.isFinite(s) && Math.abs(s) <= 1)).toBe(true);
    }
    // One generate call: one progress sequence for the whole batch.
    expect(events.map((e) => e.step)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    const seconds = await fp32.generateBatch(prompts.map((prompt) => ({ prompt, durationSeconds: 0.5, seed: 1 })));
    expect(seconds.map((r) => r.audio.length)).toEqual([16000, 16000]);
  });

  it('with greedy decoding, each row equals its prompt generated alone', async () => {
    const settings = { durationTokens: 20, decoding: 'greedy' as const };
    const batch = await fp32.generateBatch(prompts.map((prompt) => ({ prompt, ...settings })));
    const alone = [];
    for (const prompt of prompts) alone.push(await fp32.generate({ prompt, ...settings }));
    expect(batch[0]?.audio).not.toEqual(batch[1]?.audio);
    for (const [row, result] of batch.entries()) {
      // Bit-exact: padded positions are masked out of the encoder's self-attention and of the
      // decoder's cross-attention, so the shorter prompt's row does not see its padding.
      expect(result.audio).toEqual(alone[row]?.audio);
    }
  });

  it('is repeatable with a seed, and a different seed changes it', async () => {
    const batch = (seed: number) => fp32.generateBatch(prompts.map((prompt) => ({ prompt, durationTokens: 16, seed })));
    const a = await batch(42);
    const again = await batch(42);
    const other = await batch(7);
    expect(again.map((r) => r.audio)).toEqual(a.map((r) => r.audio));
    expect(other[0]?.audio).not.toEqual(a[0]?.audio);
    expect(a[0]?.audio).not.toEqual(a[1]?.audio);
  });

  it('refuses mixed settings, an empty batch and an invalid member before generating', async () => {
    const base = { durationTokens: 8, seed: 1 };
    const mixed: [object, RegExp][] = [
      [{ durationTokens: 9, seed: 1 }, /request 1 has durationTokens 9 and request 0 has 8/],
      [{ durationSeconds: 1, seed: 1 }, /durationSeconds 1 and request 0 has undefined/],
      [{ ...base, guidanceScale: 1 }, /guidanceScale 1 and request 0 has 3/],
      [{ ...base, topK: 5 }, /topK 5/],
      [{ ...base, temperature: 0.5 }, /temperature 0.5/],
      [{ ...base, decoding: 'greedy' }, /decoding greedy/],
      [{ durationTokens: 8, seed: 2 }, /seed 2 and request 0 has 1/],
      [{ durationTokens: 8 }, /seed undefined and request 0 has 1/],
    ];
    for (const [second, message] of mixed) {
      const error = await failure(
        fp32.generateBatch([
          { prompt: 'a', ...base },
          { prompt: 'b', ...second },
        ]),
      );
      expect(error.code).toBe('invalid_request');
      expect(error.message).toMatch(/a batch shares one setting per run/);
      expect(error.message).toMatch(message);
    }
    expect((await failure(fp32.generateBatch([]))).code).toBe('invalid_request');
    const invalid = await failure(
      fp32.generateBatch([
        { prompt: 'a', ...base },
        { prompt: ' ', ...base },
      ]),
    );
    expect(invalid).toMatchObject({ code: 'invalid_request' });
    expect(invalid.message).toMatch(/request 1: prompt: the prompt is empty/);
  });
});

describe('MusicgenGenerator.generateJobs: one batch, a seed, a signal and progress per job', () => {
  const job = (prompt: string, seed: number, options?: GenerateOptions): BatchJob => ({
    request: { prompt, durationTokens: 14, seed },
    ...(options ? { options } : {}),
  });

  it('gives each job the audio its request makes alone (fp32), its own seed and its own progress', async () => {
    const progress: number[][] = [[], []];
    const results = await Promise.all(
      fp32.generateJobs([
        job('rock', 3, { onProgress: (p) => progress[0]?.push(p.step) }),
        job('slow ambient piano with soft strings', 9, { onProgress: (p) => progress[1]?.push(p.step) }),
      ]),
    );
    const alone = [
      await fp32.generate({ prompt: 'rock', durationTokens: 14, seed: 3 }),
      await fp32.generate({ prompt: 'slow ambient piano with soft strings', durationTokens: 14, seed: 9 }),
    ];
    expect(results.map((r) => r.seed)).toEqual([3, 9]);
    expect(results.map((r) => r.audio)).toEqual(alone.map((r) => r.audio));
    expect(results[0]).toMatchObject({ steps: 14, sampleRate: 32000, device: 'cpu' });
    expect(progress).toEqual([0, 1].map(() => Array.from({ length: 15 }, (_, i) => i)));
    expect(fp32.canBatch).toBe(true);
  });

  it('a cancelled job fails at the next step while the others finish with their own audio', async () => {
    const controller = new AbortController();
    const [kept, cancelled, other] = fp32.generateJobs([
      job('rock', 3),
      job('jazz', 4, {
        signal: controller.signal,
        onProgress: (p) => p.step === 2 && controller.abort(),
      }),
      job('slow ambient piano with soft strings', 9),
    ]);
    const error = await failure(cancelled as Promise<GeneratedAudio>);
    expect(error).toMatchObject({ code: 'aborted', message: 'The generation was cancelled after step 3 of 14.' });
    const alone = await fp32.generate({ prompt: 'rock', durationTokens: 14, seed: 3 });
    expect((await kept)?.audio).toEqual(alone.audio);
    expect((await other)?.audio.length).toBe(11 * 640);
  });

  it('refuses jobs of different lengths or decode settings, and seeds may differ', async () => {
    const mixed: Partial<MusicRequest>[] = [
      { durationTokens: 15 },
      { guidanceScale: 1 },
      { topK: 5 },
      { temperature: 0.5 },
      { decoding: 'greedy' },
    ];
    for (const change of mixed) {
      const promises = fp32.generateJobs([job('a', 1), { request: { ...job('b', 1).request, ...change } }]);
      for (const promise of promises) {
        const error = await failure(promise);
        expect(error.code).toBe('invalid_request');
        expect(error.message).toMatch(/request 1 differs from request 0 .* only requests that share them/);
      }
    }
    // durationSeconds 0.2 is 10 + 3 = 13 steps: the same batch as durationTokens 13.
    const same = await Promise.all(
      fp32.generateJobs([
        { request: { prompt: 'a', durationSeconds: 0.2, seed: 1 } },
        { request: { prompt: 'b', durationTokens: 13, seed: 2 } },
      ]),
    );
    expect(same.map((r) => r.steps)).toEqual([13, 13]);
  });

  it('the transformers.js decoder cannot batch: one job runs, two are refused', async () => {
    const theirs = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' }, { decoder: 'transformers' });
    try {
      expect(theirs.canBatch).toBe(false);
      const [one] = theirs.generateJobs([job('rock', 3)]);
      expect((await one)?.audio.length).toBe(11 * 640);
      for (const promise of theirs.generateJobs([job('rock', 3), job('jazz', 4)])) {
        expect((await failure(promise)).message).toMatch(/transformers decoder cannot decode requests as one batch/);
      }
    } finally {
      await theirs.dispose();
    }
  });
});
