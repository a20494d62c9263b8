import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../src-shared/schemas/model-manifest.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { partialPath } from './downloader.js';
import { RECORD_FILE, writeRecord } from './install-record.js';
import { parseManifest } from './manifests.js';
import { sha256Hex, testBytes } from './testing/fake-hub.js';
import { must, withFlippedByte } from './testing/helpers.js';
import { writeFolder } from './testing/model-fixtures.js';
import { verifyModelFolder } from './verify.js';

const tempDir = useTempDirs();

const CONFIG = Buffer.from('{"model_type":"musicgen"}');
const TOKENIZER = Buffer.from('{"model":{}}');
const ENCODER = testBytes(40_000, 1);
const DECODER = testBytes(120_000, 2);
const CODEC = testBytes(30_000, 3);

/** A manifest that knows some hashes (config, encoder) and leaves the rest to the install record. */
function manifest(): ModelManifest {
  return parseManifest(
    {
      format: 1,
      id: 'musicgen-test',
      displayName: 'MusicGen test',
      repo: 'test/musicgen',
      baseModel: 'facebook/musicgen-small',
      protocolModelName: null,
      source: { kind: 'hub', revision: 'main' },
      license: {
        spdx: 'CC-BY-NC-4.0',
        url: 'https://creativecommons.org/licenses/by-nc/4.0/',
        summary: 'nc',
        nonCommercial: true,
      },
      architecture: { numHiddenLayers: 2, numAttentionHeads: 2, hiddenSize: 32, numCodebooks: 4, samplingRate: 32000 },
      files: [
        { path: 'config.json', size: CONFIG.byteLength, sha256: sha256Hex(CONFIG) },
        { path: 'tokenizer.json', size: null, sha256: null },
        { path: 'generation_config.json', size: null, sha256: null, optional: true },
      ],
      variants: {
        fp32: {
          sessions: { text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' },
          files: [
            { path: 'onnx/text_encoder.onnx', size: ENCODER.byteLength, sha256: sha256Hex(ENCODER) },
            { path: 'onnx/decoder_model_merged.onnx', size: null, sha256: null },
            { path: 'onnx/encodec_decode.onnx', size: null, sha256: null },
          ],
        },
      },
      defaultDtype: 'fp32',
    },
    'test',
  );
}

const ALL = new Map<string, Buffer>([
  ['config.json', CONFIG],
  ['tokenizer.json', TOKENIZER],
  ['onnx/text_encoder.onnx', ENCODER],
  ['onnx/decoder_model_merged.onnx', DECODER],
  ['onnx/encodec_decode.onnx', CODEC],
]);

/** The record a download would leave: the hub's hashes of the files the manifest has none for. */
async function recordHubHashes(dir: string, revision = 'main'): Promise<void> {
  const files: Record<string, { expected: { sha256: string; size: number; source: 'hub' } }> = {};
  for (const path of ['tokenizer.json', 'onnx/decoder_model_merged.onnx', 'onnx/encodec_decode.onnx']) {
    const data = must(ALL.get(path), path);
    files[path] = { expected: { sha256: sha256Hex(data), size: data.byteLength, source: 'hub' } };
  }
  await writeRecord(dir, { format: 1, repo: 'test/musicgen', revision, commit: 'a'.repeat(40), files });
}

const stateOf = (check: Awaited<ReturnType<typeof verifyModelFolder>>, path: string) =>
  check.files.find((f) => f.path === path)?.state;

describe('verifyModelFolder', () => {
  it('is missing for an empty or absent folder, and creates nothing', async () => {
    const dir = join(tempDir(), 'none');
    const check = await verifyModelFolder(dir, manifest(), 'fp32');
    expect(check.state).toBe('missing');
    expect(check.bytesPresent).toBe(0);
    expect(() => statSync(dir)).toThrow();
  });

  it('is ready when every file matches the manifest’s or the recorded hub hash', async () => {
    const dir = tempDir();
    writeFolder(dir, ALL);
    await recordHubHashes(dir);
    const check = await verifyModelFolder(dir, manifest(), 'fp32');
    expect(check.state).toBe('ready');
    expect(check.files.map((f) => [f.path, f.state])).toEqual([
      ['config.json', 'ok'],
      ['tokenizer.json', 'ok'],
      ['generation_config.json', 'missing'],
      ['onnx/text_encoder.onnx', 'ok'],
      ['onnx/decoder_model_merged.onnx', 'ok'],
      ['onnx/encodec_decode.onnx', 'ok'],
    ]);
    expect(check.bytesTotal).toBe([...ALL.values()].reduce((a, b) => a + b.byteLength, 0));
  });

  it('finds a flipped byte as corrupt and says which file and why', async () => {
    const dir = tempDir();
    writeFolder(dir, ALL);
    await recordHubHashes(dir);
    const damaged = withFlippedByte(DECODER, 5000);
    writeFileSync(join(dir, 'onnx', 'decoder_model_merged.onnx'), damaged);
    const check = await verifyModelFolder(dir, manifest(), 'fp32');
    expect(check.state).toBe('corrupt');
    const file = must(check.files.find((f) => f.path === 'onnx/decoder_model_merged.onnx'));
    expect(file.state).toBe('corrupt');
    expect(file.reason).toContain(`expected ${sha256Hex(DECODER)}`);
  });

  it('finds a truncated file as corrupt by its size, before hashing', async () => {
    const dir = tempDir();
    writeFolder(dir, ALL);
    writeFileSync(join(dir, 'onnx', 'text_encoder.onnx'), ENCODER.subarray(0, 100));
    const check = await verifyModelFolder(dir, manifest(), 'fp32');
    expect(stateOf(check, 'onnx/text_encoder.onnx')).toBe('corrupt');
    expect(check.files.find((f) => f.path === 'onnx/text_encoder.onnx')?.reason).toBe(
      `has 100 bytes, expected ${ENCODER.byteLength}`,
    );
  });

  it('takes a .part file for a partial download, never for the file', async () => {
    const dir = tempDir();
    const some = new Map(ALL);
    some.delete('onnx/decoder_model_merged.onnx');
    writeFolder(dir, some);
    await recordHubHashes(dir);
    writeFileSync(partialPath(join(dir, 'onnx', 'decoder_model_merged.onnx')), DECODER.subarray(0, 5000));
    const check = await verifyModelFolder(dir, manifest(), 'fp32');
    expect(check.state).toBe('partial');
    expect(check.files.find((f) => f.path === 'onnx/decoder_model_merged.onnx')).toMatchObject({
      state: 'partial',
      bytes: 5000,
    });
  });

  it('does not call files ready that nothing can vouch for (no record, no manifest hash)', async () => {
    const dir = tempDir();
    writeFolder(dir, ALL);
    const check = await verifyModelFolder(dir, manifest(), 'fp32');
    expect(check.state).toBe('partial');
    expect(stateOf(check, 'onnx/decoder_model_merged.onnx')).toBe('unverified');
    expect(stateOf(check, 'onnx/text_encoder.onnx')).toBe('ok');
  });

  it('ignores hub hashes recorded for another revision', async () => {
    const dir = tempDir();
    writeFolder(dir, ALL);
    await recordHubHashes(dir, 'v0.9');
    const check = await verifyModelFolder(dir, manifest(), 'fp32');
    expect(stateOf(check, 'tokenizer.json')).toBe('unverified');
  });

  it('caches hashes by size and mtime: an unchanged file is not hashed again, a touched one is', async () => {
    const dir = tempDir();
    writeFolder(dir, ALL);
    await recordHubHashes(dir);
    // Whole seconds, so that putting the same mtime back below is exact.
    const path = join(dir, 'onnx', 'decoder_model_merged.onnx');
    const mtime = 1_700_000_000;
    utimesSync(path, mtime, mtime);
    let hashed = 0;
    await verifyModelFolder(dir, manifest(), 'fp32', { onHashProgress: (b) => (hashed = b) });
    expect(hashed).toBe([...ALL.values()].reduce((a, b) => a + b.byteLength, 0));
    const record = JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as {
      files: Record<string, { seen?: { sha256: string } }>;
    };
    expect(record.files['onnx/decoder_model_merged.onnx']?.seen?.sha256).toBe(sha256Hex(DECODER));

    // Same size and mtime, different content: the cache is trusted, so nothing is hashed.
    writeFileSync(path, withFlippedByte(DECODER, 0));
    utimesSync(path, mtime, mtime);
    hashed = 0;
    expect((await verifyModelFolder(dir, manifest(), 'fp32', { onHashProgress: (b) => (hashed = b) })).state).toBe(
      'ready',
    );
    expect(hashed).toBe(0);

    // A new mtime makes it look again, and the change is found.
    utimesSync(path, mtime, mtime + 5);
    const check = await verifyModelFolder(dir, manifest(), 'fp32', { onHashProgress: (b) => (hashed = b) });
    expect(hashed).toBe(DECODER.byteLength);
    expect(check.state).toBe('corrupt');

    // The cached verdict stands without hashing; recheck ignores the cache and hashes everything.
    hashed = 0;
    expect((await verifyModelFolder(dir, manifest(), 'fp32', { onHashProgress: (b) => (hashed = b) })).state).toBe(
      'corrupt',
    );
    expect(hashed).toBe(0);
    const again = await verifyModelFolder(dir, manifest(), 'fp32', {
      recheck: true,
      onHashProgress: (b) => (hashed = b),
    });
    expect(again.state).toBe('corrupt');
    expect(hashed).toBe([...ALL.values()].reduce((a, b) => a + b.byteLength, 0));
  });

  it('treats a damaged record as absent: files are hashed again, nothing crashes', async () => {
    const dir = tempDir();
    writeFolder(dir, ALL);
    writeFileSync(join(dir, RECORD_FILE), '{"format": 1, "files": [oops');
    const check = await verifyModelFolder(dir, manifest(), 'fp32');
    expect(check.state).toBe('partial');
    expect(stateOf(check, 'config.json')).toBe('ok');
  });

  it('refuses a dtype the manifest does not offer', async () => {
    await expect(verifyModelFolder(tempDir(), manifest(), 'q4')).rejects.toThrow(/not offered at q4/);
  });
});
