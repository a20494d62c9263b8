/**
 * transformers.js reads its model location from process-wide `env` fields while it loads, across
 * several awaits. Two loads that point `env` at different folders at once (MusicGen and CLAP in
 * the same worker) could read each other's folder; every load goes through this queue so only one
 * runs at a time (issue #11: one module owns transformers.js's process-wide state).
 */
import { env } from '@huggingface/transformers';

let queue: Promise<unknown> = Promise.resolve();

/** Runs `work` alone, with transformers.js offline and reading models from `localModelPath`. */
export function withLocalModels<T>(localModelPath: string, work: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = localModelPath.endsWith('/') ? localModelPath : `${localModelPath}/`;
    return work();
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
