import { describe, expect, it } from 'vitest';
import { evenWindows } from './windows.js';

describe('evenWindows', () => {
  it('puts 10 s windows at 0, 2.5 and 5 s over a 15 s clip with a 2.5 s hop (scoring spec §3.1)', () => {
    const sr = 48_000;
    expect(evenWindows(15 * sr, 10 * sr, 2.5 * sr)).toEqual([
      { start: 0, length: 480_000 },
      { start: 120_000, length: 480_000 },
      { start: 240_000, length: 480_000 },
    ]);
  });

  it('covers a 15 s clip with two 10.24 s AST windows, the last ending at the last sample', () => {
    const windows = evenWindows(240_000, 163_840, 163_840);
    expect(windows).toEqual([
      { start: 0, length: 163_840 },
      { start: 76_160, length: 163_840 },
    ]);
    const last = windows.at(-1);
    expect(last && last.start + last.length).toBe(240_000);
  });

  it('gives a clip no longer than a window one window of the whole clip', () => {
    expect(evenWindows(100, 480_000, 10)).toEqual([{ start: 0, length: 100 }]);
    expect(evenWindows(480_000, 480_000, 10)).toEqual([{ start: 0, length: 480_000 }]);
  });

  it('keeps consecutive starts at most one hop apart, and spaces them evenly', () => {
    for (const [clip, window, hop] of [
      [1000, 300, 7],
      [1001, 1000, 1],
      [5000, 1234, 999],
    ] as const) {
      const starts = evenWindows(clip, window, hop).map((w) => w.start);
      const gaps = starts.slice(1).map((s, i) => s - (starts[i] ?? 0));
      expect(Math.max(...gaps)).toBeLessThanOrEqual(hop);
      expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
      expect(starts.at(-1)).toBe(clip - window);
    }
  });

  it('refuses sizes that are not positive integers', () => {
    expect(() => evenWindows(0, 10, 1)).toThrow(/clipSamples/);
    expect(() => evenWindows(10, 2.5, 1)).toThrow(/windowSamples/);
    expect(() => evenWindows(10, 5, -1)).toThrow(/maxHopSamples/);
  });
});
