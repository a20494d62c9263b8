import { describe, expect, it } from 'vitest';
import type { LogLevel } from '../../src-shared/schemas/logs.js';
import { openDatabase } from './database.js';
import { LogStore } from './log-store.js';

function filled(count: number, keep = 20_000): LogStore {
  const store = new LogStore(openDatabase('', { file: ':memory:' }), keep);
  const levels: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  for (let i = 1; i <= count; i++) {
    store.append({
      time: new Date(i * 1000).toISOString(),
      level: levels[i % 4] ?? 'info',
      source: 'test',
      message: `line ${i}`,
    });
  }
  return store;
}

describe('LogStore', () => {
  it('returns the newest lines, oldest first, with ids', () => {
    const entries = filled(10).list({ limit: 3 });
    expect(entries.map((e) => e.message)).toEqual(['line 8', 'line 9', 'line 10']);
    expect(entries[0]?.id).toBe(8);
  });

  it('pages backwards with beforeId', () => {
    const entries = filled(10).list({ limit: 3, beforeId: 8 });
    expect(entries.map((e) => e.message)).toEqual(['line 5', 'line 6', 'line 7']);
  });

  it('filters by minimum level', () => {
    const entries = filled(12).list({ limit: 100, minLevel: 'warn' });
    expect(new Set(entries.map((e) => e.level))).toEqual(new Set(['warn', 'error']));
    expect(entries).toHaveLength(6);
  });

  it('keeps fields as JSON', () => {
    const store = new LogStore(openDatabase('', { file: ':memory:' }));
    store.append({
      time: '2026-01-01T00:00:00.000Z',
      level: 'info',
      source: 's',
      message: 'm',
      fields: { uid: 3, ok: true },
    });
    expect(store.list({ limit: 1 })[0]?.fields).toEqual({ uid: 3, ok: true });
  });

  it('prunes to the newest lines it is asked to keep', () => {
    const store = filled(1200, 100);
    store.prune();
    const all = store.list({ limit: 1000 });
    expect(all).toHaveLength(100);
    expect(all.at(-1)?.message).toBe('line 1200');
  });
});
