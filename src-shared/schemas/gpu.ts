/**
 * The GPU diagnostics report: what nvidia-smi says, which CUDA 12 / cuDNN 9 libraries the dynamic
 * loader can find, what each onnxruntime execution provider probe returned, the device chosen and
 * why, and how to enable CUDA. Built by src-main/inference/gpu; shown by the UI as it is, so every
 * field that can be unknown is nullable rather than guessed (musicgen spec §5, §9; anchors §1.7:
 * "show what was probed and what each probe returned").
 */
import { z } from 'zod';
import { JsonValueSchema } from './json.js';

/** The execution providers the app probes, in its order of preference (musicgen spec §9). */
export const EXECUTION_PROVIDERS = ['cuda', 'webgpu', 'cpu'] as const;
export const ExecutionProviderSchema = z.enum(EXECUTION_PROVIDERS);
export type ExecutionProvider = z.infer<typeof ExecutionProviderSchema>;

/** `auto` tries CUDA, then WebGPU, then the CPU; any other value is tried first. */
export const DevicePreferenceSchema = z.enum(['auto', 'cuda', 'webgpu', 'cpu']);
export type DevicePreference = z.infer<typeof DevicePreferenceSchema>;

// ---------------------------------------------------------------------------------------------
// nvidia-smi

export const NvidiaGpuSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  driverVersion: z.string().nullable(),
  memoryTotalMiB: z.number().nonnegative().nullable(),
  memoryUsedMiB: z.number().nonnegative().nullable(),
  temperatureC: z.number().nullable(),
  powerDrawW: z.number().nonnegative().nullable(),
  powerLimitW: z.number().nonnegative().nullable(),
  utilizationPercent: z.number().min(0).max(100).nullable(),
  /** `major.minor`, e.g. `9.0` for an H100; null when the driver is too old to report it. */
  computeCapability: z.string().nullable(),
  uuid: z.string().nullable(),
  /** Remarks about this GPU: a field the driver refused to read, a too old architecture. */
  notes: z.array(z.string()),
});
export type NvidiaGpu = z.infer<typeof NvidiaGpuSchema>;

export const NvidiaSmiStatusSchema = z.enum([
  /** The query worked; `gpus` may still be empty if every row was unreadable. */
  'ok',
  /** The driver runs but sees no NVIDIA GPU. */
  'no-devices',
  /** nvidia-smi is not installed (no NVIDIA driver, or not on PATH). */
  'not-installed',
  /** nvidia-smi exists but cannot talk to the kernel driver. */
  'driver-error',
  'timeout',
  'failed',
]);
export type NvidiaSmiStatus = z.infer<typeof NvidiaSmiStatusSchema>;

export const NvidiaSmiReportSchema = z.object({
  status: NvidiaSmiStatusSchema,
  /** One human sentence when status is not `ok` (the tool's own words where it gave some). */
  message: z.string().nullable(),
  gpus: z.array(NvidiaGpuSchema),
  driverVersion: z.string().nullable(),
  /** Whether the driver is new enough for CUDA 12; null when unknown. */
  driverSupportsCuda12: z.boolean().nullable(),
  /** False when the driver rejected `compute_cap` and the query was repeated without it. */
  computeCapQueried: z.boolean(),
  /** Lines of output that were not GPU rows (driver warnings, unreadable rows). */
  warnings: z.array(z.string()),
});
export type NvidiaSmiReport = z.infer<typeof NvidiaSmiReportSchema>;

// ---------------------------------------------------------------------------------------------
// CUDA 12 / cuDNN 9 libraries

export const CudaLibraryGroupSchema = z.enum(['driver', 'cuda-runtime', 'cudnn']);
export type CudaLibraryGroup = z.infer<typeof CudaLibraryGroupSchema>;

/**
 * Where a library was found: `LD_LIBRARY_PATH`, `ld.so.cache` and `system` are searched by the
 * dynamic loader; `ld.so.conf` is a folder that /etc/ld.so.conf names, which the loader sees only
 * through its cache (when the cache was read and lacks the file, `sudo ldconfig` is due);
 * `elsewhere` is a known install folder that the loader does not search.
 */
export const LibraryLocationSchema = z.enum(['LD_LIBRARY_PATH', 'ld.so.cache', 'system', 'ld.so.conf', 'elsewhere']);
export type LibraryLocation = z.infer<typeof LibraryLocationSchema>;

