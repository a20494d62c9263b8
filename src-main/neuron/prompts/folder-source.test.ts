import { describe, expect, it } from 'vitest';
import { interleave } from '../../audio/channels.js';
import { decodeAudio } from '../../audio/decode.js';
import { exactAudioHash } from '../../scoring/audio-hash.js';
import { openDatabase } from '../../store/database.js';
import { DuplicateStore } from '../../store/duplicate-store.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import type { ValidatorPrompt } from '../validator-ports.js';
import { parsePromptSourceArg } from '../../../src-shared/schemas/prompts.js';
import { createPromptSource } from './create.js';
import { FolderDatasetFiles } from './dataset-files.js';
import { DatasetPromptSource } from './dataset-source.js';
import { openPromptTable } from './dataset-table.js';
import { PromptSetError } from './errors.js';
import { csv, parquetSet, testClip, writeSet } from './testing/prompt-sets.js';

const tempDir = useTempDirs();
const NOW = (): Date => new Date('2026-12-03T07:00:00.000Z');

async function drawAll(source: DatasetPromptSource, count: number): Promise<ValidatorPrompt[]> {
  const out: ValidatorPrompt[] = [];
  for (let i = 0; i < count; i++) out.push(await source.next());
  return out;
}

describe('a folder in the ttm-validation-dataset layout (data/*.parquet with WAV bytes)', () => {
  const rows = [
    { prompt: 'Calm piano with 3 violins', clip: testClip(1), path: 'one.wav' },
    { prompt: 'Dark techno at 130 BPM', clip: testClip(2), path: 'two.wav' },
    { prompt: 'Bright ukulele and claps', clip: testClip(3, { channels: 2 }), path: 'three.wav' },
    { prompt: 'Slow ambient drone', clip: testClip(4), path: 'four.wav' },
  ];

  it('reads prompts from every shard and each drawn row’s clip from a later row group', async () => {
    const root = writeSet(tempDir(), {
      'data/train-00000-of-00002.parquet': parquetSet(rows.slice(0, 3), { rowGroupSize: 2 }),
      'data/train-00001-of-00002.parquet': parquetSet(rows.slice(3), { rowGroupSize: 2 }),
      'README.md': '---\ndataset_info: {}\n---\n',
    });
    const table = await openPromptTable(new FolderDatasetFiles(root));
    expect(table.size).toBe(4);
    expect(table.hasReferences).toBe(true);
    expect([0, 1, 2, 3].map((i) => table.prompt(i))).toEqual(rows.map((r) => r.prompt));
    expect(table.rowId(3)).toBe('data/train-00001-of-00002.parquet#0');

    const stereo = await table.reference(2);
    const expected = await decodeAudio(testClip(3, { channels: 2 }));
    expect(stereo?.name).toBe('three.wav');
    expect(stereo?.sampleRate).toBe(8000);
    expect(stereo?.channelData).toEqual(expected.channelData);
  });

  it('draws in a seeded order, spells digits out, and records each reference clip in the duplicate set', async () => {
    const root = writeSet(tempDir(), { 'data/train.parquet': parquetSet(rows, { rowGroupSize: 2 }) });
    const duplicates = new DuplicateStore(openDatabase(tempDir()));
    const source = new DatasetPromptSource(new FolderDatasetFiles(root), {
      source: `folder:${root}`,
      seed: 9,
      ledger: duplicates,
      now: NOW,
    });
    expect(source.describe()).toMatch(/not loaded/);
    const drawn = await drawAll(source, 4);
    expect(source.describe()).toBe(`folder:${root} (4 prompts, with reference clips; data/train.parquet)`);
    expect(drawn.map((p) => p.text).sort()).toEqual(
      [
        'Bright ukulele and claps',
        'Calm piano with three violins',
        'Dark techno at one hundred and thirty BPM',
        'Slow ambient drone',
      ].sort(),
    );
    for (const prompt of drawn) expect(prompt.source).toBe(`folder:${root}`);

    // The exact key the scorer computes for a response equal to the clip (interleaved for stereo).
    const dark = drawn.find((p) => p.text.startsWith('Dark'));
    const clip = await decodeAudio(testClip(2));
    expect(dark?.reference?.channelData).toEqual(clip.channelData);
    const key = exactAudioHash(clip.channelData[0] ?? new Float32Array());
    expect(duplicates.get(key)).toEqual({
      hash: key,
      firstSeen: NOW().toISOString(),
      source: 'reference',
      hotkey: null,
    });
    expect(duplicates.count()).toBe(4);
    // soundfile reads a stereo clip as interleaved frames; that is what the reference hashes.
    const stereo = await decodeAudio(testClip(3, { channels: 2 }));
    expect(duplicates.get(exactAudioHash(interleave(stereo.channelData)))?.source).toBe('reference');

    const same = new DatasetPromptSource(new FolderDatasetFiles(root), { source: 'x', seed: 9 });
    expect((await drawAll(same, 4)).map((p) => p.id)).toEqual(drawn.map((p) => p.id));
    const other = new DatasetPromptSource(new FolderDatasetFiles(root), { source: 'x', seed: 10 });
    const otherIds = (await drawAll(other, 4)).map((p) => p.id);
    expect(otherIds).not.toEqual(drawn.map((p) => p.id));
    expect(otherIds.sort()).toEqual(drawn.map((p) => p.id).sort());
  });

  it('redraws rows that break the rules or whose clip is missing or unreadable, and says so in the log', async () => {
    const warnings: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string, fields?: Record<string, unknown>) =>
        warnings.push(`${message} ${String(fields?.['row'])}`),
      error: () => undefined,
      child: () => logger,
    };
    const root = writeSet(tempDir(), {
      'data/train.parquet': parquetSet([
        { prompt: 'x'.repeat(300), clip: testClip(1) },
        { prompt: 'No clip here', clip: null },
        { prompt: 'A broken clip', clip: Buffer.from('RIFF....WAVEjunk') },
        { prompt: '   ', clip: testClip(5) },
        { prompt: 'The only good row', clip: testClip(6) },
      ]),
    });
    const source = new DatasetPromptSource(new FolderDatasetFiles(root), { source: 'folder', seed: 1, logger });
    const drawn = await drawAll(source, 3);
    expect(drawn.map((p) => p.text)).toEqual(['The only good row', 'The only good row', 'The only good row']);
    expect(warnings.some((w) => w.includes('data/train.parquet#1'))).toBe(true);
    expect(warnings.some((w) => w.includes('data/train.parquet#2'))).toBe(true);
  });

  it('fails with a clear error when no row of the set can be used', async () => {
    const root = writeSet(tempDir(), {
      'data/train.parquet': parquetSet([{ prompt: 'y'.repeat(400), clip: testClip(1) }]),
    });
    const source = new DatasetPromptSource(new FolderDatasetFiles(root), { source: 'folder:bad', seed: 1 });
    await expect(source.next()).rejects.toThrow(/folder:bad: no usable prompt in \d+ draws/);
  });
});

