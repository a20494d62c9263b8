/**
 * How a local miner of the built-in network behaves (issue #12), so scoring, punishment and
 * anti-gaming are visible within minutes on one machine:
 *
 * - `good`: the tiny MusicGen model answers;
 * - `silent`: never answers (the validator's call times out: punished);
 * - `slow`: answers with the model, but only after `slowSeconds` (past the validator's timeout);
 * - `replay`: answers with the round's reference clip, slightly changed (gain 0.98 and a 1-LSB
 *   dither, which defeats the reference's exact hash but not a fingerprint check).
 *
 * Each is an `Executor` around the shared generator, so the miners keep their real axon, the
 * signature checks and the work scheduler; only what produces the audio differs.
 */
import type { Executor } from '../inference/scheduler.js';
import type { GenerateOptions, GeneratedAudio, MusicGenerator } from '../inference/generate/musicgen.js';
import type { MusicRequest } from '../inference/generate/request.js';

export const LOCAL_MINER_BEHAVIOURS = ['good', 'silent', 'slow', 'replay'] as const;
export type LocalMinerBehaviour = (typeof LOCAL_MINER_BEHAVIOURS)[number];

export interface BehaviourContext {
  generator: MusicGenerator;
  /** The behaviour now (the defaults change while the real validator runs). */
  behaviour: () => LocalMinerBehaviour;
  /** The round's reference clip for a prompt (the replaying miner's "leak"), or null. */
  referenceFor: (prompt: string) => Float32Array | null;
  /** How long a slow miner waits before generating, seconds. */
  slowSeconds: number;
}

/** What a silent miner waits at most before giving up on its own (its caller gave up long before). */
const SILENT_GIVE_UP_MS = 10 * 60_000;

export function behavingExecutor(context: BehaviourContext): Executor {
  return {
    async generate(request: MusicRequest, options: GenerateOptions = {}): Promise<GeneratedAudio> {
      const behaviour = context.behaviour();
      if (behaviour === 'silent') {
        await sleep(SILENT_GIVE_UP_MS, options.signal);
        throw new Error('this local miner is silent');
      }
      if (behaviour === 'slow') await sleep(context.slowSeconds * 1000, options.signal);
      if (behaviour === 'replay') {
        const reference = context.referenceFor(request.prompt);
        if (reference) return replayed(reference, request);
      }
      return context.generator.generate(request, options);
    },
  };
}

/** The reference, gain 0.98, with an alternating ±1 LSB (16-bit) dither. */
export function replayed(reference: Float32Array, request: MusicRequest): GeneratedAudio {
  const audio = new Float32Array(reference.length);
  for (let i = 0; i < audio.length; i++) audio[i] = 0.98 * (reference[i] ?? 0) + (i % 2 === 0 ? 1 : -1) / 32768;
  return {
    audio,
    sampleRate: 32_000,
    model: 'replay',
    dtype: { text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' },
    device: 'cpu',
    steps: request.durationTokens ?? 0,
    seed: null,
    timings: { encodeMs: 0, decodeMs: 0, audioMs: 0, totalMs: 0 },
  };
}

/** Resolves after `ms`, or rejects at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The behaviours when none are given: all good while the test validator runs; with the real
 * validator, the last miner replays and (from three miners) the one before it is silent.
 */
export function defaultBehaviours(miners: number, validatorRunning: boolean): LocalMinerBehaviour[] {
  const behaviours: LocalMinerBehaviour[] = Array.from({ length: miners }, () => 'good');
  if (!validatorRunning || miners < 2) return behaviours;
  behaviours[miners - 1] = 'replay';
  if (miners >= 3) behaviours[miners - 2] = 'silent';
  return behaviours;
}
