import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../audio/decode.js';
import { HubClient } from '../../models/downloader.js';
import { startFakeHub, type FakeHub, type FakeHubFile } from '../../models/testing/fake-hub.js';
import { exactAudioHash } from '../../scoring/audio-hash.js';
import { openDatabase } from '../../store/database.js';
import { DuplicateStore } from '../../store/duplicate-store.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import { BUNDLED_PROMPTS, BundledPromptSource } from './bundled-source.js';
import { createPromptSource, PromptSourceWithFallback } from './create.js';
import { promptSetCacheDir } from './dataset-files.js';
import { csv, parquetSet, testClip } from './testing/prompt-sets.js';

const tempDir = useTempDirs();
const FAST_RETRY = { attempts: 1, initialDelayMs: 1, maxDelayMs: 2 };
const VALIDATION_SET = 'etechgrid/ttm-validation-dataset';
const PROMPT_CSV_SET = 'etechgrid/prompts_for_TTM';

let hub: FakeHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

async function serveDataset(repo: string, files: Record<string, FakeHubFile>): Promise<FakeHub> {
  hub = await startFakeHub({ repo, repoType: 'dataset', files, treePageSize: 2 });
  return hub;
}

const client = (endpoint: string): HubClient => new HubClient({ endpoint, retry: FAST_RETRY });

const validationRows = [
  { prompt: 'Upbeat funk with 4 horns', clip: testClip(21), path: 'funk.wav' },
  { prompt: 'Rainy lo-fi piano', clip: testClip(22), path: 'lofi.wav' },
  { prompt: 'Orchestral fanfare', clip: testClip(23), path: 'fanfare.wav' },
];

describe('hub:etechgrid/ttm-validation-dataset (data/*.parquet)', () => {
  it('downloads the set once through the hub client, draws prompts with clips, and records their hashes', async () => {
    const parquet = parquetSet(validationRows, { rowGroupSize: 2 });
    const served = await serveDataset(VALIDATION_SET, {
      '.gitattributes': { data: Buffer.from('*.parquet filter=lfs\n'), lfs: false },
      'README.md': { data: Buffer.from('---\nlicense: mit\n---\n'), lfs: false },
      'data/train-00000-of-00001.parquet': { data: parquet },
    });
    const dataDir = tempDir();
    const duplicates = new DuplicateStore(openDatabase(tempDir()));
    const source = createPromptSource(
      { kind: 'hub', repo: VALIDATION_SET, revision: 'main' },
      { dataDir, hub: client(served.endpoint), duplicates, seed: 5 },
    );
    const drawn = [await source.next(), await source.next(), await source.next()];
    expect(new Set(drawn.map((p) => p.text))).toEqual(
      new Set(['Upbeat funk with four horns', 'Rainy lo-fi piano', 'Orchestral fanfare']),
    );
    expect(drawn.every((p) => p.source === `hub:${VALIDATION_SET}`)).toBe(true);
    const funk = drawn.find((p) => p.text.startsWith('Upbeat'));
    expect(funk?.reference?.name).toBe('funk.wav');
    const clip = await decodeAudio(testClip(21));
    expect(funk?.reference?.channelData).toEqual(clip.channelData);
    expect(duplicates.get(exactAudioHash(clip.channelData[0] ?? new Float32Array()))?.source).toBe('reference');

    // Fetched once, verified, into the data folder's cache; the README was never needed.
    const cached = join(
      promptSetCacheDir(dataDir, VALIDATION_SET, 'main'),
      'files',
      'data',
      'train-00000-of-00001.parquet',
    );
    expect(readFileSync(cached)).toEqual(Buffer.from(parquet));
    expect(served.contentRequests('data/train-00000-of-00001.parquet')).toHaveLength(1);
    expect(served.contentRequests('README.md')).toHaveLength(0);
    expect(source.describe()).toBe(
      `hub:${VALIDATION_SET} (3 prompts, with reference clips; data/train-00000-of-00001.parquet)`,
    );
  });

  it('works offline from the cache once the set was fetched', async () => {
    const served = await serveDataset(VALIDATION_SET, {
      'data/train-00000-of-00001.parquet': { data: parquetSet(validationRows) },
    });
    const dataDir = tempDir();
    const online = createPromptSource(
      { kind: 'hub', repo: VALIDATION_SET, revision: 'main' },
      {
        dataDir,
        hub: client(served.endpoint),
        seed: 1,
      },
    );
    const first = await online.next();
    const endpoint = served.endpoint;
    await served.close();
    hub = undefined;

    const warnings: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => warnings.push(message),
      error: () => undefined,
      child: () => logger,
    };
    const offline = createPromptSource(
      { kind: 'hub', repo: VALIDATION_SET, revision: 'main' },
      {
        dataDir,
        hub: client(endpoint),
        seed: 1,
        logger,
      },
    );
    const again = await offline.next();
    expect(again.id).toBe(first.id);
    expect(again.reference?.channelData).toEqual(first.reference?.channelData);
    expect(warnings).toContain('The hub could not list the prompt set; using the copy cached earlier');
  });

  it('fetches a file again when the hub says it changed', async () => {
    const dataDir = tempDir();
    let served = await serveDataset(VALIDATION_SET, {
      'data/train.parquet': { data: parquetSet([{ prompt: 'Old prompt', clip: testClip(1) }]) },
    });
    expect(
      (
        await createPromptSource(
          { kind: 'hub', repo: VALIDATION_SET, revision: 'main' },
          { dataDir, hub: client(served.endpoint), seed: 1 },
        ).next()
      ).text,
    ).toBe('Old prompt');
    await served.close();
    served = await serveDataset(VALIDATION_SET, {
      'data/train.parquet': { data: parquetSet([{ prompt: 'New prompt', clip: testClip(2) }]) },
    });
    const source = createPromptSource(
      { kind: 'hub', repo: VALIDATION_SET, revision: 'main' },
      {
        dataDir,
        hub: client(served.endpoint),
        seed: 1,
      },
    );
    expect((await source.next()).text).toBe('New prompt');
  });
});

