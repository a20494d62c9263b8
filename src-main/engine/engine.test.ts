import { afterEach, describe, expect, it } from 'vitest';
import type { HostEvent } from '../../src-shared/api/contract.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { Engine } from './engine.js';

const tempDir = useTempDirs();
const engines: Engine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
});

function open(dataDir = tempDir()): Engine {
  const engine = new Engine({ dataDir, host: 'daemon' });
  engines.push(engine);
  return engine;
}

describe('Engine', () => {
  it('reports its status: version, host, idle role, data folder', async () => {
    const dir = tempDir();
    const status = await open(dir).handlers['status.get']({});
    expect(status).toMatchObject({ version: '0.1.0', host: 'daemon', role: 'idle', dataDir: dir });
    expect(status.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(status.startedAt)).not.toBeNaN();
  });

  it('keeps its log lines on disk across a restart', async () => {
    const dir = tempDir();
    const first = new Engine({ dataDir: dir, host: 'daemon' });
    first.logger('test').warn('before restart', { n: 1 });
    first.close();
    const second = open(dir);
    const { entries } = await second.handlers['logs.list']({ limit: 50 });
    expect(entries.map((e) => e.message)).toContain('before restart');
    expect(entries.find((e) => e.message === 'before restart')?.fields).toEqual({ n: 1 });
  });

  it('emits each kept log line as an event with its stored id', () => {
    const engine = open();
    const seen: HostEvent[] = [];
    engine.events.subscribe((event) => seen.push(event));
    engine.logger('test').info('hello');
    const log = seen.find((e) => e.event === 'log');
    expect(log?.event === 'log' && log.payload.message).toBe('hello');
    expect(log?.event === 'log' && log.payload.id).toBeGreaterThan(0);
  });

  it('applies a log level change at once and announces the new settings', async () => {
    const engine = open();
    const seen: HostEvent[] = [];
    engine.events.subscribe((event) => seen.push(event));
    const settings = await engine.handlers['settings.update']({ logLevel: 'warn' });
    expect(settings.logLevel).toBe('warn');
    expect(seen.some((e) => e.event === 'settings' && e.payload.logLevel === 'warn')).toBe(true);
    seen.length = 0;
    engine.logger('test').info('now hidden');
    engine.logger('test').warn('still shown');
    expect(seen.filter((e) => e.event === 'log').map((e) => e.event === 'log' && e.payload.message)).toEqual([
      'still shown',
    ]);
  });

  it('sends status heartbeats', async () => {
    const engine = new Engine({ dataDir: tempDir(), host: 'daemon', heartbeatSeconds: 0.02 });
    engines.push(engine);
    const status = await new Promise<HostEvent>((resolve) =>
      engine.events.subscribe((e) => e.event === 'status' && resolve(e)),
    );
    expect(status.event === 'status' && status.payload.host).toBe('daemon');
  });
});

describe('Engine GPU report', () => {
  it('reports no NVIDIA GPU and the CPU fallback on a machine without one, and caches the run', async () => {
    let runs = 0;
    const engine = new Engine({
      dataDir: tempDir(),
      host: 'daemon',
      gpu: {
        platform: 'linux',
        arch: 'x64',
        onnxruntimeDir: null,
        run: async (file) => {
          runs++;
          const error = Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
          throw error;
        },
      },
    });
    engines.push(engine);
    const report = await engine.handlers['gpu.report']({ refresh: false });
    expect(report.nvidia.status).not.toBe('ok');
    expect(report.device.device).toBe('cpu');
    const before = runs;
    await engine.handlers['gpu.report']({ refresh: false });
    expect(runs).toBe(before);
    await engine.handlers['gpu.report']({ refresh: true });
    expect(runs).toBeGreaterThan(before);
  });
});
