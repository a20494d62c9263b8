/**
 * Scoring's model tasks as the inference worker runs them: one CLAP, one classifier and one VGGish kept
 * loaded (a task for another folder or device replaces it), so a round's text embedding, its
 * reference clip and every miner's clip reuse the same sessions.
 */
import type { ModelTask, ModelTaskResult, ModelTaskSource } from '../inference/worker/protocol.js';
import type { ModelTaskHandler } from '../inference/worker/worker-main.js';
import { AudioClassifierRunner } from './classifier-runner.js';
import { ClapRunner } from './clap-runner.js';
import { VggishRunner } from './vggish-runner.js';

interface Slot<T> {
  key: string;
  runner: Promise<T>;
  /** Tasks using the runner now; a replaced runner is disposed when the last one ends. */
  users: number;
  replaced: boolean;
}

/**
 * One loaded runner per kind. `use(source, work)` loads (or reuses) the runner for that folder and
 * device and runs `work` on it; a runner replaced by another folder is disposed only once the
 * tasks still using it have finished, so a round that switches models never frees live sessions.
 */
function cached<T extends { dispose(): Promise<void> }>(load: (source: ModelTaskSource) => Promise<T>) {
  let slot: Slot<T> | null = null;
  const release = (s: Slot<T>): void => {
    if (s.replaced && s.users === 0) void s.runner.then((r) => r.dispose()).catch(() => undefined);
  };
  return async <R>(source: ModelTaskSource, work: (runner: T) => Promise<R>): Promise<R> => {
    const key = JSON.stringify([source.dir, source.device ?? 'cpu']);
    if (slot?.key !== key) {
      const previous = slot;
      const runner = load(source);
      const fresh: Slot<T> = { key, runner, users: 0, replaced: false };
      slot = fresh;
      // A failed load is not kept: the next task tries again (the files may have been repaired).
      runner.catch(() => {
        if (slot === fresh) slot = null;
      });
      if (previous) {
        previous.replaced = true;
        release(previous);
      }
    }
    const current = slot;
    current.users += 1;
    try {
      return await work(await current.runner);
    } finally {
      current.users -= 1;
      release(current);
    }
  };
}

export function createModelTaskHandler(): ModelTaskHandler {
  const clap = cached((source) => ClapRunner.load(source));
  const classifier = cached((source) => AudioClassifierRunner.load(source));
  const vggish = cached((source) => VggishRunner.load(source));
  return async (task: ModelTask): Promise<ModelTaskResult> => {
    switch (task.kind) {
      case 'embed-text':
        return clap(task.model, (runner) => runner.embedText(task.texts));
      case 'embed-audio':
        return clap(task.model, (runner) => runner.embedAudio(task.audio, task.sampleRate, task.hopSeconds));
      case 'classify':
        return classifier(task.model, (runner) => runner.classify(task.audio, task.sampleRate, task.hopSeconds));
      case 'embed-frames':
        return vggish(task.model, (runner) => runner.embedFrames(task.audio, task.sampleRate));
    }
  };
}
