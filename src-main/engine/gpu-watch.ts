/**
 * `gpu.watch` / `gpu.unwatch`: samples the GPUs about once a second while at least one watcher
 * holds a lease, and emits each sample as a `gpu.sample` event. Watches are leases rather than
 * on/off switches so that a page closed without unwatching (a crashed tab, a lost socket) stops
 * costing nvidia-smi runs when its lease runs out; an open page renews its lease.
 */
import type { GpuSample } from '../../src-shared/schemas/gpu.js';
import type { GpuSampler } from '../inference/gpu/gpu-sampler.js';

export interface GpuWatchOptions {
  sampler: GpuSampler;
  emit: (sample: GpuSample) => void;
  /** The throttle: at most one sample per interval (and never two nvidia-smi runs at once). */
  intervalMs?: number;
  now?: () => number;
}

export const DEFAULT_SAMPLE_INTERVAL_MS = 1000;

export class GpuWatch {
  /** Watcher id → when its lease ends (ms, `now`'s clock). */
  private readonly leases = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;
  private stopped = false;
  readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: GpuWatchOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Starts or renews a watch; the first watch samples at once, so the page fills without waiting. */
  watch(id: string, leaseMs: number): void {
    if (this.stopped) return;
    const idle = this.activeCount() === 0;
    this.leases.set(id, this.now() + leaseMs);
    if (idle && this.timer === null && !this.sampling) void this.tick();
  }

  unwatch(id: string): boolean {
    const had = this.leases.delete(id);
    if (this.activeCount() === 0) this.clearTimer();
    return had;
  }

  /** Watchers whose lease has not ended (ended ones are forgotten here). */
  activeCount(): number {
    const now = this.now();
    for (const [id, until] of this.leases) if (until <= now) this.leases.delete(id);
    return this.leases.size;
  }

  stop(): void {
    this.stopped = true;
    this.leases.clear();
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.stopped || this.activeCount() === 0) return;
    this.sampling = true;
    const started = this.now();
    let sample: GpuSample;
    try {
      sample = await this.options.sampler.sample();
    } catch (error) {
      // The sampler promises not to throw; if one does, the page still hears why it has no data.
      const message = `The GPU sampler failed: ${error instanceof Error ? error.message : String(error)}`;
      sample = { at: new Date(this.now()).toISOString(), status: 'failed', message, gpus: [] };
    } finally {
      this.sampling = false;
    }
    // A watch ended while nvidia-smi ran: nobody wants this sample.
    if (this.stopped || this.activeCount() === 0) return;
    this.options.emit(sample);
    const wait = Math.max(0, this.intervalMs - (this.now() - started));
    this.timer = setTimeout(() => void this.tick(), wait);
    // The daemon must be able to exit while a page still watches.
    this.timer.unref();
  }
}
