import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EpProbeResultSchema, type ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import { describeCrash, findMissingLibrary, interpretProbeRun, probeExecutionProvider } from './ep-probe.js';
import { writeFakeProbe, type FakeProbeMode } from './testing/fake-probe.js';
import { ORT_CUDA_ERROR, ORT_CUDA_STDERR_PROVIDER_MISSING } from './testing/fixtures.js';

const tempDir = useTempDirs();
const posixOnly = it.skipIf(process.platform === 'win32');

async function probe(ep: ExecutionProvider, mode: FakeProbeMode, extra: { timeoutMs?: number; args?: string[] } = {}) {
  const dir = tempDir();
  const result = await probeExecutionProvider(ep, {
    probeScript: writeFakeProbe(dir),
    args: [mode, ...(extra.args ?? [])],
    timeoutMs: extra.timeoutMs ?? 15_000,
    cwd: dir,
    env: { FAKE_PROBE_EXTRA: 'from-parent' },
  });
  expect(EpProbeResultSchema.parse(result)).toEqual(result);
  return result;
}

describe('probeExecutionProvider with a fake probe child', () => {
  it('reports a working provider with the details the child sent', async () => {
    const result = await probe('cuda', 'ok');
    expect(result).toMatchObject({
      ep: 'cuda',
      ok: true,
      outcome: 'ok',
      reason: 'CUDA works: a test session ran on it.',
      error: null,
      details: { ortVersion: '1.30.0', sessionMs: 12.5 },
      exitCode: 0,
      signal: null,
    });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('runs the child as Node (also under Electron) and tells it the provider', async () => {
    const result = await probe('webgpu', 'env');
    expect(result.details).toEqual({ runAsNode: '1', probeEp: 'webgpu', extra: 'from-parent' });
  });

  it('finds the result line among lines printed by native libraries', async () => {
    const result = await probe('webgpu', 'ok-with-noise');
    expect(result.ok).toBe(true);
    expect(result.details).toEqual({ adapter: 'llvmpipe (LLVM 15.0.6, 256 bits)' });
  });

  it("reports onnxruntime's CUDA load failure with the library that stderr names", async () => {
    const result = await probe('cuda', 'cuda-library-missing');
    expect(result).toMatchObject({
      ok: false,
      outcome: 'error',
      error: ORT_CUDA_ERROR,
      missingLibrary: 'libcublasLt.so.12',
      exitCode: 0,
    });
    expect(result.reason).toBe(
      'The CUDA probe failed: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library. ' +
        'The dynamic loader could not open libcublasLt.so.12: install the CUDA 12 runtime libraries.',
    );
    expect(result.stderrTail).toContain('TryGetProviderInfo_CUDA');
  });

  posixOnly('reports a child that aborts as crashed, with the signal', async () => {
    const result = await probe('cuda', 'abort');
    expect(result).toMatchObject({ ok: false, outcome: 'crashed', signal: 'SIGABRT', exitCode: null });
    expect(result.reason).toBe('The CUDA probe crashed (SIGABRT: aborted).');
  });

  posixOnly('reports a segmentation fault as crashed', async () => {
    const result = await probe('webgpu', 'segfault');
    expect(result).toMatchObject({ outcome: 'crashed', signal: 'SIGSEGV' });
    expect(result.reason).toBe('The WebGPU probe crashed (SIGSEGV: segmentation fault).');
  });

  posixOnly('reads a crash exit code from a wrapper (128 + signal number)', async () => {
    const result = await probe('cuda', 'exit-139');
    expect(result).toMatchObject({ outcome: 'crashed', exitCode: 139, signal: null });
    expect(result.reason).toBe('The CUDA probe crashed (exit code 139 (SIGSEGV): segmentation fault).');
  });

  it('does not trust a success line from a child that then crashed', async () => {
    const result = await probe('cuda', 'ok-then-abort');
    expect(result.ok).toBe(false);
    expect(result.outcome).toBe('crashed');
    expect(result.reason).toMatch(/^The CUDA probe reported success, then crashed \(/);
  });

  it('stops a child that hangs at the time limit and leaves no process behind', async () => {
    const dir = tempDir();
    const pidFile = join(dir, 'pid');
    const result = await probeExecutionProvider('cuda', {
      probeScript: writeFakeProbe(dir),
      args: ['hang', pidFile],
      timeoutMs: 700,
      cwd: dir,
    });
    expect(result).toMatchObject({ ok: false, outcome: 'timeout' });
    expect(result.reason).toBe(
      'The CUDA probe did not finish within 0.7 s and was stopped (a hung driver, or a first initialisation slower than the limit).',
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }) as Error);
  });

  it('reports garbage on stdout as bad output, quoting its beginning', async () => {
    const result = await probe('cpu', 'garbage');
    expect(result).toMatchObject({ ok: false, outcome: 'bad-output', exitCode: 0 });
    expect(result.reason).toMatch(
      /^The CPU probe printed no result line; its output began with: "hello from a native library/,
    );
  });

  it('reports a child that prints nothing', async () => {
    const result = await probe('cpu', 'silent');
    expect(result).toMatchObject({ outcome: 'bad-output', reason: 'The CPU probe exited without printing a result.' });
  });

  it('ignores a result line about another provider', async () => {
    expect((await probe('cpu', 'wrong-ep')).outcome).toBe('bad-output');
  });

  it('reports an uncaught exception with its message', async () => {
    const result = await probe('cpu', 'throws');
    expect(result).toMatchObject({ ok: false, outcome: 'error', exitCode: 1 });
    expect(result.reason).toBe(
      "The CPU probe failed: exited with code 1: Error: Cannot find package 'onnxruntime-node' imported from /app/probe.mjs.",
    );
  });

  it('does not trust success with a non-zero exit code', async () => {
    const result = await probe('webgpu', 'ok-exit-1');
    expect(result).toMatchObject({
      ok: false,
      outcome: 'error',
      reason: 'The WebGPU probe reported success but exited with code 1.',
    });
  });

  it('reports a probe script that does not exist, and a Node binary that does not exist', async () => {
    const dir = tempDir();
    const noScript = await probeExecutionProvider('cuda', { probeScript: join(dir, 'missing.mjs') });
    expect(noScript).toMatchObject({ ok: false, outcome: 'not-started' });
    expect(noScript.reason).toBe(
      `The CUDA probe could not be started: the probe script ${join(dir, 'missing.mjs')} does not exist.`,
    );

    const noNode = await probeExecutionProvider('cpu', {
      probeScript: writeFakeProbe(dir),
      execPath: join(dir, 'no-such-node'),
      args: ['ok'],
    });
    expect(noNode.outcome).toBe('not-started');
    expect(noNode.reason).toMatch(/ENOENT/);
  });
});

describe('interpretProbeRun', () => {
  const run = { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, durationMs: 5 };

  it('reads Windows crash codes (NTSTATUS) as crashes', () => {
    const result = interpretProbeRun('cuda', { ...run, exitCode: 3221225477 }, { platform: 'win32' });
    expect(result.outcome).toBe('crashed');
    expect(result.reason).toBe('The CUDA probe crashed (exit code 0xC0000005: access violation).');
    expect(describeCrash(3, null, 'win32')).toBe('exit code 3: aborted');
    expect(describeCrash(3, null, 'linux')).toBeNull();
    expect(describeCrash(137, null, 'linux')).toBe(
      'exit code 137 (SIGKILL): killed, often by the out-of-memory killer',
    );
  });

  it('points at `npm run cuda:install` when the provider library itself is missing', () => {
    const line = JSON.stringify({ ok: false, ep: 'cuda', error: ORT_CUDA_ERROR });
    const result = interpretProbeRun('cuda', {
      ...run,
      exitCode: 0,
      stdout: `${line}\n`,
      stderr: ORT_CUDA_STDERR_PROVIDER_MISSING,
    });
    expect(result.missingLibrary).toBe('libonnxruntime_providers_cuda.so');
    expect(result.reason).toMatch(/the CUDA provider is not installed, run `npm run cuda:install`\.$/);
  });

  it('names a library only when the loader said it could not open it', () => {
    expect(findMissingLibrary('libcudnn.so.9: cannot open shared object file: No such file or directory')).toBe(
      'libcudnn.so.9',
    );
    expect(
      findMissingLibrary('Failed to load library libonnxruntime_providers_cuda.so with error: out of memory'),
    ).toBeNull();
  });
});
