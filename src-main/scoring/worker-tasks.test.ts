/**
 * Scoring's model tasks in the real inference worker process (the built entry, bundled here with
 * esbuild as the build does) on the committed tiny CLAP and AST: the same numbers as in-process,
 * MusicGen still served by the same process, and a killed worker failing the task it held.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleWorker,
  REPO_ROOT,
  TINY as TINY_MUSICGEN,
  type WorkerBundle,
} from '../inference/worker/testing/worker-bundle.js';
import { ModelTaskError } from '../inference/worker/task-error.js';
import { InferenceWorker, forkWorker, type WorkerState } from '../inference/worker/worker-client.js';
import { AudioClassifierRunner } from './classifier-runner.js';
import { ClapRunner } from './clap-runner.js';
import { VggishRunner } from './vggish-runner.js';

const CLAP = { dir: join(REPO_ROOT, 'models', 'tiny', 'clap') };
const AST = { dir: join(REPO_ROOT, 'models', 'tiny', 'ast') };
const VGGISH = { dir: join(REPO_ROOT, 'models', 'tiny', 'vggish') };

let bundle: WorkerBundle;
beforeAll(async () => {
  bundle = await bundleWorker('scoring-worker-test');
}, 60_000);
afterAll(() => bundle.remove());

function worker(states: WorkerState[] = []): InferenceWorker {
  return new InferenceWorker({
    spawn: forkWorker(bundle.entry),
    backoff: { initialMs: 50 },
    onState: (s) => states.push(s),
  });
}

const tone = (sampleRate: number, seconds: number, hz: number): Float32Array =>
  Float32Array.from(
    { length: Math.round(sampleRate * seconds) },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / sampleRate),
  );

describe('scoring tasks in the inference worker', () => {
  it(
    'embeds text and audio and classifies audio as the in-process runners do, beside MusicGen',
    { timeout: 60_000 },
    async () => {
      const pool = worker();
      const [clap, classifier] = await Promise.all([ClapRunner.load(CLAP), AudioClassifierRunner.load(AST)]);
      try {
        const audio48k = tone(48_000, 12, 440);
        const audio16k = tone(16_000, 12, 440);
        const [text, audio, classes, music] = await Promise.all([
          pool.run({ kind: 'embed-text', model: CLAP, texts: ['calm piano music'] }),
          pool.run({ kind: 'embed-audio', model: CLAP, audio: audio48k, sampleRate: 48_000 }),
          pool.run({ kind: 'classify', model: AST, audio: audio16k, sampleRate: 16_000 }),
          pool.generator(TINY_MUSICGEN).generate({ prompt: 'calm piano', durationTokens: 6, decoding: 'greedy' }),
        ]);
        expect(text.embeddings[0]).toBeInstanceOf(Float32Array);
        expect(text).toEqual(await clap.embedText(['calm piano music']));
        expect(audio.startsSeconds).toEqual([0, 2]);
        expect(audio).toEqual(await clap.embedAudio(audio48k, 48_000));
        expect(classes).toEqual(await classifier.classify(audio16k, 16_000));
        expect(music.steps).toBe(6);
        const vggish = await VggishRunner.load(VGGISH);
        try {
          const frames = await pool.run({ kind: 'embed-frames', model: VGGISH, audio: audio16k, sampleRate: 16_000 });
          expect(frames.windows).toHaveLength(12);
          expect(frames).toEqual(await vggish.embedFrames(audio16k, 16_000));
        } finally {
          await vggish.dispose();
        }
      } finally {
        await Promise.all([pool.close(), clap.dispose(), classifier.dispose()]);
      }
    },
  );

  it('fails a task with the runner’s own code, and the worker stays up', { timeout: 60_000 }, async () => {
    const pool = worker();
    try {
      const wrongRate = pool.run({ kind: 'embed-audio', model: CLAP, audio: tone(32_000, 1, 440), sampleRate: 32_000 });
      await expect(wrongRate).rejects.toBeInstanceOf(ModelTaskError);
      await expect(wrongRate).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/48000 Hz/),
      });
      const missing = pool.run({
        kind: 'embed-text',
        model: { dir: join(REPO_ROOT, 'models', 'no-such') },
        texts: ['a'],
      });
      await expect(missing).rejects.toMatchObject({ code: 'missing_file' });
      expect(pool.state.state).toBe('ready');
      expect((await pool.run({ kind: 'embed-text', model: CLAP, texts: ['a'] })).embeddings).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it(
    'fails the task it held with worker_crashed when killed -9, restarts, and the next task succeeds',
    { timeout: 60_000 },
    async () => {
      const states: WorkerState[] = [];
      const pool = worker(states);
      try {
        // Many windows (a 0.05 s hop over 60 s): the task is still running when the kill lands.
        const long = pool.run({
          kind: 'embed-audio',
          model: CLAP,
          audio: tone(48_000, 60, 440),
          sampleRate: 48_000,
          hopSeconds: 0.05,
        });
        const outcome = long.then(
          () => null,
          (e: unknown) => e,
        );
        // Jobs are sent the moment the worker says it is ready; kill it then.
        await new Promise<void>((resolve) => {
          const unsubscribe = pool.subscribe((s) => {
            if (s.state === 'ready') {
              unsubscribe();
              process.kill(s.pid, 'SIGKILL');
              resolve();
            }
          });
        });
        const error = await outcome;
        expect(error).toBeInstanceOf(ModelTaskError);
        expect((error as ModelTaskError).code).toBe('worker_crashed');
        expect((error as ModelTaskError).message).toMatch(/killed by SIGKILL.*The job it held failed/);
        const next = await pool.run({ kind: 'classify', model: AST, audio: tone(16_000, 2, 440), sampleRate: 16_000 });
        expect(next.windows).toHaveLength(1);
        expect(states.filter((s) => s.state === 'ready')).toHaveLength(2);
      } finally {
        await pool.close();
      }
    },
  );
});
