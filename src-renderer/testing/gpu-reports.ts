/** GPU reports as the engine sends them, for the renderer's tests: one box with CUDA, one without. */
import type { EpProbeResult, ExecutionProvider, GpuReport } from '../../src-shared/schemas/gpu.js';

function probe(ep: ExecutionProvider, patch: Partial<EpProbeResult>): EpProbeResult {
  return {
    ep,
    ok: false,
    outcome: 'skipped',
    reason: '',
    error: null,
    missingLibrary: null,
    details: {},
    exitCode: null,
    signal: null,
    durationMs: 0,
    stderrTail: '',
    ...patch,
  };
}

/** An H100 box where everything works and CUDA is chosen. */
export const CUDA_REPORT: GpuReport = {
  generatedAt: '2025-11-25T21:00:00.000Z',
  platform: 'linux',
  arch: 'x64',
  nvidia: {
    status: 'ok',
    message: null,
    gpus: [
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        driverVersion: '550.54.15',
        memoryTotalMiB: 81_559,
        memoryUsedMiB: 20_480,
        temperatureC: 41,
        powerDrawW: 118.6,
        powerLimitW: 700,
        utilizationPercent: 37,
        computeCapability: '9.0',
        uuid: 'GPU-4a2b7c1e-0000-1111-2222-333344445555',
        notes: [],
      },
    ],
    driverVersion: '550.54.15',
    driverSupportsCuda12: true,
    computeCapQueried: true,
    warnings: [],
  },
  cudaLibraries: {
    applicable: true,
    note: null,
    libraries: [
      {
        soname: 'libcudart.so.12',
        group: 'cuda-runtime',
        loadable: true,
        path: '/usr/local/cuda-12.8/lib64/libcudart.so.12',
        location: 'ld.so.cache',
        hint: null,
      },
      {
        soname: 'libcudnn.so.9',
        group: 'cudnn',
        loadable: true,
        path: '/usr/lib/x86_64-linux-gnu/libcudnn.so.9',
        location: 'ld.so.cache',
        hint: null,
      },
    ],
    missing: [],
    otherVersions: [],
    searched: ['ld.so.cache (ldconfig -p)'],
  },
  onnxruntime: {
    installed: true,
    dir: '/srv/bittaudio/node_modules/onnxruntime-node',
    cudaProviderInstalled: true,
    missingProviderFiles: [],
    note: null,
  },
  probes: [
    probe('cuda', { ok: true, outcome: 'ok', reason: 'CUDA works.', exitCode: 0, durationMs: 4200 }),
    probe('webgpu', { ok: true, outcome: 'ok', reason: 'WebGPU works.', exitCode: 0, durationMs: 900 }),
    probe('cpu', { ok: true, outcome: 'ok', reason: 'The CPU works.', exitCode: 0, durationMs: 120 }),
  ],
  device: {
    device: 'cuda',
    preference: 'auto',
    steps: [{ ep: 'cuda', accepted: true, reason: 'CUDA works.' }],
    verified: true,
    summary: 'Using CUDA on NVIDIA H100 80GB HBM3.',
  },
  enableCuda: {
    applicable: true,
    steps: [
      {
        title: 'An NVIDIA driver that supports CUDA 12',
        done: true,
        text: '`nvidia-smi` lists the GPU.',
        commands: [],
      },
      {
        title: "onnxruntime-node's CUDA provider",
        done: true,
        text: 'In the BittAudio folder run `npm run cuda:install`.',
        commands: ['# once', 'npm run cuda:install'],
      },
    ],
    text: 'How to enable CUDA…',
  },
};

/** A box without NVIDIA driver or onnxruntime-node: the CPU, unverified. */
export const CPU_REPORT: GpuReport = {
  ...CUDA_REPORT,
  nvidia: {
    status: 'not-installed',
    message: 'No NVIDIA driver/tool found: nvidia-smi is not installed or not on PATH.',
    gpus: [],
    driverVersion: null,
    driverSupportsCuda12: null,
    computeCapQueried: true,
    warnings: [],
  },
  cudaLibraries: {
    applicable: true,
    note: null,
    libraries: [
      {
        soname: 'libcudart.so.12',
        group: 'cuda-runtime',
        loadable: false,
        path: null,
        location: null,
        hint: 'Install the CUDA 12 runtime libraries.',
      },
    ],
    missing: ['libcudart.so.12'],
    otherVersions: ['libcudart.so.13 (/usr/local/cuda-13.0/lib/libcudart.so.13)'],
    searched: ['ld.so.cache (ldconfig -p)', '/usr/lib/x86_64-linux-gnu'],
  },
  onnxruntime: {
    installed: false,
    dir: null,
    cudaProviderInstalled: null,
    missingProviderFiles: [],
    note: 'onnxruntime-node is not installed, so no execution provider can be probed yet.',
  },
  probes: (['cuda', 'webgpu', 'cpu'] as const).map((ep) =>
    probe(ep, { reason: `${ep} was not probed: onnxruntime-node is not installed.` }),
  ),
  device: {
    device: 'cpu',
    preference: 'auto',
    steps: [
      { ep: 'cuda', accepted: false, reason: 'CUDA was not probed: onnxruntime-node is not installed.' },
      { ep: 'webgpu', accepted: false, reason: 'WebGPU was not probed: onnxruntime-node is not installed.' },
      { ep: 'cpu', accepted: true, reason: 'The CPU is the last resort.' },
    ],
    verified: false,
    summary: 'Using the CPU.',
  },
};

const SOFTWARE_REASON =
  "WebGPU found only a software adapter: a Vulkan driver that draws on the CPU, such as Mesa's lavapipe (its speed test took 15.6 ms per run). It is far slower than the CPU provider, so it is not used (`BITTAUDIO_ALLOW_SOFTWARE_GPU=1` tests with it anyway).";

/** A VM without a GPU but with Mesa's Vulkan driver: WebGPU works only on lavapipe and is refused. */
export const SOFTWARE_ADAPTER_REPORT: GpuReport = {
  ...CPU_REPORT,
  onnxruntime: { ...CUDA_REPORT.onnxruntime, cudaProviderInstalled: false },
  probes: [
    probe('cuda', { reason: 'CUDA was not probed: the CUDA provider of onnxruntime-node is not installed.' }),
    probe('webgpu', {
      outcome: 'software-adapter',
      reason: SOFTWARE_REASON,
      details: { benchMs: 15.6, softwareAdapter: true },
      exitCode: 0,
      durationMs: 2100,
    }),
    probe('cpu', {
      ok: true,
      outcome: 'ok',
      reason: 'CPU works: a test session ran on it.',
      details: { benchMs: 0.4 },
      exitCode: 0,
      durationMs: 300,
    }),
  ],
  device: {
    device: 'cpu',
    preference: 'auto',
    steps: [
      {
        ep: 'cuda',
        accepted: false,
        reason: 'CUDA was not probed: the CUDA provider of onnxruntime-node is not installed.',
      },
      { ep: 'webgpu', accepted: false, reason: SOFTWARE_REASON },
      { ep: 'cpu', accepted: true, reason: 'CPU works: a test session ran on it.' },
    ],
    verified: true,
    summary: `Using the CPU. ${SOFTWARE_REASON}`,
  },
};
