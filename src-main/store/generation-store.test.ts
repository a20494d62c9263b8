import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../audio/wav.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { openDatabase } from './database.js';
import { GenerationStore, type GenerationRecord } from './generation-store.js';

const tempDir = useTempDirs();

const record = (patch: Partial<GenerationRecord> = {}): GenerationRecord => ({
  time: '2026-12-02T12:00:00.000Z',
  role: 'miner',
  caller: '5Validator',
  prompt: 'lo-fi beat',
  durationTokens: 28,
  model: 'tiny',
  device: 'cpu',
  status: 'ok',
  error: null,
  queuedMs: 3,
  generateMs: 120,
  ...patch,
});

const tone = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i / 10) * 0.5);

describe('GenerationStore', () => {
  it('keeps a request and its audio across reopening the database', () => {
    const dir = tempDir();
    const first = new GenerationStore(openDatabase(dir), dir);
    const stored = first.add(record(), { samples: tone(640), sampleRate: 32_000 });
    expect(stored).toMatchObject({ id: 1, prompt: 'lo-fi beat', audioBytes: 44 + 2 * 640 });
    const again = new GenerationStore(openDatabase(dir), dir);
    const [row] = again.list();
    expect(row).toEqual(stored);
    const wav = decodeWav(readFileSync(row?.wavPath ?? ''));
    expect(wav).toMatchObject({ sampleRate: 32_000, format: 'pcm16' });
    expect(wav.samples).toHaveLength(640);
  });

  it('records a failure without audio', () => {
    const dir = tempDir();
    const store = new GenerationStore(openDatabase(dir), dir);
    expect(store.add(record({ status: 'failed', error: 'queue full' }))).toMatchObject({
      status: 'failed',
      error: 'queue full',
      wavPath: null,
      audioBytes: 0,
    });
  });

  it('lists newest first, pages, and searches prompts and callers literally', () => {
    const dir = tempDir();
    const store = new GenerationStore(openDatabase(dir), dir);
    store.add(record({ prompt: 'jazz 100% swing' }));
    store.add(record({ prompt: 'ambient_pad', caller: '5Other' }));
    store.add(record({ prompt: 'techno' }));
    expect(store.list().map((g) => g.prompt)).toEqual(['techno', 'ambient_pad', 'jazz 100% swing']);
    expect(store.list({ limit: 1, offset: 1 }).map((g) => g.prompt)).toEqual(['ambient_pad']);
    expect(store.list({ search: '100%' }).map((g) => g.prompt)).toEqual(['jazz 100% swing']);
    expect(store.list({ search: 'techn_' })).toEqual([]); // '_' is no wildcard here
    expect(store.list({ search: '5Other' }).map((g) => g.prompt)).toEqual(['ambient_pad']);
    expect(store.count()).toBe(3);
    expect(store.count({ search: '100%' })).toBe(1);
    expect(store.count({ search: 'techn_' })).toBe(0);
  });

  it('prunes by age and by total audio size, deleting the files', () => {
    const dir = tempDir();
    const store = new GenerationStore(openDatabase(dir), dir);
    const old = store.add(record({ time: '2026-10-01T00:00:00.000Z' }), { samples: tone(100), sampleRate: 32_000 });
    const a = store.add(record(), { samples: tone(1000), sampleRate: 32_000 });
    const b = store.add(record(), { samples: tone(1000), sampleRate: 32_000 });
    expect(store.prune({ maxAgeDays: 30 }, new Date('2026-12-02T13:00:00.000Z'))).toEqual({ rows: 1, files: 1 });
    expect(existsSync(old.wavPath ?? '')).toBe(false);
    expect(store.prune({ maxAudioBytes: 2100 })).toEqual({ rows: 0, files: 1 });
    expect(existsSync(a.wavPath ?? '')).toBe(false);
    expect(existsSync(b.wavPath ?? '')).toBe(true);
    expect(store.list().map((g) => [g.id, g.audioBytes])).toEqual([
      [b.id, 44 + 2000],
      [a.id, 0],
    ]);
  });
});
