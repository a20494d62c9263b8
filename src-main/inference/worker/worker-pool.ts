/**
 * One inference worker per GPU behind one scheduler, so that one axon uses every card. The
 * slots come from the GPU report: with CUDA chosen, one per GPU nvidia-smi lists (each worker sees
 * only its card through CUDA_VISIBLE_DEVICES, so onnxruntime's device 0 is that card); otherwise
 * one worker on the chosen device. Each worker crashes, fails its own jobs and restarts with
 * backoff on its own (InferenceWorker); the others keep serving.
 */
import type { ExecutionProvider, GpuReport } from '../../../src-shared/schemas/gpu.js';
import type { Logger } from '../../log/logger.js';
import type { MusicgenSource } from '../generate/musicgen.js';
import type { Executor } from '../scheduler.js';
import type { WorkerGeneratorOptions } from './protocol.js';
import { InferenceWorker, type InferenceWorkerOptions, type SpawnWorker, type WorkerState } from './worker-client.js';

export interface WorkerSlot {
  /** The GPU's index in nvidia-smi's list; null for a worker that is not pinned to a card. */
  gpu: number | null;
  device: ExecutionProvider;
  /** For logs and the UI: `cuda:1`, `cpu`. */
  label: string;
}

/** The workers a GPU report calls for (at most `max`, default one per card). */
export function workerSlots(
  report: Pick<GpuReport, 'device' | 'nvidia'>,
  options: { max?: number } = {},
): WorkerSlot[] {
  const device = report.device.device;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  if (!(max >= 1)) throw new RangeError('max must be at least 1');
  if (device === 'cuda' && report.nvidia.gpus.length > 0) {
    return report.nvidia.gpus.slice(0, max).map((gpu) => ({ gpu: gpu.index, device, label: `cuda:${gpu.index}` }));
  }
  return [{ gpu: null, device, label: device }];
}

/** The environment that pins a worker process to its card. */
export function slotEnv(slot: WorkerSlot): Record<string, string> {
  return slot.gpu === null ? {} : { CUDA_VISIBLE_DEVICES: String(slot.gpu) };
}

export interface WorkerPoolOptions {
  slots: readonly WorkerSlot[];
  /** Starts the process of one slot: forkWorker under the daemon, utilityProcessWorker in Electron. */
  spawn: (slot: WorkerSlot) => SpawnWorker;
  logger?: Logger;
  backoff?: InferenceWorkerOptions['backoff'];
  onState?: (slot: WorkerSlot, state: WorkerState) => void;
}

export class WorkerPool {
  readonly slots: readonly WorkerSlot[];
  readonly workers: readonly InferenceWorker[];

  constructor(options: WorkerPoolOptions) {
    if (options.slots.length === 0) throw new RangeError('the worker pool needs at least one slot');
    this.slots = [...options.slots];
    this.workers = this.slots.map(
      (slot) =>
        new InferenceWorker({
          spawn: options.spawn(slot),
          ...(options.logger ? { logger: options.logger.child(slot.label) } : {}),
          ...(options.backoff ? { backoff: options.backoff } : {}),
          ...(options.onState ? { onState: (state: WorkerState) => options.onState?.(slot, state) } : {}),
        }),
    );
  }

  /** One executor per worker, each on its slot's device, for the WorkScheduler. */
  executors(source: MusicgenSource, options: Omit<WorkerGeneratorOptions, 'device'> = {}): Executor[] {
    return this.workers.map((worker, i) => worker.generator(source, { ...options, device: this.slots[i]?.device }));
  }

  states(): { slot: WorkerSlot; state: WorkerState }[] {
    return this.workers.map((worker, i) => ({ slot: this.slots[i] as WorkerSlot, state: worker.state }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
