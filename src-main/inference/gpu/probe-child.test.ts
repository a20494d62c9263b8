import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EpProbeResultSchema } from '../../../src-shared/schemas/gpu.js';
import { probeExecutionProvider } from './ep-probe.js';

// The real probe child, run by the real parent (ep-probe.ts) as the app runs it.
const PROBE_SCRIPT = join(import.meta.dirname, 'probe-child.mjs');
const TINY_DECODER = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'models',
  'tiny',
  'musicgen',
  'onnx',
  'decoder_model_merged.onnx',
);
// Installed by `npm run cuda:install` only; without it the probe must fail cleanly.
const hasCudaProvider = existsSync(
  join(
    import.meta.dirname,
    '..',
    '..',
    '..',
    'node_modules',
    'onnxruntime-node',
    'bin',
    'napi-v6',
    'linux',
    'x64',
    'libonnxruntime_providers_cuda.so',
  ),
);

describe('probe-child.mjs, the real execution-provider probe', () => {
  it('runs a session on the CPU and checks its numbers', async () => {
    const result = await probeExecutionProvider('cpu', { probeScript: PROBE_SCRIPT });
    expect(EpProbeResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({ ep: 'cpu', ok: true, outcome: 'ok', exitCode: 0, signal: null });
    expect(result.details).toMatchObject({ ortVersion: '1.30.0', platform: process.platform });
    expect(result.details['maxAbsError']).toBeLessThan(1e-3);
  });

  it('loads a model given after the provider name', async () => {
    const result = await probeExecutionProvider('cpu', { probeScript: PROBE_SCRIPT, args: [TINY_DECODER] });
    expect(result.ok).toBe(true);
    expect(result.details).toMatchObject({ model: TINY_DECODER, inputs: 12 });
  });

  it.skipIf(hasCudaProvider || process.platform !== 'linux' || process.arch !== 'x64')(
    'reports CUDA as unavailable with onnxruntime’s reason, without crashing the parent',
    async () => {
      const result = await probeExecutionProvider('cuda', { probeScript: PROBE_SCRIPT });
      expect(EpProbeResultSchema.parse(result)).toEqual(result);
      expect(result).toMatchObject({ ep: 'cuda', ok: false, outcome: 'error', exitCode: 0, signal: null });
      expect(result.error).toBe('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
      expect(result.missingLibrary).toBe('libonnxruntime_providers_shared.so');
      expect(result.reason).toMatch(/^The CUDA probe failed: OrtSessionOptionsAppendExecutionProvider_Cuda/);
      expect(result.reason).toMatch(/the CUDA provider is not installed, run `npm run cuda:install`/);
    },
  );
});
