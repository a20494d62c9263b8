/**
 * Manifest kinds and the folder checks of the scoring models, on the committed tiny CLAP, AST and
 * VGGish (models/tiny) and the bundled scoring manifests.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema, type ModelManifest } from '../../src-shared/schemas/model-manifest.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { BUNDLED_MANIFESTS, parseManifest, SCORING_MANIFESTS } from './manifests.js';
import { inspectModelFolder } from './model-folder.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TINY = join(ROOT, 'models', 'tiny');
const tempDir = useTempDirs();

const common = {
  format: 1,
  displayName: 'Tiny',
  repo: 'bittaudio/tiny',
  baseModel: 'bittaudio/tiny',
  protocolModelName: null,
  source: { kind: 'hub', revision: 'main' },
  license: { spdx: 'MIT', url: 'https://opensource.org/license/mit', summary: 's', nonCommercial: false },
  defaultDtype: 'fp32',
};
const onnx = (session: string) => ({ path: `onnx/${session}.onnx`, size: null, sha256: null });
const file = (path: string) => ({ path, size: null, sha256: null });

function manifest(json: Record<string, unknown>): ModelManifest {
  return parseManifest({ ...common, ...json }, 'test');
}

const tinyClap = (architecture = { projectionDim: 8, samplingRate: 48_000, melBins: 64 }) =>
  manifest({
    kind: 'clap',
    id: 'tiny-clap',
    architecture,
    files: ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'].map(file),
    variants: {
      fp32: {
        sessions: { audio_model: 'fp32', text_model: 'fp32' },
        files: [onnx('audio_model'), onnx('text_model')],
      },
    },
  });
const tinyAst = manifest({
  kind: 'audio-classifier',
  id: 'tiny-ast',
  architecture: { numLabels: 527, samplingRate: 16_000, melBins: 128, maxFrames: 1024 },
  files: ['config.json', 'preprocessor_config.json'].map(file),
  variants: { fp32: { sessions: { model: 'fp32' }, files: [onnx('model')] } },
});
const tinyVggish = manifest({
  kind: 'vggish',
  id: 'tiny-vggish',
  architecture: { embeddingSize: 128, samplingRate: 16_000 },
  files: [file('config.json')],
  variants: { fp32: { sessions: { model: 'fp32' }, files: [onnx('model')] } },
});

describe('manifest kinds', () => {
  it('reads a manifest without a kind as MusicGen, so manifests written before kinds stay valid', () => {
    const json = JSON.parse(readFileSync(join(ROOT, 'models', 'manifests', 'xenova-musicgen-small.json'), 'utf8')) as {
      kind?: string;
    };
    expect(json.kind).toBeUndefined();
    expect(parseManifest(json, 'small').kind).toBe('musicgen');
    expect(BUNDLED_MANIFESTS.map((m) => m.kind)).toEqual(['musicgen', 'musicgen', 'musicgen']);
  });

  it('bundles the CLAP, AST and VGGish scoring manifests with their kinds and real shapes', () => {
    expect(SCORING_MANIFESTS.map((m) => [m.kind, m.repo, m.architecture])).toEqual([
      ['clap', 'Xenova/larger_clap_music_and_speech', { projectionDim: 512, samplingRate: 48_000, melBins: 64 }],
      [
        'audio-classifier',
        'Xenova/ast-finetuned-audioset-10-10-0.4593',
        { numLabels: 527, samplingRate: 16_000, melBins: 128, maxFrames: 1024 },
      ],
      ['vggish', 'harritaylor/torchvggish', { embeddingSize: 128, samplingRate: 16_000 }],
    ]);
    // VGGish has no public pre-ReLU export: it is import-only, and says how.
    const vggish = SCORING_MANIFESTS[2];
    expect(vggish?.source).toMatchObject({ kind: 'import', instructions: expect.stringMatching(/ReLU/) });
    expect(vggish?.license).toMatchObject({ spdx: 'Apache-2.0', nonCommercial: false });
  });

  it('refuses an architecture of another kind and an unknown kind, naming the field', () => {
    const clapWithMusicgenShape = {
      ...common,
      kind: 'clap',
      id: 'x',
      architecture: { numHiddenLayers: 2, numAttentionHeads: 2, hiddenSize: 8, numCodebooks: 4, samplingRate: 32_000 },
      files: [],
      variants: { fp32: { sessions: { model: 'fp32' }, files: [onnx('model')] } },
    };
    const result = ModelManifestSchema.safeParse(clapWithMusicgenShape);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('architecture.projectionDim');
    expect(ModelManifestSchema.safeParse({ ...clapWithMusicgenShape, kind: 'whisper' }).success).toBe(false);
  });
});

describe('scoring model folder checks', () => {
  it('finds nothing wrong with the tiny CLAP, AST and VGGish', async () => {
    expect(await inspectModelFolder(join(TINY, 'clap'), tinyClap(), 'fp32')).toEqual({
      problems: [],
      optionalPresent: [],
    });
    expect((await inspectModelFolder(join(TINY, 'ast'), tinyAst, 'fp32')).problems).toEqual([]);
    expect((await inspectModelFolder(join(TINY, 'vggish'), tinyVggish, 'fp32')).problems).toEqual([]);
  });

  it('says when a folder holds another model than the manifest describes', async () => {
    const real = SCORING_MANIFESTS[0];
    if (!real) throw new Error('no CLAP manifest');
    const { problems } = await inspectModelFolder(join(TINY, 'clap'), real, 'fp32');
    expect(problems).toEqual([
      `config.json: projection_dim is 8, but ${real.displayName} has 512 (is this the right model?)`,
    ]);
    const wrongRate = await inspectModelFolder(
      join(TINY, 'clap'),
      tinyClap({ projectionDim: 8, samplingRate: 44_100, melBins: 64 }),
      'fp32',
    );
    expect(wrongRate.problems).toEqual([
      'preprocessor_config.json: sampling_rate is 48000, but Tiny has 44100 (is this the right model?)',
    ]);
  });

  it('names graph inputs and outputs the loader would not find, and missing config files', async () => {
    const dir = join(tempDir(), 'ast');
    cpSync(join(TINY, 'ast'), dir, { recursive: true });
    // The VGGish graph where the classifier should be: other input and output names.
    cpSync(join(TINY, 'vggish', 'onnx', 'model.onnx'), join(dir, 'onnx', 'model.onnx'));
    cpSync(join(TINY, 'vggish', 'config.json'), join(dir, 'config.json'));
    const { problems } = await inspectModelFolder(dir, tinyAst, 'fp32');
    expect(problems).toEqual([
      'onnx/model.onnx: no input input_values',
      'onnx/model.onnx: no output logits',
      'config.json: id2label: Invalid input: expected record, received undefined',
    ]);
  });
});
