import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NvidiaSmiReportSchema } from '../../../src-shared/schemas/gpu.js';
import { NVIDIA_SMI_FIELDS, driverSupportsCuda12, parseNvidiaSmiCsv, queryNvidiaSmi } from './nvidia-smi.js';
import { scriptedRunner } from './testing/fakes.js';
import {
  SMI_DRIVER_FAILURE,
  SMI_GERMAN_LOCALE,
  SMI_H100,
  SMI_LAPTOP_NA_POWER,
  SMI_NO_DEVICES,
  SMI_OLD_DRIVER_REJECTS_COMPUTE_CAP,
  SMI_OLD_DRIVER_WITHOUT_COMPUTE_CAP,
  SMI_ONE_GPU_LOST,
  SMI_REFUSALS,
  SMI_TWO_GPUS,
} from './testing/fixtures.js';

describe('queryNvidiaSmi on captured outputs', () => {
  it('asks for the eleven fields as headerless, unitless CSV, with a time limit and the C locale', async () => {
    const run = scriptedRunner({ 'nvidia-smi': SMI_H100 });
    await queryNvidiaSmi(run);
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]?.args).toEqual([
      '--query-gpu=index,name,driver_version,memory.total,memory.used,temperature.gpu,power.draw,power.limit,utilization.gpu,compute_cap,uuid',
      '--format=csv,noheader,nounits',
    ]);
    expect(run.calls[0]?.options?.timeoutMs).toBeGreaterThan(0);
    expect(run.calls[0]?.options?.env).toEqual({ LC_ALL: 'C' });
  });

  it('reads one H100 with every field', async () => {
    const report = await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': SMI_H100 }), { platform: 'linux' });
    expect(NvidiaSmiReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      status: 'ok',
      message: null,
      driverVersion: '550.54.15',
      driverSupportsCuda12: true,
      computeCapQueried: true,
      warnings: [],
    });
    expect(report.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        driverVersion: '550.54.15',
        memoryTotalMiB: 81559,
        memoryUsedMiB: 1,
        temperatureC: 31,
        powerDrawW: 69.87,
        powerLimitW: 700,
        utilizationPercent: 0,
        computeCapability: '9.0',
        uuid: 'GPU-5a1c2f9e-0b7d-4c1e-9a3b-7e2d41c8f60a',
        notes: [],
      },
    ]);
  });

  it('reads several GPUs of different kinds, in index order', async () => {
    const report = await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': SMI_TWO_GPUS }));
    expect(report.gpus.map((g) => [g.index, g.name, g.memoryTotalMiB, g.computeCapability])).toEqual([
      [0, 'NVIDIA GeForce RTX 4090', 24564, '8.9'],
      [1, 'NVIDIA GeForce RTX 3060', 12288, '8.6'],
    ]);
    expect(report.gpus[0]?.memoryUsedMiB).toBe(1874);
    expect(report.gpus[0]?.utilizationPercent).toBe(7);
  });

  it('turns [N/A] power into null without remarks (laptops do not report it)', async () => {
    const report = await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': SMI_LAPTOP_NA_POWER }));
    const gpu = report.gpus[0];
    expect(gpu?.name).toBe('NVIDIA GeForce GTX 1650');
    expect(gpu?.powerDrawW).toBeNull();
    expect(gpu?.powerLimitW).toBeNull();
    expect(gpu?.temperatureC).toBe(44);
    expect(gpu?.notes).toEqual([]);
  });

  it('keeps unusual refusals as notes and [Not Supported] as a plain null', async () => {
    const gpu = (await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': SMI_REFUSALS }))).gpus[0];
    expect(gpu?.powerDrawW).toBeNull();
    expect(gpu?.powerLimitW).toBeNull();
    expect(gpu?.utilizationPercent).toBeNull();
    expect(gpu?.notes).toEqual(['power limit: [Unknown Error]']);
  });

  it('reads decimal commas of a German locale and CRLF line ends', async () => {
    const report = await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': SMI_GERMAN_LOCALE }), { platform: 'win32' });
    const gpu = report.gpus[0];
    expect(gpu?.powerDrawW).toBe(98.34);
    expect(gpu?.powerLimitW).toBe(320);
    expect(gpu?.utilizationPercent).toBe(12);
    expect(gpu?.computeCapability).toBe('8.6');
    expect(gpu?.uuid).toBe('GPU-9f2e4c61-0a7b-d3e5-48c1-b6f02d9a7e13');
    // 552.22 is above Windows' CUDA 12 minimum (527.41).
    expect(report.driverSupportsCuda12).toBe(true);
  });

  it('repeats the query without compute_cap when an old driver rejects it', async () => {
    const run = scriptedRunner({
      'nvidia-smi': (args) =>
        args[0]?.includes('compute_cap') ? SMI_OLD_DRIVER_REJECTS_COMPUTE_CAP : SMI_OLD_DRIVER_WITHOUT_COMPUTE_CAP,
    });
    const report = await queryNvidiaSmi(run, { platform: 'linux' });
    expect(run.calls).toHaveLength(2);
    expect(run.calls[1]?.args[0]).toBe(
      '--query-gpu=index,name,driver_version,memory.total,memory.used,temperature.gpu,power.draw,power.limit,utilization.gpu,uuid',
    );
    expect(report.status).toBe('ok');
    expect(report.computeCapQueried).toBe(false);
    expect(report.gpus).toHaveLength(2);
    expect(report.gpus[1]).toMatchObject({
      index: 1,
      name: 'Tesla K80',
      temperatureC: 29,
      powerDrawW: 29.8,
      computeCapability: null,
      uuid: 'GPU-6a4c1f07-e93b-28d5-b0f7-4d2e9c15a863',
    });
    expect(report.gpus[0]?.notes).toContain('compute capability: not reported by this driver');
    // The 470 branch predates CUDA 12.
    expect(report.driverSupportsCuda12).toBe(false);
  });

  it('reports a missing tool as "no NVIDIA driver/tool found"', async () => {
    const report = await queryNvidiaSmi(scriptedRunner({}), { platform: 'linux' });
    expect(report.status).toBe('not-installed');
    expect(report.message).toMatch(/no NVIDIA driver\/tool found/i);
    expect(report.gpus).toEqual([]);
  });

  it("tries NVIDIA's own folder on Windows when nvidia-smi is not on PATH", async () => {
    const run = scriptedRunner({ 'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe': SMI_GERMAN_LOCALE });
    const report = await queryNvidiaSmi(run, { platform: 'win32' });
    expect(run.calls.map((c) => c.file)).toEqual([
      'nvidia-smi',
      'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe',
    ]);
    expect(report.gpus[0]?.name).toBe('NVIDIA GeForce RTX 3080');
  });

  it("passes on the tool's own words when it cannot talk to the driver", async () => {
    const report = await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': SMI_DRIVER_FAILURE }));
    expect(report.status).toBe('driver-error');
    expect(report.message).toBe(
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    );
  });

  it('says so when the driver sees no GPU', async () => {
    const report = await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': SMI_NO_DEVICES }));
    expect(report.status).toBe('no-devices');
    expect(report.gpus).toEqual([]);
  });

  it('keeps the good GPU when another one is lost and the command fails', async () => {
    const report = await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': SMI_ONE_GPU_LOST }));
    expect(report.status).toBe('ok');
    expect(report.gpus.map((g) => g.name)).toEqual(['NVIDIA A100-SXM4-40GB']);
    expect(report.warnings).toEqual(['Unable to determine the device handle for GPU1: 0000:41:00.0: Unknown Error']);
    expect(report.message).toMatch(/^nvidia-smi exited with code 15: /);
  });

  it('reports a timeout, a kill and a runner that throws without throwing itself', async () => {
    const timeout = await queryNvidiaSmi(scriptedRunner({ 'nvidia-smi': { kind: 'timeout', stdout: '', stderr: '' } }));
    expect(timeout.status).toBe('timeout');
    const killed = await queryNvidiaSmi(
      scriptedRunner({ 'nvidia-smi': { kind: 'signal', signal: 'SIGSEGV', stdout: '', stderr: '' } }),
    );
    expect(killed).toMatchObject({ status: 'failed', message: 'nvidia-smi was killed by SIGSEGV.' });
    const thrown = await queryNvidiaSmi(() => Promise.reject(new Error('EMFILE: too many open files')));
    expect(thrown).toMatchObject({
      status: 'failed',
      message: 'nvidia-smi could not be run: EMFILE: too many open files',
    });
  });

  it('reports another failure with its exit code and message', async () => {
    const report = await queryNvidiaSmi(
      scriptedRunner({ 'nvidia-smi': { kind: 'exited', code: 4, stdout: '', stderr: 'Insufficient Permissions\n' } }),
    );
    expect(report).toMatchObject({
      status: 'failed',
      message: 'nvidia-smi exited with code 4: Insufficient Permissions',
    });
  });
});

