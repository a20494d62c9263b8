import { describe, expect, it } from 'vitest';
import { GpuReportSchema, type EpProbeResult, type ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import type { CommandResult } from './command-runner.js';
import { probeExecutionProvider, skippedProbe, type ProbeOptions } from './ep-probe.js';
import { checkOnnxruntimeInstall, providerFolder } from './onnxruntime-install.js';
import { gpuReport, type GpuReportOptions } from './report.js';
import { writeFakeProbe, type FakeProbeMode } from './testing/fake-probe.js';
import { FakeFileSystem, scriptedRunner } from './testing/fakes.js';
import {
  LDCONFIG_CUDA12_CUDNN8,
  LDCONFIG_CUDA12_CUDNN9,
  SMI_GERMAN_LOCALE,
  SMI_H100,
  SMI_TWO_GPUS,
} from './testing/fixtures.js';

const tempDir = useTempDirs();
const ORT_DIR = '/srv/bittaudio/node_modules/onnxruntime-node';
const PROVIDERS = providerFolder(ORT_DIR);
const NOW = new Date('2025-11-25T21:00:00.000Z');

function machine(ldconfig: CommandResult, smi: CommandResult, files: string[] = []): Partial<GpuReportOptions> {
  return {
    platform: 'linux',
    arch: 'x64',
    env: {},
    home: '/home/ana',
    run: scriptedRunner({ 'nvidia-smi': smi, ldconfig }),
    fs: new FakeFileSystem([
      `${PROVIDERS}/libonnxruntime_providers_cuda.so`,
      `${PROVIDERS}/libonnxruntime_providers_shared.so`,
      ...files,
    ]),
    onnxruntimeDir: ORT_DIR,
    now: () => NOW,
  };
}

/** A probe double that answers from a table and records what it was asked. */
function probes(answers: Partial<Record<ExecutionProvider, (ep: ExecutionProvider) => EpProbeResult>>) {
  const asked: ExecutionProvider[] = [];
  const run = (ep: ExecutionProvider): Promise<EpProbeResult> => {
    asked.push(ep);
    const answer = answers[ep];
    return Promise.resolve(answer ? answer(ep) : skippedProbe(ep, 'unexpected'));
  };
  return { run, asked };
}

const works = (ep: ExecutionProvider): EpProbeResult => ({
  ...skippedProbe(ep, ''),
  ok: true,
  outcome: 'ok',
  reason: `${ep} works.`,
  exitCode: 0,
});

describe('gpuReport', () => {
  it('on a complete CUDA box reports everything found and chooses CUDA', async () => {
    const probe = probes({ cuda: works, webgpu: works, cpu: works });
    const report = await gpuReport({
      ...machine(LDCONFIG_CUDA12_CUDNN9, SMI_H100),
      probe: { script: '/srv/bittaudio/probe.mjs' },
      probeExecutionProvider: probe.run,
    });
    expect(GpuReportSchema.parse(report)).toEqual(report);
    expect(report.generatedAt).toBe('2025-11-25T21:00:00.000Z');
    expect(report.nvidia.gpus.map((g) => g.name)).toEqual(['NVIDIA H100 80GB HBM3']);
    expect(report.cudaLibraries.missing).toEqual([]);
    expect(report.onnxruntime).toMatchObject({ installed: true, cudaProviderInstalled: true, dir: ORT_DIR });
    expect(probe.asked).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(report.probes.map((p) => p.ep)).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(report.device).toMatchObject({ device: 'cuda', verified: true });
    expect(report.enableCuda.applicable).toBe(true);
    expect(report.enableCuda.steps.map((s) => s.done)).toEqual([true, true, true, true]);
  });

  it('runs real probe children and falls back to WebGPU when cuDNN 9 is missing', async () => {
    const script = writeFakeProbe(tempDir());
    const modes: Record<ExecutionProvider, FakeProbeMode> = { cuda: 'cuda-library-missing', webgpu: 'ok', cpu: 'ok' };
    const report = await gpuReport({
      ...machine(LDCONFIG_CUDA12_CUDNN8, SMI_TWO_GPUS),
      probe: { script, timeoutMs: { cuda: 15_000, webgpu: 15_000, cpu: 15_000 } },
      probeExecutionProvider: (ep: ExecutionProvider, options: ProbeOptions) =>
        probeExecutionProvider(ep, { ...options, args: [modes[ep]] }),
    });
    expect(GpuReportSchema.parse(report)).toEqual(report);
    expect(report.probes.map((p) => [p.ep, p.outcome])).toEqual([
      ['cuda', 'error'],
      ['webgpu', 'ok'],
      ['cpu', 'ok'],
    ]);
    expect(report.probes[0]?.missingLibrary).toBe('libcublasLt.so.12');
    expect(report.device.device).toBe('webgpu');
    expect(report.device.steps[0]).toMatchObject({ ep: 'cuda', accepted: false });
    expect(report.device.summary).toMatch(
      /^Using WebGPU\. The CUDA probe failed: OrtSessionOptionsAppendExecutionProvider_Cuda/,
    );
    expect(report.cudaLibraries.missing).toEqual(['libcudnn.so.9']);
    const libraries = report.enableCuda.steps[1];
    expect(libraries?.done).toBe(false);
    expect(libraries?.text).toContain('Now missing: libcudnn.so.9.');
    expect(libraries?.text).toContain('libcudnn.so.8 (/lib/x86_64-linux-gnu/libcudnn.so.8)');
    expect(report.enableCuda.steps[3]?.done).toBe(false);
  });

  it('refuses a WebGPU adapter that exists only as a software driver, and says it found one', async () => {
    const seen: (string | undefined)[] = [];
    const noAdapter = 'Failed to get a WebGPU adapter: No supported adapters';
    const report = await gpuReport({
      ...machine(LDCONFIG_CUDA12_CUDNN9, SMI_H100),
      probe: { script: '/probe.mjs' },
      probeExecutionProvider: (ep, options) => {
        if (ep !== 'webgpu') return Promise.resolve(ep === 'cpu' ? works(ep) : skippedProbe(ep, 'not here'));
        const hidden = options.env?.['VK_LOADER_DRIVERS_DISABLE'];
        seen.push(hidden);
        // Like the real loader: with the software drivers hidden there is nothing left.
        return Promise.resolve(
          hidden?.includes('*lvp_icd*')
            ? { ...skippedProbe(ep, ''), outcome: 'error' as const, reason: 'failed', error: noAdapter }
            : { ...works(ep), details: { benchMs: 15.6 } },
        );
      },
    });
    expect(seen).toEqual(['*lvp_icd*,*swiftshader*', undefined]);
    const webgpu = report.probes.find((p) => p.ep === 'webgpu');
    expect(webgpu).toMatchObject({ ok: false, outcome: 'software-adapter', details: { softwareAdapter: true } });
    expect(webgpu?.reason).toMatch(/^WebGPU found only a software adapter.*15\.6 ms per run.*not used/);
    expect(report.device.device).toBe('cpu');
    expect(report.device.summary).toContain('WebGPU found only a software adapter');
  });

  it('reports "no adapter" as it is when not even a software driver answers', async () => {
    const noAdapter = 'Failed to get a WebGPU adapter: No supported adapters';
    const failure = {
      ...skippedProbe('webgpu', ''),
      outcome: 'error' as const,
      reason: 'no adapter',
      error: noAdapter,
    };
    const report = await gpuReport({
      ...machine(LDCONFIG_CUDA12_CUDNN9, SMI_H100),
      probe: { script: '/probe.mjs' },
      probeExecutionProvider: (ep) => Promise.resolve(ep === 'webgpu' ? failure : works(ep)),
    });
    expect(report.probes.find((p) => p.ep === 'webgpu')).toMatchObject({ outcome: 'error', reason: 'no adapter' });
  });

  it('does not probe CUDA when the provider files are missing, and says how to get them', async () => {
    const probe = probes({ webgpu: works, cpu: works });
    const report = await gpuReport({
      ...machine(LDCONFIG_CUDA12_CUDNN9, SMI_H100),
      fs: new FakeFileSystem([`${PROVIDERS}/libonnxruntime.so.1`]),
      probe: { script: '/srv/bittaudio/probe.mjs' },
      probeExecutionProvider: probe.run,
    });
    expect(probe.asked).toEqual(['webgpu', 'cpu']);
    expect(report.onnxruntime.missingProviderFiles).toEqual([
      'libonnxruntime_providers_cuda.so',
      'libonnxruntime_providers_shared.so',
    ]);
    expect(report.probes[0]).toMatchObject({ ep: 'cuda', outcome: 'skipped' });
    expect(report.probes[0]?.reason).toBe(
      'CUDA was not probed: the CUDA provider of onnxruntime-node is not installed (run `npm run cuda:install`).',
    );
    expect(report.device.device).toBe('webgpu');
    expect(report.enableCuda.steps[2]).toMatchObject({ done: false });
    expect(report.enableCuda.steps[3]).toMatchObject({ done: null });
  });

  it('on Windows skips the CUDA probe with the platform note and offers no CUDA steps', async () => {
    const probe = probes({ webgpu: works, cpu: works });
    const report = await gpuReport({
      ...machine(LDCONFIG_CUDA12_CUDNN9, SMI_GERMAN_LOCALE),
      platform: 'win32',
      probe: { script: 'C:\\BittAudio\\probe.mjs' },
      probeExecutionProvider: probe.run,
    });
    expect(GpuReportSchema.parse(report)).toEqual(report);
    expect(report.nvidia.gpus[0]?.powerDrawW).toBe(98.34);
    expect(report.cudaLibraries.applicable).toBe(false);
    expect(report.onnxruntime.cudaProviderInstalled).toBeNull();
    expect(report.probes[0]?.outcome).toBe('skipped');
    expect(report.probes[0]?.reason).toMatch(/^The CUDA EP is Linux x64 only in onnxruntime-node/);
    expect(probe.asked).toEqual(['webgpu', 'cpu']);
    expect(report.device.device).toBe('webgpu');
    expect(report.enableCuda).toMatchObject({ applicable: false, steps: [] });
    expect(report.enableCuda.text).toMatch(/DirectML and WebGPU on Windows/);
  });

  it('without onnxruntime-node probes nothing and settles on the CPU, unverified', async () => {
    const probe = probes({});
    const report = await gpuReport({
      ...machine(LDCONFIG_CUDA12_CUDNN9, SMI_H100),
      onnxruntimeDir: null,
      probe: { script: '/srv/bittaudio/probe.mjs' },
      probeExecutionProvider: probe.run,
    });
    expect(probe.asked).toEqual([]);
    expect(report.probes.map((p) => p.reason)).toEqual([
      'CUDA was not probed: onnxruntime-node is not installed.',
      'WebGPU was not probed: onnxruntime-node is not installed.',
      'CPU was not probed: onnxruntime-node is not installed.',
    ]);
    expect(report.device).toMatchObject({ device: 'cpu', verified: false });
    expect(report.enableCuda.steps[2]?.text).toContain('Now: onnxruntime-node itself is not installed yet.');
  });

  it('says when no probe script is configured', async () => {
    const report = await gpuReport({ ...machine(LDCONFIG_CUDA12_CUDNN9, SMI_H100) });
    expect(report.probes.map((p) => p.reason)).toEqual([
      'CUDA was not probed: no probe script is configured.',
      'WebGPU was not probed: no probe script is configured.',
      'CPU was not probed: no probe script is configured.',
    ]);
  });

  it('never throws: broken tools and a throwing probe runner become statuses', async () => {
    const report = await gpuReport({
      ...machine(LDCONFIG_CUDA12_CUDNN9, SMI_H100),
      run: () => Promise.reject(new Error('spawn EAGAIN')),
      probe: { script: '/srv/bittaudio/probe.mjs' },
      probeExecutionProvider: () => Promise.reject(new Error('worker pool closed')),
    });
    expect(GpuReportSchema.parse(report)).toEqual(report);
    expect(report.nvidia).toMatchObject({ status: 'failed', message: 'nvidia-smi could not be run: spawn EAGAIN' });
    expect(report.cudaLibraries.note).toMatch(/loader cache could not be read/);
    expect(report.probes.map((p) => p.outcome)).toEqual(['not-started', 'not-started', 'not-started']);
    expect(report.probes[0]?.reason).toBe('The CUDA probe could not be run: worker pool closed.');
    expect(report.device).toMatchObject({ device: 'cpu', verified: false });
  });
});

describe('checkOnnxruntimeInstall', () => {
  it('finds the provider files where the binding loads them', async () => {
    expect(PROVIDERS).toBe(`${ORT_DIR}/bin/napi-v6/linux/x64`);
    const fs = new FakeFileSystem([`${PROVIDERS}/libonnxruntime_providers_cuda.so`]);
    const result = await checkOnnxruntimeInstall({ dir: ORT_DIR, platform: 'linux', arch: 'x64', fs });
    expect(result).toMatchObject({
      installed: true,
      cudaProviderInstalled: false,
      missingProviderFiles: ['libonnxruntime_providers_shared.so'],
    });
    expect(result.note).toMatch(/run `npm run cuda:install`\.$/);
  });

  it('has no CUDA provider to look for outside Linux x64, and nothing at all without the package', async () => {
    const fs = new FakeFileSystem();
    expect(await checkOnnxruntimeInstall({ dir: ORT_DIR, platform: 'darwin', arch: 'arm64', fs })).toMatchObject({
      installed: true,
      cudaProviderInstalled: null,
    });
    expect(await checkOnnxruntimeInstall({ dir: null, platform: 'linux', arch: 'x64', fs })).toMatchObject({
      installed: false,
      cudaProviderInstalled: null,
    });
  });
});
