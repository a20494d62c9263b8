/**
 * The utilityProcess adapter against a double of Electron's UtilityProcess (Electron cannot run
 * here): the double has its shape (postMessage, on('message' | 'exit'), kill, pid) and is a real
 * Node process running the real worker entry with a `process.parentPort` like Electron's, so the
 * worker's utilityProcess path runs too.
 */
import { fork } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationError } from '../inference/generate/errors.js';
import type { MusicRequest } from '../inference/generate/request.js';
import { bundleWorker, TINY, type WorkerBundle } from '../inference/worker/testing/worker-bundle.js';
import { InferenceWorker, type WorkerState } from '../inference/worker/worker-client.js';
import { slotEnv } from '../inference/worker/worker-pool.js';
import {
  utilityProcessWorker,
  type UtilityFork,
  type UtilityForkOptions,
  type UtilityProcessLike,
} from './electron-worker.js';

let bundle: WorkerBundle;
beforeAll(async () => {
  bundle = await bundleWorker('electron-worker-test');
}, 60_000);
afterAll(() => bundle.remove());

const greedy = (tokens: number): MusicRequest => ({ prompt: 'calm piano', durationTokens: tokens, decoding: 'greedy' });

/** Electron's `utilityProcess.fork`, played by a Node child behind the parentPort shim. */
function utilityForkDouble(forks: { modulePath: string; options: UtilityForkOptions }[]): UtilityFork {
  return (modulePath, args, options) => {
    forks.push({ modulePath, options });
    const child = fork(bundle.parentPortShim, args, {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...options.env, BITTAUDIO_WORKER_ENTRY: modulePath },
    });
    const double: UtilityProcessLike = {
      get pid() {
        return child.pid;
      },
      postMessage: (message) => void child.send(message as never),
      on(event: 'message' | 'exit', listener: ((message: unknown) => void) | ((code: number) => void)) {
        // Electron gives the exit code only; a killed process shows a non-zero code.
        if (event === 'message') child.on('message', listener as (message: unknown) => void);
        else child.on('exit', (code, signal) => (listener as (code: number) => void)(code ?? (signal ? 1 : 0)));
        return double;
      },
      kill: () => child.kill(),
    };
    return double;
  };
}

describe('the inference worker as an Electron utilityProcess', () => {
  it(
    'generates through the adapter, fails the job of a killed process, restarts it, and serves again',
    { timeout: 90_000 },
    async () => {
      const forks: { modulePath: string; options: UtilityForkOptions }[] = [];
      const states: WorkerState[] = [];
      const worker = new InferenceWorker({
        spawn: utilityProcessWorker(utilityForkDouble(forks), bundle.entry, {
          env: slotEnv({ gpu: 1, device: 'cpu', label: 'cuda:1' }),
        }),
        backoff: { initialMs: 50 },
        onState: (state) => states.push(state),
      });
      try {
        const generator = worker.generator(TINY);
        const steps: number[] = [];
        const first = await generator.generate(greedy(10), { onProgress: ({ step }) => steps.push(step) });
        expect(first.audio).toBeInstanceOf(Float32Array);
        expect(first.audio.length).toBe(7 * 640);
        expect(steps.at(-1)).toBe(10);
        expect(forks[0]).toMatchObject({
          modulePath: bundle.entry,
          options: { serviceName: 'BittAudio inference worker', env: { CUDA_VISIBLE_DEVICES: '1' } },
        });

        let killed = false;
        const crashed = generator.generate(greedy(1500), {
          onProgress: ({ step }) => {
            const ready = states.findLast((s) => s.state === 'ready');
            if (!killed && step >= 1 && ready && 'pid' in ready) {
              killed = true;
              process.kill(ready.pid, 'SIGKILL');
            }
          },
        });
        const error = await crashed.then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(GenerationError);
        expect(error).toMatchObject({ code: 'worker_crashed', message: expect.stringMatching(/exited with code 1/) });
        expect((await generator.generate(greedy(6))).steps).toBe(6);
        expect(forks).toHaveLength(2);
        expect(states.filter((s) => s.state === 'ready')).toHaveLength(2);
      } finally {
        await worker.close();
      }
    },
  );

  it('stops the process it started when the worker closes', { timeout: 60_000 }, async () => {
    const forks: { modulePath: string; options: UtilityForkOptions }[] = [];
    const states: WorkerState[] = [];
    const worker = new InferenceWorker({
      spawn: utilityProcessWorker(utilityForkDouble(forks), bundle.entry),
      onState: (state) => states.push(state),
    });
    await worker.generator(TINY).generate(greedy(5));
    const ready = states.find((s) => s.state === 'ready');
    const pid = ready && 'pid' in ready ? ready.pid : -1;
    await worker.close();
    await new Promise<void>((resolve) => {
      const check = (): void => {
        try {
          process.kill(pid, 0);
          setTimeout(check, 20);
        } catch {
          resolve();
        }
      };
      check();
    });
    expect(states.at(-1)).toEqual({ state: 'stopped' });
  });
});
