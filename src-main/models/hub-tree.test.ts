import { afterEach, describe, expect, it } from 'vitest';
import { HubClient } from './downloader.js';
import { ModelStoreError } from './errors.js';
import { hubFileUrl, hubTreeUrl } from './hub-http.js';
import { parseHubTreePage } from './hub-tree.js';
import { gitBlobSha1, sha256Hex, startFakeHub, testBytes, type FakeHub } from './testing/fake-hub.js';

const FAST_RETRY = { attempts: 2, initialDelayMs: 5, maxDelayMs: 20 };
const REPO = 'etechgrid/prompts_for_TTM';

let hub: FakeHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('dataset URLs', () => {
  it('puts datasets under /datasets and the listing under /api/datasets', () => {
    expect(
      hubFileUrl('https://huggingface.co', { repo: REPO, revision: 'main', path: 'data/a b.csv', repoType: 'dataset' }),
    ).toBe('https://huggingface.co/datasets/etechgrid/prompts_for_TTM/resolve/main/data/a%20b.csv');
    expect(hubTreeUrl('https://huggingface.co/', REPO, 'refs/convert/parquet', 'dataset')).toBe(
      'https://huggingface.co/api/datasets/etechgrid/prompts_for_TTM/tree/refs%2Fconvert%2Fparquet?recursive=true',
    );
    expect(hubTreeUrl('https://huggingface.co', 'a/b', 'main')).toBe(
      'https://huggingface.co/api/models/a/b/tree/main?recursive=true',
    );
  });
});

describe('HubClient.listFiles', () => {
  it('lists every file of a dataset across pages, with the LFS SHA-256 where the hub gives one, and sends the token', async () => {
    const big = testBytes(5000, 3);
    const small = Buffer.from('# card\n');
    hub = await startFakeHub({
      repo: REPO,
      repoType: 'dataset',
      token: 'hf_secret',
      treePageSize: 2,
      files: {
        'README.md': { data: small, lfs: false },
        'data/train-00000-of-00002.parquet': { data: big },
        'data/train-00001-of-00002.parquet': { data: testBytes(10, 4) },
      },
    });
    const client = new HubClient({ endpoint: hub.endpoint, token: 'hf_secret', retry: FAST_RETRY });
    const files = await client.listFiles(REPO, { repoType: 'dataset' });
    expect([...files].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: 'README.md', size: small.byteLength, oid: gitBlobSha1(small), sha256: null },
      { path: 'data/train-00000-of-00002.parquet', size: 5000, oid: sha256Hex(big), sha256: sha256Hex(big) },
      {
        path: 'data/train-00001-of-00002.parquet',
        size: 10,
        oid: sha256Hex(testBytes(10, 4)),
        sha256: sha256Hex(testBytes(10, 4)),
      },
    ]);
    const pages = hub.requests.filter((r) => r.url.startsWith('/api/'));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
  });

  it('names a missing repo or revision, and retries a 503 before answering', async () => {
    hub = await startFakeHub({
      repo: REPO,
      repoType: 'dataset',
      files: { 'a.csv': { data: Buffer.from('text\nx\n') } },
    });
    const client = new HubClient({ endpoint: hub.endpoint, retry: FAST_RETRY });
    await expect(client.listFiles('etechgrid/nope', { repoType: 'dataset' })).rejects.toThrow(
      /no repository etechgrid\/nope/,
    );
    await expect(client.listFiles(REPO, { repoType: 'dataset', revision: 'v9' })).rejects.toThrow(/no revision v9/);
    hub.failWith.set('(tree)', [503]);
    expect((await client.listFiles(REPO, { repoType: 'dataset' })).map((f) => f.path)).toEqual(['a.csv']);
  });
});

describe('parseHubTreePage', () => {
  it('refuses an answer of another shape with a clear error', () => {
    expect(() => parseHubTreePage('<html>', 'x')).toThrow(ModelStoreError);
    expect(() => parseHubTreePage('{"error":"nope"}', 'x')).toThrow(/unexpected shape/);
    expect(() => parseHubTreePage('[{"type":"file","path":"a","oid":"1","size":-1}]', 'x')).toThrow(/unexpected shape/);
    expect(parseHubTreePage('[{"type":"directory","path":"data","oid":"1","size":0}]', 'x')).toEqual([]);
  });
});

describe('a gated dataset', () => {
  it('points at the dataset page to accept its conditions', async () => {
    hub = await startFakeHub({
      repo: REPO,
      repoType: 'dataset',
      gated: true,
      files: { 'a.csv': { data: Buffer.from('x') } },
    });
    const client = new HubClient({ endpoint: hub.endpoint, retry: FAST_RETRY });
    await expect(
      client.download(
        { repo: REPO, revision: 'main', path: 'a.csv', repoType: 'dataset' },
        '/nonexistent/never-written',
      ),
    ).rejects.toThrow(`accept its conditions at ${hub.endpoint}/datasets/${REPO} while logged in`);
  });
});
