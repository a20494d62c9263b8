import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../src-shared/api/errors.js';
import { GpuBenchmarkSchema, type ExecutionProvider, type GpuReport } from '../../src-shared/schemas/gpu.js';
import { gpuReport } from '../inference/gpu/index.js';
import type { GeneratedAudio, MusicGenerator } from '../inference/generate/musicgen.js';
import type { MusicRequest } from '../inference/generate/request.js';
import { BENCHMARK_PROMPT, runGpuBenchmark, type BenchmarkGenerator } from './gpu-benchmark.js';

/** A report of a machine without a GPU: only the CPU is chosen (every probe skipped). */
async function cpuOnlyReport(): Promise<GpuReport> {
  return gpuReport({
    platform: 'linux',
    arch: 'x64',
    onnxruntimeDir: null,
    probe: null,
    run: () => Promise.resolve({ kind: 'not-found' }),
  });
}

/** With the CUDA probe passing as well. */
async function cudaReport(): Promise<GpuReport> {
  const report = await cpuOnlyReport();
  return { ...report, probes: report.probes.map((p) => (p.ep === 'cuda' ? { ...p, ok: true, outcome: 'ok' } : p)) };
}

/**
 * A generator whose every call advances a fake clock by `msPerStep` per decoding step, as a real
 * one on a device of that speed would (50 steps per second of audio, 32 kHz).
 */
function clockedGenerator(clock: { now: number }, msPerStep: number, requests: MusicRequest[]): MusicGenerator {
  return {
    generate(request) {
      requests.push(request);
      const seconds = request.durationSeconds ?? 1;
      const steps = Math.round(seconds * 50);
      clock.now += steps * msPerStep + 100;
      const audio: GeneratedAudio = {
        audio: new Float32Array(seconds * 32_000),
        sampleRate: 32_000,
        model: 'tiny',
        dtype: { text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' },
        device: 'cpu',
        steps,
        seed: request.seed ?? null,
        timings: { encodeMs: 50, decodeMs: steps * msPerStep, audioMs: 50, totalMs: steps * msPerStep + 100 },
      };
      return Promise.resolve(audio);
    },
  };
}

describe('runGpuBenchmark', () => {
  it('measures steps/s and the real-time factor on each available provider, after a warm-up', async () => {
    const clock = { now: 0 };
    const requests: MusicRequest[] = [];
    const opened: ExecutionProvider[] = [];
    let closed = 0;
    const speed: Record<ExecutionProvider, number> = { cuda: 10, webgpu: 0, cpu: 40 };
    const result = await runGpuBenchmark({
      report: cudaReport,
      model: () => Promise.resolve({ source: { dir: '/models/tiny', dtype: 'fp32' }, name: 'tiny@fp32' }),
      generatorOn: (provider): BenchmarkGenerator => {
        opened.push(provider);
        return { generator: clockedGenerator(clock, speed[provider], requests), close: async () => void closed++ };
      },
      now: () => clock.now,
      durationSeconds: 2,
    });
    expect(GpuBenchmarkSchema.parse(result)).toEqual(result);
    expect(result.model).toBe('tiny@fp32');
    expect(opened).toEqual(['cuda', 'cpu']);
    expect(closed).toBe(2);
    // Warm-up then the timed run, same fixed prompt, on each provider.
    expect(requests.map((r) => [r.prompt, r.durationSeconds])).toEqual([
      [BENCHMARK_PROMPT, 1],
      [BENCHMARK_PROMPT, 2],
      [BENCHMARK_PROMPT, 1],
      [BENCHMARK_PROMPT, 2],
    ]);
    const [cuda, webgpu, cpu] = result.runs;
    // 100 steps in 1000 ms of decoding; 2 s of audio in 1100 ms of wall time.
    expect(cuda).toMatchObject({ provider: 'cuda', outcome: 'ok', steps: 100, audioSeconds: 2, wallMs: 1100 });
    expect(cuda?.stepsPerSecond).toBeCloseTo(100);
    expect(cuda?.realTimeFactor).toBeCloseTo(2 / 1.1);
    expect(webgpu).toMatchObject({ provider: 'webgpu', outcome: 'unavailable', stepsPerSecond: null });
    expect(webgpu?.message).toMatch(/skipped/);
    expect(cpu?.stepsPerSecond).toBeCloseTo(25);
    expect(cpu?.realTimeFactor).toBeCloseTo(2 / 4.1);
  });

  it('reports a provider that fails and goes on with the next, closing each generator', async () => {
    let closed = 0;
    const result = await runGpuBenchmark({
      report: cudaReport,
      model: () => Promise.resolve({ source: { dir: '/m', dtype: 'fp32' }, name: 'm@fp32' }),
      generatorOn: (provider) => ({
        generator:
          provider === 'cuda'
            ? { generate: () => Promise.reject(new Error('CUDA out of memory')) }
            : clockedGenerator({ now: 0 }, 1, []),
        close: async () => void closed++,
      }),
    });
    expect(result.runs[0]).toMatchObject({ provider: 'cuda', outcome: 'failed', message: 'CUDA out of memory' });
    expect(result.runs[2]).toMatchObject({ provider: 'cpu', outcome: 'ok' });
    expect(closed).toBe(2);
  });

  it('refuses with the model store’s reason when no model is installed', async () => {
    const refusal = new HostApiError('unavailable', 'No installed model to benchmark');
    await expect(
      runGpuBenchmark({
        report: cpuOnlyReport,
        model: () => Promise.reject(refusal),
        generatorOn: () => {
          throw new Error('not reached');
        },
      }),
    ).rejects.toBe(refusal);
  });
});
