/**
 * Bounded, stake-ordered admission to the expensive work (wire-protocol §4.6: the Python axon
 * computes a priority and then ignores it; we use it). At most `maxConcurrent` tasks run; at most
 * `maxQueued` wait, highest stake first, then first come. When the line is full, a newcomer with
 * more stake than the last in line takes its place and the displaced one is refused; otherwise the
 * newcomer is refused. Refusals become 503 with Retry-After.
 */

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

export class QueueAbortedError extends Error {
  override readonly name = 'QueueAbortedError';
}

export interface AdmissionTicket {
  /** Frees the slot; idempotent. */
  release(): void;
}

interface Waiter {
  priority: bigint;
  seq: number;
  resolve: (ticket: AdmissionTicket) => void;
  reject: (error: Error) => void;
  detach: () => void;
}

export interface AdmissionStats {
  running: number;
  queued: number;
  /** The most that ever waited at once. */
  peakQueued: number;
  refused: number;
}

export class AdmissionQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private seq = 0;
  private peakQueued = 0;
  private refused = 0;

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
  ) {
    if (!(maxConcurrent >= 1)) throw new RangeError('maxConcurrent must be at least 1');
    if (!(maxQueued >= 0)) throw new RangeError('maxQueued must not be negative');
  }

  stats(): AdmissionStats {
    return { running: this.running, queued: this.waiting.length, peakQueued: this.peakQueued, refused: this.refused };
  }

  /** Whether a caller with this priority would get a place now (run, wait, or displace the last in line). */
  canAdmit(priority: bigint): boolean {
    if (this.running < this.maxConcurrent && this.waiting.length === 0) return true;
    if (this.waiting.length < this.maxQueued) return true;
    const last = this.waiting[this.waiting.length - 1];
    return last !== undefined && last.priority < priority;
  }

  /** Resolves when the task may run; rejects with QueueFullError or, if `signal` fires while waiting, QueueAbortedError. */
  admit(priority: bigint, signal?: AbortSignal): Promise<AdmissionTicket> {
    if (signal?.aborted) return Promise.reject(new QueueAbortedError('the caller went away'));
    if (this.running < this.maxConcurrent && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve(this.ticket());
    }
    if (this.waiting.length >= this.maxQueued) {
      const last = this.waiting[this.waiting.length - 1];
      if (!last || last.priority >= priority) {
        this.refused++;
        return Promise.reject(new QueueFullError('the work queue is full'));
      }
      this.waiting.pop();
      last.detach();
      this.refused++;
      last.reject(new QueueFullError('displaced from the work queue by a caller with more stake'));
    }
    return new Promise<AdmissionTicket>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new QueueAbortedError('the caller went away'));
      };
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Sorted by priority descending, then arrival.
      let index = this.waiting.length;
      while (index > 0 && (this.waiting[index - 1] as Waiter).priority < priority) index--;
      this.waiting.splice(index, 0, waiter);
      this.peakQueued = Math.max(this.peakQueued, this.waiting.length);
    });
  }

  private ticket(): AdmissionTicket {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        this.next();
      },
    };
  }

  private next(): void {
    while (this.running < this.maxConcurrent) {
      const waiter = this.waiting.shift();
      if (!waiter) return;
      waiter.detach();
      this.running++;
      waiter.resolve(this.ticket());
    }
  }
}
