import { z } from 'zod';
import { JsonValueSchema } from './json.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const LogLevelSchema = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevelSchema>;

/** True when a line of `level` passes a `threshold` (debug < info < warn < error). */
export function levelAtLeast(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

export const LogEntrySchema = z.object({
  id: z.number().int().positive(),
  /** ISO 8601. */
  time: z.string(),
  level: LogLevelSchema,
  /** The module that logged it: `engine`, `host.server`, `store`, … */
  source: z.string(),
  message: z.string(),
  fields: z.record(z.string(), JsonValueSchema).optional(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;
