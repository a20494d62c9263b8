/**
 * The whole GPU diagnosis in one object (GpuReportSchema): nvidia-smi, the CUDA 12 / cuDNN 9
 * libraries, onnxruntime-node's CUDA provider files, one child-process probe per execution
 * provider, the device chosen with its reasons, and how to enable CUDA. It never throws: a GPU
 * problem is something to show, not a reason to stop the app.
 */
import { homedir } from 'node:os';
import type {
  CudaLibrariesReport,
  DevicePreference,
  EpProbeResult,
  ExecutionProvider,
  GpuReport,
  NvidiaSmiReport,
  OnnxruntimeInstall,
} from '../../../src-shared/schemas/gpu.js';
import { EXECUTION_PROVIDERS } from '../../../src-shared/schemas/gpu.js';
import { chooseDevice } from './choose-device.js';
import { execFileRunner, type CommandRunner } from './command-runner.js';
import { cudaUnavailableNote, findCudaLibraries } from './cuda-libraries.js';
import { CUDA_INSTALL_SCRIPT, howToEnableCuda } from './enable-cuda.js';
import { EP_LABEL, probeExecutionProvider, skippedProbe, type ProbeOptions } from './ep-probe.js';
import { nodeFileSystem, type FileSystemProbe } from './file-system.js';
import { queryNvidiaSmi } from './nvidia-smi.js';
import {
  ALLOW_SOFTWARE_GPU_ENV,
  hideSoftwareAdaptersEnv,
  isNoAdapterError,
  softwareAdaptersAllowed,
} from './software-adapters.js';
import { checkOnnxruntimeInstall, locateOnnxruntimeNode } from './onnxruntime-install.js';

export interface ProbeConfig {
  /** The child script that creates a tiny session (see ep-probe.ts for its protocol). */
  script: string;
  args?: readonly string[];
  timeoutMs?: Partial<Record<ExecutionProvider, number>>;
  execPath?: string;
}

export interface GpuReportOptions {
  run?: CommandRunner;
  fs?: FileSystemProbe;
  platform?: NodeJS.Platform;
  arch?: string;
  env?: Readonly<Record<string, string | undefined>>;
  home?: string;
  /** The onnxruntime-node folder: left out, it is located; null means "not installed". */
  onnxruntimeDir?: string | null;
  /** Without it no provider is probed (each is reported as skipped, with the reason). */
  probe?: ProbeConfig | null;
  /** The probe runner; the child-process one by default. */
  probeExecutionProvider?: (ep: ExecutionProvider, options: ProbeOptions) => Promise<EpProbeResult>;
  preference?: DevicePreference;
  now?: () => Date;
}

export async function gpuReport(options: GpuReportOptions = {}): Promise<GpuReport> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const run = options.run ?? execFileRunner;
  const fs = options.fs ?? nodeFileSystem;
  const now = options.now ?? (() => new Date());

  const [nvidia, cudaLibraries, onnxruntime] = await Promise.all([
    queryNvidiaSmi(run, { platform }).catch((error: unknown) => failedNvidia(error)),
    findCudaLibraries({
      platform,
      arch,
      env: options.env ?? process.env,
      fs,
      run,
      home: options.home ?? homedir(),
    }).catch((error: unknown) => failedLibraries(error)),
    checkOnnxruntimeInstall({
      dir: options.onnxruntimeDir === undefined ? locateOnnxruntimeNode() : options.onnxruntimeDir,
      platform,
      arch,
      fs,
    }).catch((error: unknown) => failedOnnxruntime(error)),
  ]);

  const probes: EpProbeResult[] = [];
  // One at a time: two providers initialising the same GPU at once would slow both and blur timings.
  for (const ep of EXECUTION_PROVIDERS) {
    probes.push(await probeOne(ep, { platform, arch, onnxruntime, options }));
  }
  const device = chooseDevice(probes, options.preference ?? 'auto');
  const enableCuda = howToEnableCuda({
    platform,
    arch,
    nvidia,
    libraries: cudaLibraries,
    onnxruntime,
    cudaProbe: probes.find((p) => p.ep === 'cuda') ?? null,
  });
  return {
    generatedAt: now().toISOString(),
    platform,
    arch,
    nvidia,
    cudaLibraries,
    onnxruntime,
    probes,
    device,
    enableCuda,
  };
}