describe('a folder in the audiofolder layout (metadata.csv + audio/*.wav)', () => {
  it('pairs each prompt with its clip, named relative to the metadata file', async () => {
    const root = writeSet(tempDir(), {
      'metadata.csv': csv([
        ['file_name', 'Prompts'],
        ['audio/a.wav', 'Funky bass, "tight" drums, horns'],
        ['audio/b.wav', 'Soft harp'],
      ]),
      'audio/a.wav': testClip(11),
      'audio/b.wav': testClip(12),
    });
    const table = await openPromptTable(new FolderDatasetFiles(root));
    expect(table.size).toBe(2);
    expect(table.prompt(0)).toBe('Funky bass, "tight" drums, horns');
    expect(table.rowId(1)).toBe('audio/b.wav');
    const clip = await table.reference(1);
    expect(clip?.name).toBe('audio/b.wav');
    expect(clip?.channelData).toEqual((await decodeAudio(testClip(12))).channelData);
  });

  it('refuses a row that points outside the set', async () => {
    const root = writeSet(tempDir(), {
      'metadata.csv': csv([
        ['file_name', 'prompt'],
        ['../../secret.wav', 'Sneaky'],
      ]),
    });
    const table = await openPromptTable(new FolderDatasetFiles(root));
    await expect(table.reference(0)).rejects.toThrow(/not a relative path inside the set/);
  });

  it('names the columns it needs when the header has none of them', async () => {
    const root = writeSet(tempDir(), {
      'metadata.csv': csv([
        ['clip', 'words'],
        ['a.wav', 'x'],
      ]),
    });
    await expect(openPromptTable(new FolderDatasetFiles(root))).rejects.toThrow(
      /needs a prompt column .* header is clip, words/,
    );
  });
});

