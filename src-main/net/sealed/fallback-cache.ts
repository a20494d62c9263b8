/**
 * Which route the validator uses for each miner, and when it may fall back to plaintext
 * (docs/sealed-synapse.md §7). Only a 404 on the sealed route counts as "this miner does not speak
 * sealed" (a Python axon answers 404 for an unknown synapse, wire-protocol §4.9); the verdict lasts
 * `plaintextTtlMs`, after which sealed mode is tried again. A 404 is unauthenticated, so any
 * on-path attacker can forge one; two things stop that from silently downgrading a miner:
 *
 * - pinned hotkeys never fall back: a 404 from them is refused as a downgrade;
 * - a miner that answered a sealed request with a verified signature is known to speak sealed for
 *   `stickyMs`; a 404 in that time is refused too (trust on first use).
 *
 * Entries are per miner hotkey. An optional fingerprint of the miner's on-chain axon (say its
 * `version` and `block`) resets what we know when the miner re-serves, which is what an operator
 * switching software does; the peer cannot forge it because the chain only takes it from the hotkey.
 */
import { SealedError } from './errors.js';

export type SealedRouteChoice = 'sealed' | 'plaintext';

export interface SealedFallbackCacheOptions {
  /** How long a 404 keeps a miner on plaintext before sealed mode is tried again. Default 6 hours. */
  readonly plaintextTtlMs?: number;
  /** How long a verified sealed answer makes a later 404 a downgrade. Default 24 hours; may be Infinity. */
  readonly stickyMs?: number;
  /** Bound on remembered hotkeys (oldest update evicted first). Default 4096. */
  readonly maxEntries?: number;
  /** Hotkeys that must always be queried sealed (operator configuration). */
  readonly pinned?: Iterable<string>;
  /** Milliseconds clock; tests pass a fake one. */
  readonly now?: () => number;
}

export type NotFoundDecision =
  | { readonly action: 'fallback'; readonly until: number }
  | { readonly action: 'refuse'; readonly reason: 'pinned' | 'known_sealed'; readonly error: SealedError };

interface Entry {
  readonly fingerprint: string | undefined;
  /** Query this miner in plaintext until then. */
  readonly plaintextUntil?: number;
  /** A 404 from this miner is a downgrade until then. */
  readonly sealedUntil?: number;
}

export const DEFAULT_PLAINTEXT_TTL_MS = 6 * 60 * 60 * 1000;
export const DEFAULT_STICKY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MAX_ENTRIES = 4096;

export class SealedFallbackCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pins = new Set<string>();
  private readonly plaintextTtlMs: number;
  private readonly stickyMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: SealedFallbackCacheOptions = {}) {
    this.plaintextTtlMs = duration(options.plaintextTtlMs ?? DEFAULT_PLAINTEXT_TTL_MS, 'plaintextTtlMs', false);
    this.stickyMs = duration(options.stickyMs ?? DEFAULT_STICKY_MS, 'stickyMs', true);
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new SealedError('invalid_input', 'maxEntries must be a positive integer');
    }
    this.now = options.now ?? Date.now;
    for (const hotkey of options.pinned ?? []) this.pins.add(hotkey);
  }

  /** The route to query this miner on now. */
  routeFor(minerHotkey: string, fingerprint?: string): SealedRouteChoice {
    if (this.pins.has(minerHotkey)) return 'sealed';
    const entry = this.current(minerHotkey, fingerprint);
    return entry?.plaintextUntil !== undefined && entry.plaintextUntil > this.now() ? 'plaintext' : 'sealed';
  }

  /**
   * The sealed route answered 404. `fallback`: query `/MusicGeneration` now, and keep doing so until
   * `until`. `refuse`: do not; report the query as failed with `error` (code `downgrade`).
   */
  recordNotFound(minerHotkey: string, fingerprint?: string): NotFoundDecision {
    if (this.pins.has(minerHotkey)) {
      return refuse('pinned', `miner ${minerHotkey} is pinned to sealed mode but its sealed route answered 404`);
    }
    const now = this.now();
    const entry = this.current(minerHotkey, fingerprint);
    if (entry?.sealedUntil !== undefined && entry.sealedUntil > now) {
      return refuse('known_sealed', `miner ${minerHotkey} answered sealed before; a 404 now is treated as a downgrade`);
    }
    const until = now + this.plaintextTtlMs;
    this.write(minerHotkey, { fingerprint: fingerprint ?? entry?.fingerprint, plaintextUntil: until });
    return { action: 'fallback', until };
  }

  /** A sealed response from this miner opened and its signature verified (never on a mere 200). */
  recordSealedSuccess(minerHotkey: string, fingerprint?: string): void {
    const entry = this.current(minerHotkey, fingerprint);
    this.write(minerHotkey, {
      fingerprint: fingerprint ?? entry?.fingerprint,
      sealedUntil: this.now() + this.stickyMs,
    });
  }

  pin(minerHotkey: string): void {
    this.pins.add(minerHotkey);
  }

  unpin(minerHotkey: string): void {
    this.pins.delete(minerHotkey);
  }

  isPinned(minerHotkey: string): boolean {
    return this.pins.has(minerHotkey);
  }

  /** Forgets what this miner answered (not whether it is pinned). */
  forget(minerHotkey: string): void {
    this.entries.delete(minerHotkey);
  }

  /** Remembered hotkeys, expired ones included until they are next looked at. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry, unless the miner re-served since (another fingerprint) or everything in it expired. */
  private current(minerHotkey: string, fingerprint: string | undefined): Entry | undefined {
    const entry = this.entries.get(minerHotkey);
    if (!entry) return undefined;
    const now = this.now();
    const reserved = fingerprint !== undefined && entry.fingerprint !== fingerprint;
    const expired = !((entry.plaintextUntil ?? -Infinity) > now || (entry.sealedUntil ?? -Infinity) > now);
    if (reserved || expired) {
      this.entries.delete(minerHotkey);
      return undefined;
    }
    return entry;
  }

  private write(minerHotkey: string, entry: Entry): void {
    this.entries.delete(minerHotkey);
    this.entries.set(minerHotkey, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

function refuse(reason: 'pinned' | 'known_sealed', message: string): NotFoundDecision {
  return { action: 'refuse', reason, error: new SealedError('downgrade', message) };
}

function duration(value: number, name: string, infiniteAllowed: boolean): number {
  const ok = value === Infinity ? infiniteAllowed : Number.isFinite(value) && value >= 0;
  if (!ok) throw new SealedError('invalid_input', `${name} must be a non-negative number of milliseconds`);
  return value;
}
