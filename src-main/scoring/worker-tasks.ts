/**
 * Scoring's model tasks as the inference worker runs them: one CLAP and one classifier kept
 * loaded (a task for another folder or device replaces it), so a round's text embedding, its
 * reference clip and every miner's clip reuse the same sessions.
 */
import type { ModelTask, ModelTaskResult, ModelTaskSource } from '../inference/worker/protocol.js';
import type { ModelTaskHandler } from '../inference/worker/worker-main.js';
import { AudioClassifierRunner } from './classifier-runner.js';
import { ClapRunner } from './clap-runner.js';

interface Slot<T> {
  key: string;
  runner: Promise<T>;
}

function cached<T extends { dispose(): Promise<void> }>(load: (source: ModelTaskSource) => Promise<T>) {
  let slot: Slot<T> | null = null;
  return (source: ModelTaskSource): Promise<T> => {
    const key = JSON.stringify([source.dir, source.device ?? 'cpu']);
    if (slot?.key === key) return slot.runner;
    const previous = slot;
    const runner = load(source);
    slot = { key, runner };
    // A failed load is not kept: the next task tries again (the files may have been repaired).
    runner.catch(() => {
      if (slot?.runner === runner) slot = null;
    });
    void previous?.runner.then((r) => r.dispose()).catch(() => undefined);
    return runner;
  };
}

export function createModelTaskHandler(): ModelTaskHandler {
  const clap = cached((source) => ClapRunner.load(source));
  const classifier = cached((source) => AudioClassifierRunner.load(source));
  return async (task: ModelTask): Promise<ModelTaskResult> => {
    switch (task.kind) {
      case 'embed-text':
        return (await clap(task.model)).embedText(task.texts);
      case 'embed-audio':
        return (await clap(task.model)).embedAudio(task.audio, task.sampleRate, task.hopSeconds);
      case 'classify':
        return (await classifier(task.model)).classify(task.audio, task.sampleRate, task.hopSeconds);
    }
  };
}
