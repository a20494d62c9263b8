import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ModelEntrySchema,
  ModelTransferProgressSchema,
  type ModelTransferProgress,
} from '../../src-shared/schemas/model-manifest.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { partialPath } from './downloader.js';
import { ModelStoreError } from './errors.js';
import { RECORD_FILE, type InstallRecord } from './install-record.js';
import { modelsDirIn, ModelStore, type ModelStoreOptions } from './store.js';
import { isMonotonic, must, withFlippedByte } from './testing/helpers.js';
import { startFakeHub, testBytes, type FakeHub } from './testing/fake-hub.js';
import { MEDIUM, musicgenFiles, writeFolder } from './testing/model-fixtures.js';

const tempDir = useTempDirs();
const ROOMY = async () => ({ bavail: 1n << 40n, bsize: 4096n });

/** Xenova/musicgen-small as the bundled manifest lists it, with small made-up contents. */
const SMALL_FILES = {
  'config.json': Buffer.from('{"model_type":"musicgen"}'),
  'generation_config.json': Buffer.from('{"guidance_scale":3}'),
  'tokenizer.json': Buffer.from('{"model":{"type":"Unigram"}}'),
  'tokenizer_config.json': Buffer.from('{"tokenizer_class":"T5Tokenizer"}'),
  'onnx/text_encoder_quantized.onnx': testBytes(300_000, 1),
  'onnx/decoder_model_merged_quantized.onnx': testBytes(1_200_000, 2),
  'onnx/encodec_decode.onnx': testBytes(250_000, 3),
  'onnx/text_encoder.onnx': testBytes(400_000, 4),
  'onnx/decoder_model_merged.onnx': testBytes(900_000, 5),
} satisfies Record<string, Buffer>;
const Q8 = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/text_encoder_quantized.onnx',
  'onnx/decoder_model_merged_quantized.onnx',
  'onnx/encodec_decode.onnx',
] as const;
const Q8_BYTES = Q8.reduce((sum, path) => sum + SMALL_FILES[path].byteLength, 0);

let hub: FakeHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

