/**
 * Sealed mode end to end: our dendrite and our axons on 127.0.0.1, with a recording proxy on the
 * path that keeps the bytes as they crossed the wire and plays the on-path attacker.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyringPair } from '@polkadot/keyring/types';
import {
  MusicGenerationSynapse,
  musicGeneration,
  type MusicGeneration,
} from '../../src-shared/synapse/music-generation.js';
import { Axon, type HandlerContext } from './axon.js';
import { decodeSynapseBody, encodeSynapseBody } from './body-codec.js';
import { computeBodyHash, sha3_256Hex } from './body-hash.js';
import { EMPTY_BODY_HASH } from './constants.js';
import { Dendrite, type AxonEndpoint } from './dendrite.js';
import {
  SealedError,
  SealedFallbackCache,
  sealResponse,
  sealedKeypairFromPair,
  sealedResponseFields,
  type Sr25519Keypair,
} from './sealed/index.js';
import { MusicGenerationSealedSynapse } from './sealed-route.js';
import { axonMessage, verifySignature } from './signing.js';
import { FakeMetagraph, captureLogger, rawRequest, testKeys } from './testing/helpers.js';
import { RecordingProxy, type ProxiedRequest, type ProxiedResponse } from './testing/proxy.js';
import { signedRequest } from './testing/requests.js';

const PROMPT = 'Lo-fi hip hop beat with mellow piano and soft rain';
/** A quarter second of a 440 Hz sine at 32 kHz. */
const SAMPLES = Float32Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 32_000));
const TIMEOUT = 10;

let alice: KeyringPair;
let bob: KeyringPair;
let charlie: KeyringPair;
let aliceKeys: Sr25519Keypair;
let charlieKeys: Sr25519Keypair;

interface Served {
  axon: Axon;
  port: number;
  calls: { synapse: MusicGeneration; route: string }[];
  /** Everything the axon logged, as text. */
  log: () => string;
}

/** Bob with the sealed route, Bob without it (a miner that stopped serving it), Charlie as a Python miner would be. */
let bobSealed: Served;
let bobPlainOnly: Served;
let charliePlainOnly: Served;

async function serve(hotkey: KeyringPair, sealed: boolean): Promise<Served> {
  const metagraph = new FakeMetagraph().set(alice.address, 50_000n);
  const { logger, lines } = captureLogger();
  const axon = new Axon({
    hotkey,
    metagraph,
    log: logger,
    ...(sealed ? { sealedKeypair: sealedKeypairFromPair(hotkey) } : {}),
  });
  const calls: Served['calls'] = [];
  axon.attach(MusicGenerationSynapse, async (synapse: MusicGeneration, _caller, context: HandlerContext) => {
    calls.push({ synapse, route: context.route });
    return { ...synapse, music_output: SAMPLES };
  });
  const { port } = await axon.start({ port: 0, host: '127.0.0.1' });
  return { axon, port, calls, log: () => JSON.stringify(lines) };
}

beforeAll(async () => {
  ({ alice, bob, charlie } = await testKeys());
  aliceKeys = sealedKeypairFromPair(alice);
  charlieKeys = sealedKeypairFromPair(charlie);
  [bobSealed, bobPlainOnly, charliePlainOnly] = await Promise.all([
    serve(bob, true),
    serve(bob, false),
    serve(charlie, false),
  ]);
});

afterAll(async () => {
  await Promise.all([bobSealed, bobPlainOnly, charliePlainOnly].map((served) => served.axon.stop({ graceMs: 100 })));
});

let proxy: RecordingProxy;
let proxyPort: number;
let dendrite: Dendrite;
let cache: SealedFallbackCache;

beforeEach(async () => {
  for (const served of [bobSealed, bobPlainOnly, charliePlainOnly]) served.calls.length = 0;
  proxy = new RecordingProxy(bobSealed.port);
  proxyPort = await proxy.start();
  cache = new SealedFallbackCache();
  dendrite = new Dendrite({ hotkey: alice, sealedKeypair: aliceKeys, sealed: { cache } });
});

