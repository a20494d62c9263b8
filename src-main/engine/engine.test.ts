import { afterEach, describe, expect, it, vi } from 'vitest';
import { events as eventSchemas, type HostEvent } from '../../src-shared/api/contract.js';
import { GenerationEventSchema, type GenerationEvent } from '../../src-shared/schemas/generation.js';
import type { GeneratedAudio, GenerateOptions, MusicGenerator } from '../inference/generate/musicgen.js';
import { WorkScheduler } from '../inference/scheduler.js';
import type { MusicRequest } from '../inference/generate/request.js';
import { useTempDirs } from '../testing/temp-dir.js';
import type {
  ModelDownloadEvent,
  ModelDtype,
  ModelEntry,
  ModelTransferProgress,
} from '../../src-shared/schemas/model-manifest.js';
import { BUNDLED_MANIFESTS, ModelStoreError, type TransferOptions } from '../models/index.js';
import { Engine } from './engine.js';
import { toHostApiError, type ModelStoreLike } from './models.js';

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

  it('takes log lines after it closed (work still ending) to the terminal only, without throwing', () => {
    const printed: string[] = [];
    const engine = new Engine({
      dataDir: tempDir(),
      host: 'daemon',
      inMemory: true,
      onLogLine: (line) => printed.push(line.message),
    });
    const log = engine.logger('neuron');
    const seen: HostEvent[] = [];
    engine.events.subscribe((event) => seen.push(event));
    engine.close();
    expect(() => log.error('The miner could not start')).not.toThrow();
    expect(printed).toContain('The miner could not start');
    expect(seen.filter((e) => e.event === 'log' && e.payload.message === 'The miner could not start')).toEqual([]);
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

  it(
    'owns the network: stopped until a shell starts it, replaced when its settings change',
    { timeout: 60_000 },
    async () => {
      const engine = new Engine({
        dataDir: tempDir(),
        host: 'daemon',
        networkService: { local: { blockTimeMs: null } },
      });
      engines.push(engine);
      expect(await engine.handlers['network.status']({})).toMatchObject({ kind: 'local', state: 'stopped' });
      await engine.network.start();
      expect(await engine.handlers['network.status']({})).toMatchObject({ state: 'running', localMiners: 3 });
      const network = await engine.handlers['settings.get']({});
      await engine.handlers['settings.update']({ network: { ...network.network, localMiners: 1 } });
      // The replacement runs in the background; the next network command waits its turn.
      await engine.network.applySettings(engine.settings.get().network);
      expect(await engine.handlers['network.status']({})).toMatchObject({ state: 'running', localMiners: 1 });
      expect((await engine.handlers['network.metagraph']({})).neurons).toHaveLength(3);
      await engine.network.stop();
    },
  );

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
  it('forwards the work scheduler as throttled `generation` events that parse with the schema', async () => {
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
    const queue = new WorkScheduler(generator);
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

describe('Engine models', () => {
  it('lists every offered model as missing on an empty data dir, with the licence', async () => {
    const entries = await open().handlers['models.list']({});
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.state === 'missing')).toBe(true);
    const generation = entries.filter((e) => e.kind === 'musicgen');
    expect(generation.every((e) => e.license.spdx === 'CC-BY-NC-4.0' && e.license.nonCommercial)).toBe(true);
    // The scoring models are listed too, with their kind, an open licence and, for VGGish, how to import it.
    expect(entries.filter((e) => e.kind !== 'musicgen').map((e) => [e.id, e.kind, e.license.spdx])).toEqual([
      ['clap-larger-music-and-speech', 'clap', 'Apache-2.0'],
      ['ast-audioset', 'audio-classifier', 'BSD-3-Clause'],
      ['vggish-pre-relu', 'vggish', 'Apache-2.0'],
    ]);
    expect(entries.find((e) => e.id === 'vggish-pre-relu')?.importInstructions).toMatch(/ReLU/);
    const small = entries.filter((e) => e.id === 'musicgen-small');
    expect(small.map((e) => e.dtype).sort()).toEqual(['fp16', 'fp32', 'q8']);
    expect(small.every((e) => e.sourceKind === 'hub' && e.importInstructions === null)).toBe(true);
    const medium = entries.find((e) => e.id === 'musicgen-medium');
    expect(medium?.sourceKind).toBe('import');
    expect(medium?.importInstructions).toMatch(/optimum/);
    expect(eventSchemas.model).toBeDefined();
    const { commands } = await import('../../src-shared/api/contract.js');
    expect(commands['models.list'].output.parse(entries)).toEqual(entries);
  });

  it('refuses an unknown model, a dtype it does not offer, and a model that must be imported', async () => {
    const engine = open();
    await expect(async () => engine.handlers['models.download']({ id: 'nope', dtype: 'q8' })).rejects.toMatchObject({
      name: 'HostApiError',
      code: 'invalid_input',
      message: expect.stringContaining('There is no model nope'),
    });
    await expect(async () =>
      engine.handlers['models.download']({ id: 'musicgen-small', dtype: 'q4' }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('not offered at q4') });
    await expect(async () =>
      engine.handlers['models.download']({ id: 'musicgen-medium', dtype: 'fp16' }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('cannot be downloaded') });
    await expect(engine.handlers['models.delete']({ id: 'nope' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await engine.handlers['models.cancel']({ id: 'musicgen-small', dtype: 'q8' })).toEqual({ cancelled: false });
  });

  it('deletes a model that is not there without complaint', async () => {
    const engine = open();
    expect(await engine.handlers['models.delete']({ id: 'musicgen-small', dtype: 'q8' })).toEqual({ deleted: true });
    expect(await engine.handlers['models.delete']({ id: 'musicgen-small' })).toEqual({ deleted: true });
  });
});

describe('Engine model downloads (fake store)', () => {
  function fakeStore(run: (options: TransferOptions) => Promise<ModelEntry>): ModelStoreLike & { calls: number } {
    const store = {
      calls: 0,
      manifest: (id: string) => {
        const manifest = BUNDLED_MANIFESTS.find((m) => m.id === id);
        if (!manifest) throw new ModelStoreError('unknown_model', `There is no model ${id}.`);
        return manifest;
      },
      list: async () => [],
      download: async (_id: string, _dtype: ModelDtype, options: TransferOptions = {}) => {
        store.calls++;
        return run(options);
      },
      delete: async () => undefined,
    };
    return store;
  }

  function progress(bytes: number, total = 1000): ModelTransferProgress {
    return {
      id: 'musicgen-small',
      dtype: 'q8',
      file: 'onnx/decoder_model_merged_quantized.onnx',
      filesDone: 0,
      filesTotal: 3,
      bytes,
      total,
      bytesPerSecond: 500,
      etaSeconds: (total - bytes) / 500,
    };
  }

  function openWith(store: ModelStoreLike, clock: { t: number }): { engine: Engine; seen: ModelDownloadEvent[] } {
    const engine = new Engine({
      dataDir: tempDir(),
      host: 'daemon',
      models: { createStore: () => store, intervalMs: 200, now: () => clock.t },
    });
    engines.push(engine);
    const seen: ModelDownloadEvent[] = [];
    engine.events.subscribe((event) => {
      if (event.event === 'model') seen.push(eventSchemas.model.parse(event.payload));
    });
    return { engine, seen };
  }

  it('returns at once, throttles progress to ~5/s and ends with `done` and the entry', async () => {
    const clock = { t: 0 };
    let release = (): void => undefined;
    const finish = new Promise<void>((resolve) => (release = resolve));
    const store = fakeStore(async (options) => {
      // 100 reports 10 ms apart: 1 s of download.
      for (let i = 1; i < 100; i++) {
        clock.t += 10;
        options.onProgress?.(progress(i * 10));
      }
      await finish;
      clock.t += 10;
      options.onProgress?.(progress(1000));
      return { ...READY_ENTRY };
    });
    const { engine, seen } = openWith(store, clock);
    expect(await engine.handlers['models.download']({ id: 'musicgen-small', dtype: 'q8' })).toEqual({ started: true });
    await vi.waitFor(() => expect(store.calls).toBe(1));
    await expect(async () =>
      engine.handlers['models.download']({ id: 'musicgen-small', dtype: 'fp32' }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('already being downloaded') });
    await expect(engine.handlers['models.delete']({ id: 'musicgen-small' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('cancel the download'),
    });
    release();
    await vi.waitFor(() => expect(seen.at(-1)?.state).toBe('done'));
    const running = seen.filter((e) => e.state === 'running');
    // The start, one per 200 ms of the second, and the last (complete) report.
    expect(running.length).toBeGreaterThanOrEqual(5);
    expect(running.length).toBeLessThanOrEqual(8);
    expect(running[0]).toMatchObject({ bytes: 0, file: null });
    expect(running.at(-1)?.bytes).toBe(1000);
    expect(seen.at(-1)).toMatchObject({ state: 'done', bytes: 1000, total: 1000, entry: { state: 'ready' } });
    expect(seen.filter((e) => e.state !== 'running')).toHaveLength(1);
  });

  it('cancels a running download: `cancelled`, and a new download may start', async () => {
    const clock = { t: 0 };
    const store = fakeStore(
      (options) =>
        new Promise((_resolve, reject) => {
          options.onProgress?.(progress(100));
          options.signal?.addEventListener('abort', () =>
            reject(new ModelStoreError('cancelled', 'The download was cancelled.')),
          );
        }),
    );
    const { engine, seen } = openWith(store, clock);
    await engine.handlers['models.download']({ id: 'musicgen-small', dtype: 'q8' });
    await vi.waitFor(() => expect(store.calls).toBe(1));
    expect(await engine.handlers['models.cancel']({ id: 'musicgen-small', dtype: 'q8' })).toEqual({ cancelled: true });
    await vi.waitFor(() => expect(seen.at(-1)?.state).toBe('cancelled'));
    expect(seen.at(-1)?.bytes).toBe(100);
    expect(await engine.handlers['models.download']({ id: 'musicgen-small', dtype: 'q8' })).toEqual({ started: true });
  });

  it('reports a failed download with the store’s message, and logs it', async () => {
    const store = fakeStore(async () => {
      throw new ModelStoreError('unauthorized', 'The hub refused Xenova/musicgen-small (401): set HF_TOKEN.');
    });
    const { engine, seen } = openWith(store, { t: 0 });
    const logs: string[] = [];
    engine.events.subscribe((e) => e.event === 'log' && logs.push(e.payload.message));
    await engine.handlers['models.download']({ id: 'musicgen-small', dtype: 'q8' });
    await vi.waitFor(() => expect(seen.at(-1)?.state).toBe('failed'));
    expect(seen.at(-1)?.error).toEqual({
      code: 'unauthorized',
      message: 'The hub refused Xenova/musicgen-small (401): set HF_TOKEN.',
    });
    expect(logs.some((m) => m.includes('Model download failed'))).toBe(true);
  });

  it('maps store errors to Host API errors', () => {
    expect(toHostApiError(new ModelStoreError('not_downloadable', 'import it'))).toMatchObject({
      code: 'invalid_input',
      message: 'import it',
    });
    expect(toHostApiError(new ModelStoreError('disk_full', 'Not enough space'))).toMatchObject({
      code: 'internal',
      message: 'Not enough space',
    });
    const other = new Error('x');
    expect(toHostApiError(other)).toBe(other);
  });
});

const READY_ENTRY: ModelEntry = {
  id: 'musicgen-small',
  kind: 'musicgen',
  displayName: 'MusicGen small (300M)',
  repo: 'Xenova/musicgen-small',
  dtype: 'q8',
  state: 'ready',
  sourceKind: 'hub',
  protocolModelName: null,
  license: {
    spdx: 'CC-BY-NC-4.0',
    url: 'https://creativecommons.org/licenses/by-nc/4.0/',
    summary: 'MusicGen weights by Meta AI, licensed for non-commercial use only, with attribution.',
    nonCommercial: true,
  },
  dir: '/tmp/models/Xenova/musicgen-small',
  bytesPresent: 1000,
  bytesTotal: 1000,
  approxBytes: 1000,
  files: [],
};

describe('Engine GPU watch and benchmark', () => {
  it('emits `gpu.sample` events that parse with the schema while watched, and none after unwatch', async () => {
    const { SMI_H100 } = await import('../inference/gpu/testing/fixtures.js');
    const engine = new Engine({
      dataDir: tempDir(),
      host: 'daemon',
      gpu: { platform: 'linux', arch: 'x64', onnxruntimeDir: null, run: () => Promise.resolve(SMI_H100) },
    });
    engines.push(engine);
    const samples: HostEvent[] = [];
    engine.events.subscribe((event) => {
      if (event.event === 'gpu.sample') samples.push(event);
    });
    const watched = await engine.handlers['gpu.watch']({ id: 'test', leaseMs: 30_000 });
    expect(watched.intervalMs).toBeGreaterThan(0);
    await vi.waitFor(() => expect(samples.length).toBeGreaterThan(0));
    const [first] = samples;
    const sample = eventSchemas['gpu.sample'].parse(first?.payload);
    expect(sample.gpus[0]).toMatchObject({ name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, powerLimitW: 700 });
    expect(await engine.handlers['gpu.unwatch']({ id: 'test' })).toEqual({ stopped: true });
  });

  it('refuses gpu.benchmark as unavailable, with what to do, when the miner’s model is not installed', async () => {
    const engine = open();
    await expect(engine.handlers['gpu.benchmark']({})).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/not ready.*Settings → Models/s) as unknown,
    });
  });
});

describe('Engine GPU benchmark on a real model', () => {
  it('benchmarks the tiny MusicGen in process on the CPU it chose, and leaves the rest unavailable', async () => {
    const { TINY } = await import('../inference/worker/testing/worker-bundle.js');
    const engine = new Engine({
      dataDir: tempDir(),
      host: 'daemon',
      gpu: { platform: 'linux', arch: 'x64', onnxruntimeDir: null, run: () => Promise.resolve({ kind: 'not-found' }) },
    });
    engines.push(engine);
    await engine.handlers['settings.update']({ minerModel: TINY.dir, minerDtype: 'fp32' });
    const result = await engine.handlers['gpu.benchmark']({});
    expect(result.model).toBe('musicgen@fp32');
    expect(result.chosen).toBe('cpu');
    const cpu = result.runs.find((run) => run.provider === 'cpu');
    expect(cpu).toMatchObject({ outcome: 'ok', message: null });
    expect(cpu?.steps).toBeGreaterThanOrEqual(150);
    expect(cpu?.audioSeconds).toBeGreaterThan(2.5);
    expect(cpu?.stepsPerSecond).toBeGreaterThan(0);
    expect(cpu?.realTimeFactor).toBeGreaterThan(0);
    expect(result.runs.filter((run) => run.provider !== 'cpu').map((run) => run.outcome)).toEqual([
      'unavailable',
      'unavailable',
    ]);
  }, 120_000);
});
