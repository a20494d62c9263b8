/** How long to wait before reconnecting: short at first so a restart feels instant, capped so a
 * daemon that is down for long is not hammered. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000 };

/** The wait before retry number `failures` (0 for the first retry after a success). */
export function backoffDelay(failures: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.floor(failures));
  // Compare the exponent first so a long outage cannot overflow to Infinity.
  if (exponent >= 31) return options.maxMs;
  return Math.min(options.maxMs, options.initialMs * 2 ** exponent);
}
