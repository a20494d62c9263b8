/**
 * Speed and time left for a transfer, from the bytes moved in the last few seconds (a sliding
 * window, so a stall shows at once and an early burst does not linger), and a throttle so a fast
 * disk or network does not flood the UI with events.
 */
export interface TransferRate {
  bytesPerSecond: number;
  /** Null while no speed is known yet. */
  etaSeconds: number | null;
}

export interface ProgressMeterOptions {
  /** Milliseconds, monotonic. */
  now?: () => number;
  windowMs?: number;
  /** Least time between two reports; the first and the last are always reported. */
  intervalMs?: number;
}

export class ProgressMeter {
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly intervalMs: number;
  private samples: { at: number; bytes: number }[] = [];
  private lastReport = Number.NEGATIVE_INFINITY;

  constructor(options: ProgressMeterOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.windowMs = options.windowMs ?? 5000;
    this.intervalMs = options.intervalMs ?? 100;
  }

  /**
   * Records `bytes` done of `total`; returns the rate when a report is due (always when `force`),
   * otherwise null.
   */
  sample(bytes: number, total: number, force = false): TransferRate | null {
    const at = this.now();
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - (this.samples[1]?.at ?? at) >= this.windowMs) this.samples.shift();
    if (!force && at - this.lastReport < this.intervalMs) return null;
    this.lastReport = at;
    return this.rate(total);
  }

  private rate(total: number): TransferRate {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at <= 0) {
      return { bytesPerSecond: 0, etaSeconds: last && last.bytes >= total ? 0 : null };
    }
    const bytesPerSecond = Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
    const left = Math.max(0, total - last.bytes);
    const etaSeconds = left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : null;
    return { bytesPerSecond, etaSeconds };
  }
}