async function setup(options: Partial<ModelStoreOptions> & { token?: string } = {}) {
  hub = await startFakeHub({
    repo: 'Xenova/musicgen-small',
    ...(options.token ? { token: options.token } : {}),
    files: Object.fromEntries(
      Object.entries(SMALL_FILES).map(([path, data]) => [path, { data, lfs: path.startsWith('onnx/') }]),
    ),
  });
  const dataDir = tempDir();
  const store = new ModelStore({
    modelsDir: modelsDirIn(dataDir),
    statfs: ROOMY,
    progressIntervalMs: 0,
    ...options,
    hub: {
      endpoint: hub.endpoint,
      retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
      ...(options.token ? { token: options.token } : {}),
    },
  });
  return { hub, store, dataDir, dir: store.modelDir('musicgen-small') };
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

describe('ModelStore.list', () => {
  it('offers every bundled model and dtype, all missing at first, with the weights licence', async () => {
    const { store, dataDir } = await setup();
    const entries = await store.list();
    expect(entries.map((e) => `${e.id}:${e.dtype}:${e.state}`)).toEqual([
      'musicgen-small:fp32:missing',
      'musicgen-small:fp16:missing',
      'musicgen-small:q8:missing',
      'musicgen-medium:fp32:missing',
      'musicgen-medium:fp16:missing',
      'musicgen-medium:q8:missing',
      'musicgen-large:fp32:missing',
      'musicgen-large:fp16:missing',
      'musicgen-large:q8:missing',
      'clap-larger-music-and-speech:fp32:missing',
      'ast-audioset:fp32:missing',
      'vggish-pre-relu:fp32:missing',
    ]);
    for (const entry of entries) {
      if (entry.kind === 'musicgen') expect(entry.license).toMatchObject({ spdx: 'CC-BY-NC-4.0', nonCommercial: true });
      else expect(entry.license.nonCommercial).toBe(false);
      expect(ModelEntrySchema.parse(entry)).toEqual(entry); // what the Host API will carry
    }
    expect(entries.map((e) => e.kind)).toEqual([
      ...Array<string>(9).fill('musicgen'),
      'clap',
      'audio-classifier',
      'vggish',
    ]);
    const small = must(entries.find((e) => e.id === 'musicgen-small' && e.dtype === 'fp32'));
    expect(small).toMatchObject({
      sourceKind: 'hub',
      protocolModelName: null,
      dir: join(dataDir, 'models', 'Xenova', 'musicgen-small'),
      bytesTotal: null,
    });
    expect(small.approxBytes).toBeGreaterThan(2_000_000_000);
    expect(entries.find((e) => e.id === 'musicgen-large')).toMatchObject({
      sourceKind: 'import',
      protocolModelName: 'facebook/musicgen-large',
    });
    expect(existsSync(join(dataDir, 'models'))).toBe(false);
  });
});

describe('ModelStore.download', () => {
  it('downloads every file of the dtype at one commit, with monotonic progress to 100%, and is ready', async () => {
    const { store, hub, dir, dataDir } = await setup({ token: 'hf_store' });
    hub.throttle = { chunkBytes: 128 * 1024, delayMs: 1 };
    const events: ModelTransferProgress[] = [];
    const entry = await store.download('musicgen-small', 'q8', { onProgress: (p) => events.push(p) });

    expect(entry.state).toBe('ready');
    expect(entry.bytesTotal).toBe(Q8_BYTES);
    for (const path of Q8) expect(readFileSync(join(dir, ...path.split('/'))).equals(SMALL_FILES[path])).toBe(true);
    expect(readdirSync(join(dir, 'onnx')).sort()).toEqual([
      'decoder_model_merged_quantized.onnx',
      'encodec_decode.onnx',
      'text_encoder_quantized.onnx',
    ]);

    expect(isMonotonic(events.map((e) => e.bytes))).toBe(true);
    expect(events.at(-1)).toMatchObject({
      bytes: Q8_BYTES,
      total: Q8_BYTES,
      filesDone: 7,
      filesTotal: 7,
      etaSeconds: 0,
    });
    expect(events.every((e) => e.id === 'musicgen-small' && e.dtype === 'q8')).toBe(true);
    for (const event of events) ModelTransferProgressSchema.parse(event);

    // The first HEAD asks for `main`; everything after is pinned to the commit it resolved to.
    const hubRequests = hub.requests.filter((r) => r.server === 'hub');
    expect(hubRequests[0]?.url).toContain('/resolve/main/');
    expect(hubRequests.slice(1).every((r) => r.url.includes(`/resolve/${hub.commit}/`))).toBe(true);
    expect(hubRequests.every((r) => r.authorization === 'Bearer hf_store')).toBe(true);
    expect(hub.requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined)).toBe(true);

    const record = JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as InstallRecord;
    expect(record).toMatchObject({ repo: 'Xenova/musicgen-small', revision: 'main', commit: hub.commit });
    expect(record.files['onnx/encodec_decode.onnx']?.expected?.source).toBe('hub');

    expect(await store.loadable('musicgen-small', 'q8')).toEqual({
      localModelPath: modelsDirIn(dataDir),
      modelId: 'Xenova/musicgen-small',
      dir,
      dtype: { text_encoder: 'q8', decoder_model_merged: 'q8', encodec_decode: 'fp32' },
      externalData: { text_encoder: false, decoder_model_merged: false, encodec_decode: false },
    });

    // Nothing left to do: no request at all the second time.
    const before = hub.requests.length;
    expect((await store.download('musicgen-small', 'q8')).state).toBe('ready');
    expect(hub.requests.length).toBe(before);
  });

  it('finds a damaged file as corrupt and a new download replaces only that file', async () => {
    const { store, hub, dir } = await setup();
    await store.download('musicgen-small', 'q8');
    const path = join(dir, 'onnx', 'text_encoder_quantized.onnx');
    writeFileSync(path, withFlippedByte(SMALL_FILES['onnx/text_encoder_quantized.onnx'], 123));

    const status = await store.status('musicgen-small', 'q8');
    expect(status.state).toBe('corrupt');
    const refused = await failure(store.loadable('musicgen-small', 'q8'));
    expect(refused.code).toBe('not_ready');
    expect(refused.message).toMatch(
      /is corrupt and cannot be loaded: onnx\/text_encoder_quantized\.onnx: corrupt \(its SHA-256 is/,
    );
    expect(status.files.filter((f) => f.state === 'corrupt').map((f) => f.path)).toEqual([
      'onnx/text_encoder_quantized.onnx',
    ]);

    const gets = hub.requests.length;
    expect((await store.download('musicgen-small', 'q8')).state).toBe('ready');
    const newRequests = hub.requests.slice(gets);
    expect(newRequests.every((r) => r.url.includes('text_encoder_quantized') || r.server === 'cdn')).toBe(true);
    expect(readFileSync(path).equals(SMALL_FILES['onnx/text_encoder_quantized.onnx'])).toBe(true);
  });

  it('is partial after a cancel, and the next download resumes the part with Range', async () => {
    const { store, hub, dir } = await setup();
    hub.throttle = { chunkBytes: 32 * 1024, delayMs: 2 };
    const controller = new AbortController();
    const error = await failure(
      store.download('musicgen-small', 'q8', {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file === 'onnx/decoder_model_merged_quantized.onnx' && p.bytes > 700_000) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('cancelled');
    const status = await store.status('musicgen-small', 'q8');
    expect(status.state).toBe('partial');
    const part = must(status.files.find((f) => f.path === 'onnx/decoder_model_merged_quantized.onnx'));
    expect(part.state).toBe('partial');
    expect(part.bytes).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'onnx', 'decoder_model_merged_quantized.onnx'))).toBe(false);

    hub.throttle = undefined;
    expect((await store.download('musicgen-small', 'q8')).state).toBe('ready');
    const decoderGets = hub.contentRequests('onnx/decoder_model_merged_quantized.onnx');
    expect(decoderGets.at(-1)?.range).toBe(`bytes=${part.bytes}-`);
    expect(existsSync(partialPath(join(dir, 'onnx', 'decoder_model_merged_quantized.onnx')))).toBe(false);
  });

  it('refuses before downloading when the whole model does not fit on the disk', async () => {
    const { store, hub, dir } = await setup({ statfs: async () => ({ bavail: 1000, bsize: 1000 }), reserveBytes: 0 });
    const error = await failure(store.download('musicgen-small', 'q8'));
    expect(error.code).toBe('disk_full');
    expect(error.message).toContain(`${(Q8_BYTES / 1e6).toFixed(2)} MB are needed`);
    expect(hub.requests.filter((r) => r.method === 'GET')).toEqual([]);
    expect(readdirSync(dir).filter((name) => name !== RECORD_FILE)).toEqual([]);
  });

  it('keeps a file already in place when it matches the hub’s hash, without fetching it', async () => {
    const { store, hub, dir } = await setup();
    writeFolder(dir, new Map([['onnx/encodec_decode.onnx', SMALL_FILES['onnx/encodec_decode.onnx']]]));
    expect((await store.download('musicgen-small', 'q8')).state).toBe('ready');
    expect(hub.contentRequests('onnx/encodec_decode.onnx')).toEqual([]);
    expect(hub.contentRequests('onnx/text_encoder_quantized.onnx')).toHaveLength(1);
  });

  it('runs one operation per model at a time', async () => {
    const { store, hub } = await setup();
    hub.throttle = { chunkBytes: 64 * 1024, delayMs: 2 };
    const first = store.download('musicgen-small', 'q8');
    const second = await failure(store.download('musicgen-small', 'fp32'));
    expect(second.code).toBe('busy');
    expect((await first).state).toBe('ready');
  });

  it('says why medium cannot be downloaded and how to get it', async () => {
    const { store } = await setup();
    const error = await failure(store.download('musicgen-medium', 'fp16'));
    expect(error.code).toBe('not_downloadable');
    expect(error.message).toMatch(/optimum.*import the folder/);
  });

  it('names unknown models and dtypes', async () => {
    const { store } = await setup();
    expect((await failure(store.download('musicgen-huge', 'q8'))).message).toMatch(
      /no model musicgen-huge; known: musicgen-small/,
    );
    expect((await failure(store.download('musicgen-small', 'q4'))).message).toMatch(
      /not offered at q4; it is at fp32, fp16, q8/,
    );
  });
});

