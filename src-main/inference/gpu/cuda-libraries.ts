/**
 * Whether the dynamic loader can find what onnxruntime-node's CUDA provider needs (musicgen spec
 * §5): the driver's libcuda.so.1, the CUDA 12 runtime (libcudart.so.12, libcublas.so.12,
 * libcublasLt.so.12, libcufft.so.11, libcurand.so.10) and cuDNN 9 (libcudnn.so.9).
 *
 * It looks where ld.so looks — LD_LIBRARY_PATH, the loader cache (`ldconfig -p`), the system
 * folders, the folders of /etc/ld.so.conf — and then in the usual install folders that ld.so does
 * not search (/usr/local/cuda-12.x/lib64, NVIDIA's pip wheels), so that it can say "found, but not
 * on the loader path" instead of just "missing". This is a heuristic for the report; the child
 * process probe (ep-probe.ts) is what decides.
 */
import { homedir } from 'node:os';
import { posix } from 'node:path';
import type { CudaLibrariesReport, CudaLibrary, CudaLibraryGroup } from '../../../src-shared/schemas/gpu.js';
import { execFileRunner, type CommandRunner } from './command-runner.js';
import { nodeFileSystem, type FileSystemProbe } from './file-system.js';

export const CUDA_LIBRARIES: readonly { soname: string; group: CudaLibraryGroup }[] = [
  { soname: 'libcuda.so.1', group: 'driver' },
  { soname: 'libcudart.so.12', group: 'cuda-runtime' },
  { soname: 'libcublas.so.12', group: 'cuda-runtime' },
  { soname: 'libcublasLt.so.12', group: 'cuda-runtime' },
  { soname: 'libcufft.so.11', group: 'cuda-runtime' },
  { soname: 'libcurand.so.10', group: 'cuda-runtime' },
  { soname: 'libcudnn.so.9', group: 'cudnn' },
];

/** Said wherever the CUDA EP does not exist (musicgen spec §3: `cuda` is listed on linux/x64 only). */
export function cudaUnavailableNote(platform: string, arch: string): string {
  const alternatives =
    platform === 'win32'
      ? 'onnxruntime-node offers DirectML and WebGPU on Windows instead'
      : platform === 'darwin'
        ? 'onnxruntime-node offers CoreML and WebGPU on macOS instead'
        : 'WebGPU (Vulkan) or the CPU are the options here';
  return `The CUDA EP is Linux x64 only in onnxruntime-node (this is ${platform} ${arch}); ${alternatives}.`;
}

export interface FindCudaLibrariesOptions {
  platform?: NodeJS.Platform;
  arch?: string;
  env?: Readonly<Record<string, string | undefined>>;
  fs?: FileSystemProbe;
  run?: CommandRunner;
  home?: string;
}

/** Looks for the CUDA 12 / cuDNN 9 libraries. Never throws. */
export async function findCudaLibraries(options: FindCudaLibrariesOptions = {}): Promise<CudaLibrariesReport> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') {
    return {
      applicable: false,
      note: cudaUnavailableNote(platform, arch),
      libraries: [],
      missing: [],
      otherVersions: [],
      searched: [],
    };
  }
  const env = options.env ?? process.env;
  const fs = options.fs ?? nodeFileSystem;
  const run = options.run ?? execFileRunner;
  const home = options.home ?? homedir();
  const notes: string[] = [];

  const ldLibraryPath = unique((env['LD_LIBRARY_PATH'] ?? '').split(':').filter((d) => d.startsWith('/')));
  const cache = await readLoaderCache(run).catch(() => null);
  if (!cache)
    notes.push('The loader cache could not be read (ldconfig -p failed), so the folders were searched instead.');
  const confDirs = await readLdSoConf(fs).catch(() => []);
  const elsewhere = await installFolders(fs, env, home).catch(() => []);

  const tiers: { location: CudaLibrary['location'] & string; dirs: string[] }[] = [
    { location: 'LD_LIBRARY_PATH', dirs: ldLibraryPath },
    { location: 'system', dirs: SYSTEM_DIRS },
    { location: 'ld.so.conf', dirs: confDirs },
    { location: 'elsewhere', dirs: elsewhere },
  ];
  const listings = new Map<string, Set<string>>();
  for (const dir of unique(tiers.flatMap((t) => t.dirs))) listings.set(dir, new Set(await fs.list(dir)));

  const libraries = CUDA_LIBRARIES.map(({ soname, group }) => locate(soname, group, tiers, listings, cache));
  return {
    applicable: true,
    note: notes.length ? notes.join(' ') : null,
    libraries,
    missing: libraries.filter((l) => !l.loadable).map((l) => l.soname),
    otherVersions: otherMajorVersions(listings, cache),
    searched: [...(cache ? ['ld.so.cache (ldconfig -p)'] : []), ...listings.keys()],
  };
}

