/**
 * Can the CUDA provider start here? Answered from files alone (platform, onnxruntime-node's
 * provider files, the CUDA 12 / cuDNN 9 libraries), without loading onnxruntime: a load that fails
 * prints onnxruntime's own "Failed to load library" errors, which a user should never have to read.
 */
import type { FileSystemProbe } from './file-system.js';
import type { CommandRunner } from './command-runner.js';
import { cudaUnavailableNote, findCudaLibraries } from './cuda-libraries.js';
import { checkOnnxruntimeInstall, locateOnnxruntimeNode } from './onnxruntime-install.js';

export interface CudaReadinessOptions {
  platform?: NodeJS.Platform;
  arch?: string;
  env?: Readonly<Record<string, string | undefined>>;
  fs?: FileSystemProbe;
  run?: CommandRunner;
  onnxruntimeDir?: string | null;
}

/** null when nothing known is missing; otherwise one sentence saying why CUDA cannot run. */
export async function whyCudaCannotRun(options: CudaReadinessOptions = {}): Promise<string | null> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') return cudaUnavailableNote(platform, arch);
  const install = await checkOnnxruntimeInstall({
    dir: options.onnxruntimeDir === undefined ? locateOnnxruntimeNode() : options.onnxruntimeDir,
    platform,
    arch,
    ...(options.fs ? { fs: options.fs } : {}),
  });
  if (!install.installed || install.cudaProviderInstalled === false) return install.note;
  const libraries = await findCudaLibraries({
    platform,
    arch,
    ...(options.env ? { env: options.env } : {}),
    ...(options.fs ? { fs: options.fs } : {}),
    ...(options.run ? { run: options.run } : {}),
  });
  if (libraries.missing.length > 0) {
    return `The CUDA 12 / cuDNN 9 libraries it needs are missing (${libraries.missing.join(', ')}); the GPU page says how to install them.`;
  }
  return null;
}
