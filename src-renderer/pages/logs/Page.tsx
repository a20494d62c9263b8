import { useDeferredValue, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { LOG_LEVELS, LogLevelSchema, levelAtLeast } from '../../../src-shared/schemas/logs.js';
import type { LogEntry, LogLevel } from '../../../src-shared/schemas/logs.js';
import { formatLogTime } from '../../format.js';
import { useEngine } from '../../state/engine-context.js';
import './logs.css';

/** How close to the bottom (px) still counts as "following" the newest lines. */
const FOLLOW_SLACK_PX = 24;

export function LogsPage(): ReactNode {
  const logs = useEngine((state) => state.logs);
  const [minLevel, setMinLevel] = useState<LogLevel>('debug');
  const [text, setText] = useState('');
  // Typing stays responsive while a thousand lines are filtered behind it.
  const query = useDeferredValue(text.trim().toLowerCase());
  const visible = useMemo(
    () => logs.filter((entry) => levelAtLeast(entry.level, minLevel) && matches(entry, query)),
    [logs, minLevel, query],
  );

  const listRef = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);

  useLayoutEffect(() => {
    const list = listRef.current;
    if (following && list !== null) list.scrollTop = list.scrollHeight;
  }, [visible, following]);

  function onScroll(): void {
    const list = listRef.current;
    if (list === null) return;
    setFollowing(list.scrollHeight - list.scrollTop - list.clientHeight <= FOLLOW_SLACK_PX);
  }

  return (
    <section className="page page--fill" aria-labelledby="page-title">
      <h1 id="page-title">Logs</h1>
      <div className="toolbar" role="search">
        <label className="field field--inline">
          <span>Level</span>
          <select value={minLevel} onChange={(event) => setMinLevel(LogLevelSchema.parse(event.target.value))}>
            {LOG_LEVELS.map((level) => (
              <option key={level} value={level}>
                {level === 'debug' ? 'debug and up (all)' : `${level} and up`}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--inline field--grow">
          <span>Filter</span>
          <input
            type="search"
            value={text}
            placeholder="message, source or field"
            onChange={(event) => setText(event.target.value)}
          />
        </label>
        <span className="muted" aria-live="polite">
          {visible.length === logs.length ? `${logs.length} lines` : `${visible.length} of ${logs.length} lines`}
        </span>
      </div>
      <div className="log" ref={listRef} onScroll={onScroll} tabIndex={0} aria-label="Log lines">
        {logs.length === 0 ? (
          <p className="log__empty">No log lines yet</p>
        ) : visible.length === 0 ? (
          <p className="log__empty">No line matches the filter</p>
        ) : (
          <ol className="log__list">
            {visible.map((entry) => (
              <LogLine key={entry.id} entry={entry} />
            ))}
          </ol>
        )}
      </div>
      {!following && (
        <button type="button" className="button log__jump" onClick={() => setFollowing(true)}>
          Jump to newest
        </button>
      )}
    </section>
  );
}

function LogLine({ entry }: { entry: LogEntry }): ReactNode {
  const fields = entry.fields && Object.keys(entry.fields).length > 0 ? JSON.stringify(entry.fields) : null;
  return (
    <li className={`log__line log__line--${entry.level}`} data-testid="log-line">
      <time className="log__time" dateTime={entry.time} title={entry.time}>
        {formatLogTime(entry.time)}
      </time>
      <span className="log__level">{entry.level}</span>
      <span className="log__source">{entry.source}</span>
      <span className="log__message">{entry.message}</span>
      {fields !== null && <code className="log__fields">{fields}</code>}
    </li>
  );
}

function matches(entry: LogEntry, query: string): boolean {
  if (query === '') return true;
  if (entry.message.toLowerCase().includes(query) || entry.source.toLowerCase().includes(query)) return true;
  return entry.fields !== undefined && JSON.stringify(entry.fields).toLowerCase().includes(query);
}
