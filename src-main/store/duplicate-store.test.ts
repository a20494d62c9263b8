import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { openDatabase } from './database.js';
import { DuplicateStore, type AudioHashRecord } from './duplicate-store.js';

const tempDir = useTempDirs();

const record = (hash: string, patch: Partial<AudioHashRecord> = {}): AudioHashRecord => ({
  hash,
  firstSeen: '2026-12-02T12:00:00.000Z',
  source: 'response',
  hotkey: '5Miner',
  ...patch,
});
const H1 = 'a'.repeat(64);
const H2 = '0123456789abcdef'.repeat(4);

describe('DuplicateStore', () => {
  it('records a first sighting and returns the first record for a repeat, across reopening', () => {
    const dir = tempDir();
    const store = new DuplicateStore(openDatabase(dir));
    expect(store.checkAndRecord(record(H1, { source: 'reference', hotkey: null }))).toBeNull();
    expect(store.checkAndRecord(record(H2))).toBeNull();
    const again = new DuplicateStore(openDatabase(dir));
    expect(again.checkAndRecord(record(H1, { hotkey: '5Copycat', firstSeen: '2026-12-03T00:00:00.000Z' }))).toEqual(
      record(H1, { source: 'reference', hotkey: null }),
    );
    expect(again.get(H2)).toEqual(record(H2));
    expect(again.count()).toBe(2);
  });

  it('rejects a key that is not a sha256 hex digest', () => {
    const store = new DuplicateStore(openDatabase(tempDir()));
    expect(() => store.checkAndRecord(record('abc'))).toThrow(/sha256/);
    expect(store.count()).toBe(0);
  });
});