/** glibc's own folders on x86-64 distributions (Debian multiarch and Fedora lib64 alike). */
const SYSTEM_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'];

function locate(
  soname: string,
  group: CudaLibraryGroup,
  tiers: { location: CudaLibrary['location'] & string; dirs: string[] }[],
  listings: Map<string, Set<string>>,
  cache: Map<string, string> | null,
): CudaLibrary {
  const found = (dirs: string[]): string | null => {
    const dir = dirs.find((d) => listings.get(d)?.has(soname));
    return dir === undefined ? null : posix.join(dir, soname);
  };
  const entry = (location: CudaLibrary['location'], path: string | null, loadable: boolean, hint: string | null) => ({
    soname,
    group,
    loadable,
    path,
    location,
    hint,
  });
  // The loader's own order: LD_LIBRARY_PATH, then the cache, then the system folders.
  const [ldPath, system, conf, elsewhere] = tiers.map((t) => t.dirs);
  const inLdPath = found(ldPath ?? []);
  if (inLdPath) return entry('LD_LIBRARY_PATH', inLdPath, true, null);
  const cached = cache?.get(soname);
  if (cached) return entry('ld.so.cache', cached, true, null);
  const inSystem = found(system ?? []);
  if (inSystem) return entry('system', inSystem, true, null);
  const inConf = found(conf ?? []);
  if (inConf) {
    // Without a readable cache there is no telling whether it is current: assume it is.
    if (!cache) return entry('ld.so.conf', inConf, true, null);
    return entry(
      'ld.so.conf',
      inConf,
      false,
      `${inConf} is in a folder listed by /etc/ld.so.conf but not in the loader cache yet: run \`sudo ldconfig\`.`,
    );
  }
  const other = found(elsewhere ?? []);
  if (other) {
    return entry(
      'elsewhere',
      other,
      false,
      `Found at ${other}, but the loader does not search ${posix.dirname(other)}: add that folder to LD_LIBRARY_PATH.`,
    );
  }
  return entry(null, null, false, MISSING_HINT[group]);
}

const MISSING_HINT: Record<CudaLibraryGroup, string> = {
  driver: 'Comes with the NVIDIA driver: install a driver that supports CUDA 12.',
  'cuda-runtime': 'Install the CUDA 12 runtime libraries (see "How to enable CUDA").',
  cudnn: 'Install cuDNN 9 for CUDA 12 (see "How to enable CUDA").',
};

/** The x86-64 entries of `ldconfig -p`: soname → path (the first one, which is the one ld.so uses). */
export function parseLdconfigCache(text: string, archFlag = 'x86-64'): Map<string, string> {
  const cache = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s+(\S+)\s+\(([^)]*)\)\s+=>\s+(\S.*?)\s*$/.exec(line);
    if (!match?.[1] || !match[2] || !match[3]) continue;
    if (!match[2].split(',').some((flag) => flag.trim() === archFlag)) continue;
    if (!cache.has(match[1])) cache.set(match[1], match[3]);
  }
  return cache;
}

async function readLoaderCache(run: CommandRunner): Promise<Map<string, string> | null> {
  // /sbin is not on every user's PATH (Debian before 13).
  for (const tool of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    const result = await run(tool, ['-p'], { timeoutMs: 10_000, env: { LC_ALL: 'C' } });
    if (result.kind === 'not-found') continue;
    if (result.kind !== 'exited' || result.code !== 0) return null;
    return parseLdconfigCache(result.stdout);
  }
  return null;
}

/**
 * The folders named by /etc/ld.so.conf, following `include` lines (with `*` and `?` in the last
 * path component, relative to the including file's folder), skipping `hwcap` lines and comments.
 */