describe('parseNvidiaSmiCsv', () => {
  it('keeps a name that contains ", " whole', () => {
    const { gpus, warnings } = parseNvidiaSmiCsv(
      '0, Acme GPU, Rev. B, 550.1, 1024, 0, 30, 10.5, 75.00, 0, 8.6, GPU-x\n',
    );
    expect(warnings).toEqual([]);
    expect(gpus[0]).toMatchObject({
      name: 'Acme GPU, Rev. B',
      driverVersion: '550.1',
      memoryTotalMiB: 1024,
      powerDrawW: 10.5,
    });
  });

  it('reads rows whose units were left in', () => {
    const { gpus } = parseNvidiaSmiCsv(
      '0, NVIDIA L4, 550.90.07, 23034 MiB, 0 MiB, 40, 16.26 W, 72.00 W, 0 %, 8.9, GPU-y\n',
    );
    expect(gpus[0]).toMatchObject({
      memoryTotalMiB: 23034,
      memoryUsedMiB: 0,
      powerDrawW: 16.26,
      powerLimitW: 72,
      utilizationPercent: 0,
    });
  });

  it('sets lines that are not GPU rows aside as warnings', () => {
    const { gpus, warnings } = parseNvidiaSmiCsv(
      'WARNING: infoROM is corrupted at gpu 0000:01:00.0\n0, NVIDIA A10, 535.54.03, 23028, 0, 33, 58.1, 150.00, 0, 8.6, GPU-z\n',
    );
    expect(gpus).toHaveLength(1);
    expect(warnings).toEqual(['WARNING: infoROM is corrupted at gpu 0000:01:00.0']);
  });

  it('never throws and returns only finite numbers or nulls, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const { gpus } = parseNvidiaSmiCsv(text);
        for (const gpu of gpus) {
          for (const value of [
            gpu.memoryTotalMiB,
            gpu.memoryUsedMiB,
            gpu.temperatureC,
            gpu.powerDrawW,
            gpu.utilizationPercent,
          ]) {
            expect(value === null || Number.isFinite(value)).toBe(true);
          }
        }
      }),
    );
  });

  it('reads back any row it is given, with either decimal mark', () => {
    const decimal = fc.integer({ min: 0, max: 99_999 }).map((n) => n / 100);
    fc.assert(
      fc.property(
        fc.record({
          index: fc.integer({ min: 0, max: 15 }),
          total: fc.integer({ min: 1, max: 200_000 }),
          used: fc.integer({ min: 0, max: 200_000 }),
          temperature: fc.integer({ min: 0, max: 110 }),
          draw: decimal,
          limit: decimal,
          utilization: fc.integer({ min: 0, max: 100 }),
          comma: fc.boolean(),
        }),
        (gpu) => {
          const mark = (n: number): string => (gpu.comma ? n.toFixed(2).replace('.', ',') : n.toFixed(2));
          const row = [
            gpu.index,
            'NVIDIA RTX A6000',
            '550.54.15',
            gpu.total,
            gpu.used,
            gpu.temperature,
            mark(gpu.draw),
            mark(gpu.limit),
            gpu.utilization,
            gpu.comma ? '8,6' : '8.6',
            'GPU-abc',
          ].join(', ');
          const parsed = parseNvidiaSmiCsv(`${row}\n`, NVIDIA_SMI_FIELDS).gpus[0];
          expect(parsed).toMatchObject({
            index: gpu.index,
            memoryTotalMiB: gpu.total,
            memoryUsedMiB: gpu.used,
            temperatureC: gpu.temperature,
            powerDrawW: gpu.draw,
            powerLimitW: gpu.limit,
            utilizationPercent: gpu.utilization,
            computeCapability: '8.6',
          });
        },
      ),
    );
  });
});

describe('driverSupportsCuda12', () => {
  it('compares with 525.60.13 on Linux and 527.41 on Windows, part by part', () => {
    expect(driverSupportsCuda12('525.60.13', 'linux')).toBe(true);
    expect(driverSupportsCuda12('525.60.12', 'linux')).toBe(false);
    expect(driverSupportsCuda12('525.105.17', 'linux')).toBe(true);
    expect(driverSupportsCuda12('470.256.02', 'linux')).toBe(false);
    expect(driverSupportsCuda12('580.95.05', 'linux')).toBe(true);
    expect(driverSupportsCuda12('527.41', 'win32')).toBe(true);
    expect(driverSupportsCuda12('526.98', 'win32')).toBe(false);
    expect(driverSupportsCuda12('N/A', 'linux')).toBeNull();
  });
});