export const CudaLibrarySchema = z.object({
  soname: z.string(),
  group: CudaLibraryGroupSchema,
  /** True when the dynamic loader would find it. */
  loadable: z.boolean(),
  path: z.string().nullable(),
  location: LibraryLocationSchema.nullable(),
  /** What to do about it, when something is to be done. */
  hint: z.string().nullable(),
});
export type CudaLibrary = z.infer<typeof CudaLibrarySchema>;

export const CudaLibrariesReportSchema = z.object({
  /** False where the CUDA EP does not exist (anything but Linux x64); `note` says why. */
  applicable: z.boolean(),
  note: z.string().nullable(),
  libraries: z.array(CudaLibrarySchema),
  /** Sonames that the loader would not find. */
  missing: z.array(z.string()),
  /** Other major versions seen (CUDA 11/13, cuDNN 8), which do not satisfy onnxruntime-node. */
  otherVersions: z.array(z.string()),
  /** Every folder looked into, in order, so the UI can show what was searched. */
  searched: z.array(z.string()),
});
export type CudaLibrariesReport = z.infer<typeof CudaLibrariesReportSchema>;

/** The onnxruntime-node package and the CUDA provider files its installer adds (musicgen §5). */
export const OnnxruntimeInstallSchema = z.object({
  installed: z.boolean(),
  dir: z.string().nullable(),
  /** Null where the CUDA provider does not exist for this platform. */
  cudaProviderInstalled: z.boolean().nullable(),
  missingProviderFiles: z.array(z.string()),
  note: z.string().nullable(),
});
export type OnnxruntimeInstall = z.infer<typeof OnnxruntimeInstallSchema>;

// ---------------------------------------------------------------------------------------------
// Execution provider probes

/**
 * The one line a probe child prints on stdout: `{"ok":true,"ep":"cuda","details":{…}}` or
 * `{"ok":false,"ep":"cuda","error":"…","details":{…}}`. Parsed, never trusted.
 */
export const ProbeLineSchema = z.object({
  ok: z.boolean(),
  ep: ExecutionProviderSchema,
  error: z.string().optional(),
  details: z.record(z.string(), JsonValueSchema).optional(),
});
export type ProbeLine = z.infer<typeof ProbeLineSchema>;

export const EpProbeOutcomeSchema = z.enum([
  'ok',
  /** The child reported a failure, or exited non-zero without a result. */
  'error',
  /** Killed by a signal or a crash exit code (segfault, abort, out of memory). */
  'crashed',
  'timeout',
  /** It exited but printed no usable result line. */
  'bad-output',
  /** The child could not be started. */
  'not-started',
  /** Not run, for a reason known beforehand (platform, missing provider files, no probe yet). */
  'skipped',
  /** It works, but only on a software adapter (a CPU renderer such as Mesa's lavapipe): refused. */
  'software-adapter',
]);
export type EpProbeOutcome = z.infer<typeof EpProbeOutcomeSchema>;

export const EpProbeResultSchema = z.object({
  ep: ExecutionProviderSchema,
  ok: z.boolean(),
  outcome: EpProbeOutcomeSchema,
  /** One human sentence: why it worked or did not. */
  reason: z.string(),
  /** The error text the child reported, as it was. */
  error: z.string().nullable(),
  /** A shared library the loader could not open, read from the error or stderr. */
  missingLibrary: z.string().nullable(),
  details: z.record(z.string(), JsonValueSchema),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  /** The end of the child's stderr, where onnxruntime names what it could not load. */
  stderrTail: z.string(),
});
export type EpProbeResult = z.infer<typeof EpProbeResultSchema>;

// ---------------------------------------------------------------------------------------------
// Device choice

export const DeviceStepSchema = z.object({
  ep: ExecutionProviderSchema,
  accepted: z.boolean(),
  reason: z.string(),
});
export type DeviceStep = z.infer<typeof DeviceStepSchema>;

export const DeviceChoiceSchema = z.object({
  device: ExecutionProviderSchema,
  preference: DevicePreferenceSchema,
  /** Each provider considered, in order, with why it was taken or passed over. */
  steps: z.array(DeviceStepSchema),
  /** True when the chosen device passed its probe; false when it failed or was not probed (the CPU is the last resort). */
  verified: z.boolean(),
  summary: z.string(),
});
export type DeviceChoice = z.infer<typeof DeviceChoiceSchema>;