afterEach(async () => {
  dendrite.close();
  await proxy.stop();
});

/** Bob (or another hotkey) as the chain lists it, reached through the proxy. */
function target(hotkey: string = bob.address, fingerprint?: string): AxonEndpoint {
  return { hotkey, ip: '127.0.0.1', port: proxyPort, ...(fingerprint === undefined ? {} : { fingerprint }) };
}

function request(): MusicGeneration {
  return musicGeneration({ text_input: PROMPT, model_name: 'facebook/musicgen-large', duration: 50 });
}

/** Everything an observer of the request saw, as text: the request line, the headers and the body. */
function wireText(message: ProxiedRequest | ProxiedResponse): string {
  const head = 'path' in message ? `${message.method} ${message.path}\n` : `${message.status}\n`;
  return (
    head + [...message.headers].map(([name, value]) => `${name}: ${value}`).join('\n') + '\n' + message.body.toString()
  );
}

/** Changes one character in the middle of the sealed payload, keeping it canonical base64. */
function tamperPayload(body: Buffer): Buffer {
  const json = decodeSynapseBody(body);
  const payload = json['sealed_payload'];
  if (typeof payload !== 'string') throw new Error('no sealed_payload to tamper with');
  const at = Math.floor(payload.length / 2);
  json['sealed_payload'] = payload.slice(0, at) + (payload[at] === 'A' ? 'B' : 'A') + payload.slice(at + 1);
  return encodeSynapseBody(json);
}

describe('sealed round trip', () => {
  it('gives the handler the real prompt while only ciphertext crosses the wire, both ways', async () => {
    const result = await dendrite.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT });

    expect(result.route).toBe('sealed');
    expect(result.sealedError).toBeUndefined();
    expect(result.synapse.dendrite.status_code).toBe(200);
    expect(result.synapse.dendrite.status_message).toBe('Success');
    expect(result.synapse.music_output).toBeInstanceOf(Float32Array);
    expect(result.synapse.music_output).toEqual(SAMPLES);
    expect(result.synapse.text_input).toBe(PROMPT);
    expect(result.synapse.name).toBe('MusicGeneration');
    expect(result.axonSignature).toBe('valid');
    expect(cache.routeFor(bob.address)).toBe('sealed');

    // The miner's handler saw the decrypted inputs, and knows they came sealed.
    expect(bobSealed.calls).toHaveLength(1);
    const seen = bobSealed.calls[0];
    expect(seen?.route).toBe('MusicGenerationSealed');
    expect(seen?.synapse.text_input).toBe(PROMPT);
    expect(seen?.synapse.model_name).toBe('facebook/musicgen-large');
    expect(seen?.synapse.duration).toBe(50);

    // On the wire: one request, to the sealed route.
    expect(proxy.exchanges).toHaveLength(1);
    const { request: sent, response: answer } = proxy.exchanges[0] ?? expect.fail('no exchange');
    expect(sent.path).toBe('/MusicGenerationSealed');
    expect(sent.headers.get('name')).toBe('MusicGenerationSealed');
    expect(sent.headers.get('timeout')).toBe('10.0');
    expect(sent.headers.get('bt_header_input_obj_text_input')).toBe('IiI=');
    for (const secret of [PROMPT, 'mellow piano', 'musicgen-large']) expect(wireText(sent)).not.toContain(secret);
    const body = decodeSynapseBody(sent.body);
    expect(body).toMatchObject({ name: 'MusicGenerationSealed', text_input: '', model_name: null, duration: null });
    expect(body).not.toHaveProperty('sealed_signature');
    // The signed body hash is the SHA3-256 of the payload bytes, so the signature covers the prompt.
    const payload = Buffer.from(String(body['sealed_payload']), 'base64');
    expect(sent.headers.get('computed_body_hash')).toBe(sha3_256Hex(payload));
    expect(sent.headers.get('computed_body_hash')).not.toBe(EMPTY_BODY_HASH);

    // The answer: the samples are inside the payload as float32 (90 bytes of sealing around them),
    // not a JSON list of numbers.
    expect(answer.status).toBe(200);
    const answerText = answer.body.toString();
    expect(answerText).not.toMatch(/\[\s*-?\d/);
    const answered = decodeSynapseBody(answer.body);
    expect(answered['music_output']).toBeNull();
    expect(answered['sealed_signature']).toMatch(/^0x[0-9a-f]{128}$/);
    const sealedAudio = Buffer.from(String(answered['sealed_payload']), 'base64');
    const header = Buffer.from('{"music_output":{"encoding":"f32le","samples":8000}}');
    expect(sealedAudio.length).toBe(90 + 4 + header.length + 4 * SAMPLES.length);
    expect(sealedAudio.includes(Buffer.from(SAMPLES.buffer).subarray(400, 432))).toBe(false);
    expect(answer.headers.get('computed_body_hash')).toBe(sha3_256Hex(sealedAudio));
  });

  it('reads the keypair from the hotkey when sealed mode is asked for without one', async () => {
    const own = new Dendrite({ hotkey: alice, sealed: {} });
    try {
      const result = await own.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT });
      expect(result.route).toBe('sealed');
      expect(result.synapse.music_output).toEqual(SAMPLES);
    } finally {
      own.close();
    }
  });
});

