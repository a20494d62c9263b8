import { describe, expect, it } from 'vitest';
import { CudaLibrariesReportSchema } from '../../../src-shared/schemas/gpu.js';
import { findCudaLibraries, parseLdconfigCache, readLdSoConf } from './cuda-libraries.js';
import { FakeFileSystem, scriptedRunner } from './testing/fakes.js';
import {
  LDCONFIG_CUDA12_CUDNN8,
  LDCONFIG_CUDA12_CUDNN9,
  LDCONFIG_CUDA13_ONLY,
  LDCONFIG_DRIVER_ONLY,
} from './testing/fixtures.js';

const linux = { platform: 'linux' as const, arch: 'x64', home: '/home/ana' };
const WHEELS = '/home/ana/.local/lib/python3.11/site-packages/nvidia';

describe('findCudaLibraries on Linux x64', () => {
  it('finds all seven libraries in the loader cache of a CUDA 12 + cuDNN 9 box', async () => {
    const report = await findCudaLibraries({
      ...linux,
      env: {},
      fs: new FakeFileSystem(),
      run: scriptedRunner({ ldconfig: LDCONFIG_CUDA12_CUDNN9 }),
    });
    expect(CudaLibrariesReportSchema.parse(report)).toEqual(report);
    expect(report.applicable).toBe(true);
    expect(report.missing).toEqual([]);
    expect(report.libraries.map((l) => [l.soname, l.location])).toEqual([
      ['libcuda.so.1', 'ld.so.cache'],
      ['libcudart.so.12', 'ld.so.cache'],
      ['libcublas.so.12', 'ld.so.cache'],
      ['libcublasLt.so.12', 'ld.so.cache'],
      ['libcufft.so.11', 'ld.so.cache'],
      ['libcurand.so.10', 'ld.so.cache'],
      ['libcudnn.so.9', 'ld.so.cache'],
    ]);
    // The 32-bit libcuda.so.1 of the same cache is not the one a 64-bit process loads.
    expect(report.libraries[0]?.path).toBe('/lib/x86_64-linux-gnu/libcuda.so.1');
    expect(report.libraries[1]?.path).toBe('/usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12');
    expect(report.searched[0]).toBe('ld.so.cache (ldconfig -p)');
  });

  it('reports cuDNN 9 missing and names the cuDNN 8 that is there instead', async () => {
    const report = await findCudaLibraries({
      ...linux,
      env: {},
      fs: new FakeFileSystem(),
      run: scriptedRunner({ ldconfig: LDCONFIG_CUDA12_CUDNN8 }),
    });
    expect(report.missing).toEqual(['libcudnn.so.9']);
    const cudnn = report.libraries.find((l) => l.soname === 'libcudnn.so.9');
    expect(cudnn).toMatchObject({ group: 'cudnn', loadable: false, path: null, location: null });
    expect(cudnn?.hint).toMatch(/cuDNN 9/);
    expect(report.otherVersions).toEqual(['libcudnn.so.8 (/lib/x86_64-linux-gnu/libcudnn.so.8)']);
  });

  it('says "found, but not on the loader path" for pip wheels, and "loadable" once LD_LIBRARY_PATH names them', async () => {
    const fs = new FakeFileSystem([
      `${WHEELS}/cudnn/lib/libcudnn.so.9`,
      `${WHEELS}/cudnn/lib/libcudnn_graph.so.9`,
      `${WHEELS}/cublas/lib/libcublas.so.12`,
    ]);
    const run = scriptedRunner({ ldconfig: LDCONFIG_CUDA12_CUDNN8 });
    const before = await findCudaLibraries({ ...linux, env: {}, fs, run });
    const cudnn = before.libraries.find((l) => l.soname === 'libcudnn.so.9');
    expect(cudnn).toMatchObject({ loadable: false, location: 'elsewhere', path: `${WHEELS}/cudnn/lib/libcudnn.so.9` });
    expect(cudnn?.hint).toBe(
      `Found at ${WHEELS}/cudnn/lib/libcudnn.so.9, but the loader does not search ${WHEELS}/cudnn/lib: add that folder to LD_LIBRARY_PATH.`,
    );

    const after = await findCudaLibraries({
      ...linux,
      env: { LD_LIBRARY_PATH: `${WHEELS}/cudnn/lib::relative/dir` },
      fs,
      run,
    });
    expect(after.missing).toEqual([]);
    expect(after.libraries.find((l) => l.soname === 'libcudnn.so.9')).toMatchObject({
      loadable: true,
      location: 'LD_LIBRARY_PATH',
      hint: null,
    });
    // LD_LIBRARY_PATH comes first, as in the loader: libcublas from the cache is still the cache's.
    expect(after.libraries.find((l) => l.soname === 'libcublas.so.12')?.location).toBe('ld.so.cache');
  });

  it('asks for `sudo ldconfig` when a library sits in an ld.so.conf folder but not in the cache', async () => {
    const fs = new FakeFileSystem({
      '/etc/ld.so.conf': 'include /etc/ld.so.conf.d/*.conf\n',
      '/etc/ld.so.conf.d/libc.conf': '# libc default configuration\n/usr/local/lib\n',
      '/etc/ld.so.conf.d/cuda-12-6.conf': '/usr/local/cuda-12.6/targets/x86_64-linux/lib\n',
      '/usr/local/cuda-12.6/targets/x86_64-linux/lib/libcudart.so.12': '',
    });
    const report = await findCudaLibraries({
      ...linux,
      env: {},
      fs,
      run: scriptedRunner({ ldconfig: LDCONFIG_DRIVER_ONLY }),
    });
    const cudart = report.libraries.find((l) => l.soname === 'libcudart.so.12');
    expect(cudart).toMatchObject({
      loadable: false,
      location: 'ld.so.conf',
      path: '/usr/local/cuda-12.6/targets/x86_64-linux/lib/libcudart.so.12',
    });
    expect(cudart?.hint).toMatch(/sudo ldconfig/);
    expect(report.searched).toContain('/usr/local/cuda-12.6/targets/x86_64-linux/lib');
  });

  it('falls back to /sbin/ldconfig, and trusts ld.so.conf folders when no cache can be read', async () => {
    const run = scriptedRunner({
      '/usr/sbin/ldconfig': { kind: 'exited', code: 1, stdout: '', stderr: "ldconfig: Can't open cache file\n" },
    });
    const fs = new FakeFileSystem({
      '/etc/ld.so.conf': '/opt/cuda12/lib64\n',
      '/opt/cuda12/lib64/libcudart.so.12': '',
      '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '',
    });
    const report = await findCudaLibraries({ ...linux, env: {}, fs, run });
    expect(run.calls.map((c) => c.file)).toEqual(['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']);
    expect(report.note).toMatch(/loader cache could not be read/);
    expect(report.libraries.find((l) => l.soname === 'libcudart.so.12')).toMatchObject({
      loadable: true,
      location: 'ld.so.conf',
    });
    expect(report.libraries.find((l) => l.soname === 'libcuda.so.1')).toMatchObject({
      loadable: true,
      location: 'system',
    });
    expect(report.searched).not.toContain('ld.so.cache (ldconfig -p)');
  });

  it('on a CUDA-13-only box misses every CUDA 12 library and lists the CUDA 13 ones it saw', async () => {
    const fs = new FakeFileSystem([
      '/usr/local/cuda-13.0/lib/libcudart.so.13.0.48',
      '/usr/local/cuda-13.0/lib/libcudart.so.13',
    ]);
    const report = await findCudaLibraries({
      ...linux,
      env: {},
      fs,
      run: scriptedRunner({ ldconfig: LDCONFIG_CUDA13_ONLY }),
    });
    expect(report.missing).toEqual([
      'libcudart.so.12',
      'libcublas.so.12',
      'libcublasLt.so.12',
      'libcufft.so.11',
      'libcudnn.so.9',
    ]);
    // libcurand keeps soname 10 across CUDA 11, 12 and 13, so the CUDA 13 one is found and counts.
    expect(report.libraries.find((l) => l.soname === 'libcurand.so.10')?.loadable).toBe(true);
    expect(report.otherVersions).toEqual([
      'libcublas.so.13 (/usr/local/cuda-13.0/lib/libcublas.so.13)',
      'libcublasLt.so.13 (/usr/local/cuda-13.0/lib/libcublasLt.so.13)',
      'libcudart.so.13 (/usr/local/cuda-13.0/lib/libcudart.so.13)',
      'libcudart.so.13.0.48 (/usr/local/cuda-13.0/lib/libcudart.so.13.0.48)',
      'libcufft.so.12 (/usr/local/cuda-13.0/lib/libcufft.so.12)',
    ]);
    expect(report.searched).toContain('/usr/local/cuda-13.0/lib');
  });

  it('does not mistake the driver file libcuda.so.550.54.15 for another version', async () => {
    const fs = new FakeFileSystem([
      '/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15',
      '/usr/lib/x86_64-linux-gnu/libcuda.so.1',
    ]);
    const report = await findCudaLibraries({ ...linux, env: {}, fs, run: scriptedRunner({}) });
    expect(report.otherVersions).toEqual([]);
    expect(report.libraries[0]).toMatchObject({ soname: 'libcuda.so.1', loadable: true, location: 'system' });
  });
});

