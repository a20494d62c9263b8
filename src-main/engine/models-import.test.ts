/**
 * `models.import` through the engine, on a real model store in a temp data folder: the folder is
 * checked before the command answers, the copy runs in the background with `model` events, and
 * `models.list` offers the model afterwards.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { events as eventSchemas } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { ModelDownloadEvent } from '../../src-shared/schemas/model-manifest.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { Engine } from './engine.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny', 'musicgen');
const tempDir = useTempDirs();
const engines: Engine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
});

function openEngine(): { engine: Engine; seen: ModelDownloadEvent[]; ended: Promise<ModelDownloadEvent> } {
  const engine = new Engine({ dataDir: tempDir(), host: 'daemon', models: { intervalMs: 0 } });
  engines.push(engine);
  const seen: ModelDownloadEvent[] = [];
  let end: (event: ModelDownloadEvent) => void = () => undefined;
  const ended = new Promise<ModelDownloadEvent>((resolve) => (end = resolve));
  engine.events.subscribe((event) => {
    if (event.event !== 'model') return;
    const payload = eventSchemas.model.parse(event.payload);
    seen.push(payload);
    if (payload.state !== 'running') end(payload);
  });
  return { engine, seen, ended };
}

async function refusal(promise: unknown): Promise<HostApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HostApiError) return error;
    throw error;
  }
  throw new Error('expected a HostApiError');
}

describe('models.import', () => {
  it('answers at once with the id and dtype, copies in the background, and the model is listed ready', async () => {
    const { engine, seen, ended } = openEngine();
    expect(await engine.handlers['models.import']({ dir: TINY, id: 'tiny' })).toEqual({
      id: 'tiny',
      dtype: 'fp32',
      started: true,
    });
    const last = await ended;
    expect(last).toMatchObject({ id: 'tiny', dtype: 'fp32', state: 'done', entry: { state: 'ready' } });
    expect(seen[0]).toMatchObject({ state: 'running', bytes: 0 });
    expect(seen.filter((e) => e.state === 'running').length).toBeGreaterThan(2);
    expect(last.bytes).toBe(last.total);
    const listed = (await engine.handlers['models.list']({})).filter((e) => e.id === 'tiny');
    expect(listed.map((e) => `${e.dtype}:${e.state}:${e.sourceKind}`)).toEqual([
      'fp32:ready:import',
      'fp16:ready:import',
      'q8:ready:import',
    ]);
  });

  it('refuses a folder that is not a MusicGen export before starting, saying what is missing', async () => {
    const { engine, seen } = openEngine();
    const broken = join(tempDir(), 'export');
    cpSync(TINY, broken, { recursive: true });
    rmSync(join(broken, 'onnx'), { recursive: true });
    rmSync(join(broken, 'tokenizer.json'));
    const error = await refusal(engine.handlers['models.import']({ dir: broken }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('tokenizer.json is missing');
    expect(error.message).toMatch(/no dtype has all three ONNX graphs/);
    expect(seen).toEqual([]);
    expect((await engine.handlers['models.list']({})).map((e) => e.id)).not.toContain('export');
  });

  it('is cancelled by models.cancel and leaves nothing imported', async () => {
    const { engine, ended } = openEngine();
    const started = await engine.handlers['models.import']({ dir: TINY, id: 'tiny' });
    expect(await engine.handlers['models.cancel']({ id: started.id, dtype: started.dtype })).toEqual({
      cancelled: true,
    });
    expect(await ended).toMatchObject({
      id: 'tiny',
      state: 'cancelled',
      error: { code: 'cancelled', message: 'The import was cancelled; nothing was imported.' },
    });
    expect((await engine.handlers['models.list']({})).map((e) => e.id)).not.toContain('tiny');
    expect(await engine.handlers['models.cancel']({ id: 'musicgen-small', dtype: 'q8' })).toEqual({ cancelled: false });
  });

  it('refuses a relative path and an id that is not one', async () => {
    const { engine } = openEngine();
    expect((await refusal(engine.handlers['models.import']({ dir: 'models/tiny/musicgen' }))).message).toMatch(
      /not an absolute path/,
    );
    expect((await refusal(engine.handlers['models.import']({ dir: TINY, id: 'Tiny!' }))).code).toBe('invalid_input');
  });
});
