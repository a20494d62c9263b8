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
        const entry = store.append(line);
        options.onLine?.(line);
        options.events.emit('log', entry);
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

  stop(): void {
    // Lines go to the database until the engine closes it; nothing of its own to release.
  }
}