describe('ModelStore.importFolder', () => {
  it('checks and copies a hand-made musicgen-medium export, which is then ready and later checked against the import', async () => {
    const { store } = await setup();
    const source = tempDir();
    const files = musicgenFiles({
      ...MEDIUM,
      sessions: { text_encoder: 'fp16', decoder_model_merged: 'fp16', encodec_decode: 'fp16' },
      externalDecoderData: true,
      weightBytes: 100_000,
    });
    writeFolder(source, files);
    const events: ModelTransferProgress[] = [];
    const entries = await store.importFolder(source, 'musicgen-medium', { onProgress: (p) => events.push(p) });

    expect(entries.map((e) => `${e.dtype}:${e.state}`)).toEqual(['fp16:ready']);
    expect((await store.loadable('musicgen-medium', 'fp16')).externalData).toEqual({
      text_encoder: false,
      decoder_model_merged: true,
      encodec_decode: false,
    });
    const dir = store.modelDir('musicgen-medium');
    for (const [path, data] of files) expect(readFileSync(join(dir, ...path.split('/'))).equals(data)).toBe(true);
    const total = [...files.values()].reduce((a, b) => a + b.byteLength, 0);
    expect(events.at(-1)).toMatchObject({ bytes: total, total, filesDone: files.size });
    const record = JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as InstallRecord;
    expect(record.files['onnx/decoder_model_merged_fp16.onnx_data']?.expected?.source).toBe('import');

    writeFileSync(join(dir, 'onnx', 'decoder_model_merged_fp16.onnx_data'), testBytes(100_000, 99));
    expect((await store.status('musicgen-medium', 'fp16')).state).toBe('corrupt');
    // The source folder was copied, not moved.
    expect(existsSync(join(source, 'onnx', 'decoder_model_merged_fp16.onnx'))).toBe(true);
  });

  it('refuses an export with problems, lists them all, and installs nothing', async () => {
    const { store } = await setup();
    const source = tempDir();
    writeFolder(
      source,
      musicgenFiles({
        layers: 24,
        heads: 16,
        hidden: 1024,
        sessions: { text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' },
      }),
    );
    const error = await failure(store.importFolder(source, 'musicgen-medium'));
    expect(error.code).toBe('invalid_model');
    expect(error.message).toContain('is not a usable MusicGen medium (1.5B) export (fp32)');
    expect(error.message).toContain(
      '- config.json: decoder.num_hidden_layers is 24, but MusicGen medium (1.5B) has 48',
    );
    expect(existsSync(store.modelDir('musicgen-medium'))).toBe(false);
  });

  it('says what it looked for when the folder has no export at all', async () => {
    const { store } = await setup();
    const error = await failure(store.importFolder(tempDir(), 'musicgen-large'));
    expect(error.code).toBe('invalid_model');
    expect(error.message).toMatch(/no complete MusicGen large \(3\.3B\) export.*onnx\/text_encoder\.onnx/);
  });
});

describe('ModelStore.delete', () => {
  it('removes one dtype’s own files, keeps the shared ones for the other, and the folder with the last', async () => {
    const { store, dir } = await setup();
    await store.download('musicgen-small', 'q8');
    await store.download('musicgen-small', 'fp32');

    await store.delete('musicgen-small', 'q8');
    expect(readdirSync(join(dir, 'onnx')).sort()).toEqual([
      'decoder_model_merged.onnx',
      'encodec_decode.onnx',
      'text_encoder.onnx',
    ]);
    expect((await store.status('musicgen-small', 'fp32')).state).toBe('ready');
    expect((await store.status('musicgen-small', 'q8')).state).toBe('partial');
    const record = JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as InstallRecord;
    expect(Object.keys(record.files)).not.toContain('onnx/text_encoder_quantized.onnx');

    await store.delete('musicgen-small', 'fp32');
    expect(existsSync(dir)).toBe(false);
    expect((await store.status('musicgen-small', 'fp32')).state).toBe('missing');
  });

  it('deletes a whole model, partial files included', async () => {
    const { store, hub, dir } = await setup();
    hub.throttle = { chunkBytes: 32 * 1024, delayMs: 1 };
    const controller = new AbortController();
    await failure(
      store.download('musicgen-small', 'q8', {
        signal: controller.signal,
        onProgress: (p) =>
          p.file === 'onnx/decoder_model_merged_quantized.onnx' && p.bytes > 100_000 && controller.abort(),
      }),
    );
    expect(statSync(partialPath(join(dir, 'onnx', 'decoder_model_merged_quantized.onnx'))).size).toBeGreaterThan(0);
    await store.delete('musicgen-small');
    expect(existsSync(dir)).toBe(false);
  });
});
