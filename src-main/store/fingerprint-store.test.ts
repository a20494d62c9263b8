import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { openDatabase } from './database.js';
import { FingerprintStore, type FingerprintRecord } from './fingerprint-store.js';

const tempDir = useTempDirs();

const record = (id: string, time: string, seed = 1): FingerprintRecord => ({
  id,
  time,
  frames: 3,
  bands: 2,
  hopSeconds: 0.032,
  values: Float32Array.from({ length: 6 }, (_, i) => -(i * seed) / 7),
});

describe('FingerprintStore', () => {
  it('gives back the newest fingerprints since a time, oldest first and bit for bit, after reopening', () => {
    const dir = tempDir();
    const store = new FingerprintStore(openDatabase(dir));
    store.add(record('a', '2026-12-01T00:00:00.000Z', 1));
    store.add(record('b', '2026-12-02T00:00:00.000Z', 2));
    store.add(record('c', '2026-12-03T00:00:00.000Z', 3));
    store.add(record('d', '2026-12-03T01:00:00.000Z', 4));

    const again = new FingerprintStore(openDatabase(dir));
    const { records, damaged } = again.recent(2, '2026-12-01T12:00:00.000Z');
    expect(damaged).toBe(0);
    expect(records).toEqual([record('c', '2026-12-03T00:00:00.000Z', 3), record('d', '2026-12-03T01:00:00.000Z', 4)]);
    expect(again.recent(10, '2026-12-01T12:00:00.000Z').records.map((r) => r.id)).toEqual(['b', 'c', 'd']);
  });

  it('prunes what is older than the cut-off and all but the newest few', () => {
    const store = new FingerprintStore(openDatabase(tempDir()));
    for (let day = 1; day <= 5; day++) store.add(record(`day${day}`, `2026-12-0${day}T00:00:00.000Z`));
    expect(store.prune('2026-12-02T00:00:00.000Z', 10)).toBe(1);
    expect(store.prune('2026-12-02T00:00:00.000Z', 2)).toBe(2);
    expect(store.recent(10, '2000-01-01T00:00:00.000Z').records.map((r) => r.id)).toEqual(['day4', 'day5']);
    expect(store.count()).toBe(2);
  });

  it('refuses a record whose cells do not match its shape, and skips a damaged row when loading', () => {
    const db = openDatabase(tempDir());
    const store = new FingerprintStore(db);
    expect(() => store.add({ ...record('x', '2026-12-01T00:00:00.000Z'), frames: 4 })).toThrow(/4 × 2 cells holds 6/);
    expect(() => store.add({ ...record('x', 'yesterday') })).toThrow(/ISO 8601/);
    expect(store.count()).toBe(0);
    store.add(record('ok', '2026-12-01T00:00:00.000Z'));
    store.add(record('cut', '2026-12-01T00:00:01.000Z'));
    db.prepare("UPDATE audio_fingerprints SET cells = substr(cells, 1, 10) WHERE id = 'cut'").run();
    const { records, damaged } = store.recent(10, '2000-01-01T00:00:00.000Z');
    expect(records.map((r) => r.id)).toEqual(['ok']);
    expect(damaged).toBe(1);
  });
});
