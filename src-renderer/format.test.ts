import { describe, expect, it } from 'vitest';
import { currentUptime, formatDuration, formatLocalDateTime, formatLogTime, formatMiB, formatMs } from './format.js';

describe('formatDuration', () => {
  it('shows the largest units with padded smaller ones', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.9)).toBe('59s');
    expect(formatDuration(65)).toBe('1m 05s');
    expect(formatDuration(3723)).toBe('1h 02m 03s');
    expect(formatDuration(2 * 86_400 + 3723)).toBe('2d 01h 02m 03s');
    expect(formatDuration(-5)).toBe('0s');
  });
});

describe('currentUptime', () => {
  it('counts on from the last status and never backwards', () => {
    expect(currentUptime(100, 10_000, 12_500)).toBe(102.5);
    expect(currentUptime(100, 10_000, 9_000)).toBe(100);
  });
});

describe('formatLogTime', () => {
  it('keeps text that is not a date', () => {
    expect(formatLogTime('yesterday')).toBe('yesterday');
  });

  it('shows a date as local time to the millisecond', () => {
    expect(formatLogTime('2025-01-01T12:34:56.789Z')).toMatch(/^\d{2}:\d{2}:56\.789$/);
  });
});

describe('formatLocalDateTime', () => {
  it('shows the local date and time to the second, or the raw text', () => {
    const local = new Date(2025, 10, 25, 9, 5, 7, 250);
    expect(formatLocalDateTime(local.toISOString())).toBe('2025-11-25 09:05:07');
    expect(formatLocalDateTime('not a date')).toBe('not a date');
  });
});

describe('formatMiB', () => {
  it('uses MiB below a GiB and GiB with one decimal above', () => {
    expect(formatMiB(0)).toBe('0 MiB');
    expect(formatMiB(812.4)).toBe('812 MiB');
    expect(formatMiB(1024)).toBe('1.0 GiB');
    expect(formatMiB(81_559)).toBe('79.6 GiB');
  });
});

describe('formatMs', () => {
  it('uses ms below a second and seconds with one decimal above', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(349.6)).toBe('350 ms');
    expect(formatMs(12_400)).toBe('12.4 s');
  });
});
