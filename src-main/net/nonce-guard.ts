/**
 * Replay protection of wire-protocol §4.5, with the per-key state bounded (§11 item 9).
 *
 * - First contact of a (hotkey, uuid): the nonce must be newer than now − (4 s + timeout).
 * - Afterwards: the nonce must be strictly greater than the last accepted one; no time window.
 *
 * Stricter than the SDK in three ways: the time window applies whatever `dendrite.version` says
 * (every SN50 validator runs SDK ≥ 7.2); the `timeout` that widens the window is capped, because
 * the header is not signed and a replayer could otherwise send a huge one; and the state is an LRU
 * of bounded size. Evicting a key whose last nonce could still pass the window would re-open it to
 * replays, so eviction raises a floor that first-contact nonces must exceed as well.
 */
import { ALLOWED_DELTA_NS, NANOSECONDS_PER_SECOND } from './constants.js';

export interface NonceGuardOptions {
  /** Most (hotkey, uuid) pairs remembered. Default 65 536. */
  maxEntries?: number;
  /** The largest request timeout that widens the first-contact window, seconds. Default 600. */
  maxWindowTimeoutSeconds?: number;
}

export type NonceVerdict = { ok: true } | { ok: false; reason: string };

export class NonceGuard {
  private readonly last = new Map<string, bigint>();
  private floor = -1n;
  private readonly maxEntries: number;
  private readonly maxWindowTimeoutSeconds: number;

  constructor(options: NonceGuardOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 65_536);
    this.maxWindowTimeoutSeconds = options.maxWindowTimeoutSeconds ?? 600;
  }

  get size(): number {
    return this.last.size;
  }

  /** Whether `nonce` would be accepted now; stores nothing. */
  check(hotkey: string, uuid: string, nonce: bigint, timeoutSeconds: number | null, nowNs: bigint): NonceVerdict {
    const stored = this.last.get(key(hotkey, uuid));
    if (stored !== undefined) {
      return nonce <= stored ? { ok: false, reason: 'Nonce is too old, a newer one was last processed' } : { ok: true };
    }
    const timeout = Math.min(Math.max(timeoutSeconds ?? 0, 0), this.maxWindowTimeoutSeconds);
    const windowStart = nowNs - ALLOWED_DELTA_NS - BigInt(Math.round(timeout * 1e9));
    if (nonce <= windowStart) {
      const acceptable = Number(ALLOWED_DELTA_NS / NANOSECONDS_PER_SECOND) + timeout;
      const age = Number(nowNs - nonce) / 1e9;
      return {
        ok: false,
        reason: `Nonce is too old: acceptable delta is ${acceptable.toFixed(2)} seconds but request was ${age.toFixed(2)} seconds old`,
      };
    }
    if (nonce <= this.floor) return { ok: false, reason: 'Nonce is too old, a newer one was last processed' };
    return { ok: true };
  }

  /** Checks again and, if still acceptable, remembers `nonce` as the last one of (hotkey, uuid). */
  admit(hotkey: string, uuid: string, nonce: bigint, timeoutSeconds: number | null, nowNs: bigint): NonceVerdict {
    const verdict = this.check(hotkey, uuid, nonce, timeoutSeconds, nowNs);
    if (!verdict.ok) return verdict;
    const k = key(hotkey, uuid);
    this.last.delete(k);
    this.last.set(k, nonce);
    while (this.last.size > this.maxEntries) this.evictOldest(nowNs);
    return verdict;
  }

  private evictOldest(nowNs: bigint): void {
    const oldest = this.last.entries().next();
    if (oldest.done) return;
    const [k, nonce] = oldest.value;
    this.last.delete(k);
    const widestWindowStart = nowNs - ALLOWED_DELTA_NS - BigInt(this.maxWindowTimeoutSeconds) * NANOSECONDS_PER_SECOND;
    // A nonce still inside the widest window could be replayed once its key is forgotten.
    if (nonce > widestWindowStart && nonce > this.floor) this.floor = nonce;
  }
}

function key(hotkey: string, uuid: string): string {
  return `${hotkey}:${uuid}`;
}
