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
import { formatRawMetrics, rawMetrics, type ModelTaskRunner, type RawMetricsDeps } from './raw-metrics.js';
import { dot } from './cosine.js';
import { createModelTaskHandler } from './worker-tasks.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny');
const models = { clap: { dir: join(TINY, 'clap') }, classifier: { dir: join(TINY, 'ast') } };

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
afterAll(async () => {
  await Promise.all([clap?.dispose(), classifier?.dispose()]);
});

describe('rawMetrics', () => {
  it('gives each clip its mean window cosine and the KL of its windows against the truncated reference', async () => {
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
        models,
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
  });

  it('leaves KL out without the KL function, and reports a failing clip while scoring the others', async () => {
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
      error: 'CLAP: CLAP got empty audio.',
    });
    expect(rows[1]?.clapCosine).toEqual(expect.any(Number));
    expect(rows[1]?.kld).toBeNull();
  });

  it('prints one aligned line per clip', () => {
    const table = formatRawMetrics([
      { name: 'a.wav', seconds: 15, clapCosine: 0.25, clapWindows: 3, kld: 1.5 },
      { name: 'long-name.wav', seconds: 2.5, clapCosine: null, clapWindows: 0, kld: null, error: 'CLAP: x' },
    ]);
    expect(table).toBe(
      [
        'file           seconds  clap_cosine  windows  kld_both  error',
        'a.wav          15.00    0.250000     3        1.500000',
        'long-name.wav  2.50     -            0        -         CLAP: x',
        '',
      ].join('\n'),
    );
  });
});