describe('findCudaLibraries elsewhere', () => {
  it.each([
    ['win32', 'x64', /DirectML and WebGPU on Windows/],
    ['darwin', 'arm64', /CoreML and WebGPU on macOS/],
    ['linux', 'arm64', /WebGPU \(Vulkan\) or the CPU/],
  ] as const)('on %s %s says the CUDA EP is Linux x64 only and runs nothing', async (platform, arch, alternative) => {
    const run = scriptedRunner({ ldconfig: LDCONFIG_CUDA12_CUDNN9 });
    const report = await findCudaLibraries({ platform, arch, run, fs: new FakeFileSystem() });
    expect(report.applicable).toBe(false);
    expect(report.note).toMatch(/^The CUDA EP is Linux x64 only in onnxruntime-node/);
    expect(report.note).toMatch(alternative);
    expect(report.libraries).toEqual([]);
    expect(run.calls).toEqual([]);
  });
});

describe('parseLdconfigCache', () => {
  it('keeps the first x86-64 entry of each soname and skips the header, trailer and 32-bit entries', () => {
    if (LDCONFIG_CUDA12_CUDNN9.kind !== 'exited') throw new Error('fixture');
    const cache = parseLdconfigCache(LDCONFIG_CUDA12_CUDNN9.stdout);
    expect(cache.get('libcuda.so.1')).toBe('/lib/x86_64-linux-gnu/libcuda.so.1');
    expect(cache.get('libc.so.6')).toBe('/lib/x86_64-linux-gnu/libc.so.6');
    expect([...cache.keys()].some((k) => k.includes('found in cache') || k.startsWith('Cache'))).toBe(false);
    // Nine CUDA sonames (libcuda.so.1 once) and the five common ones.
    expect(cache.size).toBe(14);
  });
});

