/**
 * Importing a folder exported by hand as a new local model, with the committed tiny MusicGen
 * (real graph signatures) and broken copies of it: what is accepted, what is refused and with
 * which words, and that a refused or interrupted import leaves nothing in the store.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelTransferProgress } from '../../src-shared/schemas/model-manifest.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { ModelStoreError } from './errors.js';
import { LOCAL_MANIFEST_FILE } from './local-manifests.js';
import { modelsDirIn, ModelStore } from './store.js';

const TINY = join(import.meta.dirname, '..', '..', 'models', 'tiny', 'musicgen');
const TINY_ID = 'random-musicgen-tiny'; // from config.json's _name_or_path
const tempDir = useTempDirs();

function newStore(modelsDir = modelsDirIn(tempDir())): ModelStore {
  return new ModelStore({ modelsDir, progressIntervalMs: 0 });
}

/** A copy of the tiny model to break. */
function tinyCopy(): string {
  const dir = join(tempDir(), 'my-export');
  cpSync(TINY, dir, { recursive: true });
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<ModelStoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ModelStoreError) return error;
    throw error;
  }
  throw new Error('expected a ModelStoreError');
}

/** Files under the models folder, staging included, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

describe('importing a MusicGen export as a local model', () => {
  it('imports the tiny model under the id its config names, every dtype ready, and keeps it across restarts', async () => {
    const modelsDir = modelsDirIn(tempDir());
    const store = newStore(modelsDir);
    const check = await store.checkImport(TINY);
    expect(check).toMatchObject({ created: true, dtypes: ['fp32', 'fp16', 'q8'] });
    expect(check.manifest).toMatchObject({ id: TINY_ID, repo: `local/${TINY_ID}`, source: { kind: 'import' } });
    expect(check.manifest.architecture).toEqual({
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      hiddenSize: 32,
      numCodebooks: 4,
      samplingRate: 32000,
    });

    const events: ModelTransferProgress[] = [];
    const entries = await store.importFolder(TINY, undefined, { onProgress: (p) => events.push(p) });
    expect(entries.map((e) => `${e.id} ${e.dtype} ${e.state}`)).toEqual([
      `${TINY_ID} fp32 ready`,
      `${TINY_ID} fp16 ready`,
      `${TINY_ID} q8 ready`,
    ]);
    const dir = store.modelDir(TINY_ID);
    expect(dir).toBe(join(modelsDir, 'local', TINY_ID));
    for (const file of check.files) {
      expect(readFileSync(join(dir, file.path)).equals(readFileSync(join(TINY, file.path))), file.path).toBe(true);
    }
    expect(events.at(-1)).toMatchObject({ bytes: check.bytes, total: check.bytes, filesDone: check.files.length });
    expect(events.map((e) => e.bytes)).toEqual([...events.map((e) => e.bytes)].sort((a, b) => a - b));
    expect(filesUnder(join(modelsDir, '.staging'))).toEqual([]);

    // A new store (the next start) offers it, by id or repo, and loads it offline.
    const again = newStore(modelsDir);
    expect(again.resolveModel(`local/${TINY_ID}`).id).toBe(TINY_ID);
    expect((await again.list()).filter((e) => e.id === TINY_ID).map((e) => e.state)).toEqual([
      'ready',
      'ready',
      'ready',
    ]);
    expect(await again.loadable(TINY_ID, 'q8')).toMatchObject({
      localModelPath: modelsDir,
      modelId: `local/${TINY_ID}`,
      dtype: { text_encoder: 'q8', decoder_model_merged: 'q8', encodec_decode: 'q8' },
    });
    // A file changed after the import is caught by its recorded hash.
    writeFileSync(join(dir, 'onnx', 'encodec_decode.onnx'), Buffer.alloc(29858, 1));
    expect((await again.status(TINY_ID, 'fp32')).state).toBe('corrupt');
  });

  it('takes --id for a name of one’s own, adds dtypes on a second import, and forgets the model when it is deleted', async () => {
    const modelsDir = modelsDirIn(tempDir());
    const store = newStore(modelsDir);
    const [entry] = await store.importFolder(TINY, 'my-tiny', { dtype: 'fp32' });
    expect(entry).toMatchObject({ id: 'my-tiny', dtype: 'fp32', state: 'ready' });
    await store.importFolder(TINY, 'my-tiny', { dtype: 'q8' });
    const listed = async (s: ModelStore): Promise<string[]> =>
      (await s.list()).filter((e) => e.id === 'my-tiny').map((e) => `${e.dtype}:${e.state}`);
    expect(await listed(newStore(modelsDir))).toEqual(['fp32:ready', 'q8:ready']);
    await store.delete('my-tiny', 'q8');
    expect(await listed(store)).toEqual(['fp32:ready']);
    expect(await listed(newStore(modelsDir))).toEqual(['fp32:ready']);
    await store.delete('my-tiny');
    expect(await listed(store)).toEqual([]);
    expect(await listed(newStore(modelsDir))).toEqual([]);
  });

  it('refuses ids the store cannot use', async () => {
    const store = newStore();
    expect((await failure(store.checkImport(TINY, { id: 'Not An Id' }))).message).toMatch(
      /"Not An Id" is not a model id/,
    );
  });

  it('refuses the tiny model as musicgen-medium, naming each architecture mismatch', async () => {
    const store = newStore();
    const error = await failure(store.importFolder(TINY, 'musicgen-medium'));
    expect(error.code).toBe('invalid_model');
    expect(error.message).toContain('config.json: decoder.num_hidden_layers is 2, but MusicGen medium (1.5B) has 48');
    expect(error.message).toContain('config.json: decoder.hidden_size is 32, but MusicGen medium (1.5B) has 1536');
    expect(existsSync(store.modelDir('musicgen-medium'))).toBe(false);
  });

  const broken: [string, (dir: string) => void, RegExp[]][] = [
    [
      'a folder with no ONNX graphs',
      (dir) => rmSync(join(dir, 'onnx'), { recursive: true }),
      [/no dtype has all three ONNX graphs.*found none/],
    ],
    [
      'a folder missing one graph of each dtype',
      (dir) => {
        for (const name of ['encodec_decode.onnx', 'encodec_decode_fp16.onnx', 'encodec_decode_quantized.onnx']) {
          rmSync(join(dir, 'onnx', name));
        }
      },
      [/no dtype has all three ONNX graphs.*found only onnx\/text_encoder\.onnx, onnx\/decoder_model_merged\.onnx/],
    ],
    ['a folder without config.json', (dir) => rmSync(join(dir, 'config.json')), [/- config\.json is missing/]],
    [
      'a config that is not MusicGen',
      (dir) => writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 't5' })),
      [/config\.json: model_type: /, /config\.json: decoder: /],
    ],
    [
      'a config that is not JSON',
      (dir) => writeFileSync(join(dir, 'config.json'), '{ "model_type": '),
      [/config\.json: not valid JSON/],
    ],
    [
      'a folder without the tokenizer',
      (dir) => {
        rmSync(join(dir, 'tokenizer.json'));
        rmSync(join(dir, 'tokenizer_config.json'));
      },
      [/- tokenizer\.json is missing/, /- tokenizer_config\.json is missing/],
    ],
    [
      'a truncated decoder graph',
      (dir) => {
        const path = join(dir, 'onnx', 'decoder_model_merged.onnx');
        writeFileSync(path, readFileSync(path).subarray(0, 1000));
      },
      [/fp32: onnx\/decoder_model_merged\.onnx: not a readable ONNX model/],
    ],
    [
      'a config whose layer count the graphs do not have',
      (dir) => {
        const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
          decoder: Record<string, unknown>;
        };
        config.decoder['num_hidden_layers'] = 3;
        writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      },
      [/onnx\/decoder_model_merged\.onnx: the graph has past_key_values for 2 layers, but config\.json says 3/],
    ],
  ];

  for (const [what, breakIt, messages] of broken) {
    it(`refuses ${what}, says what is wrong, and leaves the store empty`, async () => {
      const source = tinyCopy();
      breakIt(source);
      const modelsDir = modelsDirIn(tempDir());
      const store = newStore(modelsDir);
      const error = await failure(store.importFolder(source, undefined));
      expect(error.code).toBe('invalid_model');
      for (const message of messages) expect(error.message).toMatch(message);
      expect(filesUnder(modelsDir)).toEqual([]);
      expect(store.manifests().map((m) => m.id)).not.toContain('my-export');
    });
  }

  it('refuses a path that is not a folder', async () => {
    const store = newStore();
    const file = join(tempDir(), 'model.onnx');
    writeFileSync(file, 'x');
    expect((await failure(store.checkImport(file))).message).toMatch(/is not a folder/);
    expect((await failure(store.checkImport(join(tempDir(), 'nothing-here')))).message).toMatch(/is not a folder/);
  });

  it('leaves nothing half-imported when interrupted, and a later import succeeds', async () => {
    const modelsDir = modelsDirIn(tempDir());
    const store = newStore(modelsDir);
    const controller = new AbortController();
    const error = await failure(
      store.importFolder(TINY, undefined, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.filesDone >= 3) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('cancelled');
    expect(filesUnder(modelsDir)).toEqual([]);
    expect(store.manifests().map((m) => m.id)).not.toContain(TINY_ID);
    expect(
      newStore(modelsDir)
        .manifests()
        .map((m) => m.id),
    ).not.toContain(TINY_ID);

    const entries = await store.importFolder(TINY, undefined);
    expect(entries.every((e) => e.state === 'ready')).toBe(true);
    expect(existsSync(join(store.modelDir(TINY_ID), LOCAL_MANIFEST_FILE))).toBe(true);
  });

  it('removes what an import killed mid-copy left in staging', async () => {
    const modelsDir = modelsDirIn(tempDir());
    // A process id no process has (above the kernel's pid_max).
    const stale = join(modelsDir, '.staging', `${TINY_ID}-99999999-abcd1234`);
    mkdirSync(join(stale, 'onnx'), { recursive: true });
    writeFileSync(join(stale, 'onnx', 'text_encoder.onnx.part'), 'half');
    await newStore(modelsDir).importFolder(TINY, undefined, { dtype: 'fp32' });
    expect(existsSync(stale)).toBe(false);
  });
});

describe('importing a scoring model and loading by kind', () => {
  const VGGISH = join(import.meta.dirname, '..', '..', 'models', 'tiny', 'vggish');

  it('imports a VGGish folder as the import-only vggish-pre-relu, loadable as vggish and refused as MusicGen', async () => {
    const store = newStore();
    const before = (await store.list()).find((e) => e.id === 'vggish-pre-relu');
    expect(before).toMatchObject({ kind: 'vggish', state: 'missing', sourceKind: 'import' });

    const entries = await store.importFolder(VGGISH, 'vggish-pre-relu');
    expect(entries.map((e) => [e.id, e.kind, e.dtype, e.state])).toEqual([
      ['vggish-pre-relu', 'vggish', 'fp32', 'ready'],
    ]);
    const loadable = await store.loadable('vggish-pre-relu', 'fp32', 'vggish');
    expect(loadable).toMatchObject({ modelId: 'harritaylor/torchvggish', dtype: { model: 'fp32' } });

    const wrong = await failure(store.loadable('vggish-pre-relu', 'fp32', 'musicgen'));
    expect(wrong.code).toBe('wrong_kind');
    expect(wrong.message).toBe(
      'VGGish, pre-ReLU embeddings (FAD) (vggish-pre-relu) is a model of kind vggish, not musicgen.',
    );
    expect(() => store.resolveModel('Xenova/larger_clap_music_and_speech', 'musicgen')).toThrow(
      /clap-larger-music-and-speech\) is a model of kind clap, not musicgen/,
    );
    expect(store.resolveModel('Xenova/larger_clap_music_and_speech', 'clap').id).toBe('clap-larger-music-and-speech');
  });

  it('refuses a MusicGen folder imported under a scoring id, naming the graph VGGish needs', async () => {
    const store = newStore();
    const error = await failure(store.importFolder(TINY, 'vggish-pre-relu'));
    expect(error.code).toBe('invalid_model');
    expect(error.message).toBe(
      `${TINY} holds no complete VGGish, pre-ReLU embeddings (FAD) export: none of its dtypes has all its ONNX files (e.g. onnx/model.onnx).`,
    );
    expect(filesUnder(store.modelsDir)).toEqual([]);
  });
});
