import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { HubClient, partialPath, type FileProgress, type HubClientOptions } from './downloader.js';
import { ModelStoreError } from './errors.js';
import { hubFileUrl, hubSettingsFromEnv } from './hub-http.js';
import {
  gitBlobSha1,
  sha256Hex,
  startFakeHub,
  testBytes,
  type FakeHub,
  type FakeHubOptions,
} from './testing/fake-hub.js';
import { isMonotonic, withFlippedByte } from './testing/helpers.js';

const tempDir = useTempDirs();
const REPO = 'Xenova/musicgen-tiny';
const MODEL = testBytes(3 * 1024 * 1024 + 123, 7); // an "ONNX" file of a bit over 3 MiB
const CONFIG = Buffer.from(JSON.stringify({ model_type: 'musicgen', is_encoder_decoder: true }));
const ROOMY = { statfs: async () => ({ bavail: 1n << 40n, bsize: 4096n }) };
const FAST_RETRY = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 };

let hub: FakeHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

async function fakeHub(options: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
  hub = await startFakeHub({
    repo: REPO,
    files: { 'onnx/decoder_model_merged.onnx': { data: MODEL }, 'config.json': { data: CONFIG, lfs: false } },
    ...options,
  });
  return hub;
}

function client(h: FakeHub, options: HubClientOptions = {}): HubClient {
  return new HubClient({ endpoint: h.endpoint, retry: FAST_RETRY, ...ROOMY, ...options });
}

const ref = (path: string, revision = 'main') => ({ repo: REPO, revision, path });

async function failure(promise: Promise<unknown>): Promise<ModelStoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ModelStoreError) return error;
    throw error;
  }
  throw new Error('expected a ModelStoreError');
}

function expectMonotonic(events: FileProgress[], total: number): void {
  expect(events.length).toBeGreaterThan(1);
  expect(isMonotonic(events.map((e) => e.bytes))).toBe(true);
  expect(events.at(-1)).toMatchObject({ bytes: total, total, etaSeconds: 0 });
}

describe('hub URL layout and settings', () => {
  it('builds {endpoint}/{repo}/resolve/{revision}/{path} with each part encoded', () => {
    expect(hubFileUrl('https://huggingface.co/', ref('onnx/text_encoder.onnx'))).toBe(
      'https://huggingface.co/Xenova/musicgen-tiny/resolve/main/onnx/text_encoder.onnx',
    );
    expect(hubFileUrl('https://mirror.example/hf', { repo: 'a/b', revision: 'refs/pr/3', path: 'x y.json' })).toBe(
      'https://mirror.example/hf/a/b/resolve/refs%2Fpr%2F3/x%20y.json',
    );
  });

  it('takes HF_ENDPOINT and HF_TOKEN from the environment, defaulting to huggingface.co', () => {
    expect(hubSettingsFromEnv({})).toEqual({ endpoint: 'https://huggingface.co' });
    expect(hubSettingsFromEnv({ HF_ENDPOINT: 'https://hf-mirror.example/', HF_TOKEN: 'hf_abc' })).toEqual({
      endpoint: 'https://hf-mirror.example',
      token: 'hf_abc',
    });
    expect(hubSettingsFromEnv({ HUGGING_FACE_HUB_TOKEN: 'hf_old' }).token).toBe('hf_old');
  });
});

describe('HubClient.metadata', () => {
  it('reads the LFS SHA-256, size and commit from the hub hop without following the CDN redirect', async () => {
    const h = await fakeHub();
    const meta = await client(h).metadata(ref('onnx/decoder_model_merged.onnx'));
    expect(meta).toMatchObject({
      size: MODEL.byteLength,
      digest: { kind: 'sha256', hex: sha256Hex(MODEL) },
      commit: h.commit,
    });
    expect(h.requests.map((r) => `${r.server} ${r.method}`)).toEqual(['hub HEAD']);
  });

  it('reads a small git file’s blob id from its ETag', async () => {
    const h = await fakeHub();
    const meta = await client(h).metadata(ref('config.json'));
    expect(meta).toMatchObject({ size: CONFIG.byteLength, digest: { kind: 'git-sha1', hex: gitBlobSha1(CONFIG) } });
  });
});

