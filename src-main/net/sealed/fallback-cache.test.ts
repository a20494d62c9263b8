import { describe, expect, it } from 'vitest';
import { SealedError } from './errors.js';
import { SealedFallbackCache, type SealedFallbackCacheOptions, type SealedRouteChoice } from './fallback-cache.js';

const MINER = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const OTHER = '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y';
const HOUR = 3_600_000;

function cache(options: SealedFallbackCacheOptions = {}): { cache: SealedFallbackCache; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  return { cache: new SealedFallbackCache({ now: () => clock.t, ...options }), clock };
}

describe('SealedFallbackCache', () => {
  it('tries sealed first, for every miner it knows nothing about', () => {
    const { cache: c } = cache();
    expect(c.routeFor(MINER)).toBe('sealed');
    expect(c.size).toBe(0);
  });

  it('after a 404 it keeps that miner on plaintext for the TTL, then tries sealed again', () => {
    const { cache: c, clock } = cache({ plaintextTtlMs: HOUR });
    expect(c.recordNotFound(MINER)).toEqual({ action: 'fallback', until: clock.t + HOUR });
    expect(c.routeFor(MINER)).toBe('plaintext');
    clock.t += HOUR - 1;
    expect(c.routeFor(MINER)).toBe('plaintext');
    clock.t += 1;
    expect(c.routeFor(MINER)).toBe('sealed');
    expect(c.size).toBe(0);
  });

  it('keeps one verdict per hotkey', () => {
    const { cache: c } = cache();
    c.recordNotFound(MINER);
    expect(c.routeFor(MINER)).toBe('plaintext');
    expect(c.routeFor(OTHER)).toBe('sealed');
  });

  it('never falls back for a pinned hotkey: a 404 from it is a downgrade', () => {
    const { cache: c } = cache({ pinned: [MINER] });
    expect(c.isPinned(MINER)).toBe(true);
    const decision = c.recordNotFound(MINER);
    expect(decision.action).toBe('refuse');
    if (decision.action !== 'refuse') return;
    expect(decision.reason).toBe('pinned');
    expect(decision.error).toBeInstanceOf(SealedError);
    expect(decision.error.code).toBe('downgrade');
    expect(c.routeFor(MINER)).toBe('sealed');
  });

  it('pinning overrides a plaintext verdict already cached, and unpinning restores the normal rules', () => {
    const { cache: c } = cache();
    c.recordNotFound(MINER);
    c.pin(MINER);
    expect(c.routeFor(MINER)).toBe('sealed');
    c.unpin(MINER);
    expect(c.routeFor(MINER)).toBe('plaintext');
    c.forget(MINER);
    expect(c.routeFor(MINER)).toBe('sealed');
  });

  it('refuses a 404 from a miner that answered sealed before, until the sticky window ends', () => {
    const { cache: c, clock } = cache({ stickyMs: 24 * HOUR });
    c.recordSealedSuccess(MINER);
    const decision = c.recordNotFound(MINER);
    expect(decision.action === 'refuse' && decision.reason).toBe('known_sealed');
    expect(decision.action === 'refuse' && decision.error.code).toBe('downgrade');
    expect(c.routeFor(MINER)).toBe('sealed');
    clock.t += 24 * HOUR;
    expect(c.recordNotFound(MINER).action).toBe('fallback');
    expect(c.routeFor(MINER)).toBe('plaintext');
  });

  it('with an infinite sticky window only a new axon on chain lets a known-sealed miner fall back', () => {
    const { cache: c, clock } = cache({ stickyMs: Infinity });
    c.recordSealedSuccess(MINER, 'v10002000@block100');
    clock.t += 1000 * 24 * HOUR;
    expect(c.recordNotFound(MINER, 'v10002000@block100').action).toBe('refuse');
    // The operator re-served the axon (say, went back to the Python miner): what we knew is void.
    expect(c.recordNotFound(MINER, 'v7004000@block900').action).toBe('fallback');
    expect(c.routeFor(MINER, 'v7004000@block900')).toBe('plaintext');
  });

  it('a new axon fingerprint also ends a plaintext verdict early: the miner may have upgraded', () => {
    const { cache: c } = cache();
    c.recordNotFound(MINER, 'v7004000@block900');
    expect(c.routeFor(MINER, 'v7004000@block900')).toBe('plaintext');
    expect(c.routeFor(MINER)).toBe('plaintext');
    expect(c.routeFor(MINER, 'v10002000@block950')).toBe('sealed');
  });

  it('a sealed success after the TTL replaces the plaintext verdict', () => {
    const { cache: c, clock } = cache({ plaintextTtlMs: HOUR });
    c.recordNotFound(MINER);
    clock.t += HOUR;
    expect(c.routeFor(MINER)).toBe('sealed');
    c.recordSealedSuccess(MINER);
    expect(c.recordNotFound(MINER).action).toBe('refuse');
  });

  it('remembers at most maxEntries hotkeys, dropping the least recently updated', () => {
    const { cache: c } = cache({ maxEntries: 2 });
    c.recordNotFound('a');
    c.recordNotFound('b');
    c.recordNotFound('a');
    c.recordNotFound('c');
    expect(c.size).toBe(2);
    expect(c.routeFor('b')).toBe('sealed');
    expect(c.routeFor('a')).toBe('plaintext');
    expect(c.routeFor('c')).toBe('plaintext');
  });

  it('refuses nonsense options', () => {
    for (const options of [
      { plaintextTtlMs: -1 },
      { plaintextTtlMs: Infinity },
      { plaintextTtlMs: NaN },
      { stickyMs: -5 },
      { maxEntries: 0 },
      { maxEntries: 1.5 },
    ]) {
      expect(() => new SealedFallbackCache(options)).toThrow(SealedError);
    }
  });

  it('drives a dendrite against a plaintext-only axon: one 404, then plaintext directly', () => {
    // A stand-in for the dendrite: the real one does HTTP; here the axon is a Python one that has
    // no sealed route, and the calls are counted.
    const { cache: c } = cache();
    const calls: SealedRouteChoice[] = [];
    const pythonAxon = (route: SealedRouteChoice): 404 | 200 => {
      calls.push(route);
      return route === 'sealed' ? 404 : 200;
    };
    const query = (): number => {
      if (c.routeFor(MINER) === 'sealed') {
        const status = pythonAxon('sealed');
        if (status !== 404) return status;
        const decision = c.recordNotFound(MINER);
        if (decision.action === 'refuse') throw decision.error;
      }
      return pythonAxon('plaintext');
    };
    expect(query()).toBe(200);
    expect(query()).toBe(200);
    expect(calls).toEqual(['sealed', 'plaintext', 'plaintext']);
    c.pin(MINER);
    expect(query).toThrow(SealedError);
  });
});
