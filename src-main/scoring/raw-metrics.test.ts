/**
 * rawMetrics on the tiny CLAP and AST, run in-process through scoring's own task handler (the
 * worker runs the same handler). The resampler here is a test double: clips are made at 48 kHz
 * and reduced to 16 kHz by keeping every third sample (a band-limited test tone survives it).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelTask, ModelTaskResult } from '../inference/worker/protocol.js';
import { AudioClassifierRunner } from './classifier-runner.js';
import { ClapRunner } from './clap-runner.js';
import { removeDc } from '../audio/channels.js';
import {
  fadReference,
  formatRawMetrics,
  rawMetrics,
  type MetricArrayKind,
  type ModelTaskRunner,
  type MonoClip,
  type RawMetricsDeps,
} from './raw-metrics.js';
import { frechetDistanceFromFrames } from './frechet.js';
import { VggishRunner } from './vggish-runner.js';
import { dot } from './cosine.js';
import { createModelTaskHandler } from './worker-tasks.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny');
const models = { clap: { dir: join(TINY, 'clap') }, classifier: { dir: join(TINY, 'ast') } };
const VGGISH = { dir: join(TINY, 'vggish') };

const handler = createModelTaskHandler();
const calls: ModelTask['kind'][] = [];
const run = ((task: ModelTask): Promise<ModelTaskResult> => {
  calls.push(task.kind);
  return handler(task);
}) as ModelTaskRunner;

const thirds = (samples: Float32Array, from: number, to: number): Float32Array => {
  if (from !== 48_000 || to !== 16_000) throw new Error(`the test resampler only does 48k→16k, not ${from}→${to}`);
  return samples.filter((_, i) => i % 3 === 0);
};

function tone(hz: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(48_000 * seconds) },
    (_, i) => 0.4 * Math.sin((2 * Math.PI * hz * i) / 48_000),
  );
}

let clap: ClapRunner | null = null;
let classifier: AudioClassifierRunner | null = null;
let vggish: VggishRunner | null = null;
afterAll(async () => {
  await Promise.all([clap?.dispose(), classifier?.dispose(), vggish?.dispose()]);
});

describe('rawMetrics', () => {
  it(
    'gives each clip its mean window cosine and the KL of its windows against the truncated reference',
    { timeout: 60_000 },
    async () => {
      calls.length = 0;
      const seen: { generated: readonly Float32Array[]; reference: readonly Float32Array[] }[] = [];
      const deps: RawMetricsDeps = {
        run,
        resample: thirds,
        kldBoth: (generated, reference) => {
          seen.push({ generated, reference });
          return 0.5 * seen.length;
        },
      };
      const reference = tone(330, 15);
      const a = tone(440, 15);
      const b = tone(550, 12);
      const rows = await rawMetrics(
        {
          prompt: 'calm piano music',
          reference: { samples: reference, sampleRate: 48_000 },
          generated: [
            { name: 'a.wav', clip: { samples: a, sampleRate: 48_000 } },
            { name: 'b.wav', clip: { samples: b, sampleRate: 48_000 } },
          ],
          // VGGish keeps FAD cheap here: the CLAP-frame fallback is tested below.
          models: { ...models, vggish: VGGISH },
        },
        deps,
      );

      clap = await ClapRunner.load(models.clap);
      classifier = await AudioClassifierRunner.load(models.classifier);
      const [text] = (await clap.embedText(['calm piano music'])).embeddings;
      if (!text) throw new Error('no text embedding');
      const windows = (await clap.embedAudio(a, 48_000)).windows;
      const meanCosine = windows.reduce((sum, w) => sum + dot(w, text), 0) / windows.length;
      expect(rows[0]?.clapCosine).toBeCloseTo(meanCosine, 6);
      expect(rows.map((r) => [r.name, r.seconds, r.clapWindows, r.kld])).toEqual([
        ['a.wav', 15, 3, 0.5],
        ['b.wav', 12, 2, 1],
      ]);
      // b is 12 s: both sides cut to 12 s (192 000 samples at 16 kHz) before classifying.
      const b16 = thirds(b, 48_000, 16_000);
      const ref16 = thirds(reference, 48_000, 16_000).subarray(0, b16.length);
      expect(seen[1]?.generated).toEqual((await classifier.classify(b16, 16_000)).windows);
      expect(seen[1]?.reference).toEqual((await classifier.classify(ref16, 16_000)).windows);
      // The prompt once; the reference once per common length (15 s for a, 12 s for b).
      expect(calls.filter((k) => k === 'embed-text')).toHaveLength(1);
      expect(calls.filter((k) => k === 'classify')).toHaveLength(4);
    },
  );

  it(
    'leaves KL out without the KL function, and reports a failing clip while scoring the others',
    { timeout: 60_000 },
    async () => {
      calls.length = 0;
      const rows = await rawMetrics(
        {
          prompt: 'rock',
          reference: { samples: tone(330, 11), sampleRate: 48_000 },
          generated: [
            { name: 'empty.wav', clip: { samples: new Float32Array(0), sampleRate: 48_000 } },
            { name: 'ok.wav', clip: { samples: tone(440, 11), sampleRate: 48_000 } },
          ],
          models,
        },
        { run, resample: thirds },
      );
      expect(calls).not.toContain('classify');
      expect(rows[0]).toMatchObject({
        name: 'empty.wav',
        clapCosine: null,
        kld: null,
        fad: null,
        error: 'CLAP: CLAP got empty audio.; FAD: CLAP got empty audio.',
      });
      expect(rows[1]?.clapCosine).toEqual(expect.any(Number));
      expect(rows[1]?.kld).toBeNull();
      // No VGGish: FAD on CLAP windows 1 s apart, 2 for an 11 s clip.
      expect(rows[1]).toMatchObject({ fadEmbedding: 'clap-frames', fadFrames: 2, fadReferenceFrames: 2 });
      expect(rows[1]?.fad).toEqual(expect.any(Number));
    },
  );

  it(
    'measures FAD on VGGish frames of the DC-free 16 kHz clips, the reference embedded once',
    { timeout: 60_000 },
    async () => {
      calls.length = 0;
      const withVggish = { ...models, vggish: VGGISH };
      const reference = tone(330, 6).map((v) => v + 0.2); // a DC offset, removed before VGGish
      const other = tone(2000, 4);
      const arrays: [string | null, MetricArrayKind, number][] = [];
      const rows = await rawMetrics(
        {
          prompt: 'organ',
          reference: { samples: reference, sampleRate: 48_000 },
          generated: [
            { name: 'same.wav', clip: { samples: reference, sampleRate: 48_000 } },
            { name: 'other.wav', clip: { samples: other, sampleRate: 48_000 } },
          ],
          models: withVggish,
        },
        { run, resample: thirds, onArrays: (clip, kind, r) => arrays.push([clip, kind, r.length]) },
      );
      // The reference once, then each clip once; no CLAP windows at a 1 s hop.
      expect(calls.filter((k) => k === 'embed-frames')).toHaveLength(3);
      expect(calls.filter((k) => k === 'embed-audio')).toHaveLength(2);
      expect(rows.map((r) => [r.name, r.fadEmbedding, r.fadFrames, r.fadReferenceFrames, r.error])).toEqual([
        ['same.wav', 'vggish', 6, 6, undefined],
        ['other.wav', 'vggish', 4, 6, undefined],
      ]);
      expect(rows[0]?.fad).toBeLessThan(1e-6);

      const runner = await VggishRunner.load(VGGISH);
      vggish = runner;
      const embed = async (samples: Float32Array): Promise<Float32Array[]> =>
        (await runner.embedFrames(thirds(removeDc(samples), 48_000, 16_000), 16_000)).windows;
      const expected = frechetDistanceFromFrames(await embed(reference), await embed(other));
      expect(rows[1]?.fad).toBeCloseTo(expected.distance, 9);
      expect(rows[1]?.fad).toBeGreaterThan(0);
      expect(arrays).toEqual([
        [null, 'clap-text', 1],
        ['same.wav', 'clap-audio', 1],
        [null, 'vggish', 6],
        ['same.wav', 'vggish', 6],
        ['other.wav', 'clap-audio', 1],
        ['other.wav', 'vggish', 4],
      ]);
    },
  );

  it(
    'takes the reference frames computed before, and refuses them for the other embedding',
    { timeout: 60_000 },
    async () => {
      const reference: MonoClip = { samples: tone(330, 12), sampleRate: 48_000 };
      const precomputed = await fadReference(reference, models, { run, resample: thirds });
      expect(precomputed).toMatchObject({ embedding: 'clap-frames', statistics: { count: 3 } });
      expect(precomputed.frames).toHaveLength(3); // 12 s, 10 s windows at most 1 s apart: starts 0, 1, 2 s
      calls.length = 0;
      const input = {
        prompt: 'strings',
        reference,
        generated: [{ name: 'a.wav', clip: { samples: tone(440, 12), sampleRate: 48_000 } }],
        fadReference: precomputed,
      };
      const [row] = await rawMetrics({ ...input, models }, { run, resample: thirds });
      // Only the clip's own windows: one call for the cosine, one at the 1 s hop for FAD.
      expect(calls.filter((k) => k === 'embed-audio')).toHaveLength(2);
      expect(row).toMatchObject({ fadEmbedding: 'clap-frames', fadFrames: 3, fadReferenceFrames: 3 });
      expect(row?.fad).toBeGreaterThan(0);

      const [mismatch] = await rawMetrics(
        { ...input, models: { ...models, vggish: VGGISH } },
        { run, resample: thirds },
      );
      expect(mismatch?.fad).toBeNull();
      expect(mismatch?.error).toBe("FAD: the reference's frames are clap-frames but the clips get vggish");
    },
  );

  it('prints one aligned line per clip', () => {
    const table = formatRawMetrics([
      {
        name: 'a.wav',
        seconds: 15,
        clapCosine: 0.25,
        clapWindows: 3,
        kld: 1.5,
        fad: 12.25,
        fadEmbedding: 'vggish',
        fadFrames: 15,
        fadReferenceFrames: 16,
      },
      {
        name: 'long-name.wav',
        seconds: 2.5,
        clapCosine: null,
        clapWindows: 0,
        kld: null,
        fad: null,
        fadEmbedding: null,
        fadFrames: 0,
        fadReferenceFrames: 0,
        error: 'CLAP: x',
      },
    ]);
    expect(table).toBe(
      [
        'file           seconds  clap_cosine  windows  kld_both  fad        fad_embedding  fad_frames  error',
        'a.wav          15.00    0.250000     3        1.500000  12.250000  vggish         15/16',
        'long-name.wav  2.50     -            0        -         -          -              -           CLAP: x',
        '',
      ].join('\n'),
    );
  });
});
