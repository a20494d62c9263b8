/**
 * "How to enable CUDA": the steps of musicgen spec §5, each marked done or not from what the
 * report found. onnxruntime-node 1.30's CUDA provider needs a driver for CUDA 12, the CUDA 12
 * runtime and cuDNN 9 on the loader path, and the provider libraries that its installer fetches
 * from NuGet, which the committed .npmrc skips on purpose.
 */
import type {
  CudaLibrariesReport,
  EnableCudaGuide,
  EnableCudaStep,
  EpProbeResult,
  NvidiaSmiReport,
  OnnxruntimeInstall,
} from '../../../src-shared/schemas/gpu.js';
import { CUDA_LIBRARIES, cudaUnavailableNote } from './cuda-libraries.js';
import { CUDA12_MIN_DRIVER } from './nvidia-smi.js';

/**
 * The npm script that fetches the CUDA provider. `npm rebuild` runs onnxruntime-node's install
 * script as a dependency's script; `ONNXRUNTIME_NODE_INSTALL` is read before the
 * `npm_config_onnxruntime_node_install=skip` that the .npmrc line sets, so it wins. Running
 * `script/install.js` directly from an npm script would not work: the installer then believes it
 * is a local build of onnxruntime itself and exits without downloading.
 */
export const CUDA_INSTALL_SCRIPT = {
  name: 'cuda:install',
  command: 'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --foreground-scripts',
} as const;

const PIP_VENV = '~/.bittaudio-cuda12';
const PIP_PACKAGES = [
  'nvidia-cuda-runtime-cu12',
  'nvidia-cublas-cu12',
  'nvidia-cufft-cu12',
  'nvidia-curand-cu12',
  "'nvidia-cudnn-cu12==9.*'",
];
/** Prints the `lib` folders of every installed NVIDIA wheel, joined with colons. */
const PIP_LIB_DIRS =
  `${PIP_VENV}/bin/python -c 'import glob, os, nvidia; ` +
  `print(":".join(sorted(d for p in nvidia.__path__ for d in glob.glob(os.path.join(p, "*", "lib")))))'`;

export interface EnableCudaState {
  platform: string;
  arch: string;
  nvidia?: NvidiaSmiReport | null;
  libraries?: CudaLibrariesReport | null;
  onnxruntime?: OnnxruntimeInstall | null;
  cudaProbe?: EpProbeResult | null;
}

export function howToEnableCuda(state: EnableCudaState): EnableCudaGuide {
  if (state.platform !== 'linux' || state.arch !== 'x64') {
    const text = `${cudaUnavailableNote(state.platform, state.arch)} BittAudio uses WebGPU when its probe passes, else the CPU.`;
    return { applicable: false, steps: [], text };
  }
  const steps = [
    driverStep(state.nvidia),
    librariesStep(state.libraries),
    providerStep(state.onnxruntime),
    checkStep(state.cudaProbe),
  ];
  return { applicable: true, steps, text: render(steps) };
}

function driverStep(nvidia: NvidiaSmiReport | null | undefined): EnableCudaStep {
  let done: boolean | null = null;
  let now = '';
  if (nvidia) {
    if (nvidia.status === 'ok' && nvidia.gpus.length > 0) {
      done = nvidia.driverSupportsCuda12;
      const counts = new Map<string, number>();
      for (const gpu of nvidia.gpus) counts.set(gpu.name, (counts.get(gpu.name) ?? 0) + 1);
      const names = [...counts].map(([name, n]) => (n > 1 ? `${n} × ${name}` : name)).join(', ');
      now = `Now: driver ${nvidia.driverVersion ?? 'of unknown version'} with ${names}${
        nvidia.driverSupportsCuda12 === false ? ', too old for CUDA 12' : ''
      }.`;
    } else {
      done = nvidia.status === 'timeout' || nvidia.status === 'failed' ? null : false;
      now = `Now: ${nvidia.message ?? nvidia.status}`;
    }
  }
  return {
    title: 'An NVIDIA driver that supports CUDA 12',
    done,
    text: join(
      `Install an NVIDIA driver of version ${CUDA12_MIN_DRIVER.linux} or newer (its "CUDA Version" in nvidia-smi is 12.0 or higher).`,
      "On Ubuntu `sudo ubuntu-drivers install` picks one; elsewhere use the distribution's driver package or NVIDIA's installer, then reboot.",
      '`nvidia-smi` must list the GPU.',
      now,
    ),
    commands: ['nvidia-smi'],
  };
}

