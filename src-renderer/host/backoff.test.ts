import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('starts at 0.5 s and doubles up to 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((failures) => backoffDelay(failures))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 500, maxMs: 10_000 });
  });

  it('stays finite after a very long outage', () => {
    expect(backoffDelay(5000)).toBe(10_000);
  });
});
