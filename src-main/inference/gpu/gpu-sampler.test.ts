import { describe, expect, it } from 'vitest';
import { GpuSampleSchema } from '../../../src-shared/schemas/gpu.js';
import { nvidiaSmiSampler } from './gpu-sampler.js';
import { scriptedRunner } from './testing/fakes.js';
import { SMI_LAPTOP_NA_POWER, SMI_NO_DEVICES, SMI_TWO_GPUS } from './testing/fixtures.js';

const at = new Date('2026-12-03T07:00:00.000Z');

describe('nvidiaSmiSampler', () => {
  it('reads utilisation, VRAM, temperature and power of every GPU', async () => {
    const run = scriptedRunner({ 'nvidia-smi': SMI_TWO_GPUS });
    const sample = await nvidiaSmiSampler({ run, platform: 'linux', now: () => at }).sample();
    expect(GpuSampleSchema.parse(sample)).toEqual(sample);
    expect(sample.status).toBe('ok');
    expect(sample.at).toBe(at.toISOString());
    expect(sample.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 4090',
        utilizationPercent: 7,
        memoryUsedMiB: 1874,
        memoryTotalMiB: 24564,
        temperatureC: 46,
        powerDrawW: 32.15,
        powerLimitW: 450,
      },
      {
        index: 1,
        name: 'NVIDIA GeForce RTX 3060',
        utilizationPercent: 0,
        memoryUsedMiB: 9,
        memoryTotalMiB: 12288,
        temperatureC: 38,
        powerDrawW: 15.42,
        powerLimitW: 170,
      },
    ]);
  });

  it('leaves what the driver will not read as null rather than guessing', async () => {
    const run = scriptedRunner({ 'nvidia-smi': SMI_LAPTOP_NA_POWER });
    const [gpu] = (await nvidiaSmiSampler({ run, platform: 'linux' }).sample()).gpus;
    expect(gpu?.powerDrawW).toBeNull();
    expect(gpu?.powerLimitW).toBeNull();
    expect(gpu?.temperatureC).toBe(44);
  });

  it('says why there is nothing to show on a machine without a GPU or driver', async () => {
    const none = await nvidiaSmiSampler({ run: scriptedRunner({}), platform: 'linux' }).sample();
    expect(none).toMatchObject({ status: 'not-installed', gpus: [] });
    expect(none.message).toMatch(/nvidia-smi/);
    const noDevices = await nvidiaSmiSampler({
      run: scriptedRunner({ 'nvidia-smi': SMI_NO_DEVICES }),
      platform: 'linux',
    }).sample();
    expect(noDevices).toMatchObject({ status: 'no-devices', gpus: [] });
  });
});
