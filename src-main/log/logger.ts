import { levelAtLeast, type LogEntry, type LogLevel } from '../../src-shared/schemas/logs.js';
import { redactFields } from './redact.js';

/** Where finished lines go: the store, the event bus, the console. */
export type LogSink = (line: Omit<LogEntry, 'id'>) => void;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(source: string): Logger;
}

/** Shared state of one logger tree: the threshold can change at run time (a setting). */
export class LogRoot {
  constructor(
    private readonly sink: LogSink,
    public level: LogLevel = 'info',
    private readonly now: () => Date = () => new Date(),
  ) {}

  logger(source: string): Logger {
    const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
      if (!levelAtLeast(level, this.level)) return;
      const clean = fields ? redactFields(fields) : undefined;
      this.sink({
        time: this.now().toISOString(),
        level,
        source,
        message,
        ...(clean && Object.keys(clean).length > 0 ? { fields: clean } : {}),
      });
    };
    return {
      debug: (message, fields) => write('debug', message, fields),
      info: (message, fields) => write('info', message, fields),
      warn: (message, fields) => write('warn', message, fields),
      error: (message, fields) => write('error', message, fields),
      child: (name) => this.logger(`${source}.${name}`),
    };
  }
}

/** One human-readable line for a terminal. */
export function formatLogLine(line: Omit<LogEntry, 'id'>): string {
  const fields = line.fields ? ` ${JSON.stringify(line.fields)}` : '';
  return `${line.time} ${line.level.toUpperCase().padEnd(5)} [${line.source}] ${line.message}${fields}`;
}
