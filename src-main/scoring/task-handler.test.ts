/** Scoring's task handler in-process: runner reuse and replacement while tasks are in flight. */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { ClapRunner } from './clap-runner.js';
import { createModelTaskHandler } from './worker-tasks.js';

const CLAP = { dir: join(import.meta.dirname, '..', '..', 'models', 'tiny', 'clap') };
const tempDir = useTempDirs();

const tone = (seconds: number): Float32Array =>
  Float32Array.from({ length: 48_000 * seconds }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 48_000));

describe('the scoring task handler', () => {
  it(
    'finishes a task on a model that another folder replaces meanwhile, then loads it again',
    { timeout: 60_000 },
    async () => {
      const other = { dir: join(tempDir(), 'clap') };
      cpSync(CLAP.dir, other.dir, { recursive: true });
      const handle = createModelTaskHandler();
      const audio = tone(12);
      // The other folder's task arrives while this one is loading or running.
      const long = handle({ kind: 'embed-audio', model: CLAP, audio, sampleRate: 48_000, hopSeconds: 0.25 });
      const replacing = handle({ kind: 'embed-text', model: other, texts: ['calm piano'] });
      const [result, text] = await Promise.all([long, replacing]);
      expect('windows' in result && result.windows).toHaveLength(9);
      expect('embeddings' in text && text.embeddings).toHaveLength(1);
      const runner = await ClapRunner.load(CLAP);
      try {
        const direct = await runner.embedAudio(audio, 48_000, 0.25);
        expect(result).toEqual(direct);
        // Back to the first folder: a fresh load, same numbers.
        expect(await handle({ kind: 'embed-audio', model: CLAP, audio, sampleRate: 48_000, hopSeconds: 0.25 })).toEqual(
          direct,
        );
      } finally {
        await runner.dispose();
      }
    },
  );
});
