/**
 * The daemon's media route and the page's CSP nonce, over real HTTP: clips of the generation
 * history by session token in the query, byte ranges for <audio> seeking, nothing else on disk.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { openDatabase } from '../store/database.js';
import { ValidatorStore } from '../store/validator-store.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { startHostServer, type HostServer } from './server.js';

const tempDir = useTempDirs();
let engine: Engine;
let server: HostServer;
let wav: Buffer;

const PAGE = `<!doctype html><html><head><meta charset="UTF-8" /><meta name="csp-nonce" content="" /><title>BittAudio</title></head><body></body></html>`;

beforeEach(async () => {
  const dir = tempDir();
  const ui = join(dir, 'ui');
  mkdirSync(ui);
  writeFileSync(join(ui, 'index.html'), PAGE);
  writeFileSync(join(ui, 'app.js'), 'console.log(1)');
  engine = new Engine({ dataDir: dir, host: 'daemon' });
  const samples = Float32Array.from({ length: 3200 }, (_, i) => Math.sin(i / 7) * 0.5);
  const stored = engine.generations.record(
    {
      time: new Date().toISOString(),
      role: 'miner',
      caller: '5Validator',
      prompt: 'a tone',
      durationTokens: 8,
      model: 'tiny',
      device: 'cpu',
      status: 'ok',
      error: null,
      queuedMs: 0,
      generateMs: 1,
    },
    { samples, sampleRate: 32_000 },
  );
  expect(stored?.mediaPath).toBe('generations/1.wav');
  wav = readFileSync(join(engine.mediaDir, '1.wav'));
  // Something that must never be served: the database beside the clips.
  writeFileSync(join(engine.mediaDir, 'secret.wav'), 'not a clip');
  server = await startHostServer({ engine, port: 0, staticDir: ui });
});

afterEach(async () => {
  await server.close();
  engine.close();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${server.port}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const media = (path = 'generations/1.wav', token = server.token): string =>
  `/media/${path}?token=${encodeURIComponent(token)}`;

describe('the media route', () => {
  it('serves a clip whole with the session token in the query: audio/wav, ranges offered, never cached', async () => {
    const reply = await get(media());
    expect(reply.status).toBe(200);
    expect(reply.body.equals(wav)).toBe(true);
    expect(reply.headers).toMatchObject({
      'content-type': 'audio/wav',
      'accept-ranges': 'bytes',
      'content-length': String(wav.length),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    const head = await get(media(), {}, 'HEAD');
    expect(head).toMatchObject({ status: 200, headers: { 'content-length': String(wav.length) } });
    expect(head.body.length).toBe(0);
  });

  it('answers byte ranges with 206 and exactly those bytes, and an impossible one with 416', async () => {
    const middle = await get(media(), { Range: 'bytes=100-199' });
    expect(middle.status).toBe(206);
    expect(middle.headers['content-range']).toBe(`bytes 100-199/${wav.length}`);
    expect(middle.body.equals(wav.subarray(100, 200))).toBe(true);

    const open = await get(media(), { Range: 'bytes=6000-' });
    expect(open.status).toBe(206);
    expect(open.body.equals(wav.subarray(6000))).toBe(true);

    const suffix = await get(media(), { Range: 'bytes=-44' });
    expect(suffix.headers['content-range']).toBe(`bytes ${wav.length - 44}-${wav.length - 1}/${wav.length}`);
    expect(suffix.body.equals(wav.subarray(wav.length - 44))).toBe(true);

    const past = await get(media(), { Range: `bytes=${wav.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${wav.length}`);

    // Several ranges are allowed to be answered whole (RFC 9110 §14.2).
    const several = await get(media(), { Range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect(several.body.length).toBe(wav.length);
  });

  it('refuses a missing or wrong token with 401, a foreign Host or Origin with 403', async () => {
    expect((await get('/media/generations/1.wav')).status).toBe(401);
    expect((await get(media('generations/1.wav', 'wrong'))).status).toBe(401);
    const foreignHost = await get(media(), { Host: `attacker.example:${server.port}` });
    expect(foreignHost.status).toBe(403);
    const foreignOrigin = await get(media(), { Origin: 'https://attacker.example' });
    expect(foreignOrigin.status).toBe(403);
    expect(foreignOrigin.body.includes(wav.subarray(0, 4))).toBe(false);
  });

  it("serves a validator answer's clip by the media path the answers list gives", async () => {
    const dir = engine.status().dataDir;
    const store = new ValidatorStore(openDatabase(dir), dir);
    const round = store.openRound({
      scope: '5Validator@50',
      started: new Date().toISOString(),
      block: 1,
      promptId: 'bundled:0',
      prompt: 'a tone',
      promptSource: 'bundled',
      referenceName: null,
      profile: 'bittaudio-1.1.3',
      durationTokens: 28,
      timeoutSeconds: 10,
      uids: [0],
    });
    const answer = { time: new Date().toISOString(), uid: 0, hotkey: '5Miner', statusCode: 200, statusMessage: 'OK' };
    store.addAnswer(
      round.id,
      { ...answer, route: 'sealed', elapsedMs: 5, failure: null },
      { samples: new Float32Array(640).fill(0.25), sampleRate: 32_000 },
    );
    const [stored] = store.answers();
    expect(stored?.wavFile).toBe('validator/1-0-1.wav');
    const reply = await get(media(stored?.wavFile ?? ''));
    expect(reply.status).toBe(200);
    expect(reply.body.equals(readFileSync(store.wavPath(stored?.wavFile ?? '')))).toBe(true);
    for (const path of [
      'validator/1-0-2.wav',
      'validator/1-00-1.wav',
      'validator/..%2fbittaudio.db',
      'validator/1.wav',
    ]) {
      expect({ path, status: (await get(media(path))).status }).toEqual({ path, status: 404 });
    }
  });

  it("serves a round's reference clip by the media path the round gives, and nothing else by that name", async () => {
    const dir = engine.status().dataDir;
    const store = new ValidatorStore(openDatabase(dir), dir);
    const opened = store.openRound({
      scope: '5Validator@50',
      started: new Date().toISOString(),
      block: 1,
      promptId: 'hub:7',
      prompt: 'a chord',
      promptSource: 'hub:etechgrid/ttm-validation-dataset',
      referenceName: 'chord.flac',
      profile: 'bittaudio-1.1.3',
      durationTokens: 28,
      timeoutSeconds: 10,
      uids: [0],
    });
    const left = Float32Array.from({ length: 960 }, (_, i) => Math.sin(i / 5) * 0.4);
    const round = store.addReference(opened.id, { channelData: [left, left.map((x) => -x)], sampleRate: 48_000 });
    expect(round.referenceWavFile).toBe(`validator/${opened.id}-reference.wav`);
    const reply = await get(media(round.referenceWavFile ?? ''));
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('audio/wav');
    expect(reply.body.equals(readFileSync(store.wavPath(round.referenceWavFile ?? '')))).toBe(true);
    const ranged = await get(media(round.referenceWavFile ?? ''), { Range: 'bytes=0-43' });
    expect(ranged.status).toBe(206);
    expect(ranged.body.equals(reply.body.subarray(0, 44))).toBe(true);
    // Beside the reference, in the data folder: must never be reachable through the reference's name.
    writeFileSync(join(dir, 'validator', 'notes-reference.wav'), 'not a clip');
    for (const path of [
      `validator/${opened.id + 1}-reference.wav`,
      'validator/0-reference.wav',
      'validator/notes-reference.wav',
      'validator/reference.wav',
      `validator/${opened.id}-reference.wav.tmp`,
      `validator/.${opened.id}-reference.wav.tmp`,
      `validator/${opened.id}-reference%2f..%2f..%2fbittaudio.db`,
      `validator/..%2f${opened.id}-reference.wav`,
      `generations/${opened.id}-reference.wav`,
    ]) {
      expect({ path, status: (await get(media(path))).status }).toEqual({ path, status: 404 });
    }
    // Without the session token, a reference is refused like any clip.
    expect((await get(`/media/${round.referenceWavFile ?? ''}`)).status).toBe(401);
  });

  it('serves nothing but history clips: no traversal, no other names, 404 for a missing clip', async () => {
    for (const path of [
      'generations/2.wav',
      'generations/secret.wav',
      'generations/..%2f..%2fbittaudio.db',
      'generations/%2e%2e/bittaudio.db',
      '..%2fbittaudio.db',
      'generations/1.wav%00',
      'generations/01.wav',
      'other/1.wav',
    ]) {
      const reply = await get(media(path));
      expect({ path, status: reply.status }).toEqual({ path, status: 404 });
    }
  });
});

describe('the page and its CSP nonce', () => {
  const nonceOf = (csp: string): string | undefined => /style-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];

  it('serves index.html with a fresh nonce per response, in the CSP header and in the page', async () => {
    const first = await get('/');
    const second = await get('/index.html');
    const nonces = [first, second].map((reply) => {
      const nonce = nonceOf(String(reply.headers['content-security-policy']));
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(reply.body.toString()).toContain(`<meta name="csp-nonce" content="${nonce}" />`);
      expect(reply.headers['cache-control']).toBe('no-store');
      return nonce;
    });
    expect(nonces[0]).not.toBe(nonces[1]);
    expect(String(first.headers['content-security-policy'])).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('gives other files the same CSP without a nonce', async () => {
    const script = await get('/app.js');
    expect(script.status).toBe(200);
    const csp = String(script.headers['content-security-policy']);
    expect(csp).toContain("style-src 'self';");
    expect(nonceOf(csp)).toBeUndefined();
  });
});