describe('negotiation with miners that do not speak sealed', () => {
  it('falls back to plaintext on a 404, with a new nonce, and goes straight to plaintext afterwards', async () => {
    proxy.upstreamPort = charliePlainOnly.port;
    const first = await dendrite.callDetailed(target(charlie.address), request(), { timeoutSeconds: TIMEOUT });

    expect(first.route).toBe('plaintext');
    expect(first.sealedError).toBeUndefined();
    expect(first.synapse.dendrite.status_code).toBe(200);
    expect(first.synapse.music_output).toEqual(SAMPLES);
    expect(charliePlainOnly.calls.map((call) => call.synapse.text_input)).toEqual([PROMPT]);
    expect(proxy.exchanges.map((e) => [e.request.path, e.response.status])).toEqual([
      ['/MusicGenerationSealed', 404],
      ['/MusicGeneration', 200],
    ]);
    const [sealedTry, plainTry] = proxy.exchanges;
    const nonceOf = (e: typeof sealedTry): bigint => BigInt(e?.request.headers.get('bt_header_dendrite_nonce') ?? -1);
    expect(nonceOf(plainTry)).toBeGreaterThan(nonceOf(sealedTry));
    // Control for the round-trip test above: the same observer does see a plaintext prompt.
    expect(wireText(sealedTry?.request ?? expect.fail())).not.toContain(PROMPT);
    expect(wireText(plainTry?.request ?? expect.fail())).toContain(PROMPT);
    expect(plainTry?.response.body.toString()).toMatch(/"music_output":\[-?\d/);

    expect(cache.routeFor(charlie.address)).toBe('plaintext');
    const second = await dendrite.callDetailed(target(charlie.address), request(), { timeoutSeconds: TIMEOUT });
    expect(second.route).toBe('plaintext');
    expect(second.synapse.dendrite.status_code).toBe(200);
    expect(proxy.exchanges.map((e) => e.request.path)).toEqual([
      '/MusicGenerationSealed',
      '/MusicGeneration',
      '/MusicGeneration',
    ]);
  });

  it('never falls back for a pinned hotkey: the query fails with the downgrade error', async () => {
    cache.pin(charlie.address);
    proxy.upstreamPort = charliePlainOnly.port;
    const result = await dendrite.callDetailed(target(charlie.address), request(), { timeoutSeconds: TIMEOUT });

    expect(result.route).toBe('sealed');
    expect(result.sealedError).toBeInstanceOf(SealedError);
    expect(result.sealedError?.code).toBe('downgrade');
    expect(result.synapse.dendrite.status_code).toBe(404);
    expect(result.synapse.dendrite.status_message).toMatch(/^Sealed mode refused: .*pinned/);
    expect(result.synapse.music_output).toBeNull();
    expect(proxy.exchanges.map((e) => e.request.path)).toEqual(['/MusicGenerationSealed']);
    expect(charliePlainOnly.calls).toHaveLength(0);
    expect(cache.routeFor(charlie.address)).toBe('sealed');
  });

  it('refuses a 404 from a miner that answered sealed before, until its axon info changes', async () => {
    const ok = await dendrite.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT });
    expect(ok.route).toBe('sealed');
    expect(ok.synapse.dendrite.status_code).toBe(200);

    // The same hotkey now answers 404 on the sealed route (or someone on the path says it does).
    proxy.upstreamPort = bobPlainOnly.port;
    const refused = await dendrite.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT });
    expect(refused.sealedError?.code).toBe('downgrade');
    expect(refused.synapse.dendrite.status_code).toBe(404);
    expect(refused.synapse.dendrite.status_message).toMatch(/answered sealed before/);
    expect(bobPlainOnly.calls).toHaveLength(0);
    expect(proxy.exchanges.map((e) => [e.request.path, e.response.status])).toEqual([
      ['/MusicGenerationSealed', 200],
      ['/MusicGenerationSealed', 404],
    ]);

    // The miner re-served (new AxonInfo on chain): what was known about it is forgotten.
    const reserved = await dendrite.callDetailed(target(bob.address, 'block-2'), request(), {
      timeoutSeconds: TIMEOUT,
    });
    expect(reserved.route).toBe('plaintext');
    expect(reserved.synapse.dendrite.status_code).toBe(200);
    expect(bobPlainOnly.calls).toHaveLength(1);
  });

  it("does not fall back on other statuses; error answers are signed with the axon's own hotkey", async () => {
    // The metagraph is stale: it says Charlie, but Bob serves there. Bob refuses a request for Charlie.
    const result = await dendrite.callDetailed(target(charlie.address), request(), { timeoutSeconds: TIMEOUT });
    expect(result.route).toBe('sealed');
    expect(result.synapse.dendrite.status_code).toBe(401);
    expect(proxy.exchanges.map((e) => e.request.path)).toEqual(['/MusicGenerationSealed']);
    expect(cache.routeFor(charlie.address)).toBe('sealed');
    expect(bobSealed.calls).toHaveLength(0);

    const { axon } = result.synapse;
    expect(axon.hotkey).toBe(bob.address);
    const message = axonMessage({
      nonce: axon.nonce ?? 0n,
      dendriteHotkey: alice.address,
      axonHotkey: bob.address,
      uuid: axon.uuid ?? '',
    });
    expect(verifySignature(message, axon.signature, bob.address)).toBe(true);
  });
});

