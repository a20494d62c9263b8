import { describe, expect, it } from 'vitest';
import { NonceSequence } from './clock.js';
import { NonceGuard } from './nonce-guard.js';

const S = 1_000_000_000n;
const NOW = 1_717_171_718_000_000_000n;

describe('NonceGuard (wire-protocol §4.5)', () => {
  it('accepts a first-contact nonce inside now − (4 s + timeout), and rejects one outside with the SDK text', () => {
    const guard = new NonceGuard();
    expect(guard.check('A', 'u', NOW - 203n * S, 200, NOW)).toEqual({ ok: true });
    const stale = guard.check('A', 'u', NOW - 300n * S, 200, NOW);
    expect(stale).toEqual({
      ok: false,
      reason: 'Nonce is too old: acceptable delta is 204.00 seconds but request was 300.00 seconds old',
    });
  });

  it('uses a 4 s window when the timeout is missing', () => {
    const guard = new NonceGuard();
    expect(guard.check('A', 'u', NOW - 3n * S, null, NOW).ok).toBe(true);
    expect(guard.check('A', 'u', NOW - 5n * S, null, NOW).ok).toBe(false);
  });

  it('accepts clocks running ahead (no upper bound, as in the SDK)', () => {
    expect(new NonceGuard().check('A', 'u', NOW + 3600n * S, 12, NOW).ok).toBe(true);
  });

  it('after an accepted nonce, requires strictly greater ones and no longer applies the window', () => {
    const guard = new NonceGuard();
    expect(guard.admit('A', 'u', NOW - S, 12, NOW).ok).toBe(true);
    expect(guard.check('A', 'u', NOW - S, 12, NOW)).toEqual({
      ok: false,
      reason: 'Nonce is too old, a newer one was last processed',
    });
    expect(guard.check('A', 'u', NOW - S - 1n, 12, NOW).ok).toBe(false);
    expect(guard.check('A', 'u', NOW - S + 1n, 12, NOW + 3600n * S).ok).toBe(true);
    // Another uuid of the same hotkey is a separate sequence.
    expect(guard.check('A', 'v', NOW - S, 12, NOW).ok).toBe(true);
  });

  it('caps the unsigned timeout that widens the window', () => {
    const guard = new NonceGuard({ maxWindowTimeoutSeconds: 300 });
    expect(guard.check('A', 'u', NOW - 1000n * S, 1e9, NOW).ok).toBe(false);
    expect(guard.check('A', 'u', NOW - 303n * S, 1e9, NOW).ok).toBe(true);
  });

  it('stays bounded, and an evicted fresh nonce cannot be replayed', () => {
    const guard = new NonceGuard({ maxEntries: 3, maxWindowTimeoutSeconds: 200 });
    guard.admit('victim', 'u', NOW - S, 200, NOW);
    for (let i = 0; i < 10; i++) guard.admit(`other${i}`, 'u', NOW + BigInt(i), 200, NOW);
    expect(guard.size).toBe(3);
    // The victim's key was evicted; its old request must still be refused.
    expect(guard.check('victim', 'u', NOW - S, 200, NOW).ok).toBe(false);
    // A fresh request of the victim goes through.
    expect(guard.check('victim', 'u', NOW + 100n, 200, NOW).ok).toBe(true);
  });

  it('evicting entries that are already outside every window raises no floor', () => {
    const guard = new NonceGuard({ maxEntries: 1, maxWindowTimeoutSeconds: 10 });
    guard.admit('old', 'u', NOW - 5n * S, 10, NOW);
    const later = NOW + 100n * S;
    guard.admit('new', 'u', later, 10, later);
    expect(guard.check('third', 'u', later - 2n * S, 10, later).ok).toBe(true);
  });
});

describe('NonceSequence (wire-protocol §3.8)', () => {
  it('is strictly increasing even when the clock stands still or goes back', () => {
    let now = 1000n;
    const sequence = new NonceSequence(() => now);
    const a = sequence.next();
    const b = sequence.next();
    now = 500n;
    const c = sequence.next();
    now = 5000n;
    const d = sequence.next();
    expect([a, b, c, d]).toEqual([1000n, 1001n, 1002n, 5000n]);
  });

  it('gives nanosecond wall-clock values by default', () => {
    const n = new NonceSequence().next();
    const ms = BigInt(Date.now());
    expect(n / 1_000_000n).toBeGreaterThan(ms - 1000n);
    expect(n / 1_000_000n).toBeLessThanOrEqual(ms);
  });
});
