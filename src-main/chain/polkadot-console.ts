/**
 * @polkadot/util's logger writes straight to `console` (e.g. `RPC-CORE: subscribeNewHeads(): …
 * disconnected … Normal Closure` when a socket closes under a subscription), which would reach a
 * CLI user's stderr, sometimes after the command has ended. It offers no hook, so its lines are
 * recognised by their shape (a timestamp, then `ORIGIN:` padded) and sent to the chain's loggers.
 * Everything else passes through untouched.
 */
import type { Logger } from '../log/logger.js';

type ConsoleMethod = 'log' | 'warn' | 'error';

const loggers = new Set<Logger>();
let installed = false;

/** `formatDate` in @polkadot/util: `YYYY-MM-DD HH:MM:SS`. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ORIGIN = /^\s*[A-Z0-9][A-Z0-9/_-]*:$/;

export function isPolkadotLogLine(args: readonly unknown[]): boolean {
  return typeof args[0] === 'string' && TIMESTAMP.test(args[0]) && typeof args[1] === 'string' && ORIGIN.test(args[1]);
}

/**
 * Sends polkadot.js console lines to `log` until the returned function is called. Lines that come
 * when no logger is attached (after the last chain closed) are dropped: they are the library's
 * reports about a connection we closed on purpose.
 */
export function routePolkadotConsole(log: Logger | undefined): () => void {
  install();
  if (!log) return () => undefined;
  loggers.add(log);
  return () => loggers.delete(log);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const method of ['log', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]): void => {
      if (!isPolkadotLogLine(args)) return original(...args);
      forward(method, args);
    };
  }
}

function forward(method: ConsoleMethod, args: unknown[]): void {
  const origin = String(args[1]).trim().replace(/:$/, '').toLowerCase();
  const message = args
    .slice(2)
    .map((value) => (typeof value === 'string' ? value : value instanceof Error ? value.message : String(value)))
    .join(' ');
  // Debug level: the library reports its internals (a subscription closed with its socket); what a
  // user must act on, SubtensorChain says itself in plain words.
  for (const log of loggers) log.debug(`polkadot.js ${origin}: ${message}`, { console: method });
}
