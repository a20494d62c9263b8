import { describe, expect, it } from 'vitest';
import { greedySettings, TINY_MUSICGEN as TINY, tinyOrtModels } from './testing/tiny-ort-models.js';
import { BaseStreamer, MusicgenForConditionalGeneration, type TextStreamer } from '@huggingface/transformers';
import type { OrtMusicgen } from './ort-decoder.js';
import { type DecodeSettings, type RowOutcome } from './ort-decoder.js';
import { GenerationError } from './errors.js';
import { MusicgenGenerator } from './musicgen.js';
import type { ModelDtype } from '../../../src-shared/schemas/model-manifest.js';

const tinyModel = tinyOrtModels();
const ortModel = (dtype: ModelDtype): Promise<OrtMusicgen> => tinyModel(dtype);

/** Collects the codes transformers.js samples, one array per step of B·K codes. */
class CodeRecorder extends BaseStreamer {
  steps: bigint[][] = [];
  override put(value: bigint[][]): void {
    this.steps.push(value.map((row) => row.at(-1) ?? -1n));
  }
  override end(): void {}
}

/** transformers.js 4.3.1's own generate() on the same files: its codes per step and its audio. */
async function reference(dtype: ModelDtype, prompts: string[], settings: DecodeSettings) {
  const model = await MusicgenForConditionalGeneration.from_pretrained(TINY, {
    local_files_only: true,
    device: 'cpu',
    dtype,
  });
  try {
    const { AutoTokenizer } = await import('@huggingface/transformers');
    const tokenizer = await AutoTokenizer.from_pretrained(TINY, { local_files_only: true });
    const inputs = prompts.length === 1 ? tokenizer(prompts[0] as string) : tokenizer(prompts, { padding: true });
    const recorder = new CodeRecorder();
    const audio = (await model.generate({
      ...inputs,
      max_new_tokens: settings.steps,
      do_sample: false,
      guidance_scale: settings.guidanceScale,
      streamer: recorder as unknown as TextStreamer,
    })) as { data: Float32Array; dims: number[] };
    return { steps: recorder.steps.slice(1), audio };
  } finally {
    await model.dispose();
  }
}

/** The codes our loop sampled, per step, in transformers.js's layout (row b·K + k). */
function codesPerStep(codes: BigInt64Array, batch: number, codebooks: number, frames: number, steps: number) {
  // Our result holds the de-interleaved codes; re-interleave: step n's code of codebook k is frame n − k.
  const out: bigint[][] = [];
  for (let n = 0; n < steps; n++) {
    const row: bigint[] = [];
    for (let i = 0; i < batch * codebooks; i++) {
      const f = n - (i % codebooks);
      row.push(f >= 0 && f < frames ? (codes[i * frames + f] as bigint) : -1n);
    }
    out.push(row);
  }
  return out;
}

const greedy = greedySettings;

describe('OrtMusicgen, our own decode loop, against transformers.js generate()', () => {
  const cases: [ModelDtype, string[], number][] = [
    ['fp32', ['lofi hip hop beat with piano'], 3],
    ['fp32', ['sad guitar', 'fast drums and bass with a long prompt'], 3],
    ['fp32', ['calm piano'], 1],
    ['q8', ['epic synth beat'], 3],
    ['fp16', ['rock with drums'], 3],
  ];
  for (const [dtype, prompts, guidance] of cases) {
    it(`decodes greedily to exactly the same codes and audio (${dtype}, ${prompts.length} prompt(s), guidance ${guidance})`, async () => {
      const settings = greedy(40, guidance);
      const ours = await (await ortModel(dtype)).generate(prompts, settings);
      const theirs = await reference(dtype, prompts, settings);
      expect(theirs.steps).toHaveLength(40);
      // Frames exist for steps k … k + frames − 1 of codebook k; compare those, which is every code kept.
      const mine = codesPerStep(ours.codes, prompts.length, 4, ours.frames, 40);
      for (let n = 0; n < 40; n++) {
        const theirsAt = theirs.steps[n] ?? [];
        (mine[n] ?? []).forEach((code, i) => {
          if (code >= 0n) expect([n, i, code]).toEqual([n, i, theirsAt[i]]);
        });
      }
      expect(ours.frames).toBe(40 - 3);
      const perRow = theirs.audio.data.length / prompts.length;
      ours.audio.forEach((audio, b) => {
        expect(audio.length).toBe(perRow);
        if (dtype !== 'fp16') expect(audio).toEqual(theirs.audio.data.subarray(b * perRow, (b + 1) * perRow));
      });
    });
  }
});

