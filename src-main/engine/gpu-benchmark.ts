/**
 * `gpu.benchmark`: the installed model on each execution provider that passed its probe, through
 * the same generation path the miner uses (an inference worker where the host spawns them), so
 * that the numbers are the ones mining would see. Each provider gets a short warm-up generation
 * first (the model load is not what is measured), then one timed generation: steps per second of
 * decoding and the real-time factor (seconds of audio per second of wall time).
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HostApiError } from '../../src-shared/api/errors.js';
import type {
  EpProbeOutcome,
  ExecutionProvider,
  GpuBenchmark,
  GpuBenchmarkRun,
  GpuReport,
} from '../../src-shared/schemas/gpu.js';
import type { Settings } from '../../src-shared/schemas/settings.js';
import type { MusicGenerator, MusicgenSource } from '../inference/generate/musicgen.js';
import type { MusicRequest } from '../inference/generate/request.js';
import { InferenceWorker, type SpawnWorker } from '../inference/worker/worker-client.js';
import type { WorkerSlot } from '../inference/worker/worker-pool.js';
import type { Logger } from '../log/logger.js';
import { ModelStore, modelsDirIn } from '../models/index.js';

/** A generator on one provider, and how to let it go (a worker process to end). */
export interface BenchmarkGenerator {
  readonly generator: MusicGenerator;
  close(): Promise<void>;
}

export interface BenchmarkModel {
  readonly source: MusicgenSource;
  /** For the answer: `musicgen-small@q8`. */
  readonly name: string;
}

export interface GpuBenchmarkOptions {
  report: () => Promise<GpuReport>;
  /** The model the miner would load; rejects with a HostApiError when none is installed. */
  model: () => Promise<BenchmarkModel>;
  generatorOn: (
    provider: ExecutionProvider,
    source: MusicgenSource,
  ) => BenchmarkGenerator | Promise<BenchmarkGenerator>;
  now?: () => number;
  /** Seconds of audio in the timed run; short enough to keep a CPU run under a minute. */
  durationSeconds?: number;
}

/** A fixed prompt and seed: two benchmarks of one machine do the same work. */
export const BENCHMARK_PROMPT = 'calm lo-fi piano with soft drums';
export const BENCHMARK_SEED = 50;

const OUTCOME_WORDS: Record<EpProbeOutcome, string> = {
  ok: 'passed',
  error: 'failed',
  crashed: 'crashed',
  timeout: 'timed out',
  'bad-output': 'gave bad output',
  'not-started': 'did not start',
  skipped: 'was skipped',
  'software-adapter': 'found only a software adapter',
};

export async function runGpuBenchmark(options: GpuBenchmarkOptions): Promise<GpuBenchmark> {
  const now = options.now ?? Date.now;
  const report = await options.report();
  const model = await options.model();
  const runs: GpuBenchmarkRun[] = [];
  // One provider at a time: two on one GPU would measure each other.
  for (const probe of report.probes) {
    // The chosen device counts as available even unprobed: the engine generates on it anyway.
    if (!probe.ok && probe.ep !== report.device.device) {
      runs.push(notRun(probe.ep, 'unavailable', `Not available here: its probe ${OUTCOME_WORDS[probe.outcome]}.`));
      continue;
    }
    runs.push(await benchmarkOne(probe.ep, model.source, options, now));
  }
  return { finishedAt: new Date(now()).toISOString(), model: model.name, chosen: report.device.device, runs };
}

async function benchmarkOne(
  provider: ExecutionProvider,
  source: MusicgenSource,
  options: GpuBenchmarkOptions,
  now: () => number,
): Promise<GpuBenchmarkRun> {
  let handle: BenchmarkGenerator | null = null;
  try {
    handle = await options.generatorOn(provider, source);
    const request: MusicRequest = {
      prompt: BENCHMARK_PROMPT,
      durationSeconds: options.durationSeconds ?? 3,
      seed: BENCHMARK_SEED,
    };
    await handle.generator.generate({ ...request, durationSeconds: 1 });
    const started = now();
    const audio = await handle.generator.generate(request);
    const wallMs = Math.max(1, now() - started);
    const audioSeconds = audio.audio.length / audio.sampleRate;
    const decodeMs = audio.timings.decodeMs > 0 ? audio.timings.decodeMs : wallMs;
    return {
      provider,
      outcome: 'ok',
      stepsPerSecond: audio.steps / (decodeMs / 1000),
      realTimeFactor: audioSeconds / (wallMs / 1000),
      steps: audio.steps,
      audioSeconds,
      wallMs,
      message: null,
    };
  } catch (error) {
    return notRun(provider, 'failed', error instanceof Error ? error.message : String(error));
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function notRun(provider: ExecutionProvider, outcome: 'unavailable' | 'failed', message: string): GpuBenchmarkRun {
  return {
    provider,
    outcome,
    stepsPerSecond: null,
    realTimeFactor: null,
    steps: null,
    audioSeconds: null,
    wallMs: null,
    message,
  };
}

export interface InstalledModelOptions {
  settings: () => Pick<Settings, 'minerModel' | 'minerDtype'>;
  dataDir: string;
  /** The host's worker spawner; null runs MusicGen in this process, as the miner then does. */
  spawnWorker: ((slot: WorkerSlot) => SpawnWorker) | null;
  logger: Logger;
}

/**
 * The benchmark's model and generators as the miner makes them: the settings' model (a folder, or
 * a store id at the settings' dtype), in a fresh worker per provider where the host has workers.
 */
export function installedModelBenchmark(
  options: InstalledModelOptions,
): Pick<GpuBenchmarkOptions, 'model' | 'generatorOn'> {
  return {
    model: async () => {
      const { minerModel, minerDtype } = options.settings();
      if (existsSync(join(minerModel, 'config.json'))) {
        return { source: { dir: minerModel, dtype: minerDtype }, name: `${basename(minerModel)}@${minerDtype}` };
      }
      const store = new ModelStore({ modelsDir: modelsDirIn(options.dataDir) });
      const source = await store.loadable(minerModel, minerDtype).catch((error: unknown) => {
        throw new HostApiError(
          'unavailable',
          `No installed model to benchmark: ${minerModel} (${minerDtype}) is not ready (${error instanceof Error ? error.message : String(error)}). Download or import it in Settings → Models.`,
        );
      });
      return { source, name: `${minerModel}@${minerDtype}` };
    },
    generatorOn: async (provider, source) => {
      if (options.spawnWorker) {
        const worker = new InferenceWorker({
          spawn: options.spawnWorker({ gpu: null, device: provider, label: `benchmark-${provider}` }),
          logger: options.logger,
        });
        return { generator: worker.generator(source, { device: provider }), close: () => worker.close() };
      }
      const { MusicgenGenerator } = await import('../inference/generate/musicgen.js');
      const generator = new MusicgenGenerator(source, { device: provider, logger: options.logger });
      return { generator, close: () => Promise.resolve() };
    },
  };
}
