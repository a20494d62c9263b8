import { describe, expect, it } from 'vitest';
import { DeviceChoiceSchema, type EpProbeResult, type ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import { chooseDevice, deviceOrder } from './choose-device.js';
import { skippedProbe } from './ep-probe.js';

function passed(ep: ExecutionProvider): EpProbeResult {
  return { ...skippedProbe(ep, ''), ok: true, outcome: 'ok', reason: `${ep} works.`, exitCode: 0, durationMs: 40 };
}

function failed(ep: ExecutionProvider, reason: string): EpProbeResult {
  return { ...skippedProbe(ep, ''), outcome: 'error', reason, exitCode: 0, durationMs: 40 };
}

const CUDA_FAILED = failed('cuda', 'The CUDA probe failed: libcudnn.so.9 missing.');
const WEBGPU_FAILED = failed('webgpu', 'The WebGPU probe failed: no adapter.');

describe('chooseDevice', () => {
  it('takes CUDA when its probe passed, without looking further', () => {
    const choice = chooseDevice([passed('cuda'), passed('webgpu'), passed('cpu')]);
    expect(DeviceChoiceSchema.parse(choice)).toEqual(choice);
    expect(choice).toEqual({
      device: 'cuda',
      preference: 'auto',
      steps: [{ ep: 'cuda', accepted: true, reason: 'cuda works.' }],
      verified: true,
      summary: 'Using CUDA.',
    });
  });

  it('falls back to WebGPU when CUDA failed, and records why', () => {
    const choice = chooseDevice([CUDA_FAILED, passed('webgpu'), passed('cpu')]);
    expect(choice.device).toBe('webgpu');
    expect(choice.steps).toEqual([
      { ep: 'cuda', accepted: false, reason: CUDA_FAILED.reason },
      { ep: 'webgpu', accepted: true, reason: 'webgpu works.' },
    ]);
    expect(choice.summary).toBe(`Using WebGPU. ${CUDA_FAILED.reason}`);
  });

  it('falls back to the CPU when both GPU paths failed, with both reasons', () => {
    const choice = chooseDevice([CUDA_FAILED, WEBGPU_FAILED, passed('cpu')]);
    expect(choice.device).toBe('cpu');
    expect(choice.verified).toBe(true);
    expect(choice.steps.map((s) => [s.ep, s.accepted])).toEqual([
      ['cuda', false],
      ['webgpu', false],
      ['cpu', true],
    ]);
    expect(choice.summary).toBe(`Using the CPU. ${CUDA_FAILED.reason} ${WEBGPU_FAILED.reason}`);
  });

  it('chooses the CPU with "not probed" reasons when nothing was probed', () => {
    const choice = chooseDevice([]);
    expect(choice.device).toBe('cpu');
    expect(choice.verified).toBe(false);
    expect(choice.steps).toEqual([
      { ep: 'cuda', accepted: false, reason: 'CUDA was not probed.' },
      { ep: 'webgpu', accepted: false, reason: 'WebGPU was not probed.' },
      { ep: 'cpu', accepted: true, reason: 'The CPU is the last resort (not probed).' },
    ]);
  });

  it('passes over skipped probes with their reason', () => {
    const skipped = skippedProbe('cuda', 'The CUDA EP is Linux x64 only in onnxruntime-node.');
    const choice = chooseDevice([skipped, passed('webgpu')]);
    expect(choice.device).toBe('webgpu');
    expect(choice.steps[0]).toEqual({ ep: 'cuda', accepted: false, reason: skipped.reason });
  });

  it('still answers the CPU, unverified, when even its probe failed', () => {
    const choice = chooseDevice([CUDA_FAILED, WEBGPU_FAILED, failed('cpu', 'The CPU probe failed: no onnxruntime.')]);
    expect(choice.device).toBe('cpu');
    expect(choice.verified).toBe(false);
    expect(choice.steps[2]?.reason).toBe(
      'The CPU is the last resort, though its probe failed too: The CPU probe failed: no onnxruntime.',
    );
  });

  it('tries a preferred provider first and falls back in the usual order', () => {
    expect(chooseDevice([passed('cuda'), passed('webgpu')], 'webgpu').device).toBe('webgpu');
    const choice = chooseDevice([passed('cuda'), WEBGPU_FAILED], 'webgpu');
    expect(choice.device).toBe('cuda');
    expect(choice.steps.map((s) => s.ep)).toEqual(['webgpu', 'cuda']);
    expect(chooseDevice([passed('cuda')], 'cuda').steps[0]?.reason).toBe('cuda works. It is the preferred device.');
  });

  it('uses the CPU when the settings say so, even with a working GPU', () => {
    const choice = chooseDevice([passed('cuda'), passed('webgpu'), passed('cpu')], 'cpu');
    expect(choice).toMatchObject({ device: 'cpu', verified: true, summary: 'Using the CPU.' });
    expect(choice.steps).toEqual([{ ep: 'cpu', accepted: true, reason: 'The CPU was chosen in the settings.' }]);
  });

  it('never throws, even on input that breaks while being read', () => {
    const hostile = new Proxy([] as EpProbeResult[], {
      get() {
        throw new Error('boom');
      },
    });
    const choice = chooseDevice(hostile);
    expect(choice.device).toBe('cpu');
    expect(choice.verified).toBe(false);
    expect(choice.steps[0]?.reason).toBe('The device could not be chosen (boom); using the CPU.');
  });

  it('passes over a working GPU provider whose speed test was slower than the CPU', () => {
    const timed = (probe: EpProbeResult, ms: number): EpProbeResult => ({ ...probe, details: { benchMs: ms } });
    const choice = chooseDevice([CUDA_FAILED, timed(passed('webgpu'), 15.6), timed(passed('cpu'), 0.4)]);
    expect(choice.device).toBe('cpu');
    expect(choice.verified).toBe(true);
    expect(choice.steps[1]).toEqual({
      ep: 'webgpu',
      accepted: false,
      reason:
        "WebGPU works, but its speed test ran slower than the CPU's (15.6 ms against 0.4 ms per run), so it is not used.",
    });
    // A faster GPU keeps its place, and so does one without a measurement.
    expect(chooseDevice([timed(passed('cuda'), 0.1), timed(passed('cpu'), 0.4)]).device).toBe('cuda');
    expect(chooseDevice([passed('cuda'), timed(passed('cpu'), 0.4)]).device).toBe('cuda');
    // A GPU the user asked for is used, with the measurement shown.
    const preferred = chooseDevice([timed(passed('webgpu'), 15.6), timed(passed('cpu'), 0.4)], 'webgpu');
    expect(preferred.device).toBe('webgpu');
    expect(preferred.steps[0]?.reason).toContain("Note: its speed test ran slower than the CPU's");
  });

  it('orders providers by preference', () => {
    expect(deviceOrder('auto')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(deviceOrder('webgpu')).toEqual(['webgpu', 'cuda', 'cpu']);
    expect(deviceOrder('cpu')).toEqual(['cpu']);
  });
});
