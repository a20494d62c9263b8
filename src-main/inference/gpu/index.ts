/** GPU diagnostics and device choice for MusicGen on onnxruntime-node (musicgen spec §3–§5, §9). */
export { chooseDevice, deviceOrder } from './choose-device.js';
export { execFileRunner } from './command-runner.js';
export type { CommandResult, CommandRunner, RunOptions } from './command-runner.js';
export {
  CUDA_LIBRARIES,
  cudaUnavailableNote,
  findCudaLibraries,
  parseLdconfigCache,
  readLdSoConf,
} from './cuda-libraries.js';
export type { FindCudaLibrariesOptions } from './cuda-libraries.js';
export { CUDA_INSTALL_SCRIPT, howToEnableCuda } from './enable-cuda.js';
export type { EnableCudaState } from './enable-cuda.js';
export {
  DEFAULT_PROBE_TIMEOUT_MS,
  EP_LABEL,
  describeCrash,
  findMissingLibrary,
  interpretProbeRun,
  probeExecutionProvider,
  skippedProbe,
} from './ep-probe.js';
export type { ProbeOptions, ProbeRun } from './ep-probe.js';
export { nodeFileSystem } from './file-system.js';
export type { FileSystemProbe } from './file-system.js';
export {
  CUDA12_MIN_DRIVER,
  NVIDIA_SMI_FIELDS,
  driverSupportsCuda12,
  interpretNvidiaSmi,
  nvidiaSmiArgs,
  parseNvidiaSmiCsv,
  queryNvidiaSmi,
} from './nvidia-smi.js';
export type { NvidiaSmiField, QueryNvidiaSmiOptions } from './nvidia-smi.js';
export {
  CUDA_PROVIDER_FILES,
  checkOnnxruntimeInstall,
  locateOnnxruntimeNode,
  providerFolder,
} from './onnxruntime-install.js';
export { gpuReport } from './report.js';
export type { GpuReportOptions, ProbeConfig } from './report.js';