describe('a folder of prompt-only CSV (prompts_for_TTM layout)', () => {
  it('reads the text column of a headed CSV, with quoted commas and newlines', async () => {
    const root = writeSet(tempDir(), {
      'train.csv': csv([
        ['id', 'text'],
        ['0', 'Lofi, rainy, slow'],
        ['1', 'Two\nlines'],
        ['2', ''],
      ]),
    });
    const source = new DatasetPromptSource(new FolderDatasetFiles(root), { source: 'folder', seed: 3 });
    const drawn = await drawAll(source, 4);
    expect(new Set(drawn.map((p) => p.text))).toEqual(new Set(['Lofi, rainy, slow', 'Two lines']));
    expect(drawn.every((p) => p.reference === null)).toBe(true);
  });

  it("reads a header-less one-column file like the reference's ttm_prompts.csv", async () => {
    const root = writeSet(tempDir(), { 'ttm_prompts.csv': 'Jazz trio\nSolo cello\n' });
    const table = await openPromptTable(new FolderDatasetFiles(root));
    expect([table.prompt(0), table.prompt(1)]).toEqual(['Jazz trio', 'Solo cello']);
  });

  it('refuses a many-column CSV without a prompt column', async () => {
    const root = writeSet(tempDir(), {
      'x.csv': csv([
        ['a', 'b'],
        ['1', '2'],
      ]),
    });
    await expect(openPromptTable(new FolderDatasetFiles(root))).rejects.toThrow(/no prompt column .* header is a, b/);
  });
});

describe('folder errors', () => {
  it('says when the folder is missing, is a file, or holds no set', async () => {
    const dir = tempDir();
    await expect(openPromptTable(new FolderDatasetFiles(`${dir}/missing`))).rejects.toThrow(PromptSetError);
    writeSet(dir, { 'notes.txt': 'hello' });
    await expect(openPromptTable(new FolderDatasetFiles(`${dir}/notes.txt`))).rejects.toThrow(/is not a folder/);
    await expect(openPromptTable(new FolderDatasetFiles(dir))).rejects.toThrow(/holds no prompt set/);
  });

  it('says which Parquet file is damaged, and which has no prompt column', async () => {
    const bad = writeSet(tempDir(), { 'data/train.parquet': 'not parquet at all' });
    await expect(openPromptTable(new FolderDatasetFiles(bad))).rejects.toThrow(
      /data\/train.parquet is not a readable Parquet file/,
    );
    const wrong = writeSet(tempDir(), {
      'data/train.parquet': parquetSet([{ prompt: 'x', clip: testClip(1) }], { promptColumn: 'lyrics' }),
    });
    await expect(openPromptTable(new FolderDatasetFiles(wrong))).rejects.toThrow(
      /no prompt column .* it has lyrics, File_Path/,
    );
  });
});

describe('a Parquet set whose audio cells hold only a path', () => {
  it('reads the clip from the set’s files, and names a missing one', async () => {
    const root = writeSet(tempDir(), {
      'data/train.parquet': parquetSet([
        { prompt: 'Stored beside', clip: new Uint8Array(0), path: 'clips/x.wav' },
        { prompt: 'Lost clip', clip: new Uint8Array(0), path: 'clips/missing.wav' },
      ]),
      'clips/x.wav': testClip(41),
    });
    const table = await openPromptTable(new FolderDatasetFiles(root));
    const clip = await table.reference(0);
    expect(clip?.name).toBe('clips/x.wav');
    expect(clip?.channelData).toEqual((await decodeAudio(testClip(41))).channelData);
    await expect(table.reference(1)).rejects.toThrow(/the clip clips\/missing.wav cannot be read/);
  });
});

describe('createPromptSource', () => {
  const unusedHub = {
    listFiles: () => Promise.reject(new Error('the hub is not used here')),
    download: () => Promise.reject(new Error('the hub is not used here')),
  };

  it('builds a folder source labelled as --prompts names it, and a bundled one', async () => {
    const root = writeSet(tempDir(), { 'prompts.csv': csv([['prompt'], ['Only one']]) });
    const folder = createPromptSource(parsePromptSourceArg(`folder:${root}`), {
      dataDir: tempDir(),
      hub: unusedHub,
      seed: 1,
    });
    expect(await folder.next()).toEqual({
      id: 'prompts.csv#0',
      text: 'Only one',
      reference: null,
      source: `folder:${root}`,
    });
    const bundled = createPromptSource(parsePromptSourceArg('bundled'), {
      dataDir: tempDir(),
      hub: unusedHub,
      seed: 1,
    });
    expect((await bundled.next()).source).toBe('bundled');
  });

  it('refuses a config that does not parse', () => {
    expect(() =>
      createPromptSource(
        { kind: 'hub', repo: '../x', revision: 'main' },
        { dataDir: tempDir(), hub: unusedHub, seed: 1 },
      ),
    ).toThrow(/owner\/name/);
  });
});