function librariesStep(libraries: CudaLibrariesReport | null | undefined): EnableCudaStep {
  const needed = CUDA_LIBRARIES.filter((l) => l.group !== 'driver').map((l) => l.soname);
  let done: boolean | null = null;
  const now: string[] = [];
  if (libraries?.applicable) {
    const missing = libraries.libraries.filter((l) => l.group !== 'driver' && !l.loadable);
    done = missing.length === 0;
    if (missing.length) now.push(`Now missing: ${missing.map((l) => l.soname).join(', ')}.`);
    for (const lib of missing) if (lib.path && lib.hint) now.push(lib.hint);
    if (libraries.otherVersions.length) {
      now.push(`Other versions present, which do not count: ${libraries.otherVersions.join(', ')}.`);
    }
  }
  return {
    title: 'The CUDA 12 runtime libraries and cuDNN 9',
    done,
    text: join(
      `The CUDA provider loads ${needed.join(', ')} through the dynamic loader.`,
      'CUDA 13 or cuDNN 8 do not satisfy it; they may stay installed beside.',
      'Either (a) on Debian/Ubuntu, from NVIDIA\'s CUDA apt repository (set up with its "cuda-keyring" package), install the',
      'runtime libraries of any CUDA 12.x release and cuDNN 9 for CUDA 12 (the commands use 12.8: take the version the',
      'repository offers), and let the loader find them;',
      `or (b) without root, install NVIDIA's pip wheels into a virtual environment and put their lib folders on`,
      'LD_LIBRARY_PATH in the shell (or the systemd unit) that starts BittAudio.',
      ...now,
    ),
    commands: [
      "# (a) Debian/Ubuntu with NVIDIA's CUDA repository",
      'sudo apt-get install cuda-libraries-12-8 cudnn9-cuda-12',
      'echo /usr/local/cuda-12.8/lib64 | sudo tee /etc/ld.so.conf.d/cuda-12-8.conf && sudo ldconfig',
      "# (b) NVIDIA's pip wheels, no root",
      `python3 -m venv ${PIP_VENV}`,
      `${PIP_VENV}/bin/pip install ${PIP_PACKAGES.join(' ')}`,
      `export LD_LIBRARY_PATH="$(${PIP_LIB_DIRS})\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"`,
    ],
  };
}

function providerStep(onnxruntime: OnnxruntimeInstall | null | undefined): EnableCudaStep {
  let done: boolean | null = null;
  let now = '';
  if (onnxruntime) {
    done = onnxruntime.installed ? onnxruntime.cudaProviderInstalled : false;
    if (!onnxruntime.installed) now = 'Now: onnxruntime-node itself is not installed yet.';
    else if (onnxruntime.cudaProviderInstalled === false)
      now = `Now missing: ${onnxruntime.missingProviderFiles.join(', ')}.`;
  }
  return {
    title: "onnxruntime-node's CUDA provider",
    done,
    text: join(
      `In the BittAudio folder run \`npm run ${CUDA_INSTALL_SCRIPT.name}\` (needs internet). It runs onnxruntime-node's installer`,
      'with ONNXRUNTIME_NODE_INSTALL=cuda12, which downloads Microsoft.ML.OnnxRuntime.Gpu.Linux (the version of',
      'onnxruntime-node) from NuGet and puts libonnxruntime_providers_cuda.so, libonnxruntime_providers_shared.so and',
      'libonnxruntime_providers_tensorrt.so into node_modules/onnxruntime-node/bin/napi-v6/linux/x64/.',
      'A plain `npm ci` skips this on purpose (.npmrc: onnxruntime-node-install=skip) and deletes node_modules,',
      'so run it again after every `npm ci`.',
      now,
    ),
    commands: [`npm run ${CUDA_INSTALL_SCRIPT.name}`],
  };
}

function checkStep(probe: EpProbeResult | null | undefined): EnableCudaStep {
  const skipped = !probe || probe.outcome === 'skipped';
  return {
    title: 'Check',
    done: skipped ? null : probe.ok,
    text: join(
      'Restart BittAudio from the shell that has the LD_LIBRARY_PATH above (if you set one), or run the GPU check again:',
      'the CUDA probe creates a small session on the GPU in a separate process and must report that CUDA works.',
      probe ? `Now: ${probe.reason}` : '',
    ),
    commands: [],
  };
}

function render(steps: EnableCudaStep[]): string {
  const mark = (done: boolean | null): string => (done === true ? 'done' : done === false ? 'to do' : 'unknown');
  const blocks = steps.map((step, i) => {
    const commands = step.commands.map((c) => (c.startsWith('#') ? `   ${c}` : `   $ ${c}`));
    return [`${i + 1}. ${step.title} [${mark(step.done)}]`, `   ${step.text}`, ...commands].join('\n');
  });
  return ['How to enable CUDA (onnxruntime-node CUDA execution provider, Linux x64)', '', blocks.join('\n\n')].join(
    '\n',
  );
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join(' ');
}
