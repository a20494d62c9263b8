/**
 * Which device MusicGen runs on: CUDA when its probe passed, else WebGPU when its probe passed,
 * else the CPU (musicgen spec §9), with the reason for each step kept so that the UI can say why
 * a GPU is not used. The order is a default, not a verdict: a working GPU provider whose speed
 * test ran slower than the CPU's is passed over in automatic mode. It never throws: the CPU is
 * always the answer of last resort.
 */
import type {
  DeviceChoice,
  DevicePreference,
  DeviceStep,
  EpProbeResult,
  ExecutionProvider,
} from '../../../src-shared/schemas/gpu.js';
import { EP_LABEL } from './ep-probe.js';

const AUTO_ORDER: readonly ExecutionProvider[] = ['cuda', 'webgpu', 'cpu'];

/** The order to try: the preferred provider first, then the automatic order; `cpu` means only it. */
export function deviceOrder(preference: DevicePreference): ExecutionProvider[] {
  if (preference === 'auto') return [...AUTO_ORDER];
  if (preference === 'cpu') return ['cpu'];
  return [preference, ...AUTO_ORDER.filter((ep) => ep !== preference)];
}

export function chooseDevice(probes: readonly EpProbeResult[], preference: DevicePreference = 'auto'): DeviceChoice {
  try {
    const steps: DeviceStep[] = [];
    const preferred = (ep: ExecutionProvider): string => (preference === ep ? ' It is the preferred device.' : '');
    for (const ep of deviceOrder(preference)) {
      const probe = probes.find((p) => p.ep === ep);
      if (ep === 'cpu') {
        let reason: string;
        if (preference === 'cpu') reason = 'The CPU was chosen in the settings.';
        else if (!probe) reason = 'The CPU is the last resort (not probed).';
        else if (probe.ok) reason = probe.reason;
        else reason = `The CPU is the last resort, though its probe failed too: ${probe.reason}`;
        steps.push({ ep, accepted: true, reason });
        return result('cpu', preference, steps, probe?.ok ?? false);
      }
      if (!probe) {
        steps.push({ ep, accepted: false, reason: `${EP_LABEL[ep]} was not probed.` });
      } else if (probe.ok) {
        const slower = slowerThanCpu(probe, probes);
        if (slower && preference === 'auto') {
          steps.push({ ep, accepted: false, reason: `${EP_LABEL[ep]} works, but ${slower}, so it is not used.` });
          continue;
        }
        const note = slower ? ` Note: ${slower}.` : '';
        steps.push({ ep, accepted: true, reason: `${probe.reason}${preferred(ep)}${note}` });
        return result(ep, preference, steps, true);
      } else {
        steps.push({ ep, accepted: false, reason: probe.reason });
      }
    }
    // deviceOrder always ends with the CPU; this is for the type checker.
    return result('cpu', preference, steps, false);
  } catch (error) {
    const reason = `The device could not be chosen (${error instanceof Error ? error.message : String(error)}); using the CPU.`;
    return result('cpu', preference, [{ ep: 'cpu', accepted: true, reason }], false);
  }
}

/** Milliseconds per run of the probe's speed test, when it ran. */
export function benchMs(probe: EpProbeResult | undefined): number | null {
  const value = probe?.details['benchMs'];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** "its speed test ran slower than the CPU's (…)" when both were measured and the CPU won. */
function slowerThanCpu(probe: EpProbeResult, probes: readonly EpProbeResult[]): string | null {
  const cpu = probes.find((p) => p.ep === 'cpu');
  const mine = benchMs(probe);
  const cpuMs = cpu?.ok ? benchMs(cpu) : null;
  if (mine === null || cpuMs === null || mine <= cpuMs) return null;
  return `its speed test ran slower than the CPU's (${mine} ms against ${cpuMs} ms per run)`;
}

function result(
  device: ExecutionProvider,
  preference: DevicePreference,
  steps: DeviceStep[],
  verified: boolean,
): DeviceChoice {
  const passedOver = steps.filter((s) => !s.accepted).map((s) => s.reason);
  const name = device === 'cpu' ? 'the CPU' : EP_LABEL[device];
  const summary = passedOver.length ? `Using ${name}. ${passedOver.join(' ')}` : `Using ${name}.`;
  return { device, preference, steps, verified, summary };
}