describe('readLdSoConf', () => {
  it('follows includes (globs, relative paths), skips comments and hwcap, and survives a loop', async () => {
    const fs = new FakeFileSystem({
      '/etc/ld.so.conf': 'include /etc/ld.so.conf.d/*.conf\n/opt/extra/lib # trailing comment\n',
      '/etc/ld.so.conf.d/a.conf': '/usr/local/lib\nhwcap 0 nosegneg\ninclude sub/?.conf\n',
      '/etc/ld.so.conf.d/b.conf': '/usr/lib/wsl/lib /usr/local/cuda-12.8/lib64=ELF\ninclude /etc/ld.so.conf\n',
      '/etc/ld.so.conf.d/notes.txt': '/not/included\n',
      '/etc/ld.so.conf.d/sub/x.conf': '/usr/local/cuda/lib64\n',
    });
    expect(await readLdSoConf(fs)).toEqual([
      '/usr/local/lib',
      '/usr/local/cuda/lib64',
      '/usr/lib/wsl/lib',
      '/usr/local/cuda-12.8/lib64',
      '/opt/extra/lib',
    ]);
  });

  it('returns nothing when /etc/ld.so.conf is absent', async () => {
    expect(await readLdSoConf(new FakeFileSystem())).toEqual([]);
  });
});
