/** The renderer's copy of the log: ordered by id, no duplicates, the newest MAX_LOG_LINES kept. */
import type { LogEntry } from '../../src-shared/schemas/logs.js';

export const MAX_LOG_LINES = 1000;

/** Adds one live line. Lines normally arrive in id order, which keeps this a cheap append. */
export function appendLog(lines: readonly LogEntry[], entry: LogEntry, max = MAX_LOG_LINES): readonly LogEntry[] {
  const last = lines.at(-1);
  if (last === undefined || entry.id > last.id) {
    const next = [...lines, entry];
    return next.length > max ? next.slice(next.length - max) : next;
  }
  return mergeLogs(lines, [entry], max);
}

/** Joins two sets of lines; on equal ids the one from `newer` wins. */
export function mergeLogs(
  older: readonly LogEntry[],
  newer: readonly LogEntry[],
  max = MAX_LOG_LINES,
): readonly LogEntry[] {
  const byId = new Map<number, LogEntry>();
  for (const entry of older) byId.set(entry.id, entry);
  for (const entry of newer) byId.set(entry.id, entry);
  const merged = [...byId.values()].sort((a, b) => a.id - b.id);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}
