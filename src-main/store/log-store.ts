import { LogEntrySchema, LOG_LEVELS, type LogEntry, type LogLevel } from '../../src-shared/schemas/logs.js';
import type { JsonValue } from '../../src-shared/schemas/json.js';
import type { Db } from './database.js';

interface LogRow {
  id: number;
  time: string;
  level: string;
  source: string;
  message: string;
  fields: string | null;
}

/** The engine's log lines on disk, so a crash or a restart loses none of them. */
export class LogStore {
  private readonly insertStatement;
  private inserted = 0;

  constructor(
    private readonly db: Db,
    /** Lines kept; older ones are pruned now and then. */
    private readonly keep = 20_000,
  ) {
    this.insertStatement = db.prepare(
      'INSERT INTO logs (time, level, source, message, fields) VALUES (@time, @level, @source, @message, @fields)',
    );
  }

  append(line: Omit<LogEntry, 'id'>): LogEntry {
    const result = this.insertStatement.run({
      time: line.time,
      level: line.level,
      source: line.source,
      message: line.message,
      fields: line.fields ? JSON.stringify(line.fields) : null,
    });
    if (++this.inserted % 500 === 0) this.prune();
    return { id: Number(result.lastInsertRowid), ...line };
  }

  /** Newest `limit` lines (below `beforeId` if given) at or above `minLevel`, oldest first. */
  list(options: { limit: number; beforeId?: number | undefined; minLevel?: LogLevel | undefined }): LogEntry[] {
    const levels = options.minLevel ? LOG_LEVELS.slice(LOG_LEVELS.indexOf(options.minLevel)) : LOG_LEVELS;
    const rows = this.db
      .prepare(
        `SELECT id, time, level, source, message, fields FROM logs
         WHERE id < ? AND level IN (${levels.map(() => '?').join(',')})
         ORDER BY id DESC LIMIT ?`,
      )
      .all(options.beforeId ?? Number.MAX_SAFE_INTEGER, ...levels, options.limit) as LogRow[];
    return rows.reverse().flatMap((row) => {
      // A row that no longer parses (hand-edited file) is skipped rather than breaking the page.
      const parsed = LogEntrySchema.safeParse({
        id: row.id,
        time: row.time,
        level: row.level,
        source: row.source,
        message: row.message,
        ...(row.fields ? { fields: safeJson(row.fields) } : {}),
      });
      return parsed.success ? [parsed.data] : [];
    });
  }

  prune(): void {
    this.db.prepare('DELETE FROM logs WHERE id <= (SELECT MAX(id) FROM logs) - ?').run(this.keep);
  }
}

function safeJson(text: string): Record<string, JsonValue> | undefined {
  try {
    return JSON.parse(text) as Record<string, JsonValue>;
  } catch {
    return undefined;
  }
}
