/**
 * Live GPU load for the GPU page: utilisation, VRAM, temperature and power of every NVIDIA GPU,
 * read with the same nvidia-smi query as the report (so the same parser copes with the same
 * oddities). Behind an interface so that the engine's watch loop can be tested with a double on a
 * machine without a GPU, and so that another vendor's tool could join later.
 */
import type { GpuLoad, GpuSample } from '../../../src-shared/schemas/gpu.js';
import { execFileRunner, type CommandRunner } from './command-runner.js';
import { queryNvidiaSmi } from './nvidia-smi.js';

export interface GpuSampler {
  /** Reads the GPUs once. Never throws: a failure is a sample with a status and a sentence. */
  sample(): Promise<GpuSample>;
}

export interface NvidiaSmiSamplerOptions {
  run?: CommandRunner;
  platform?: NodeJS.Platform;
  now?: () => Date;
  /** Shorter than the report's: a sample that comes late is worth nothing. */
  timeoutMs?: number;
}

/** The sampler on nvidia-smi. */
export function nvidiaSmiSampler(options: NvidiaSmiSamplerOptions = {}): GpuSampler {
  const run = options.run ?? execFileRunner;
  const now = options.now ?? (() => new Date());
  return {
    async sample() {
      const report = await queryNvidiaSmi(run, {
        timeoutMs: options.timeoutMs ?? 5_000,
        ...(options.platform ? { platform: options.platform } : {}),
      });
      const gpus: GpuLoad[] = report.gpus.map((gpu) => ({
        index: gpu.index,
        name: gpu.name,
        utilizationPercent: gpu.utilizationPercent,
        memoryUsedMiB: gpu.memoryUsedMiB,
        memoryTotalMiB: gpu.memoryTotalMiB,
        temperatureC: gpu.temperatureC,
        powerDrawW: gpu.powerDrawW,
        powerLimitW: gpu.powerLimitW,
      }));
      return { at: now().toISOString(), status: report.status, message: report.message, gpus };
    },
  };
}