describe('hub:etechgrid/prompts_for_TTM (a CSV of prompts)', () => {
  it('draws from the text column without reference clips', async () => {
    const served = await serveDataset(PROMPT_CSV_SET, {
      'prompts.csv': {
        data: Buffer.from(csv([['text'], ['Epic 80s synthwave'], ['Mellow jazz, 2 saxophones'], ['Sea shanty']])),
      },
    });
    const source = createPromptSource(
      { kind: 'hub', repo: PROMPT_CSV_SET, revision: 'main' },
      {
        dataDir: tempDir(),
        hub: client(served.endpoint),
        seed: 2,
      },
    );
    const texts = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const prompt = await source.next();
      expect(prompt.reference).toBeNull();
      texts.add(prompt.text);
    }
    expect(texts).toEqual(new Set(['Epic 80s synthwave', 'Mellow jazz, two saxophones', 'Sea shanty']));
  });
});

describe('a hub set in the audiofolder layout', () => {
  it('downloads only the clips of the rows drawn', async () => {
    const served = await serveDataset('someone/ttm-clips', {
      'metadata.csv': {
        data: Buffer.from(
          csv([
            ['file_name', 'Prompts'],
            ['audio/a.wav', 'Clip A'],
            ['audio/b.wav', 'Clip B'],
            ['audio/c.wav', 'Clip C'],
          ]),
        ),
        lfs: false,
      },
      'audio/a.wav': { data: testClip(31) },
      'audio/b.wav': { data: testClip(32) },
      'audio/c.wav': { data: testClip(33) },
    });
    const source = createPromptSource(
      { kind: 'hub', repo: 'someone/ttm-clips', revision: 'main' },
      {
        dataDir: tempDir(),
        hub: client(served.endpoint),
        seed: 4,
      },
    );
    const prompt = await source.next();
    const letter = prompt.text.slice(-1).toLowerCase();
    expect(prompt.reference?.name).toBe(`audio/${letter}.wav`);
    const fetched = ['a', 'b', 'c'].filter((l) => served.contentRequests(`audio/${l}.wav`).length > 0);
    expect(fetched).toEqual([letter]);
  });
});

describe('hub failures', () => {
  it('names a missing repo, and the fallback wrapper answers from the bundled set instead', async () => {
    const served = await serveDataset(VALIDATION_SET, { 'a.csv': { data: Buffer.from('text\nx\n') } });
    const dataDir = tempDir();
    const source = createPromptSource(
      { kind: 'hub', repo: 'etechgrid/missing', revision: 'main' },
      {
        dataDir,
        hub: client(served.endpoint),
        seed: 1,
      },
    );
    await expect(source.next()).rejects.toThrow(/no repository etechgrid\/missing/);
    expect(existsSync(join(dataDir, 'prompt-sets', 'etechgrid', 'missing', 'main', 'listing.json'))).toBe(false);

    const wrapped = new PromptSourceWithFallback(source, new BundledPromptSource(1));
    const prompt = await wrapped.next();
    expect(prompt.source).toBe('bundled');
    expect(BUNDLED_PROMPTS).toContain(prompt.text);
  });

  it('passes a cancel through instead of falling back', async () => {
    const served = await serveDataset(VALIDATION_SET, { 'a.csv': { data: Buffer.from('text\nx\n') } });
    const source = createPromptSource(
      { kind: 'hub', repo: VALIDATION_SET, revision: 'main' },
      {
        dataDir: tempDir(),
        hub: client(served.endpoint),
        seed: 1,
      },
    );
    const wrapped = new PromptSourceWithFallback(source, new BundledPromptSource(1));
    const controller = new AbortController();
    controller.abort(new Error('stopping'));
    await expect(wrapped.next(controller.signal)).rejects.toThrow('stopping');
  });
});
