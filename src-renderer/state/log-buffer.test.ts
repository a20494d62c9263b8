import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import { MAX_LOG_LINES, appendLog, mergeLogs } from './log-buffer.js';

const line = (id: number, message = `line ${id}`): LogEntry => ({
  id,
  time: '2025-01-01T00:00:00.000Z',
  level: 'info',
  source: 'test',
  message,
});

describe('log buffer', () => {
  it('appends in order and keeps only the newest lines', () => {
    let lines: readonly LogEntry[] = [];
    for (let id = 1; id <= MAX_LOG_LINES + 5; id++) lines = appendLog(lines, line(id));

    expect(lines).toHaveLength(MAX_LOG_LINES);
    expect(lines[0]?.id).toBe(6);
    expect(lines.at(-1)?.id).toBe(MAX_LOG_LINES + 5);
  });

  it('puts a late line in its place and ignores a repeated one', () => {
    const lines = appendLog(appendLog([line(1), line(3)], line(2)), line(3, 'again'));

    expect(lines.map((entry) => entry.id)).toEqual([1, 2, 3]);
    expect(lines[2]?.message).toBe('again');
  });

  it('merges a snapshot with live lines without duplicates', () => {
    const merged = mergeLogs([line(1), line(2), line(3)], [line(3), line(4)], 3);
    expect(merged.map((entry) => entry.id)).toEqual([2, 3, 4]);
  });
});
