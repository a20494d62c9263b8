/**
 * Wall-clock time in nanoseconds, injectable so that fixed-time vectors (TV-4, TV-6) can be
 * checked, and the dendrite's strictly increasing nonces (wire-protocol §3.8).
 */

/** Unix time in nanoseconds. */
export type WallClock = () => bigint;

/**
 * Unix time in ns: the wall clock's milliseconds plus the sub-millisecond part of the monotonic
 * clock, so two calls in one millisecond usually differ. Not monotonic by itself.
 */
export const systemClock: WallClock = () => {
  const subMillisecond = process.hrtime.bigint() % 1_000_000n;
  return BigInt(Date.now()) * 1_000_000n + subMillisecond;
};

/**
 * Nonces for one dendrite (hotkey, uuid): the clock's value, or one more than the last nonce when
 * the clock has not moved past it, so they strictly increase (an axon rejects any nonce ≤ the last).
 */
export class NonceSequence {
  private last = 0n;
  constructor(private readonly clock: WallClock = systemClock) {}

  next(): bigint {
    const now = this.clock();
    this.last = now > this.last ? now : this.last + 1n;
    return this.last;
  }
}
