import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpuReport } from './report.js';
import {
  ALLOW_SOFTWARE_GPU_ENV,
  hideSoftwareAdapters,
  hideSoftwareAdaptersEnv,
  isNoAdapterError,
} from './software-adapters.js';

const PROBE_SCRIPT = join(import.meta.dirname, 'probe-child.mjs');
const ICD_FOLDERS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
/** Mesa's lavapipe, installed (with the Vulkan loader) by .ci/run from bookworm-backports. */
const lavapipe = ICD_FOLDERS.some(
  (folder) => existsSync(folder) && readdirSync(folder).some((name) => name.startsWith('lvp_icd')),
);

describe('software adapters', () => {
  it('adds the software drivers to what the user already disables, once', () => {
    expect(hideSoftwareAdaptersEnv({})).toEqual({ VK_LOADER_DRIVERS_DISABLE: '*lvp_icd*,*swiftshader*' });
    expect(hideSoftwareAdaptersEnv({ VK_LOADER_DRIVERS_DISABLE: '*nouveau*, *lvp_icd*' })).toEqual({
      VK_LOADER_DRIVERS_DISABLE: '*nouveau*,*lvp_icd*,*swiftshader*',
    });
  });

  it('hides them from a process environment unless a developer allowed them', () => {
    const env: Record<string, string | undefined> = {};
    hideSoftwareAdapters(env);
    expect(env['VK_LOADER_DRIVERS_DISABLE']).toBe('*lvp_icd*,*swiftshader*');
    const allowed: Record<string, string | undefined> = { [ALLOW_SOFTWARE_GPU_ENV]: '1' };
    hideSoftwareAdapters(allowed);
    expect(allowed['VK_LOADER_DRIVERS_DISABLE']).toBeUndefined();
  });

  it("recognises WebGPU's no-adapter error", () => {
    expect(isNoAdapterError('… Failed to get a WebGPU adapter: No supported adapters')).toBe(true);
    expect(isNoAdapterError('libvulkan.so.1: cannot open shared object file')).toBe(false);
  });
});

// CI installs Mesa's Vulkan driver, so there this must run, not skip (the bug it guards against
// only shows where the driver exists).
const skipReason = lavapipe
  ? undefined
  : process.env['CI']
    ? undefined
    : "Mesa's lavapipe Vulkan driver is not installed (apt-get install -t bookworm-backports mesa-vulkan-drivers)";
if (skipReason) console.warn(`Real software-adapter test skipped: ${skipReason}.`);

describe.skipIf(skipReason !== undefined)(
  'the real WebGPU probe on a machine whose only Vulkan driver is lavapipe',
  () => {
    it(
      'finds the software adapter, refuses it with the reason, and chooses the CPU',
      { timeout: 120_000 },
      async () => {
        expect(lavapipe, 'CI must install mesa-vulkan-drivers from bookworm-backports').toBe(true);
        const report = await gpuReport({ probe: { script: PROBE_SCRIPT }, env: {} });
        const webgpu = report.probes.find((p) => p.ep === 'webgpu');
        expect(webgpu, JSON.stringify(webgpu)).toMatchObject({
          ok: false,
          outcome: 'software-adapter',
          details: { softwareAdapter: true },
        });
        expect(webgpu?.reason).toMatch(/^WebGPU found only a software adapter/);
        expect(report.device.device).toBe('cpu');
        expect(report.device.steps.find((s) => s.ep === 'webgpu')?.reason).toBe(webgpu?.reason);
        const cpu = report.probes.find((p) => p.ep === 'cpu');
        expect(typeof cpu?.details['benchMs']).toBe('number');
      },
    );
  },
);