describe('the on-path attacker', () => {
  it('cannot change the sealed request: the axon refuses it with 400/401 and the handler never runs', async () => {
    const cases: { name: string; edit: (request: ProxiedRequest) => void; status: number; message: RegExp }[] = [
      {
        name: 'one character of the ciphertext',
        edit: (request) => void (request.body = tamperPayload(request.body)),
        status: 401,
        message: /^Sealed request refused: body_hash_mismatch$/,
      },
      {
        name: 'the ciphertext and its body hash header',
        edit: (request) => {
          request.body = tamperPayload(request.body);
          const payload = Buffer.from(String(decodeSynapseBody(request.body)['sealed_payload']), 'base64');
          request.headers.set('computed_body_hash', sha3_256Hex(payload));
        },
        status: 401,
        message: /^Not Verified with error: Signature mismatch/,
      },
      {
        name: 'the timeout, which widens the nonce window',
        edit: (request) => void request.headers.set('timeout', '600.0'),
        status: 401,
        message: /^Sealed request refused: replay$/,
      },
      {
        name: 'a plaintext prompt added next to the ciphertext',
        edit: (request) => {
          const json = decodeSynapseBody(request.body);
          request.body = encodeSynapseBody({ ...json, text_input: 'something else entirely' });
        },
        status: 400,
        message: /^Sealed request refused: downgrade$/,
      },
    ];
    for (const { name, edit, status, message } of cases) {
      proxy.onRequest = (request) => {
        edit(request);
        return request;
      };
      const result = await dendrite.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT });
      expect(result.synapse.dendrite.status_code, name).toBe(status);
      expect(result.synapse.dendrite.status_message, name).toMatch(message);
      expect(result.route, name).toBe('sealed');
      expect(result.synapse.music_output, name).toBeNull();
    }
    expect(bobSealed.calls).toHaveLength(0);
    expect(proxy.exchanges.every((e) => e.request.path === '/MusicGenerationSealed')).toBe(true);
    // The refusals are logged with their reasons, never with the prompt.
    expect(bobSealed.log()).toContain('body_hash_mismatch');
    expect(bobSealed.log()).not.toContain('mellow piano');
  });

  it('cannot change the sealed answer: the dendrite refuses it as unparsable (422)', async () => {
    proxy.onResponse = (response) => ({ ...response, body: tamperPayload(response.body) });
    const result = await dendrite.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT });
    expect(bobSealed.calls).toHaveLength(1);
    expect(result.synapse.dendrite.status_code).toBe(422);
    expect(result.synapse.dendrite.status_message).toMatch(/^Failed to parse response: sealed response refused/);
    expect(result.sealedError?.code).toBe('bad_signature');
    expect(result.synapse.music_output).toBeNull();
    // Only a verified answer makes a miner "known sealed".
    proxy.onResponse = undefined;
    proxy.upstreamPort = bobPlainOnly.port;
    expect((await dendrite.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT })).route).toBe('plaintext');
  });

  it("cannot pass off another miner's answer, even one sealed for this very request", async () => {
    // Charlie, on the path, answers Alice's request to Bob with audio sealed and signed by himself.
    proxy.onRequest = (request) => {
      const header = (name: string): string => request.headers.get(name) ?? '';
      const forged = sealResponse({
        miner: charlieKeys,
        request: {
          envelope: {
            nonce: BigInt(header('bt_header_dendrite_nonce')),
            uuid: header('bt_header_dendrite_uuid'),
            validatorHotkey: header('bt_header_dendrite_hotkey'),
            minerHotkey: charlie.address,
            timeout: Number(header('timeout')),
          },
          bodyHash: header('computed_body_hash'),
        },
        outputs: { music_output: SAMPLES.map((sample) => -sample) },
      });
      return {
        status: 200,
        headers: new Map([
          ['content-type', 'application/json'],
          ['bt_header_axon_status_code', '200'],
          ['bt_header_axon_status_message', 'Success'],
        ]),
        body: encodeSynapseBody({ name: 'MusicGenerationSealed', timeout: TIMEOUT, ...sealedResponseFields(forged) }),
      };
    };
    const result = await dendrite.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT });
    expect(result.synapse.dendrite.status_code).toBe(422);
    expect(result.sealedError?.code).toBe('bad_signature');
    expect(result.synapse.music_output).toBeNull();
    expect(bobSealed.calls).toHaveLength(0);
  });

  it('cannot replay a sealed request: one nonce store serves both routes', async () => {
    const ok = await dendrite.callDetailed(target(), request(), { timeoutSeconds: TIMEOUT });
    expect(ok.synapse.dendrite.status_code).toBe(200);
    const recorded = proxy.exchanges[0]?.request ?? expect.fail('nothing recorded');
    const headers = Object.fromEntries([...recorded.headers].filter(([name]) => name !== 'connection'));

    const replayed = await rawRequest(bobSealed.port, recorded.path, { headers, body: recorded.body });
    expect(replayed.status).toBe(401);
    expect(JSON.parse(replayed.body.toString())).toEqual({
      message: 'Not Verified with error: Nonce is too old, a newer one was last processed',
    });

    // The sealed request's nonce is spent on the plaintext route too, and a newer one is not.
    const nonce = BigInt(recorded.headers.get('bt_header_dendrite_nonce') ?? 0);
    const plain = (n: bigint): ReturnType<typeof signedRequest> =>
      signedRequest({ signer: alice, axonHotkey: bob.address, nonce: n, uuid: dendrite.uuid, timeoutSeconds: TIMEOUT });
    const sameNonce = await rawRequest(bobSealed.port, '/MusicGeneration', plain(nonce));
    expect(sameNonce.status).toBe(401);
    const newer = await rawRequest(bobSealed.port, '/MusicGeneration', plain(nonce + 1n));
    expect(newer.status).toBe(200);
    expect(bobSealed.calls.map((call) => call.route)).toEqual(['MusicGenerationSealed', 'MusicGeneration']);
  });

  it('cannot talk a TS miner into plaintext on the sealed route: 400 downgrade, never 404', async () => {
    // A request as the plaintext route signs it (empty-string body hash, prompt in the body).
    const nonce = BigInt(Date.now()) * 1_000_000n;
    const plain = signedRequest({ signer: alice, axonHotkey: bob.address, nonce, uuid: 'downgrade-test' });
    const reply = await rawRequest(bobSealed.port, '/MusicGenerationSealed', plain);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body.toString())).toEqual({ message: 'Sealed request refused: downgrade' });
    expect(bobSealed.calls).toHaveLength(0);
  });
});