describe('OrtMusicgen sampling, progress and cancellation', () => {
  const sample = (seed: number): DecodeSettings => ({ ...greedy(30), greedy: false, topK: 250, seed });

  it('is reproducible with a seed, also when generations overlap, and differs with another seed', async () => {
    const model = await ortModel('fp32');
    const [a, b, again] = await Promise.all([
      model.generate(['epic synth beat'], sample(42)),
      model.generate(['epic synth beat'], sample(7)),
      model.generate(['epic synth beat'], sample(42)),
    ]);
    expect(again.codes).toEqual(a.codes);
    expect(again.audio).toEqual(a.audio);
    expect(b.codes).not.toEqual(a.codes);
  });

  it('samples only among the top k codes: k = 1 is greedy', async () => {
    const model = await ortModel('fp32');
    const top1 = await model.generate(['jazz'], { ...sample(5), topK: 1 });
    const argmax = await model.generate(['jazz'], greedy(30));
    expect(top1.codes).toEqual(argmax.codes);
  });

  it('a low temperature sharpens towards greedy, a high one spreads the codes', async () => {
    const model = await ortModel('fp32');
    const argmax = await model.generate(['jazz'], greedy(60));
    const cold = await model.generate(['jazz'], { ...sample(9), steps: 60, temperature: 0.01 });
    const hot = await model.generate(['jazz'], { ...sample(9), steps: 60, temperature: 5 });
    const same = (x: BigInt64Array) => x.filter((c, i) => c === argmax.codes[i]).length;
    expect(same(cold.codes)).toBeGreaterThan(same(hot.codes));
    expect(new Set(hot.codes).size).toBeGreaterThan(new Set(argmax.codes).size);
  });

  it('reports 0 after the text encoder and then every step in order', async () => {
    const seen: number[] = [];
    await (await ortModel('fp32')).generate(['lofi'], sample(3), { onStep: (s) => seen.push(s) });
    expect(seen).toEqual(Array.from({ length: 31 }, (_, i) => i));
  });

  it('stops at the next step when aborted, with the step in the message', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await (
      await ortModel('fp32')
    )
      .generate(
        ['rock'],
        { ...sample(1), steps: 1503 },
        {
          signal: controller.signal,
          onStep: (s) => {
            seen.push(s);
            if (s === 5) controller.abort();
          },
        },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenerationError);
    expect(error).toMatchObject({ code: 'aborted', message: 'The generation was cancelled after step 6 of 1503.' });
    expect(seen.at(-1)).toBe(5);
  });

  it('refuses a length shorter than the delay pattern and sampling without a seed', async () => {
    const model = await ortModel('fp32');
    await expect(model.generate(['rock'], greedy(3))).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(model.generate(['rock'], { ...sample(1), seed: null })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(model.generate([], greedy(10))).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('MusicgenGenerator with decoder: ort', () => {
  it('returns the same greedy audio as the transformers.js decoder, with progress 0 … steps', async () => {
    const ours = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' }, { decoder: 'ort' });
    const theirs = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' }, { decoder: 'transformers' });
    try {
      const request = { prompt: 'slow ambient piano', durationTokens: 25, decoding: 'greedy' as const };
      const steps: number[] = [];
      const a = await ours.generate(request, { onProgress: (p) => steps.push(p.step) });
      const b = await theirs.generate(request);
      expect(ours.decoder).toBe('ort');
      expect(theirs.decoder).toBe('transformers');
      expect(a.audio).toEqual(b.audio);
      expect(a).toMatchObject({ steps: 25, seed: null, sampleRate: 32000, device: 'cpu' });
      expect(steps).toEqual(Array.from({ length: 26 }, (_, i) => i));
      const [x, y] = await ours.generateBatch([
        { prompt: 'rock', durationTokens: 10, seed: 4 },
        { prompt: 'jazz with a saxophone', durationTokens: 10, seed: 4 },
      ]);
      expect(x?.audio.length).toBe(7 * 640);
      expect(y?.audio).not.toEqual(x?.audio);
      expect(x?.seed).toBe(4);
    } finally {
      await ours.dispose();
      await theirs.dispose();
    }
  });
});

describe('OrtMusicgen.generateRows: a seed, a signal and progress per prompt of a batch', () => {
  const sample = (steps: number): DecodeSettings => ({ ...greedy(steps), greedy: false, topK: 250, seed: 0 });
  const K = 4;
  /** Prompt b's codes, [K, frames]. */
  const codesOf = (result: { codes: BigInt64Array; frames: number }, b: number) =>
    Array.from(result.codes.subarray(b * K * result.frames, (b + 1) * K * result.frames));
  const audioOf = (outcome: RowOutcome | undefined): Float32Array => {
    if (!outcome || !('audio' in outcome)) throw new Error(`no audio: ${JSON.stringify(outcome)}`);
    return outcome.audio;
  };
  const same = ['epic synth beat', 'epic synth beat'];

  it('at fp32 a prompt decodes to the same codes whatever its neighbour, and as it does alone with its seed', async () => {
    const model = await ortModel('fp32');
    const ab = await model.generateRows(same, sample(60), [{ seed: 1 }, { seed: 2 }]);
    const ac = await model.generateRows(same, sample(60), [{ seed: 1 }, { seed: 3 }]);
    const alone = await model.generate([same[0] as string], { ...sample(60), seed: 1 });
    expect(codesOf(ab, 0)).toEqual(codesOf(ac, 0));
    expect(codesOf(ab, 0)).toEqual(codesOf(alone, 0));
    expect(audioOf(ab.rows[0])).toEqual(alone.audio[0]);
    // Same prompt, different seeds: the neighbours themselves differ.
    expect(codesOf(ab, 1)).not.toEqual(codesOf(ac, 1));
    expect(codesOf(ab, 1)).not.toEqual(codesOf(ab, 0));
  });

  it('at q8 the neighbour changes the numbers (one dynamic quantisation scale per tensor), yet each batch repeats exactly', async () => {
    const model = await ortModel('q8');
    const ab = await model.generateRows(same, sample(60), [{ seed: 1 }, { seed: 2 }]);
    const ac = await model.generateRows(same, sample(60), [{ seed: 1 }, { seed: 3 }]);
    expect(codesOf(ab, 0)).not.toEqual(codesOf(ac, 0));
    const again = await model.generateRows(same, sample(60), [{ seed: 1 }, { seed: 2 }]);
    expect(again.codes).toEqual(ab.codes);
    expect(again.rows.map(audioOf)).toEqual(ab.rows.map(audioOf));
  });

  it('repeats run to run at fp32 for the same batch and seeds, also while batches overlap', async () => {
    const model = await ortModel('fp32');
    const prompts = ['rock', 'slow ambient piano with soft strings', 'jazz'];
    const rows = [{ seed: 5 }, { seed: 6 }, { seed: 7 }];
    const [a, again] = await Promise.all([
      model.generateRows(prompts, sample(30), rows),
      model.generateRows(prompts, sample(30), rows),
    ]);
    expect(again.codes).toEqual(a.codes);
    expect(again.rows.map(audioOf)).toEqual(a.rows.map(audioOf));
  });

  it('drops only the aborted prompt at the next step; the others run to the end unchanged', async () => {
    const model = await ortModel('fp32');
    const prompts = ['rock', 'jazz', 'calm piano'];
    const full = await model.generateRows(prompts, sample(30), [{ seed: 1 }, { seed: 2 }, { seed: 3 }]);
    const controller = new AbortController();
    const seen: number[][] = [[], [], []];
    const droppedAt: string[] = [];
    const result = await model.generateRows(prompts, sample(30), [
      { seed: 1, onStep: (s) => seen[0]?.push(s) },
      {
        seed: 2,
        signal: controller.signal,
        onStep: (s) => {
          seen[1]?.push(s);
          if (s === 5) controller.abort();
        },
        onDropped: (error) => droppedAt.push(error.message),
      },
      { seed: 3, onStep: (s) => seen[2]?.push(s) },
    ]);
    expect(droppedAt).toEqual(['The generation was cancelled after step 6 of 30.']);
    expect(result.rows[1]).toMatchObject({ error: { code: 'aborted' } });
    expect(seen[1]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen[0]).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(seen[2]).toEqual(seen[0]);
    // The survivors' audio is that of the batch that ran whole (EnCodec got only their codes).
    expect(audioOf(result.rows[0])).toEqual(audioOf(full.rows[0]));
    expect(audioOf(result.rows[2])).toEqual(audioOf(full.rows[2]));
  });

  it('stops the batch once every prompt has been dropped, and an abort before the first step drops at step 0', async () => {
    const model = await ortModel('fp32');
    const first = new AbortController();
    const second = new AbortController();
    second.abort();
    const steps: number[] = [];
    const result = await model.generateRows(
      ['rock', 'jazz'],
      sample(1503),
      [
        { seed: 1, signal: first.signal, onStep: (s) => s === 3 && first.abort() },
        { seed: 2, signal: second.signal },
      ],
      { onStep: (s) => steps.push(s) },
    );
    expect(result.rows).toMatchObject([
      { error: { code: 'aborted', message: 'The generation was cancelled after step 4 of 1503.' } },
      { error: { code: 'aborted', message: 'The generation was cancelled after step 0 of 1503.' } },
    ]);
    expect(steps.at(-1)).toBe(4);
    expect(result.frames).toBe(0);
  });

  it('the batch signal still stops every prompt, and the row hooks must match the prompts', async () => {
    const model = await ortModel('fp32');
    const controller = new AbortController();
    controller.abort();
    await expect(
      model.generateRows(['rock', 'jazz'], sample(20), [{ seed: 1 }, { seed: 2 }], { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'aborted' });
    await expect(model.generateRows(['rock', 'jazz'], sample(20), [{ seed: 1 }])).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      model.generateRows(['rock', 'jazz'], { ...sample(20), seed: null }, [{ seed: 1 }, {}]),
    ).rejects.toMatchObject({ code: 'invalid_request', message: 'Sampling needs a seed.' });
  });
});
