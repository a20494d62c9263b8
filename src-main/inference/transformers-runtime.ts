/**
 * The one owner of transformers.js's process-wide state in the inference worker (issue #11).
 * transformers.js keeps its settings (`env`: where models are read from, whether the hub may be
 * reached) and its sampling random generator (`random`) in module-wide variables, and a load reads
 * `env` across several awaits. So, for MusicGen and the scoring models (CLAP, AST) alike:
 *
 * - every load runs alone, with `env` pointed at its own models folder and offline
 *   (`withLocalModels`), so MusicGen and CLAP loading at once cannot read each other's folder;
 * - seeded work (MusicGen's `generate()`) seeds and draws alone (`withSeed`), so a seeded run is
 *   reproducible even while other work waits;
 * - anything else that must not interleave with these takes the same lock (`exclusive`).
 *
 * Model runs that draw no random numbers and read no `env` (CLAP and AST inference on loaded
 * sessions, our own ONNX decoder loop) need no lock and run concurrently.
 *
 * The lock is re-entrant within one async context: a load started from inside a held section (a
 * generator that loads its tokenizer while it holds the lock) runs at once instead of waiting on
 * itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { env, random } from '@huggingface/transformers';

const holder = new AsyncLocalStorage<true>();
let queue: Promise<unknown> = Promise.resolve();
/** Sections run so far; for tests that check the lock is taken. */
let sections = 0;

/** Runs `work` alone among everything that touches transformers.js's process-wide state. */
export function exclusive<T>(work: () => Promise<T>): Promise<T> {
  if (holder.getStore() === true) return work();
  const run = (): Promise<T> => {
    sections += 1;
    return holder.run(true, work);
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/** Runs `work` alone, with transformers.js offline and reading models from `localModelPath`. */
export function withLocalModels<T>(localModelPath: string, work: () => Promise<T>): Promise<T> {
  return exclusive(() => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = localModelPath.endsWith('/') ? localModelPath : `${localModelPath}/`;
    return work();
  });
}

/**
 * Seeds transformers.js's random generator and runs `work` alone, so no other draw comes between
 * the seed and the work's own draws. A null seed (greedy decoding) draws nothing and seeds nothing.
 */
export function withSeed<T>(seed: number | null, work: () => Promise<T>): Promise<T> {
  return exclusive(() => {
    if (seed !== null) random.seed(seed);
    return work();
  });
}

/** True inside a section that holds the lock. */
export function holdsRuntime(): boolean {
  return holder.getStore() === true;
}

/** How many sections have taken the lock in this process (re-entrant calls do not count). */
export function runtimeSections(): number {
  return sections;
}
