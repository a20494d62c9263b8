/**
 * Which MusicGen fits this machine, for onboarding's model step: the largest downloadable model
 * whose weights, with room for the cache and the audio decoder, fit the GPU's memory; on the CPU
 * the smallest (a miner must answer inside the validator's timeout). Pure, so it is tested.
 */
import type { GpuReport } from '../../src-shared/schemas/gpu.js';
import type { ModelListEntry } from '../../src-shared/schemas/model-manifest.js';

/** Weights × this, plus a fixed margin, is what a generation needs on the device (musicgen spec §6). */
const RUNTIME_FACTOR = 1.5;
const MARGIN_BYTES = 1024 ** 3;

export interface ModelFit {
  readonly entry: ModelListEntry | null;
  /** One sentence for people: why this one. */
  readonly reason: string;
  /** The largest GPU's memory in MiB, null without an NVIDIA GPU. */
  readonly vramMiB: number | null;
}

function sizeOf(entry: ModelListEntry): number {
  return entry.bytesTotal ?? entry.approxBytes ?? Number.POSITIVE_INFINITY;
}

export function recommendModel(entries: readonly ModelListEntry[], report: GpuReport | null): ModelFit {
  const candidates = entries
    .filter((e) => e.kind === 'musicgen' && e.sourceKind === 'hub' && Number.isFinite(sizeOf(e)))
    .sort((a, b) => sizeOf(a) - sizeOf(b));
  const vramMiB =
    report?.nvidia.gpus.reduce<number | null>(
      (most, gpu) =>
        gpu.memoryTotalMiB !== null && (most === null || gpu.memoryTotalMiB > most) ? gpu.memoryTotalMiB : most,
      null,
    ) ?? null;
  if (candidates.length === 0) return { entry: null, reason: 'No downloadable MusicGen model is offered.', vramMiB };
  const onGpu = report !== null && report.device.device !== 'cpu' && vramMiB !== null;
  if (!onGpu) {
    return {
      entry: candidates[0] ?? null,
      reason: 'No usable GPU was found: the smallest model keeps CPU generation inside the validator’s timeout.',
      vramMiB,
    };
  }
  const budget = vramMiB * 1024 * 1024;
  const fitting = candidates.filter((e) => sizeOf(e) * RUNTIME_FACTOR + MARGIN_BYTES <= budget);
  const chosen = fitting[fitting.length - 1] ?? candidates[0] ?? null;
  return {
    entry: chosen,
    reason:
      fitting.length > 0
        ? `The largest model that fits ${Math.round(vramMiB / 1024)} GiB of GPU memory with room for generation.`
        : `Even the smallest model is tight in ${Math.round(vramMiB / 1024)} GiB of GPU memory; expect it to fall back to the CPU.`,
    vramMiB,
  };
}
