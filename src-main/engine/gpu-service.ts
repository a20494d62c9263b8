/**
 * The GPU commands: `gpu.report` (the diagnosis, which takes seconds to a minute, made once and
 * cached until a refresh), `gpu.watch` / `gpu.unwatch` (live load as `gpu.sample` events while a
 * GPU page is open) and `gpu.benchmark` (the installed model on each available provider).
 */
import { HostApiError } from '../../src-shared/api/errors.js';
import type { GpuBenchmark, GpuReport, GpuSample } from '../../src-shared/schemas/gpu.js';
import { gpuReport, type GpuReportOptions } from '../inference/gpu/index.js';
import { nvidiaSmiSampler, type GpuSampler } from '../inference/gpu/gpu-sampler.js';
import type { Logger } from '../log/logger.js';
import { runGpuBenchmark, type GpuBenchmarkOptions } from './gpu-benchmark.js';
import { GpuWatch } from './gpu-watch.js';
import type { HandlerSlice, Service } from './service.js';

type GpuCommands = 'gpu.report' | 'gpu.watch' | 'gpu.unwatch' | 'gpu.benchmark';

export interface GpuServiceOptions {
  log: Logger;
  report?: GpuReportOptions;
  /** Where live samples go (the event bus's `gpu.sample`). */
  emitSample?: (sample: GpuSample) => void;
  /** Default nvidia-smi (with the report's runner, so tests replay one machine for both). */
  sampler?: GpuSampler;
  sampleIntervalMs?: number;
  /** How to benchmark; without it gpu.benchmark answers `unavailable`. */
  benchmark?: Omit<GpuBenchmarkOptions, 'report'>;
}

export class GpuService implements Service<GpuCommands> {
  readonly name = 'gpu';
  readonly handlers: HandlerSlice<GpuCommands> = {
    'gpu.report': (input) => this.report(input.refresh),
    'gpu.watch': (input) => {
      this.watcher.watch(input.id, input.leaseMs);
      return { intervalMs: this.watcher.intervalMs };
    },
    'gpu.unwatch': (input) => ({ stopped: this.watcher.unwatch(input.id) }),
    'gpu.benchmark': () => this.benchmark(),
  };
  private run: Promise<GpuReport> | undefined;
  private benchmarking: Promise<GpuBenchmark> | undefined;
  private readonly watcher: GpuWatch;

  constructor(private readonly options: GpuServiceOptions) {
    const { run, platform } = options.report ?? {};
    this.watcher = new GpuWatch({
      sampler: options.sampler ?? nvidiaSmiSampler({ ...(run ? { run } : {}), ...(platform ? { platform } : {}) }),
      emit: (sample) => options.emitSample?.(sample),
      ...(options.sampleIntervalMs ? { intervalMs: options.sampleIntervalMs } : {}),
    });
  }

  /** One run at a time; a failed run is forgotten so that the next call tries again. */
  report(refresh = false): Promise<GpuReport> {
    if (!this.run || refresh) {
      const { log } = this.options;
      log.info('Checking GPUs and execution providers');
      const run = gpuReport({ probe: null, ...this.options.report });
      this.run = run;
      void run.then(
        (report) => log.info(report.device.summary, { device: report.device.device }),
        () => undefined,
      );
      run.catch(() => {
        if (this.run === run) this.run = undefined;
      });
    }
    return this.run;
  }

  /** One benchmark at a time: a second click joins the one running (two would measure each other). */
  benchmark(): Promise<GpuBenchmark> {
    const options = this.options.benchmark;
    if (!options) return Promise.reject(new HostApiError('unavailable', 'This engine cannot run benchmarks.'));
    if (!this.benchmarking) {
      const { log } = this.options;
      log.info('Benchmarking the installed model on each available execution provider');
      const run = runGpuBenchmark({ ...options, report: () => this.report() });
      this.benchmarking = run;
      void run.then(
        (result) => {
          for (const r of result.runs) {
            log.info(`Benchmark on ${r.provider}: ${r.outcome}`, {
              stepsPerSecond: r.stepsPerSecond,
              realTimeFactor: r.realTimeFactor,
              ...(r.message ? { reason: r.message } : {}),
            });
          }
        },
        (error: unknown) => log.warn('The benchmark could not run', { error: String(error) }),
      );
      void run
        .finally(() => {
          if (this.benchmarking === run) this.benchmarking = undefined;
        })
        .catch(() => undefined);
    }
    return this.benchmarking;
  }

  stop(): void {
    // A probe still running ends by itself (its child has a time limit); its answer is dropped.
    this.watcher.stop();
  }
}
