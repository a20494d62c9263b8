/**
 * Is onnxruntime-node installed, and has its installer added the CUDA provider? The npm package
 * ships CPU (and WebGPU) only; `ONNXRUNTIME_NODE_INSTALL=cuda12` makes its install script fetch
 * Microsoft.ML.OnnxRuntime.Gpu.Linux from NuGet and put the provider libraries into
 * `bin/napi-v6/linux/x64/`, where the binding looks for them (musicgen spec §5). The package is
 * located, never imported: importing it here would load the native binding into the app.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OnnxruntimeInstall } from '../../../src-shared/schemas/gpu.js';
import { nodeFileSystem, type FileSystemProbe } from './file-system.js';

/** The files the CUDA EP loads; the installer also adds the TensorRT provider, which is optional. */
export const CUDA_PROVIDER_FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];

/** The folder of the onnxruntime-node package as Node would resolve it from here, or null. */
export function locateOnnxruntimeNode(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  } catch {
    return null;
  }
}

export function providerFolder(onnxruntimeDir: string): string {
  return join(onnxruntimeDir, 'bin', 'napi-v6', 'linux', 'x64');
}

export async function checkOnnxruntimeInstall(options: {
  dir: string | null;
  platform: string;
  arch: string;
  fs?: FileSystemProbe;
}): Promise<OnnxruntimeInstall> {
  const fs = options.fs ?? nodeFileSystem;
  const { dir } = options;
  if (dir === null) {
    return {
      installed: false,
      dir: null,
      cudaProviderInstalled: null,
      missingProviderFiles: [],
      note: 'onnxruntime-node is not installed, so no execution provider can be probed yet.',
    };
  }
  if (options.platform !== 'linux' || options.arch !== 'x64') {
    return { installed: true, dir, cudaProviderInstalled: null, missingProviderFiles: [], note: null };
  }
  const folder = providerFolder(dir);
  const missing: string[] = [];
  for (const file of CUDA_PROVIDER_FILES) if (!(await fs.exists(join(folder, file)))) missing.push(file);
  return {
    installed: true,
    dir,
    cudaProviderInstalled: missing.length === 0,
    missingProviderFiles: missing,
    note:
      missing.length === 0
        ? null
        : `The CUDA provider of onnxruntime-node is not installed (${missing.join(', ')} missing in ${folder}): run \`npm run cuda:install\`.`,
  };
}
