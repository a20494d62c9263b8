/**
 * The committed tiny MusicGen (scripts/tiny-musicgen: the optimum graph signatures, random
 * weights) loaded as OrtMusicgen once per dtype, device and options for a whole test file, and the
 * greedy settings the decode-loop tests compare with.
 */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ExecutionProvider } from '../../../../src-shared/schemas/gpu.js';
import type { ModelDtype } from '../../../../src-shared/schemas/model-manifest.js';
import { checkModelFolder, sessionDtypes } from '../model-files.js';
import { OrtMusicgen, type DecodeSettings, type OrtMusicgenOptions } from '../ort-decoder.js';

export const TINY_MUSICGEN = join(import.meta.dirname, '..', '..', '..', '..', 'models', 'tiny', 'musicgen');

/** Greedy decoding with the sampler's other settings at their defaults (they must not matter). */
export const greedySettings = (steps: number, guidanceScale = 3): DecodeSettings => ({
  steps,
  guidanceScale,
  greedy: true,
  topK: 250,
  temperature: 1,
  seed: null,
});

/** A loader that reuses each model within the file and disposes them all after its tests. */
export function tinyOrtModels(): (
  dtype: ModelDtype,
  device?: ExecutionProvider,
  options?: OrtMusicgenOptions,
) => Promise<OrtMusicgen> {
  const loaded = new Map<string, Promise<OrtMusicgen>>();
  afterAll(async () => {
    for (const model of loaded.values()) await (await model).dispose();
  });
  return (dtype, device = 'cpu', options = {}) => {
    const key = JSON.stringify([dtype, device, options]);
    let model = loaded.get(key);
    if (!model) {
      const dtypes = sessionDtypes(dtype);
      model = checkModelFolder(TINY_MUSICGEN, dtypes).then((checked) =>
        OrtMusicgen.load(TINY_MUSICGEN, dtypes, checked.config, device, options),
      );
      loaded.set(key, model);
    }
    return model;
  };
}
