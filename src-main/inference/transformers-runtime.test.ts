/**
 * The worker's one owner of transformers.js's process-wide state: sections never overlap, a load
 * sees its own models folder across awaits, a seed is not disturbed by other seeded work, a
 * section started from inside a held one runs at once, and a failure frees the lock.
 */
import { env, random } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { exclusive, holdsRuntime, runtimeSections, withLocalModels, withSeed } from './transformers-runtime.js';

/** Lets other queued work run, as a real load's file reads do. */
const yieldTurns = async (turns = 5): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('transformers.js runtime', () => {
  it('runs sections one at a time, in the order they were asked for', async () => {
    let active = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((n) =>
        exclusive(async () => {
          active += 1;
          most = Math.max(most, active);
          expect(holdsRuntime()).toBe(true);
          await yieldTurns();
          order.push(n);
          active -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(holdsRuntime()).toBe(false);
  });

  it('keeps transformers.js offline and on each load’s own folder across its awaits', async () => {
    const seen: Record<string, string[]> = { musicgen: [], clap: [] };
    await Promise.all(
      (['musicgen', 'clap'] as const).map((name) =>
        withLocalModels(`/models/${name}`, async () => {
          for (let i = 0; i < 3; i++) {
            seen[name]?.push(env.localModelPath);
            await yieldTurns();
          }
          expect(env.allowRemoteModels).toBe(false);
          expect(env.allowLocalModels).toBe(true);
        }),
      ),
    );
    expect(seen).toEqual({
      musicgen: ['/models/musicgen/', '/models/musicgen/', '/models/musicgen/'],
      clap: ['/models/clap/', '/models/clap/', '/models/clap/'],
    });
  });

  it('gives a seed the same draws while other seeded work runs beside it', async () => {
    const draws = (seed: number) =>
      withSeed(seed, async () => {
        const values: number[] = [];
        for (let i = 0; i < 4; i++) {
          values.push(random.random());
          await yieldTurns(2);
        }
        return values;
      });
    const alone = await draws(42);
    const [together, other] = await Promise.all([draws(42), draws(7)]);
    expect(together).toEqual(alone);
    expect(other).not.toEqual(alone);
  });

  it('runs a load asked for from inside a held section at once instead of waiting on itself', async () => {
    const before = runtimeSections();
    const result = await exclusive(() => withLocalModels('/models/inner', () => withSeed(1, async () => 'done')));
    expect(result).toBe('done');
    expect(runtimeSections() - before).toBe(1); // the nested calls took no second section
  });

  it('frees the lock when a section fails, and reports the failure to its caller only', async () => {
    const failed = withLocalModels('/models/broken', async () => {
      await yieldTurns();
      throw new Error('config.json is missing');
    });
    const next = exclusive(async () => 'next ran');
    await expect(failed).rejects.toThrow('config.json is missing');
    await expect(next).resolves.toBe('next ran');
  });
});
