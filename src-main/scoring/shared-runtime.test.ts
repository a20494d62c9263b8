/**
 * MusicGen and the scoring models in one process share transformers.js's process-wide state
 * through one runtime (inference/transformers-runtime.ts): a CLAP and an AST loading while a
 * seeded MusicGen generation loads and samples change neither the audio nor the embeddings.
 * Real tiny models (models/tiny), real transformers.js and onnxruntime on the CPU.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MusicgenGenerator } from '../inference/generate/musicgen.js';
import { AudioClassifierRunner } from './classifier-runner.js';
import { ClapRunner } from './clap-runner.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny');
const request = { prompt: 'lofi beat with piano', durationTokens: 12, seed: 11 };
const opened: { dispose(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(opened.map((o) => o.dispose()));
});

function track<T extends { dispose(): Promise<void> }>(value: T): T {
  opened.push(value);
  return value;
}

describe('one transformers.js runtime for MusicGen and the scoring models', () => {
  it('loads CLAP and AST beside a seeded MusicGen generation without changing either result', async () => {
    // Alone first: the generation, then the CLAP text embedding.
    const lone = track(new MusicgenGenerator({ dir: join(TINY, 'musicgen'), dtype: 'fp32' }));
    const alone = await lone.generate(request);
    const loneClap = track(await ClapRunner.load({ dir: join(TINY, 'clap') }));
    const loneText = (await loneClap.embedText([request.prompt])).embeddings[0];

    // Then together: a fresh generator loads and samples while the scoring models load from
    // another folder (transformers.js's env points at one folder at a time).
    const fresh = track(new MusicgenGenerator({ dir: join(TINY, 'musicgen'), dtype: 'fp32' }));
    const [together, clap, ast] = await Promise.all([
      fresh.generate(request),
      ClapRunner.load({ dir: join(TINY, 'clap') }),
      AudioClassifierRunner.load({ dir: join(TINY, 'ast') }),
    ]);
    track(clap);
    track(ast);
    expect(together.seed).toBe(11);
    expect(Array.from(together.audio)).toEqual(Array.from(alone.audio));
    const text = (await clap.embedText([request.prompt])).embeddings[0];
    expect(Array.from(text ?? [])).toEqual(Array.from(loneText ?? []));
  });
});
