/**
 * Our decode loop on WebGPU with the KV cache kept on the device (issue #14): the same greedy
 * codes as on the CPU, and the bytes that cross per step counted from the tensors. Runs on any
 * WebGPU adapter, Mesa's software lavapipe included (musicgen spec §9); without one it skips and
 * says why. The adapter is probed in a child process first, because a broken driver can take
 * its process down.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from 'onnxruntime-node';
import { greedySettings, TINY_MUSICGEN as TINY, tinyOrtModels } from './testing/tiny-ort-models.js';
import { probeExecutionProvider } from '../gpu/ep-probe.js';
import { checkModelFolder, sessionDtypes } from './model-files.js';
import {
  OrtMusicgen,
  type DecodeResult,
  type DecodeSettings,
  type KvCacheLocation,
  type SamplingLocation,
} from './ort-decoder.js';
import type { ModelDtype } from '../../../src-shared/schemas/model-manifest.js';
import type { ExecutionProvider } from '../../../src-shared/schemas/gpu.js';

const PROBE = join(import.meta.dirname, '..', 'gpu', 'probe-child.mjs');

// Dawn warns on every start without a runtime folder (musicgen spec §9).
if (!process.env.XDG_RUNTIME_DIR) {
  process.env.XDG_RUNTIME_DIR = join(tmpdir(), 'bittaudio-xdg');
  mkdirSync(process.env.XDG_RUNTIME_DIR, { recursive: true });
}
const adapter = await probeExecutionProvider('webgpu', {
  probeScript: PROBE,
  env: { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR },
});
if (!adapter.ok) {
  console.warn(`Skipping the WebGPU decode-loop tests: no usable WebGPU adapter here (${adapter.reason}).`);
}

const tinyModel = tinyOrtModels();
const model = (
  dtype: ModelDtype,
  device: ExecutionProvider,
  kvCache: KvCacheLocation,
  sampling?: SamplingLocation,
): Promise<OrtMusicgen> => tinyModel(dtype, device, { kvCache, ...(sampling ? { sampling } : {}) });

const greedy = greedySettings;

// The tiny model's shapes (scripts/tiny-musicgen): 2 layers, 2 heads of 16, 4 codebooks, vocab 64, text width 24.
const TINY_SHAPE = { layers: 2, heads: 2, headDim: 16, codebooks: 4, vocab: 64, width: 24 };

/**
 * The bytes each step must move when only the step's own inputs are uploaded and only the logits
 * come back, from the shapes: input ids (int64), use_cache_branch (1 byte), the encoder's mask
 * every step and its hidden states on the first step only (decoder-reads.ts), and logits.
 * (`rows` counts the decoder's rows: conditional and unconditional with guidance.)
 */
function deviceCacheBytes(rows: number, textTokens: number, floatBytes: number) {
  const { codebooks, vocab, width } = TINY_SHAPE;
  const later = rows * codebooks * 8 + 1 + rows * textTokens * 8;
  return {
    upload: (n: number) => later + (n === 0 ? rows * textTokens * width * floatBytes : 0),
    download: rows * codebooks * vocab * floatBytes,
  };
}