// ---------------------------------------------------------------------------------------------
// How to enable CUDA

export const EnableCudaStepSchema = z.object({
  title: z.string(),
  /** True when the report shows it is done, false when not, null when it cannot tell. */
  done: z.boolean().nullable(),
  text: z.string(),
  /** Shell commands, one per entry, to copy. */
  commands: z.array(z.string()),
});
export type EnableCudaStep = z.infer<typeof EnableCudaStepSchema>;

export const EnableCudaGuideSchema = z.object({
  /** False where the CUDA EP does not exist; `text` then names the alternatives. */
  applicable: z.boolean(),
  steps: z.array(EnableCudaStepSchema),
  /** The whole guide as plain text, for the terminal and for copying. */
  text: z.string(),
});
export type EnableCudaGuide = z.infer<typeof EnableCudaGuideSchema>;

// ---------------------------------------------------------------------------------------------
// The report

export const GpuReportSchema = z.object({
  /** ISO 8601. */
  generatedAt: z.string(),
  platform: z.string(),
  arch: z.string(),
  nvidia: NvidiaSmiReportSchema,
  cudaLibraries: CudaLibrariesReportSchema,
  onnxruntime: OnnxruntimeInstallSchema,
  /** One per provider, in the order CUDA, WebGPU, CPU. */
  probes: z.array(EpProbeResultSchema),
  device: DeviceChoiceSchema,
  enableCuda: EnableCudaGuideSchema,
});
export type GpuReport = z.infer<typeof GpuReportSchema>;

// ---------------------------------------------------------------------------------------------
// Live samples (gpu.watch → gpu.sample events) and the benchmark (gpu.benchmark)

/** One GPU's load at one moment; every value nvidia-smi would not give is null, never guessed. */
export const GpuLoadSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  utilizationPercent: z.number().min(0).max(100).nullable(),
  memoryUsedMiB: z.number().nonnegative().nullable(),
  memoryTotalMiB: z.number().nonnegative().nullable(),
  temperatureC: z.number().nullable(),
  powerDrawW: z.number().nonnegative().nullable(),
  powerLimitW: z.number().nonnegative().nullable(),
});
export type GpuLoad = z.infer<typeof GpuLoadSchema>;

/** What the sampler read: the GPUs' loads, or why there are none (nvidia-smi's status). */
export const GpuSampleSchema = z.object({
  /** ISO 8601. */
  at: z.string(),
  status: NvidiaSmiStatusSchema,
  /** One sentence when status is not `ok`. */
  message: z.string().nullable(),
  gpus: z.array(GpuLoadSchema),
});
export type GpuSample = z.infer<typeof GpuSampleSchema>;

export const GpuBenchmarkOutcomeSchema = z.enum([
  'ok',
  /** The provider's probe did not pass on this machine: nothing was run on it. */
  'unavailable',
  'failed',
]);
export type GpuBenchmarkOutcome = z.infer<typeof GpuBenchmarkOutcomeSchema>;

/** One provider's run of the installed model on a short fixed prompt. */
export const GpuBenchmarkRunSchema = z.object({
  provider: ExecutionProviderSchema,
  outcome: GpuBenchmarkOutcomeSchema,
  /** Decoder steps (audio tokens) per second of wall time; null unless `ok`. */
  stepsPerSecond: z.number().nonnegative().nullable(),
  /** Seconds of audio made per second of wall time (above 1: faster than real time); null unless `ok`. */
  realTimeFactor: z.number().nonnegative().nullable(),
  steps: z.number().int().nonnegative().nullable(),
  audioSeconds: z.number().nonnegative().nullable(),
  wallMs: z.number().nonnegative().nullable(),
  /** Why it was not run or failed. */
  message: z.string().nullable(),
});
export type GpuBenchmarkRun = z.infer<typeof GpuBenchmarkRunSchema>;

export const GpuBenchmarkSchema = z.object({
  /** ISO 8601, when the benchmark ended. */
  finishedAt: z.string(),
  /** The model and dtype benchmarked (`musicgen-small@q8`). */
  model: z.string(),
  /** The provider the engine chose for generation (the report's choice), for comparison. */
  chosen: ExecutionProviderSchema,
  /** One per provider, in the order CUDA, WebGPU, CPU. */
  runs: z.array(GpuBenchmarkRunSchema),
});
export type GpuBenchmark = z.infer<typeof GpuBenchmarkSchema>;