async function probeOne(
  ep: ExecutionProvider,
  context: { platform: string; arch: string; onnxruntime: OnnxruntimeInstall; options: GpuReportOptions },
): Promise<EpProbeResult> {
  const { platform, arch, onnxruntime, options } = context;
  const label = EP_LABEL[ep];
  if (ep === 'cuda' && (platform !== 'linux' || arch !== 'x64'))
    return skippedProbe(ep, cudaUnavailableNote(platform, arch));
  if (!onnxruntime.installed) return skippedProbe(ep, `${label} was not probed: onnxruntime-node is not installed.`);
  if (ep === 'cuda' && onnxruntime.cudaProviderInstalled === false) {
    return skippedProbe(
      ep,
      `CUDA was not probed: the CUDA provider of onnxruntime-node is not installed (run \`npm run ${CUDA_INSTALL_SCRIPT.name}\`).`,
    );
  }
  if (!options.probe) return skippedProbe(ep, `${label} was not probed: no probe script is configured.`);
  const probe = options.probeExecutionProvider ?? probeExecutionProvider;
  const probeOptions: ProbeOptions = {
    probeScript: options.probe.script,
    ...(options.probe.args ? { args: options.probe.args } : {}),
    ...(options.probe.timeoutMs?.[ep] !== undefined ? { timeoutMs: options.probe.timeoutMs[ep] } : {}),
    ...(options.probe.execPath ? { execPath: options.probe.execPath } : {}),
  };
  try {
    if (ep === 'webgpu') return await probeWebGpu(probe, probeOptions, options.env ?? process.env);
    return await probe(ep, probeOptions);
  } catch (error) {
    return {
      ...skippedProbe(ep, `The ${label} probe could not be run: ${errorText(error)}.`),
      outcome: 'not-started',
    };
  }
}

/**
 * WebGPU is probed with the software Vulkan drivers hidden, as generation runs it. When that finds
 * no adapter, a second probe with them visible tells "no GPU at all" from "only a software
 * adapter", so the GPU page can say that one was found and refused, rather than that none exists.
 */
async function probeWebGpu(
  probe: (ep: ExecutionProvider, options: ProbeOptions) => Promise<EpProbeResult>,
  options: ProbeOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<EpProbeResult> {
  if (softwareAdaptersAllowed(env)) return probe('webgpu', options);
  const hardware = await probe('webgpu', { ...options, env: { ...options.env, ...hideSoftwareAdaptersEnv(env) } });
  if (hardware.ok || !isNoAdapterError(`${hardware.error ?? ''}\n${hardware.stderrTail}`)) return hardware;
  const software = await probe('webgpu', options);
  if (!software.ok) return hardware;
  const speed =
    typeof software.details['benchMs'] === 'number'
      ? ` (its speed test took ${software.details['benchMs']} ms per run)`
      : '';
  return {
    ...software,
    ok: false,
    outcome: 'software-adapter',
    details: { ...software.details, softwareAdapter: true },
    reason:
      `WebGPU found only a software adapter: a Vulkan driver that draws on the CPU, such as Mesa's lavapipe${speed}. ` +
      `It is far slower than the CPU provider, so it is not used (\`${ALLOW_SOFTWARE_GPU_ENV}=1\` tests with it anyway).`,
  };
}

function failedNvidia(error: unknown): NvidiaSmiReport {
  return {
    status: 'failed',
    message: `nvidia-smi could not be run: ${errorText(error)}`,
    gpus: [],
    driverVersion: null,
    driverSupportsCuda12: null,
    computeCapQueried: true,
    warnings: [],
  };
}

function failedLibraries(error: unknown): CudaLibrariesReport {
  return {
    applicable: true,
    note: `The library search failed: ${errorText(error)}`,
    libraries: [],
    missing: [],
    otherVersions: [],
    searched: [],
  };
}

function failedOnnxruntime(error: unknown): OnnxruntimeInstall {
  return {
    installed: false,
    dir: null,
    cudaProviderInstalled: null,
    missingProviderFiles: [],
    note: `onnxruntime-node could not be checked: ${errorText(error)}`,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