describe('HubClient.download', () => {
  it('follows the redirect to the CDN, verifies the SHA-256 and only then puts the file in place', async () => {
    const h = await fakeHub({ token: 'hf_secret' });
    const dir = tempDir();
    const destination = join(dir, 'onnx', 'decoder_model_merged.onnx');
    const result = await client(h, { token: 'hf_secret' }).download(ref('onnx/decoder_model_merged.onnx'), destination);

    expect(readFileSync(destination).equals(MODEL)).toBe(true);
    expect(result).toMatchObject({ size: MODEL.byteLength, sha256: sha256Hex(MODEL), checkedAgainst: 'hub-sha256' });
    expect(result.commit).toBe(h.commit);
    expect(readdirSync(join(dir, 'onnx'))).toEqual(['decoder_model_merged.onnx']);
    const cdn = h.requests.filter((r) => r.server === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
    expect(h.requests.filter((r) => r.server === 'hub').every((r) => r.authorization === 'Bearer hf_secret')).toBe(
      true,
    );
  });

  it('verifies a small git file against its git blob id', async () => {
    const h = await fakeHub();
    const destination = join(tempDir(), 'config.json');
    const result = await client(h).download(ref('config.json'), destination);
    expect(result).toMatchObject({ checkedAgainst: 'hub-git-sha1', sha256: sha256Hex(CONFIG) });
    expect(readFileSync(destination).equals(CONFIG)).toBe(true);
  });

  it('resumes with Range after the connection drops mid-file, and reports monotonic progress to 100%', async () => {
    const h = await fakeHub();
    const cut = 1_000_000;
    h.dropAfter.set('onnx/decoder_model_merged.onnx', [cut]);
    h.throttle = { chunkBytes: 256 * 1024, delayMs: 2 };
    const events: FileProgress[] = [];
    const destination = join(tempDir(), 'model.onnx');
    const result = await client(h, { progressIntervalMs: 0 }).download(
      ref('onnx/decoder_model_merged.onnx'),
      destination,
      { onProgress: (p) => events.push(p) },
    );

    expect(readFileSync(destination).equals(MODEL)).toBe(true);
    expect(result.resumedFrom).toBe(0);
    const gets = h.contentRequests('onnx/decoder_model_merged.onnx');
    // Bytes already received but still buffered when the socket died are lost, so the resume
    // point is at most the cut.
    expect(gets).toHaveLength(2);
    expect(gets[0]?.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(gets[1]?.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(cut / 2);
    expect(resumedAt).toBeLessThanOrEqual(cut);
    expectMonotonic(events, MODEL.byteLength);
    expect(events.some((e) => e.bytes === resumedAt)).toBe(true);
    expect(events.some((e) => e.bytesPerSecond > 0 && e.etaSeconds !== null && e.etaSeconds > 0)).toBe(true);
  });

  it('retries a stalled connection after the idle timeout and resumes where it stopped', async () => {
    const h = await fakeHub();
    h.stallAfter.set('onnx/decoder_model_merged.onnx', [500_000]);
    const destination = join(tempDir(), 'model.onnx');
    await client(h, { idleTimeoutMs: 200 }).download(ref('onnx/decoder_model_merged.onnx'), destination);
    expect(readFileSync(destination).equals(MODEL)).toBe(true);
    expect(h.contentRequests('onnx/decoder_model_merged.onnx').map((r) => r.range)).toEqual([
      undefined,
      'bytes=500000-',
    ]);
  });

  it('keeps the .part file on cancel, installs nothing, and a later call resumes from it', async () => {
    const h = await fakeHub();
    h.throttle = { chunkBytes: 64 * 1024, delayMs: 5 };
    const destination = join(tempDir(), 'model.onnx');
    const controller = new AbortController();
    const error = await failure(
      client(h, { progressIntervalMs: 0 }).download(ref('onnx/decoder_model_merged.onnx'), destination, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytes >= 600_000) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('cancelled');
    expect(error.message).toMatch(/cancelled.*kept/);
    expect(existsSync(destination)).toBe(false);
    const kept = statSync(partialPath(destination)).size;
    expect(kept).toBeGreaterThanOrEqual(600_000);
    expect(kept).toBeLessThan(MODEL.byteLength);
    expect(readFileSync(partialPath(destination)).equals(MODEL.subarray(0, kept))).toBe(true);

    h.throttle = undefined;
    const result = await client(h).download(ref('onnx/decoder_model_merged.onnx'), destination);
    expect(result.resumedFrom).toBe(kept);
    expect(readFileSync(destination).equals(MODEL)).toBe(true);
    expect(existsSync(partialPath(destination))).toBe(false);
    expect(h.contentRequests('onnx/decoder_model_merged.onnx').at(-1)?.range).toBe(`bytes=${kept}-`);
  });

  it('cancels a download that waits for a retry without waiting out the backoff', async () => {
    const h = await fakeHub();
    // A backoff far longer than the test may run: only a cancel that interrupts it lets the test end.
    const slow = client(h, { retry: { attempts: 5, initialDelayMs: 600_000, maxDelayMs: 600_000 } });
    const metadata = await slow.metadata(ref('onnx/decoder_model_merged.onnx'));
    h.failWith.set('onnx/decoder_model_merged.onnx', [503, 503]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(
      slow.download(ref('onnx/decoder_model_merged.onnx'), join(tempDir(), 'model.onnx'), {
        metadata,
        signal: controller.signal,
      }),
    );
    expect(error.code).toBe('cancelled');
  });

  it('rejects content whose SHA-256 differs from the hub’s, deletes the temp file and installs nothing', async () => {
    const wrong = 'ab'.repeat(32);
    const h = await fakeHub({
      files: { 'onnx/decoder_model_merged.onnx': { data: MODEL, announcedSha256: wrong } },
    });
    const dir = tempDir();
    const destination = join(dir, 'model.onnx');
    const error = await failure(client(h).download(ref('onnx/decoder_model_merged.onnx'), destination));
    expect(error.code).toBe('hash_mismatch');
    expect(error.message).toContain(wrong);
    expect(error.message).toContain(sha256Hex(MODEL));
    expect(error.message).toContain('onnx/decoder_model_merged.onnx');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('checks against the manifest’s hash and refuses before downloading when the hub disagrees', async () => {
    const h = await fakeHub();
    const destination = join(tempDir(), 'model.onnx');
    const error = await failure(
      client(h).download(ref('onnx/decoder_model_merged.onnx'), destination, { expectedSha256: 'cd'.repeat(32) }),
    );
    expect(error.code).toBe('hash_mismatch');
    expect(error.message).toMatch(/manifest expects c{1}d/);
    expect(h.contentRequests('onnx/decoder_model_merged.onnx')).toEqual([]);

    const ok = await client(h).download(ref('onnx/decoder_model_merged.onnx'), destination, {
      expectedSha256: sha256Hex(MODEL),
      expectedSize: MODEL.byteLength,
    });
    expect(ok.checkedAgainst).toBe('manifest');
  });

  it('starts over when a resumed part turns out not to match, and succeeds', async () => {
    const h = await fakeHub();
    const destination = join(tempDir(), 'model.onnx');
    const stale = withFlippedByte(MODEL.subarray(0, 200_000), 10); // a part of some other version of the file
    writeFileSync(partialPath(destination), stale);
    const result = await client(h).download(ref('onnx/decoder_model_merged.onnx'), destination);
    expect(readFileSync(destination).equals(MODEL)).toBe(true);
    expect(result.resumedFrom).toBe(0);
    expect(h.contentRequests('onnx/decoder_model_merged.onnx').map((r) => r.range)).toEqual([
      'bytes=200000-',
      undefined,
    ]);
  });

  it('finishes a part that is already complete without fetching it again', async () => {
    const h = await fakeHub();
    const destination = join(tempDir(), 'model.onnx');
    writeFileSync(partialPath(destination), MODEL);
    await client(h).download(ref('onnx/decoder_model_merged.onnx'), destination);
    expect(readFileSync(destination).equals(MODEL)).toBe(true);
    expect(h.contentRequests('onnx/decoder_model_merged.onnx')).toEqual([]);
  });

  it('restarts from zero when the server ignores Range and answers 200', async () => {
    const h = await fakeHub();
    h.ignoreRange = true;
    const destination = join(tempDir(), 'model.onnx');
    writeFileSync(partialPath(destination), MODEL.subarray(0, 300_000));
    await client(h).download(ref('onnx/decoder_model_merged.onnx'), destination);
    expect(readFileSync(destination).equals(MODEL)).toBe(true);
  });

  it('names the repo, path and revision on a 404', async () => {
    const h = await fakeHub();
    const error = await failure(client(h).download(ref('onnx/missing.onnx'), join(tempDir(), 'x.onnx')));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain(REPO);
    expect(error.message).toContain('onnx/missing.onnx');
    expect(error.message).toContain('revision main');

    const badRevision = await failure(client(h).metadata(ref('config.json', 'v9')));
    expect(badRevision.message).toBe(`${REPO} has no revision v9 on ${h.endpoint} (HTTP 404).`);
  });

  it('says a token is needed on a 401, and that it was refused when one was sent', async () => {
    const h = await fakeHub({ token: 'hf_right' });
    const destination = join(tempDir(), 'model.onnx');
    const missing = await failure(client(h).download(ref('onnx/decoder_model_merged.onnx'), destination));
    expect(missing.code).toBe('unauthorized');
    expect(missing.message).toMatch(/requires a token.*HF_TOKEN/);

    const wrong = await failure(
      client(h, { token: 'hf_wrong' }).download(ref('onnx/decoder_model_merged.onnx'), destination),
    );
    expect(wrong.code).toBe('unauthorized');
    expect(wrong.message).toMatch(/refused the token/);
    expect(wrong.message).not.toContain('hf_wrong');
  });

  it('explains a gated repo', async () => {
    const h = await fakeHub({ gated: true });
    const error = await failure(client(h).metadata(ref('config.json')));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/gated.*accept its conditions/);
  });

  it('refuses when the disk has too little room, before writing anything', async () => {
    const h = await fakeHub();
    const dir = tempDir();
    const seen: string[] = [];
    const error = await failure(
      client(h, {
        reserveBytes: 0,
        statfs: async (path) => {
          seen.push(path);
          return { bavail: 100, bsize: 4096 }; // 400 kB free
        },
      }).download(ref('onnx/decoder_model_merged.onnx'), join(dir, 'onnx', 'model.onnx')),
    );
    expect(error.code).toBe('disk_full');
    expect(error.message).toMatch(/Not enough disk space.*3\.15 MB are needed.*410 kB are free/);
    expect(seen).toEqual([join(dir, 'onnx')]);
    expect(h.contentRequests('onnx/decoder_model_merged.onnx')).toEqual([]);
    expect(readdirSync(join(dir, 'onnx'))).toEqual([]);
  });

  it('counts only the bytes still missing when a part is there', async () => {
    const h = await fakeHub();
    const destination = join(tempDir(), 'model.onnx');
    writeFileSync(partialPath(destination), MODEL.subarray(0, MODEL.byteLength - 1000));
    const free = 2000;
    await client(h, { reserveBytes: 0, statfs: async () => ({ bavail: free, bsize: 1 }) }).download(
      ref('onnx/decoder_model_merged.onnx'),
      destination,
    );
    expect(readFileSync(destination).equals(MODEL)).toBe(true);
  });

  it('asks the hub for a fresh link when the CDN refuses an expired one', async () => {
    const h = await fakeHub();
    h.cdnFailWith.push(403);
    const destination = join(tempDir(), 'model.onnx');
    await client(h).download(ref('onnx/decoder_model_merged.onnx'), destination);
    expect(readFileSync(destination).equals(MODEL)).toBe(true);
    const gets = h.requests.filter((r) => r.method === 'GET').map((r) => r.server);
    expect(gets).toEqual(['hub', 'cdn', 'hub', 'cdn']);
  });

  it('uses HF_ENDPOINT and HF_TOKEN when given neither endpoint nor token', async () => {
    const h = await fakeHub({ token: 'hf_env' });
    vi.stubEnv('HF_ENDPOINT', `${h.endpoint}/`);
    vi.stubEnv('HF_TOKEN', 'hf_env');
    try {
      const fromEnv = new HubClient({ retry: FAST_RETRY });
      expect(fromEnv.endpoint).toBe(h.endpoint);
      expect((await fromEnv.metadata(ref('config.json'))).size).toBe(CONFIG.byteLength);
      expect(h.requests.at(-1)?.authorization).toBe('Bearer hf_env');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('retries 503s with backoff, then gives up with a network error after the set attempts', async () => {
    const h = await fakeHub();
    h.failWith.set('config.json', [503, 503]);
    const destination = join(tempDir(), 'config.json');
    await client(h).download(ref('config.json'), destination);
    expect(readFileSync(destination).equals(CONFIG)).toBe(true);

    h.failWith.set('config.json', [503, 503, 503, 503, 503]);
    const error = await failure(client(h).metadata(ref('config.json')));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/failed 4 times in a row \(the hub answered HTTP 503/);
  });

  it('gives up with a network error when nothing answers on the port', async () => {
    const h = await fakeHub();
    const endpoint = h.endpoint;
    await h.close();
    hub = undefined;
    const error = await failure(new HubClient({ endpoint, retry: FAST_RETRY, ...ROOMY }).metadata(ref('config.json')));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/ECONNREFUSED.*it will resume/);
  });

  it('refuses a file for which neither the manifest nor the hub gives a hash', async () => {
    const h = await fakeHub({ files: { 'config.json': { data: CONFIG, lfs: false, noHash: true } } });
    const error = await failure(client(h).download(ref('config.json'), join(tempDir(), 'config.json')));
    expect(error.code).toBe('no_hash');
  });
});
