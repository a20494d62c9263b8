import { describe, expect, it } from 'vitest';
import { EnableCudaGuideSchema, type NvidiaSmiReport } from '../../../src-shared/schemas/gpu.js';
import { findCudaLibraries } from './cuda-libraries.js';
import { CUDA_INSTALL_SCRIPT, howToEnableCuda } from './enable-cuda.js';
import { NVIDIA_SMI_FIELDS, interpretNvidiaSmi } from './nvidia-smi.js';
import { FakeFileSystem, scriptedRunner } from './testing/fakes.js';
import {
  LDCONFIG_CUDA13_ONLY,
  SMI_DRIVER_FAILURE,
  SMI_H100,
  SMI_OLD_DRIVER_WITHOUT_COMPUTE_CAP,
} from './testing/fixtures.js';

const linux = { platform: 'linux', arch: 'x64' };

describe('CUDA_INSTALL_SCRIPT', () => {
  it('rebuilds onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12, which wins over the .npmrc skip', () => {
    expect(CUDA_INSTALL_SCRIPT).toEqual({
      name: 'cuda:install',
      command: 'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --foreground-scripts',
    });
  });
});

describe('howToEnableCuda', () => {
  it('gives the four steps of musicgen spec §5 with the commands to copy', () => {
    const guide = howToEnableCuda(linux);
    expect(EnableCudaGuideSchema.parse(guide)).toEqual(guide);
    expect(guide.applicable).toBe(true);
    expect(guide.steps.map((s) => s.title)).toEqual([
      'An NVIDIA driver that supports CUDA 12',
      'The CUDA 12 runtime libraries and cuDNN 9',
      "onnxruntime-node's CUDA provider",
      'Check',
    ]);
    // Nothing is known, so nothing is marked done or missing.
    expect(guide.steps.map((s) => s.done)).toEqual([null, null, null, null]);
    const [driver, libraries, provider] = guide.steps;
    expect(driver?.text).toContain('525.60.13');
    for (const soname of [
      'libcudart.so.12',
      'libcublas.so.12',
      'libcublasLt.so.12',
      'libcufft.so.11',
      'libcurand.so.10',
      'libcudnn.so.9',
    ]) {
      expect(libraries?.text).toContain(soname);
    }
    expect(libraries?.commands).toContain('sudo apt-get install cuda-libraries-12-8 cudnn9-cuda-12');
    expect(libraries?.commands).toContain(
      "~/.bittaudio-cuda12/bin/pip install nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12 nvidia-curand-cu12 'nvidia-cudnn-cu12==9.*'",
    );
    expect(
      libraries?.commands.some((c) => c.startsWith('export LD_LIBRARY_PATH="$(~/.bittaudio-cuda12/bin/python -c ')),
    ).toBe(true);
    expect(provider?.commands).toEqual(['npm run cuda:install']);
    expect(provider?.text).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(provider?.text).toContain('Microsoft.ML.OnnxRuntime.Gpu.Linux');
    expect(provider?.text).toContain('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/');
    expect(guide.text).toMatch(/^How to enable CUDA/);
    expect(guide.text).toContain('   $ npm run cuda:install');
  });

  it('marks what the report shows done, and says what is missing', async () => {
    const libraries = await findCudaLibraries({
      ...linux,
      platform: 'linux',
      env: {},
      fs: new FakeFileSystem(),
      run: scriptedRunner({ ldconfig: LDCONFIG_CUDA13_ONLY }),
    });
    const guide = howToEnableCuda({
      ...linux,
      nvidia: interpretNvidiaSmi(SMI_H100, undefined, 'linux'),
      libraries,
      onnxruntime: { installed: true, dir: '/x', cudaProviderInstalled: true, missingProviderFiles: [], note: null },
    });
    expect(guide.steps.map((s) => s.done)).toEqual([true, false, true, null]);
    expect(guide.steps[0]?.text).toContain('Now: driver 550.54.15 with NVIDIA H100 80GB HBM3.');
    expect(guide.steps[1]?.text).toContain(
      'Now missing: libcudart.so.12, libcublas.so.12, libcublasLt.so.12, libcufft.so.11, libcudnn.so.9.',
    );
    expect(guide.steps[1]?.text).toContain('libcudart.so.13 (/usr/local/cuda-13.0/lib/libcudart.so.13)');
    expect(guide.text).toContain('1. An NVIDIA driver that supports CUDA 12 [done]');
    expect(guide.text).toContain('2. The CUDA 12 runtime libraries and cuDNN 9 [to do]');
  });

  it('flags a driver that is too old or not talking', () => {
    const withoutComputeCap = NVIDIA_SMI_FIELDS.filter((f) => f !== 'compute_cap');
    const old: NvidiaSmiReport = interpretNvidiaSmi(SMI_OLD_DRIVER_WITHOUT_COMPUTE_CAP, withoutComputeCap, 'linux');
    const tooOld = howToEnableCuda({ ...linux, nvidia: old }).steps[0];
    expect(tooOld?.done).toBe(false);
    expect(tooOld?.text).toContain('Now: driver 470.256.02 with 2 × Tesla K80, too old for CUDA 12.');
    const broken = howToEnableCuda({ ...linux, nvidia: interpretNvidiaSmi(SMI_DRIVER_FAILURE) }).steps[0];
    expect(broken?.done).toBe(false);
    expect(broken?.text).toContain(
      "Now: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    );
  });

  it('elsewhere names the alternatives instead of steps', () => {
    const mac = howToEnableCuda({ platform: 'darwin', arch: 'arm64' });
    expect(mac).toEqual({
      applicable: false,
      steps: [],
      text:
        'The CUDA EP is Linux x64 only in onnxruntime-node (this is darwin arm64); onnxruntime-node offers CoreML and WebGPU ' +
        'on macOS instead. BittAudio uses WebGPU when its probe passes, else the CPU.',
    });
  });
});