// Software Vulkan is a correctness path, ~30× slower than the CPU provider: generous time limits.
describe.skipIf(!adapter.ok)('OrtMusicgen on WebGPU with the KV cache on the device', { timeout: 120_000 }, () => {
  const cases: [ModelDtype, string[], number][] = [
    ['fp32', ['lofi hip hop beat with piano'], 3],
    ['fp32', ['sad guitar', 'fast drums and bass with a long prompt'], 3],
    ['fp32', ['calm piano'], 1],
    ['fp16', ['rock with drums'], 3],
    ['fp16', ['sad guitar', 'fast drums and bass with a long prompt'], 1],
  ];
  for (const [dtype, prompts, guidance] of cases) {
    it(`decodes greedily to the CPU loop's codes (${dtype}, ${prompts.length} prompt(s), guidance ${guidance})`, async () => {
      const settings = greedy(40, guidance);
      const gpu = await model(dtype, 'webgpu', 'device');
      expect(gpu.kvCache).toBe('device');
      expect(gpu.sampling).toBe('device');
      const ours = await gpu.generate(prompts, settings);
      const cpu = await (await model(dtype, 'cpu', 'host')).generate(prompts, settings);
      expect(ours.frames).toBe(37);
      expect(ours.codes).toEqual(cpu.codes);
      // EnCodec's rounding differs between the providers (a few half-precision steps at fp16); the
      // codes are what the decoder decides.
      ours.audio.forEach((audio, b) => {
        const reference = cpu.audio[b] as Float32Array;
        expect(audio.length).toBe(reference.length);
        let worst = 0;
        for (let i = 0; i < audio.length; i++)
          worst = Math.max(worst, Math.abs((audio[i] as number) - (reference[i] as number)));
        expect(worst).toBeLessThan(dtype === 'fp16' ? 1e-3 : 1e-4);
      });
    });
  }

  it('moves only the step inputs and the tokens per step; host sampling the logits; the host cache the whole past', async () => {
    const prompts = ['lofi hip hop beat with piano'];
    const steps = 12;
    const onDevice = await (await model('fp32', 'webgpu', 'device')).generate(prompts, greedy(steps));
    const device = await (await model('fp32', 'webgpu', 'device', 'host')).generate(prompts, greedy(steps));
    const host = await (await model('fp32', 'webgpu', 'host')).generate(prompts, greedy(steps));
    expect(host.codes).toEqual(device.codes);
    expect(onDevice.codes).toEqual(device.codes);
    const textTokens = await tokensOf(prompts[0] as string);
    const rows = 2; // guidance: conditional and unconditional
    const floatBytes = 4;
    const { upload, download } = deviceCacheBytes(rows, textTokens, floatBytes);
    expect(device.transfers.steps).toBe(steps);
    expect(device.transfers.uploadBytes).toEqual(Array.from({ length: steps }, (_, n) => upload(n)));
    expect(device.transfers.downloadBytes).toEqual(Array.from({ length: steps }, () => download));

    // The device sampler: one int64 token per codebook row comes back; the guidance scale (one
    // float32) goes up beside the step's inputs.
    const { codebooks } = TINY_SHAPE;
    expect(onDevice.transfers.uploadBytes).toEqual(Array.from({ length: steps }, (_, n) => upload(n) + 4));
    expect(onDevice.transfers.downloadBytes).toEqual(Array.from({ length: steps }, () => codebooks * 8));

    // The host cache feeds the n frames written so far and fetches one new frame per layer and part.
    const { layers, heads, headDim } = TINY_SHAPE;
    const frameBytes = 2 * layers * rows * heads * headDim * floatBytes;
    const cross = 2 * layers * rows * heads * textTokens * headDim * floatBytes;
    host.transfers.uploadBytes.forEach((bytes, n) => {
      expect([n, bytes]).toEqual([n, upload(n) + n * frameBytes + (n === 0 ? 0 : cross)]);
    });
    host.transfers.downloadBytes.forEach((bytes, n) => {
      expect([n, bytes]).toEqual([n, download + frameBytes + (n === 0 ? cross : 0)]);
    });
  });

  it('is reproducible with a seed when sampling, also with overlapping generations', async () => {
    const m = await model('fp32', 'webgpu', 'device');
    const sample = (seed: number): DecodeSettings => ({ ...greedy(20), greedy: false, seed });
    const [a, b, again] = await Promise.all([
      m.generate(['epic synth beat'], sample(42)),
      m.generate(['epic synth beat'], sample(7)),
      m.generate(['epic synth beat'], sample(42)),
    ]);
    expect(again.codes).toEqual(a.codes);
    expect(b.codes).not.toEqual(a.codes);
    const cpu = await (await model('fp32', 'cpu', 'host')).generate(['epic synth beat'], sample(42));
    expect(a.codes).toEqual(cpu.codes);
  });

  it('samples on the device with the uniform draws it uploads: a float32 per row each step', async () => {
    const m = await model('fp32', 'webgpu', 'device');
    const settings: DecodeSettings = { ...greedy(10), greedy: false, seed: 5, topK: 16, temperature: 0.7 };
    const result = await m.generate(['sad guitar', 'calm piano'], settings);
    const again = await m.generate(['sad guitar', 'calm piano'], settings);
    expect(again.codes).toEqual(result.codes);
    const hostSampled = await (
      await model('fp32', 'webgpu', 'device', 'host')
    ).generate(['sad guitar', 'calm piano'], settings);
    const { codebooks } = TINY_SHAPE;
    const rows = 2 * codebooks;
    // Guidance scale, temperature (float32 each), k (int64 and float32) and one float32 per row
    // beyond host sampling's feeds.
    result.transfers.uploadBytes.forEach((bytes, n) => {
      expect([n, bytes]).toEqual([n, (hostSampled.transfers.uploadBytes[n] as number) + 4 + 4 + 8 + 4 + rows * 4]);
    });
    expect(result.transfers.downloadBytes).toEqual(Array.from({ length: 10 }, () => rows * 8));

    // Without guidance (the sampler's unguided variant), at fp16: reproducible too.
    const unguided: DecodeSettings = { ...settings, guidanceScale: 1 };
    const half = await model('fp16', 'webgpu', 'device');
    const first = await half.generate(['sad guitar'], unguided);
    expect((await half.generate(['sad guitar'], unguided)).codes).toEqual(first.codes);
    expect(first.transfers.downloadBytes).toEqual(Array.from({ length: 10 }, () => codebooks * 8));
  });

  it("releases every device tensor of a cancelled generation: the cache and each step's logits", async () => {
    const m = await model('fp32', 'webgpu', 'device');
    const controller = new AbortController();
    // Counts the device tensors disposed, calling through to onnxruntime's own dispose.
    const origin = Tensor.prototype.dispose;
    let gpuDisposed = 0;
    Tensor.prototype.dispose = function (this: Tensor) {
      if (this.location === 'gpu-buffer') gpuDisposed++;
      origin.call(this);
    };
    try {
      const error = await m
        .generate(['rock'], greedy(40), {
          signal: controller.signal,
          onStep: (s) => {
            if (s === 3) controller.abort();
          },
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'aborted' });
    } finally {
      Tensor.prototype.dispose = origin;
    }
    // Four steps ran (the abort during step 3's report is seen at the end of step 4): each returned
    // 4 cache tensors per layer and the logits, all on the device, and each is disposed once.
    const { layers } = TINY_SHAPE;
    expect(gpuDisposed).toBe(4 * (4 * layers + 1));
  });

  it('ends in bad_output when the scores on the device are not finite, and decodes as before afterwards', async () => {
    const m = await model('fp32', 'webgpu', 'device');
    // A guidance scale past float32's range makes every guided score infinite (or NaN) on the device.
    const error = await m.generate(['rock'], greedy(12, 1e300)).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'bad_output',
      message: expect.stringMatching(/non-finite logits at step 1 \(row 0\)/) as unknown as string,
    });
    const after = await m.generate(['rock'], greedy(12));
    const cpu = await (await model('fp32', 'cpu', 'host')).generate(['rock'], greedy(12));
    expect(after.codes).toEqual(cpu.codes);
  });

  it('releases the cache on a cancel, and the next generation decodes as before', async () => {
    const m = await model('fp32', 'webgpu', 'device');
    const controller = new AbortController();
    const error = await m
      .generate(['rock'], greedy(40), {
        signal: controller.signal,
        onStep: (s) => {
          if (s === 3) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'aborted' });
    const after: DecodeResult = await m.generate(['rock'], greedy(12));
    const cpu = await (await model('fp32', 'cpu', 'host')).generate(['rock'], greedy(12));
    expect(after.codes).toEqual(cpu.codes);
  });
});

