import { afterEach, describe, expect, it } from 'vitest';
import { events as eventSchemas, type HostEvent } from '../../src-shared/api/contract.js';
import { GenerationEventSchema, type GenerationEvent } from '../../src-shared/schemas/generation.js';
import type { GeneratedAudio, GenerateOptions, MusicGenerator } from '../inference/generate/musicgen.js';
import { GenerationQueue } from '../inference/generate/queue.js';
import type { MusicRequest } from '../inference/generate/request.js';
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

describe('Engine generation events', () => {
  it('forwards a generation queue as throttled `generation` events that parse with the schema', async () => {
    // 400 steps reported at once: the throttle keeps the state changes and the last step only.
    const generator: MusicGenerator = {
      generate: async (request: MusicRequest, options: GenerateOptions = {}): Promise<GeneratedAudio> => {
        const steps = request.durationTokens ?? 0;
        for (let step = 0; step <= steps; step++) options.onProgress?.({ step, steps });
        return {
          audio: new Float32Array((steps - 3) * 640),
          sampleRate: 32000,
          model: 'fake',
          dtype: { text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' },
          device: 'cpu',
          steps,
          seed: 1,
          timings: { encodeMs: 0, decodeMs: 0, audioMs: 0, totalMs: 0 },
        };
      },
    };
    const engine = open();
    const queue = new GenerationQueue(generator);
    engine.attachGenerationQueue(queue);
    const seen: GenerationEvent[] = [];
    engine.events.subscribe((e) => {
      if (e.event === 'generation') seen.push(GenerationEventSchema.parse(e.payload));
    });
    const job = queue.enqueue({ prompt: 'x'.repeat(500), durationTokens: 400 }, { caller: 'ui' });
    await job.result;
    expect(seen.map((e) => [e.state, e.step])).toEqual([
      ['queued', 0],
      ['running', 0],
      ['running', 400],
      ['done', 400],
    ]);
    expect(seen.every((e) => e.id === job.id && e.steps === 400 && e.caller === 'ui')).toBe(true);
    expect(seen[0]?.prompt).toHaveLength(200);
    expect(seen[0]?.durationSeconds).toBeCloseTo(397 / 50, 9);
    expect(eventSchemas.generation.safeParse(seen[3]).success).toBe(true);

    engine.close();
    const after = seen.length;
    await queue.submit({ prompt: 'after close', durationTokens: 10 });
    expect(seen).toHaveLength(after);
  });
});
