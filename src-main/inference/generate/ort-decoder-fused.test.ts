import { describe, expect, it } from 'vitest';
import { writeMusicgenModel } from '../../../scripts/tiny-musicgen/generate.mjs';
import { useTempDirs } from '../../testing/temp-dir.js';
import { checkModelFolder, sessionDtypes } from './model-files.js';
import { OrtMusicgen as OrtMusicgenClass } from './ort-decoder.js';
import { greedySettings, TINY_MUSICGEN as TINY, tinyOrtModels } from './testing/tiny-ort-models.js';
import type { OrtMusicgen } from './ort-decoder.js';
import { MusicgenGenerator } from './musicgen.js';
import type { CacheRewrite } from './fused-attention-graph.js';
import type { ModelDtype } from '../../../src-shared/schemas/model-manifest.js';
import { LogRoot } from '../../log/logger.js';
import type { LogEntry } from '../../../src-shared/schemas/logs.js';

const tinyModel = tinyOrtModels();
const ortModel = (dtype: ModelDtype, cacheRewrite: CacheRewrite): Promise<OrtMusicgen> =>
  tinyModel(dtype, 'cpu', { cacheRewrite });

const greedy = greedySettings;

describe('OrtMusicgen on the fused self-attention (issue #14)', () => {
  const cases: [ModelDtype, string[], number][] = [
    ['fp32', ['lofi hip hop beat with piano'], 3],
    ['fp32', ['sad guitar', 'fast drums and bass with a long prompt'], 3],
    ['fp32', ['calm piano'], 1],
    ['q8', ['epic synth beat'], 3],
  ];
  for (const [dtype, prompts, guidance] of cases) {
    it(`decodes greedily to exactly the codes and audio of the time-major decoder (${dtype}, ${prompts.length} prompt(s), guidance ${guidance})`, async () => {
      const fused = await ortModel(dtype, 'fused-attention');
      const timeMajor = await ortModel(dtype, 'time-major');
      expect(fused.cacheRewrite).toEqual({ level: 'fused-attention' });
      expect(timeMajor.cacheRewrite).toEqual({ level: 'time-major' });
      // 150 steps: the past grows well beyond the first frames, where a wrong offset or frame would show.
      const settings = greedy(150, guidance);
      const a = await fused.generate(prompts, settings);
      const b = await timeMajor.generate(prompts, settings);
      expect(a.frames).toBe(147);
      expect(a.codes).toEqual(b.codes);
      expect(a.audio).toEqual(b.audio);
    }, 60_000);
  }

  it('keeps the time-major decoder for the fp16 export, and says why', async () => {
    const model = await ortModel('fp16', 'fused-attention');
    expect(model.cacheRewrite.level).toBe('time-major');
    expect(model.cacheRewrite.refused).toMatch(/cannot take the fused self-attention: .*not float32/);
    const out = await model.generate(['rock with drums'], greedy(20, 3));
    expect(out.frames).toBe(17);
  });

  it('is the default on the CPU; a graph that cannot take it keeps the time-major level quietly', async () => {
    const lines: LogEntry[] = [];
    const logger = new LogRoot((line) => lines.push({ ...line, id: lines.length })).logger('musicgen');
    expect((await tinyModel('q8', 'cpu')).cacheRewrite).toEqual({ level: 'fused-attention' });
    const fp16 = new MusicgenGenerator({ dir: TINY, dtype: 'fp16' }, { decoder: 'ort', logger });
    try {
      await fp16.generate({ prompt: 'rock with drums', durationTokens: 10, decoding: 'greedy' });
      // Not asked for by name: an info line with the reason, no warning.
      expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
      expect(lines.find((l) => l.message === 'Decoding on the time-major cache')?.fields).toEqual({
        reason: expect.stringMatching(/not float32/) as unknown,
      });
    } finally {
      await fp16.dispose();
    }
  });

  it('MusicgenGenerator passes the choice on and logs a refusal', async () => {
    const lines: LogEntry[] = [];
    const logger = new LogRoot((line) => lines.push({ ...line, id: lines.length })).logger('musicgen');
    const warnings = () => lines.filter((l) => l.level === 'warn').map((l) => [l.message, l.fields]);
    const fused = new MusicgenGenerator(
      { dir: TINY, dtype: 'fp32' },
      { decoder: 'ort', cacheRewrite: 'fused-attention', logger },
    );
    const plain = new MusicgenGenerator({ dir: TINY, dtype: 'fp32' }, { decoder: 'ort', cacheRewrite: 'time-major' });
    const fp16 = new MusicgenGenerator(
      { dir: TINY, dtype: 'fp16' },
      { decoder: 'ort', cacheRewrite: 'fused-attention', logger },
    );
    try {
      const request = { prompt: 'slow ambient piano', durationTokens: 60, decoding: 'greedy' as const };
      const a = await fused.generate(request);
      const b = await plain.generate(request);
      expect(a.audio).toEqual(b.audio);
      expect(warnings()).toEqual([]);
      await fp16.generate({ ...request, durationTokens: 10 });
      expect(warnings()).toEqual([
        ['The fused attention is not used', { reason: expect.stringMatching(/not float32/) as unknown }],
      ]);
    } finally {
      await fused.dispose();
      await plain.dispose();
      await fp16.dispose();
    }
  }, 60_000);
});

// sdpa: torch.onnx's scaled_dot_product_attention (q and kᵀ each scaled by a factor computed from
// q's shape; sdpa-folded: the factor a constant); bmm: BART-style eager
// attention, the cache reshaped to [B·H, t, Dh] for 3-D MatMuls (MusicGen's before SDPA).
describe("the fused attention on the other exporters' attention patterns", () => {
  const tempDir = useTempDirs();
  for (const [attention, dtype] of [
    ['sdpa', 'fp32'],
    ['sdpa', 'q8'],
    ['sdpa-folded', 'fp32'],
    ['sdpa-folded', 'q8'],
    ['bmm', 'fp32'],
    ['bmm', 'q8'],
  ] as const) {
    it(`is taken, and decodes greedily to the time-major decoder's codes and audio (${attention}, ${dtype})`, async () => {
      const { dir } = writeMusicgenModel(tempDir(), { attention, dtypes: [dtype] });
      const dtypes = sessionDtypes(dtype);
      const { config } = await checkModelFolder(dir, dtypes);
      const fused = await OrtMusicgenClass.load(dir, dtypes, config, 'cpu', { cacheRewrite: 'fused-attention' });
      const timeMajor = await OrtMusicgenClass.load(dir, dtypes, config, 'cpu', { cacheRewrite: 'time-major' });
      try {
        expect(fused.cacheRewrite).toEqual({ level: 'fused-attention' });
        const a = await fused.generate(['lofi hip hop beat with piano'], greedy(120, 3));
        const b = await timeMajor.generate(['lofi hip hop beat with piano'], greedy(120, 3));
        expect(a.codes).toEqual(b.codes);
        expect(a.audio).toEqual(b.audio);
      } finally {
        await fused.dispose();
        await timeMajor.dispose();
      }
    }, 60_000);
  }
});