describe('OrtMusicgen KV cache location', () => {
  it('refuses a device cache on the CPU provider, with the reason', async () => {
    const dtypes = sessionDtypes('fp32');
    const checked = await checkModelFolder(TINY, dtypes);
    await expect(OrtMusicgen.load(TINY, dtypes, checked.config, 'cpu', { kvCache: 'device' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/needs the WebGPU provider/) as unknown as string,
    });
  });

  it('refuses sampling on the device without a device cache, with the reason', async () => {
    const dtypes = sessionDtypes('fp32');
    const checked = await checkModelFolder(TINY, dtypes);
    await expect(OrtMusicgen.load(TINY, dtypes, checked.config, 'cpu', { sampling: 'device' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/needs the KV cache on the device/) as unknown as string,
    });
  });

  it('counts on the CPU what a host cache would move: the past grows by one frame per step', async () => {
    const result = await (await model('fp32', 'cpu', 'host')).generate(['calm piano'], greedy(6, 1));
    const { layers, heads, headDim } = TINY_SHAPE;
    const frameBytes = 2 * layers * 1 * heads * headDim * 4;
    const up = result.transfers.uploadBytes;
    for (let n = 2; n < up.length; n++) expect((up[n] as number) - (up[n - 1] as number)).toBe(frameBytes);
  });
});

/** Tokens of a prompt as our loop's tokenizer makes them (T5 appends </s>). */
async function tokensOf(prompt: string): Promise<number> {
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tokenizer = await AutoTokenizer.from_pretrained(TINY, { local_files_only: true });
  const ids = tokenizer(prompt).input_ids as { dims: number[] };
  return ids.dims[1] as number;
}