export async function readLdSoConf(fs: FileSystemProbe, file = '/etc/ld.so.conf'): Promise<string[]> {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = async (path: string, depth: number): Promise<void> => {
    if (seen.has(path) || depth > 8) return;
    seen.add(path);
    const text = await fs.readText(path);
    if (text === null) return;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line || /^hwcap\s/.test(line)) continue;
      const include = /^include\s+(.+)$/.exec(line);
      if (include?.[1]) {
        for (const pattern of include[1].split(/\s+/)) {
          const absolute = posix.resolve(posix.dirname(path), pattern);
          for (const match of await expandGlob(fs, absolute)) await visit(match, depth + 1);
        }
        continue;
      }
      // Old syntax allows several folders per line and a `=type` suffix.
      for (const dir of line.split(/[\s:,]+/)) {
        const clean = dir.replace(/=.*$/, '');
        if (clean.startsWith('/')) dirs.push(posix.normalize(clean));
      }
    }
  };
  await visit(file, 0);
  return unique(dirs);
}

async function expandGlob(fs: FileSystemProbe, pattern: string): Promise<string[]> {
  const dir = posix.dirname(pattern);
  const name = posix.basename(pattern);
  if (!/[*?]/.test(name)) return [pattern];
  const regex = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return (await fs.list(dir))
    .filter((entry) => regex.test(entry))
    .sort()
    .map((entry) => posix.join(dir, entry));
}

/**
 * Where CUDA and cuDNN often sit without being on the loader path: NVIDIA's toolkit folders,
 * Arch's /opt/cuda, WSL's driver folder, conda, and the `nvidia/<lib>/lib` folders of NVIDIA's pip
 * wheels in a virtualenv, the user's site-packages or the system's.
 */
async function installFolders(
  fs: FileSystemProbe,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): Promise<string[]> {
  const cudaRoots = ['/usr/local/cuda', '/opt/cuda'];
  for (const entry of (await fs.list('/usr/local')).sort().reverse()) {
    if (/^cuda-\d+(\.\d+)*$/.test(entry)) cudaRoots.push(posix.join('/usr/local', entry));
  }
  const dirs = cudaRoots.flatMap((root) => [
    posix.join(root, 'lib64'),
    posix.join(root, 'lib'),
    posix.join(root, 'targets/x86_64-linux/lib'),
  ]);
  dirs.push('/usr/lib/wsl/lib');
  const prefixes = [env['VIRTUAL_ENV'], env['CONDA_PREFIX'], posix.join(home, '.local'), '/usr/local', '/usr'].filter(
    (p): p is string => typeof p === 'string' && p.startsWith('/'),
  );
  if (env['CONDA_PREFIX']?.startsWith('/')) dirs.push(posix.join(env['CONDA_PREFIX'], 'lib'));
  for (const prefix of prefixes) {
    const libDir = posix.join(prefix, 'lib');
    for (const python of (await fs.list(libDir)).filter((e) => /^python3(\.\d+)?$/.test(e))) {
      for (const packages of ['site-packages', 'dist-packages']) {
        const nvidia = posix.join(libDir, python, packages, 'nvidia');
        for (const lib of (await fs.list(nvidia)).sort()) dirs.push(posix.join(nvidia, lib, 'lib'));
      }
    }
  }
  return unique(dirs);
}

/** Other major versions of the same libraries (e.g. libcudart.so.13 on a CUDA-13-only box). */
function otherMajorVersions(listings: Map<string, Set<string>>, cache: Map<string, string> | null): string[] {
  const seen = new Map<string, string>();
  const consider = (name: string, path: string): void => {
    // The driver's libcuda.so.1 points at libcuda.so.<driver version>: not another version.
    for (const { soname } of CUDA_LIBRARIES.filter((l) => l.group !== 'driver')) {
      const base = soname.replace(/\.\d+$/, '');
      const match = new RegExp(`^${base.replace(/\./g, '\\.')}\\.(\\d+)(\\.\\d+)*$`).exec(name);
      if (match && `${base}.${match[1]}` !== soname && !seen.has(name)) seen.set(name, path);
    }
  };
  for (const [name, path] of cache ?? []) consider(name, path);
  for (const [dir, names] of listings) for (const name of names) consider(name, posix.join(dir, name));
  return [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([name, path]) => `${name} (${path})`);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
