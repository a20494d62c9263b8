import { describe, expect, it } from 'vitest';
import type { GpuReport } from '../../src-shared/schemas/gpu.js';
import type { ModelListEntry } from '../../src-shared/schemas/model-manifest.js';
import { CPU_REPORT, CUDA_REPORT } from '../testing/gpu-reports.js';
import { recommendModel } from './model-fit.js';

const GIB = 1024 ** 3;

function entry(id: string, bytes: number, patch: Partial<ModelListEntry> = {}): ModelListEntry {
  return {
    id,
    kind: 'musicgen',
    displayName: id,
    repo: `facebook/${id}`,
    dtype: 'fp32',
    state: 'missing',
    sourceKind: 'hub',
    protocolModelName: id,
    license: { spdx: 'CC-BY-NC-4.0', url: 'https://example.org/l', summary: 'x', nonCommercial: true },
    dir: `/m/${id}`,
    bytesPresent: 0,
    bytesTotal: bytes,
    approxBytes: null,
    files: [],
    importInstructions: null,
    ...patch,
  };
}

function withVram(report: GpuReport, mib: number): GpuReport {
  return {
    ...report,
    nvidia: { ...report.nvidia, gpus: report.nvidia.gpus.map((gpu) => ({ ...gpu, memoryTotalMiB: mib })) },
  };
}

const ENTRIES = [
  entry('musicgen-medium', 6 * GIB),
  entry('musicgen-small', 2 * GIB),
  entry('musicgen-large', 13 * GIB, { sourceKind: 'import' }),
  entry('clap', 1 * GIB, { kind: 'clap', protocolModelName: null }),
];

describe('recommendModel', () => {
  it('takes the smallest generator on the CPU', () => {
    expect(recommendModel(ENTRIES, CPU_REPORT).entry?.id).toBe('musicgen-small');
    expect(recommendModel(ENTRIES, null).entry?.id).toBe('musicgen-small');
  });

  it('takes the largest downloadable generator that fits the GPU with room for generation', () => {
    expect(recommendModel(ENTRIES, withVram(CUDA_REPORT, 24_576)).entry?.id).toBe('musicgen-medium');
    // 6 GiB × 1.5 + 1 GiB = 10 GiB does not fit 8 GiB; 2 × 1.5 + 1 = 4 does.
    const eight = recommendModel(ENTRIES, withVram(CUDA_REPORT, 8192));
    expect(eight.entry?.id).toBe('musicgen-small');
    expect(eight.vramMiB).toBe(8192);
  });

  it('says so when even the smallest is tight, and when nothing can be downloaded', () => {
    const tight = recommendModel(ENTRIES, withVram(CUDA_REPORT, 2048));
    expect(tight.entry?.id).toBe('musicgen-small');
    expect(tight.reason).toMatch(/tight/);
    expect(recommendModel([ENTRIES[2] as ModelListEntry], CPU_REPORT).entry).toBeNull();
  });
});