describe('configuration', () => {
  it("is opt-in: the sealed route and sealed queries need the hotkey's keypair", async () => {
    const metagraph = new FakeMetagraph();
    const routes = (axon: Axon): string[] => axon.attach(MusicGenerationSynapse, async (s) => s).routeNames();
    expect(routes(new Axon({ hotkey: bob, metagraph }))).toEqual(['Synapse', 'MusicGeneration']);
    expect(routes(new Axon({ hotkey: bob, metagraph, sealed: true }))).toEqual([
      'Synapse',
      'MusicGeneration',
      'MusicGenerationSealed',
    ]);
    const off = new Axon({ hotkey: bob, metagraph, sealedKeypair: sealedKeypairFromPair(bob), sealed: false });
    expect(routes(off)).toEqual(['Synapse', 'MusicGeneration']);
    expect(() => new Axon({ hotkey: bob, metagraph, sealedKeypair: aliceKeys })).toThrow(SealedError);

    expect(new Dendrite({ hotkey: alice }).sealedCache).toBeUndefined();
    expect(new Dendrite({ hotkey: alice, sealedKeypair: aliceKeys }).sealedCache).toBeInstanceOf(SealedFallbackCache);
    expect(new Dendrite({ hotkey: alice, sealedKeypair: aliceKeys, sealed: false }).sealedCache).toBeUndefined();
    expect(new Dendrite({ hotkey: alice, sealed: { cache } }).sealedCache).toBe(cache);
    expect(() => new Dendrite({ hotkey: alice, sealedKeypair: charlieKeys })).toThrow(SealedError);
  });

  it('hashes sealed bodies through the one body-hash function, and leaves the class rule alone', () => {
    const payload = Buffer.from('sealed bytes');
    const sealed = { sealed_payload: payload.toString('base64') };
    expect(computeBodyHash(MusicGenerationSealedSynapse, sealed)).toBe(sha3_256Hex(payload));
    expect(computeBodyHash(MusicGenerationSealedSynapse, {})).toBe(EMPTY_BODY_HASH);
    expect(computeBodyHash(MusicGenerationSynapse, { ...request(), ...sealed })).toBe(EMPTY_BODY_HASH);
    expect(() => computeBodyHash(MusicGenerationSealedSynapse, { sealed_payload: 'not base64!' })).toThrow(SealedError);
  });
});
