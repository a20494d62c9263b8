/** The engine's log: lines are kept in SQLite, streamed as `log` events, and listed by `logs.list`. */
import type { LogEntry, LogLevel } from '../../src-shared/schemas/logs.js';
import { LogRoot, type Logger } from '../log/logger.js';
import type { LogStore } from '../store/log-store.js';
import type { EventBus } from './events.js';
import type { HandlerSlice, Service } from './service.js';

export class LogService implements Service<'logs.list'> {
  readonly name = 'logs';
  readonly handlers: HandlerSlice<'logs.list'> = { 'logs.list': (input) => ({ entries: this.store.list(input) }) };
  private readonly root: LogRoot;
  private closed = false;

  constructor(
    private readonly store: LogStore,
    options: {
      events: EventBus;
      level: LogLevel;
      now: () => Date;
      /** Also print each kept line (the daemon prints to its terminal). */
      onLine?: (line: Omit<LogEntry, 'id'>) => void;
    },
  ) {
    this.root = new LogRoot(
      (line) => {
        // Work still ending after the engine closed (a start that was under way) may log: the
        // line goes to the terminal only, never to the closed database, and never throws.
        options.onLine?.(line);
        if (this.closed) return;
        options.events.emit('log', store.append(line));
      },
      options.level,
      options.now,
    );
  }

  logger(source: string): Logger {
    return this.root.logger(source);
  }

  set level(level: LogLevel) {
    this.root.level = level;
  }

  /** Called last (the engine stops services in reverse), just before the database closes. */
  stop(): void {
    this.closed = true;
  }
}
