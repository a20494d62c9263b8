/**
 * The validator's scoring settings resolved against a real ModelStore in a temp data dir, with the
 * committed tiny CLAP, AST and VGGish imported under manifests of their shapes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsPatchSchema, SettingsSchema } from '../../src-shared/schemas/settings.js';
import { modelsDirIn, ModelStore, OFFERED_MANIFESTS, parseManifest } from '../models/index.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { resolveScoringModels, ScoringModelsError, type ScoringSettings } from './scoring-settings.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny');
const tempDir = useTempDirs();

const common = {
  format: 1,
  baseModel: 'bittaudio/tiny',
  protocolModelName: null,
  source: { kind: 'import', instructions: 'Import models/tiny.' },
  license: { spdx: 'MIT', url: 'https://opensource.org/license/mit', summary: 'Tiny.', nonCommercial: false },
  defaultDtype: 'fp32',
};
const file = (path: string) => ({ path, size: null, sha256: null });
const onnx = (session: string) => file(`onnx/${session}.onnx`);

const TINY_MANIFESTS = [
  parseManifest(
    {
      ...common,
      kind: 'clap',
      id: 'tiny-clap',
      displayName: 'Tiny CLAP',
      repo: 'bittaudio/tiny-clap',
      architecture: { projectionDim: 8, samplingRate: 48_000, melBins: 64 },
      files: ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'].map(file),
      variants: {
        fp32: {
          sessions: { audio_model: 'fp32', text_model: 'fp32' },
          files: [onnx('audio_model'), onnx('text_model')],
        },
      },
    },
    'tiny-clap',
  ),
  parseManifest(
    {
      ...common,
      kind: 'audio-classifier',
      id: 'tiny-ast',
      displayName: 'Tiny AST',
      repo: 'bittaudio/tiny-ast',
      architecture: { numLabels: 527, samplingRate: 16_000, melBins: 128, maxFrames: 1024 },
      files: ['config.json', 'preprocessor_config.json'].map(file),
      variants: { fp32: { sessions: { model: 'fp32' }, files: [onnx('model')] } },
    },
    'tiny-ast',
  ),
  parseManifest(
    {
      ...common,
      kind: 'vggish',
      id: 'tiny-vggish',
      displayName: 'Tiny VGGish',
      repo: 'bittaudio/tiny-vggish',
      architecture: { embeddingSize: 128, samplingRate: 16_000 },
      files: [file('config.json')],
      variants: { fp32: { sessions: { model: 'fp32' }, files: [onnx('model')] } },
    },
    'tiny-vggish',
  ),
];

function newStore(): ModelStore {
  return new ModelStore({
    modelsDir: modelsDirIn(tempDir()),
    manifests: [...OFFERED_MANIFESTS, ...TINY_MANIFESTS],
    progressIntervalMs: 0,
  });
}

const TINY_SETTINGS: ScoringSettings = {
  scoringProfile: 'fixed',
  scoringClapModel: 'tiny-clap',
  scoringClassifierModel: 'bittaudio/tiny-ast', // a repo names a model too
  scoringVggishModel: 'tiny-vggish',
  scoringDevice: 'cpu',
};

async function problemsOf(work: Promise<unknown>): Promise<readonly string[]> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ScoringModelsError) return error.problems;
    throw error;
  }
  throw new Error('expected a ScoringModelsError');
}

describe('scoring settings', () => {
  it('default to the reference profile, the bundled CLAP and AST, no VGGish, on the CPU', () => {
    expect(SettingsSchema.parse(DEFAULT_SETTINGS)).toMatchObject({
      scoringProfile: 'bittaudio-1.1.3',
      scoringClapModel: 'clap-larger-music-and-speech',
      scoringClassifierModel: 'ast-audioset',
      scoringVggishModel: null,
      scoringDevice: 'cpu',
    });
    // The defaults name models the store offers, of the right kinds.
    const store = newStore();
    expect(store.resolveModel(DEFAULT_SETTINGS.scoringClapModel, 'clap').repo).toBe(
      'Xenova/larger_clap_music_and_speech',
    );
    expect(store.resolveModel(DEFAULT_SETTINGS.scoringClassifierModel, 'audio-classifier').repo).toBe(
      'Xenova/ast-finetuned-audioset-10-10-0.4593',
    );
  });

  it('refuses an unknown profile or device and an empty model name, naming the setting', () => {
    for (const patch of [{ scoringProfile: 'bittaudio-9' }, { scoringDevice: 'tpu' }, { scoringClapModel: '  ' }]) {
      const parsed = SettingsPatchSchema.safeParse(patch);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(Object.keys(patch));
    }
  });

  it('resolves each setting to the installed folder of a model of its kind, on the scoring device', async () => {
    const store = newStore();
    await store.importFolder(join(TINY, 'clap'), 'tiny-clap');
    await store.importFolder(join(TINY, 'ast'), 'tiny-ast');
    await store.importFolder(join(TINY, 'vggish'), 'tiny-vggish');
    const models = await resolveScoringModels({ ...TINY_SETTINGS, scoringDevice: 'cuda' }, store);
    expect(models).toEqual({
      profile: 'fixed',
      clap: { id: 'tiny-clap', repo: 'bittaudio/tiny-clap', dir: store.modelDir('tiny-clap'), device: 'cuda' },
      classifier: { id: 'tiny-ast', repo: 'bittaudio/tiny-ast', dir: store.modelDir('tiny-ast'), device: 'cuda' },
      vggish: { id: 'tiny-vggish', repo: 'bittaudio/tiny-vggish', dir: store.modelDir('tiny-vggish'), device: 'cuda' },
    });
    // No VGGish configured: scored without FAD.
    expect((await resolveScoringModels({ ...TINY_SETTINGS, scoringVggishModel: null }, store)).vggish).toBeNull();
  });

  it('names every setting at fault at once: not installed, unknown, and of another kind', async () => {
    const store = newStore();
    await store.importFolder(join(TINY, 'ast'), 'tiny-ast');
    const problems = await problemsOf(
      resolveScoringModels({ ...TINY_SETTINGS, scoringClapModel: 'tiny-clap', scoringVggishModel: 'tiny-ast' }, store),
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^The CLAP model \(scoringClapModel = tiny-clap\): Tiny CLAP \(fp32\) is missing and cannot be loaded/,
    );
    expect(problems[1]).toBe(
      'The VGGish model (scoringVggishModel = tiny-ast): Tiny AST (tiny-ast) is a model of kind audio-classifier, not vggish.',
    );

    const unknown = await problemsOf(
      resolveScoringModels({ ...TINY_SETTINGS, scoringClapModel: 'no-such-clap' }, store),
    );
    expect(unknown[0]).toMatch(
      /^The CLAP model \(scoringClapModel = no-such-clap\): There is no model no-such-clap; known: /,
    );
  });

  it('says where to fix it in its message', async () => {
    const error = await resolveScoringModels(
      { ...TINY_SETTINGS, scoringClassifierModel: 'musicgen-small' },
      newStore(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScoringModelsError);
    expect((error as Error).message).toMatch(/^The validator cannot score: /);
    expect((error as Error).message).toMatch(
      /MusicGen small \(300M\) \(musicgen-small\) is a model of kind musicgen, not audio-classifier\./,
    );
    expect((error as Error).message).toMatch(/Settings → Models/);
  });
});
