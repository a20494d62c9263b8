/** `gpu.report`: the GPU diagnosis, which takes seconds to a minute, made once and cached until a refresh. */
import type { GpuReport } from '../../src-shared/schemas/gpu.js';
import { gpuReport, type GpuReportOptions } from '../inference/gpu/index.js';
import type { Logger } from '../log/logger.js';
import type { HandlerSlice, Service } from './service.js';

export class GpuService implements Service<'gpu.report'> {
  readonly name = 'gpu';
  readonly handlers: HandlerSlice<'gpu.report'> = { 'gpu.report': (input) => this.report(input.refresh) };
  private run: Promise<GpuReport> | undefined;

  constructor(private readonly options: { log: Logger; report?: GpuReportOptions }) {}

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

  stop(): void {
    // A probe still running ends by itself (its child has a time limit); its answer is dropped.
  }
}
