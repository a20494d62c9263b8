import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyringPair } from '@polkadot/keyring/types';
import {
  MusicGenerationSynapse,
  musicGeneration,
  type MusicGeneration,
} from '../../src-shared/synapse/music-generation.js';
import { Axon, type SynapseHandler } from './axon.js';
import type { Caller } from './blacklist.js';
import { decodeSynapseBody } from './body-codec.js';
import { EMPTY_BODY_HASH, RESPONSE_SIGNATURE_HEADER } from './constants.js';
import { checkAxonSignature } from './dendrite.js';
import { verifySignature } from './signing.js';
import { FakeMetagraph, ManualClock, rawRequest, testKeys, type RawReply } from './testing/helpers.js';
import { signedRequest } from './testing/requests.js';
import { TV3, TV4, TV5, TV6 } from './testing/wire-vectors.js';

let alice: KeyringPair;
let bob: KeyringPair;
let charlie: KeyringPair;
let dave: KeyringPair;
beforeAll(async () => {
  ({ alice, bob, charlie, dave } = await testKeys());
});

const AXON_NOW = TV4.axonNonce; // 0.88 s after the TV-3 nonce

let clock: ManualClock;
let metagraph: FakeMetagraph;
let axon: Axon;
let port: number;
let calls: { synapse: MusicGeneration; caller: Caller }[];
let handler: SynapseHandler<MusicGeneration>;

/** The miner's work in these tests: TV-6's samples after 12.5 s of (manual) time. */
const tv6Handler: SynapseHandler<MusicGeneration> = async (synapse) => {
  clock.advanceSeconds(TV6.processTime);
  return { ...synapse, music_output: [...TV6.musicOutput] };
};

async function startAxon(options: { requireValidatorPermit?: boolean } = {}): Promise<void> {
  axon = new Axon({
    hotkey: bob,
    metagraph,
    clock: clock.read,
    uuid: TV4.axonUuid,
    policy: { requireValidatorPermit: options.requireValidatorPermit ?? false },
  });
  axon.attach(MusicGenerationSynapse, async (synapse, caller, context) => {
    calls.push({ synapse, caller });
    return handler(synapse, caller, context);
  });
  ({ port } = await axon.start({ port: 0, host: '127.0.0.1' }));
}

beforeEach(async () => {
  clock = new ManualClock(AXON_NOW);
  metagraph = new FakeMetagraph().set(alice.address, 20_000n).set(charlie.address, 100n);
  calls = [];
  handler = tv6Handler;
  await startAxon();
});

afterEach(async () => {
  await axon.stop({ graceMs: 100 });
});

/** TV-5's exact bytes, as a Python validator sends them. */
function sendTv5(headers: Record<string, string> = {}, body: string | Buffer = TV5.body): Promise<RawReply> {
  return rawRequest(port, '/MusicGeneration', {
    headers: { ...Object.fromEntries(TV5.headers), 'content-type': 'application/json', ...headers },
    body,
  });
}

function send(req: { headers: Record<string, string>; body: Buffer }, path = '/MusicGeneration'): Promise<RawReply> {
  return rawRequest(port, path, { headers: req.headers, body: req.body });
}

function message(reply: RawReply): unknown {
  return (JSON.parse(reply.body.toString()) as { message?: unknown }).message;
}

/** A fresh request signed by `signer` for `axonHotkey`, nonce = the axon's clock. */
function fresh(signer = alice, extra: { axonHotkey?: string; synapse?: MusicGeneration; nonce?: bigint } = {}) {
  return signedRequest({
    signer,
    axonHotkey: extra.axonHotkey ?? bob.address,
    nonce: extra.nonce ?? clock.nowNs,
    uuid: `uuid-${Math.random()}`,
    synapse: extra.synapse,
  });
}

describe('TV-5 → TV-6: the exact Python request is served', () => {
  it('accepts TV-5 byte for byte and answers as TV-6: body field for field, headers in order, status 200', async () => {
    const reply = await sendTv5();
    expect(reply.status).toBe(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.synapse.text_input).toBe(TV5.textInput);
    expect(calls[0]?.synapse.duration).toBe(755);
    expect(calls[0]?.caller.hotkey).toBe(TV3.alice);

    // Body: TV-6 field for field (samples compared as the float32 they are).
    const ours = decodeSynapseBody(reply.body);
    const theirs = decodeSynapseBody(TV6.body);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(ours).toEqual(theirs);

    // Headers: every TV-6 header, in TV-6's order, lowercase, with TV-6's value where it is fixed.
    const tv6Names = TV6.headers.map(([name]) => name);
    expect(reply.headerNames.filter((name) => tv6Names.includes(name))).toEqual(tv6Names);
    for (const [name, value] of TV6.headers) {
      if (value !== undefined) expect(reply.headers.get(name), name).toBe(value);
      else expect(reply.headers.get(name), name).toMatch(/^\d+$/);
    }
    // Every header the axon writes is lowercase (Node's own Date/Connection/Keep-Alive aside).
    const written = reply.rawHeaders
      .filter((_, i) => i % 2 === 0)
      .filter((n) => !['Date', 'Connection', 'Keep-Alive'].includes(n));
    expect(written.every((n) => n === n.toLowerCase())).toBe(true);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(Number(reply.headers.get('content-length'))).toBe(reply.body.length);
    // Nothing Python would read as an axon signature on success (§4.8) …
    expect(reply.headers.has('bt_header_axon_signature')).toBe(false);
    // … but our own signature, which Python ignores, verifies.
    const check = checkAxonSignature({ status: 200, headers: reply.headers, body: reply.body }, TV3.bob, {
      hotkey: TV3.alice,
      nonce: TV3.nonce,
      uuid: TV3.uuid,
    });
    expect(check).toBe('valid');
    expect(reply.headers.get(RESPONSE_SIGNATURE_HEADER.hotkey)).toBe(TV3.bob);
  });

  it('does not serve the same TV-5 request twice (replay → 401)', async () => {
    expect((await sendTv5()).status).toBe(200);
    const replay = await sendTv5();
    expect(replay.status).toBe(401);
    expect(message(replay)).toBe('Not Verified with error: Nonce is too old, a newer one was last processed');
    expect(calls).toHaveLength(1);
  });

  it('gzips the answer for clients that accept it', async () => {
    handler = async (synapse) => ({ ...synapse, music_output: new Float32Array(4000).fill(0.25) });
    const reply = await sendTv5({ 'accept-encoding': 'gzip, deflate' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-encoding')).toBe('gzip');
    const body = decodeSynapseBody(gunzipSync(reply.body));
    expect((body['music_output'] as Float32Array).length).toBe(4000);
    expect(
      checkAxonSignature({ status: 200, headers: reply.headers, body: gunzipSync(reply.body) }, TV3.bob, {
        hotkey: TV3.alice,
        nonce: TV3.nonce,
        uuid: TV3.uuid,
      }),
    ).toBe('valid');
  });
});

describe('TV-4: the error shape', () => {
  it('answers a low-stake caller 403 with TV-4 body and headers, signed by the axon', async () => {
    metagraph.set(alice.address, 9_999n);
    const reply = await sendTv5();
    expect(reply.status).toBe(TV4.status);
    expect(reply.body.toString()).toBe(TV4.body);
    expect(calls).toHaveLength(0);

    const tv4Names = TV4.headers.map(([name]) => name);
    expect(reply.headerNames.filter((name) => tv4Names.includes(name))).toEqual(tv4Names);
    for (const [name, value] of TV4.headers) {
      if (value !== undefined) expect(reply.headers.get(name), name).toBe(value);
      else expect(reply.headers.get(name), name).toBeTruthy();
    }
    // The TCP peer, as the axon saw it.
    expect(reply.headers.get('bt_header_dendrite_ip')).toBe('127.0.0.1');
    expect(reply.headers.get('bt_header_dendrite_port')).toMatch(/^\d+$/);
    expect(Number(reply.headers.get('bt_header_axon_process_time'))).toBeGreaterThanOrEqual(0);
    // The axon signature is over exactly TV-4's message (fixed clock and uuid), by Bob.
    expect(verifySignature(TV4.axonMessage, reply.headers.get('bt_header_axon_signature') ?? null, TV3.bob)).toBe(true);
    expect(reply.headers.get('content-type')).toBe('application/json');
  });
});

describe('refusals: the documented status, and the handler is never called', () => {
  afterEach(() => {
    expect(calls).toHaveLength(0);
  });

  it('forged signature → 401', async () => {
    const req = fresh();
    req.headers['bt_header_dendrite_signature'] = `0x${'ab'.repeat(64)}`;
    const reply = await send(req);
    expect(reply.status).toBe(401);
    expect(message(reply)).toMatch(/^Not Verified with error: Signature mismatch with \d+\.5Grw/);
  });

  it('a signature by another key than the claimed hotkey → 401', async () => {
    const byCharlie = fresh(charlie);
    const req = fresh();
    req.headers['bt_header_dendrite_signature'] = byCharlie.headers['bt_header_dendrite_signature'] ?? '';
    req.headers['bt_header_dendrite_nonce'] = byCharlie.headers['bt_header_dendrite_nonce'] ?? '';
    req.headers['bt_header_dendrite_uuid'] = byCharlie.headers['bt_header_dendrite_uuid'] ?? '';
    expect((await send(req)).status).toBe(401);
  });

  it('signed for another axon hotkey → 401', async () => {
    const reply = await send(fresh(alice, { axonHotkey: charlie.address }));
    expect(reply.status).toBe(401);
    expect(message(reply)).toContain('Signature mismatch');
  });

  it('stale nonce on first contact → 401 with the SDK text', async () => {
    clock.advanceSeconds(300);
    const reply = await sendTv5();
    expect(reply.status).toBe(401);
    expect(message(reply)).toBe(
      'Not Verified with error: Nonce is too old: acceptable delta is 204.00 seconds but request was 300.88 seconds old',
    );
  });

  it('a nonce older than the last accepted one (out of order) → 401', async () => {
    const uuid = 'same-uuid';
    const newer = signedRequest({ signer: alice, axonHotkey: bob.address, nonce: clock.nowNs, uuid });
    const older = signedRequest({ signer: alice, axonHotkey: bob.address, nonce: clock.nowNs - 1000n, uuid });
    handler = async (s) => s;
    expect((await send(newer)).status).toBe(200);
    calls.length = 0;
    expect((await send(older)).status).toBe(401);
  });

  it.each([
    ['bt_header_dendrite_nonce', 401, 'Not Verified with error: Missing Nonce'],
    ['bt_header_dendrite_hotkey', 403, 'Forbidden. Key is blacklisted: Unrecognized hotkey.'],
    ['bt_header_dendrite_uuid', 401, 'Not Verified with error: Missing uuid'],
    ['bt_header_dendrite_signature', 401, /^Not Verified with error: Signature mismatch with .* and None$/],
    ['computed_body_hash', 401, /^Not Verified with error: Signature mismatch/],
    ['bt_header_input_obj_text_input', 500, /^Internal Server Error #[0-9a-f-]{36}$/],
  ] as const)('missing %s → %i', async (header, status, text) => {
    const req = fresh();
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== header));
    const reply = await send({ headers, body: req.body });
    expect(reply.status).toBe(status);
    if (typeof text === 'string') expect(message(reply)).toBe(text);
    else expect(message(reply)).toMatch(text);
  });

  it('unparsable header values → 500, as Python', async () => {
    const req = fresh();
    req.headers['bt_header_dendrite_nonce'] = 'soon';
    expect((await send(req)).status).toBe(500);
    const req2 = fresh();
    req2.headers['timeout'] = 'forever';
    expect((await send(req2)).status).toBe(500);
  });

  it('unknown route → 404 with the SDK text', async () => {
    const reply = await send(fresh(), '/MusicGenerationSecure');
    expect(reply.status).toBe(404);
    expect(message(reply)).toBe(
      "Synapse name 'MusicGenerationSecure' not found. Available synapses ['Synapse', 'MusicGeneration']",
    );
    expect(reply.headers.get('bt_header_axon_status_code')).toBe('404');
  });

  it('another method than POST → 405', async () => {
    const reply = await rawRequest(port, '/MusicGeneration', { method: 'GET' });
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('POST');
  });

  it('declared body over 1 MiB → 413 before anything is read', async () => {
    const req = fresh();
    const reply = await rawRequest(port, '/MusicGeneration', {
      headers: { ...req.headers, 'content-length': String(2 * 1024 * 1024) },
      body: Buffer.alloc(0),
    });
    expect(reply.status).toBe(413);
    expect(message(reply)).toBe('Request body larger than 1048576 bytes');
    expect(reply.headers.get('connection')).toBe('close');
  });

  it('streamed body over 1 MiB → 413', async () => {
    const req = fresh();
    const reply = await new Promise<RawReply>((resolve, reject) => {
      const headers = { ...req.headers };
      const r = request({ host: '127.0.0.1', port, path: '/MusicGeneration', method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: new Map(),
            headerNames: [],
            rawHeaders: [],
            body: Buffer.concat(chunks),
          }),
        );
      });
      r.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 40 && r.write(chunk)) sent++;
        if (sent < 40) r.once('drain', pump);
        else r.end();
      };
      pump();
    });
    expect(reply.status).toBe(413);
  });

  it('malformed JSON → 422 with FastAPI detail and no bt headers', async () => {
    const req = fresh();
    const reply = await send({ headers: req.headers, body: Buffer.from('{"text_input": "x",') });
    expect(reply.status).toBe(422);
    const body = JSON.parse(reply.body.toString()) as { detail: { type: string }[] };
    expect(body.detail[0]?.type).toBe('json_invalid');
    expect([...reply.headers.keys()].some((k) => k.startsWith('bt_header_'))).toBe(false);
  });

  it('another media type → 422', async () => {
    const req = fresh();
    const reply = await send({ headers: { ...req.headers, 'content-type': 'text/plain' }, body: req.body });
    expect(reply.status).toBe(422);
  });

  it.each([
    ['text_input as a number', { text_input: 5 }],
    ['an unknown model', { model_name: 'facebook/musicgen-small' }],
    ['duration as text', { duration: 'long' }],
    ['no text_input', { text_input: undefined }],
    ['a JSON array body', null],
  ])('wrong types (%s) → 500', async (_name, patch) => {
    const req = fresh();
    const body = patch === null ? [1, 2] : { ...JSON.parse(req.body.toString()), ...patch };
    const reply = await send({ headers: req.headers, body: Buffer.from(JSON.stringify(body)) });
    expect(reply.status).toBe(patch === null ? 422 : 500);
  });

  it('unregistered hotkey → 403 Unrecognized hotkey', async () => {
    const reply = await send(fresh(dave));
    expect(reply.status).toBe(403);
    expect(message(reply)).toBe('Forbidden. Key is blacklisted: Unrecognized hotkey.');
  });

  it('low stake → 403 Low stake', async () => {
    const reply = await send(fresh(charlie));
    expect(reply.status).toBe(403);
    expect(message(reply)).toBe('Forbidden. Key is blacklisted: Low stake.');
  });

  it('without a validator permit, when one is required → 403', async () => {
    await axon.stop();
    metagraph.set(alice.address, 50_000n, { validatorPermit: false });
    await startAxon({ requireValidatorPermit: true });
    const reply = await send(fresh());
    expect(reply.status).toBe(403);
    expect(message(reply)).toBe('Forbidden. Key is blacklisted: No validator permit.');
  });

  it('an unregistered hotkey gets 403 whatever its signature (blacklist first, as Python), unsigned by the axon', async () => {
    const req = fresh(dave);
    req.headers['bt_header_dendrite_signature'] = `0x${'00'.repeat(64)}`;
    const reply = await send(req);
    expect(reply.status).toBe(403);
    expect(message(reply)).toBe('Forbidden. Key is blacklisted: Unrecognized hotkey.');
    expect(reply.headers.has('bt_header_axon_signature')).toBe(false);
    expect(reply.headers.get('bt_header_axon_uuid')).toBe(TV4.axonUuid);
  });

  it('a registered hotkey with a bad signature gets 401', async () => {
    const req = fresh(charlie);
    metagraph.set(charlie.address, 50_000n);
    req.headers['bt_header_dendrite_signature'] = `0x${'00'.repeat(64)}`;
    const reply = await send(req);
    expect(reply.status).toBe(401);
    expect(reply.headers.get('bt_header_axon_signature')).toMatch(/^0x[0-9a-f]{128}$/);
  });

  it('a refused request stores no nonce: the same request passes once the caller is allowed', async () => {
    const req = fresh(charlie);
    expect((await send(req)).status).toBe(403);
    metagraph.set(charlie.address, 50_000n);
    handler = async (s) => s;
    expect((await send(req)).status).toBe(200);
    calls.length = 0;
  });
});

describe('answers from the handler', () => {
  it('a handler that throws → 500 with an id, details only in the log', async () => {
    handler = async () => {
      throw new Error('CUDA out of memory');
    };
    const reply = await send(fresh());
    expect(reply.status).toBe(500);
    expect(message(reply)).toMatch(/^Internal Server Error #[0-9a-f-]{36}$/);
  });

  it('a handler that returns something else than a synapse → 500', async () => {
    handler = async () => null as unknown as MusicGeneration;
    expect((await send(fresh())).status).toBe(500);
    handler = async (s) => ({ ...s, music_output: [Number.NaN] });
    expect((await send(fresh())).status).toBe(500);
  });

  it('a handler that sets its own status answers with it and the full synapse', async () => {
    handler = async (s) => ({ ...s, axon: { ...s.axon, status_code: 404, status_message: 'No model loaded' } });
    const reply = await send(fresh());
    expect(reply.status).toBe(404);
    expect(reply.headers.get('bt_header_axon_status_message')).toBe('No model loaded');
    expect(decodeSynapseBody(reply.body)['text_input']).toBe('lo-fi piano');
  });

  it('the ping route /Synapse echoes a signed request without queueing', async () => {
    const req = fresh();
    const body = JSON.parse(req.body.toString()) as Record<string, unknown>;
    const reply = await send(
      {
        headers: { ...req.headers, name: 'Synapse' },
        body: Buffer.from(JSON.stringify({ ...body, text_input: undefined })),
      },
      '/Synapse',
    );
    // Signed for MusicGeneration, but the body hash and signature are route-independent for SN50.
    expect(reply.status).toBe(200);
    expect(decodeSynapseBody(reply.body)['name']).toBe('Synapse');
    expect(reply.headers.get('computed_body_hash')).toBe(EMPTY_BODY_HASH);
  });

  it('asks its admission before the signature check: a caller who could not get in line gets 503', async () => {
    await axon.stop();
    // The stakes the line would take now; the miner's WorkScheduler answers the same question.
    let lineTakes = (stake: bigint): boolean => stake >= 0n;
    const asked: bigint[] = [];
    axon = new Axon({
      hotkey: bob,
      metagraph,
      clock: clock.read,
      limits: { retryAfterSeconds: 7 },
      admission: {
        canAdmit: (stake) => {
          asked.push(stake);
          return lineTakes(stake);
        },
      },
    });
    axon.attach(MusicGenerationSynapse, async (s, caller) => {
      calls.push({ synapse: s, caller });
      return s;
    });
    ({ port } = await axon.start({ port: 0, host: '127.0.0.1' }));
    expect((await send(fresh())).status).toBe(200);
    lineTakes = () => false;
    const refused = fresh();
    // A bad signature is not even looked at: the refusal comes first, and is cheap.
    const busy = await send({ ...refused, headers: { ...refused.headers, bt_header_dendrite_signature: '0x00' } });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('7');
    expect(message(busy)).toMatch(/^Service busy: the work queue is full/);
    expect(calls).toHaveLength(1);
    expect(asked).toEqual([20_000n * 1_000_000_000n, 20_000n * 1_000_000_000n]); // alice's stake in rao
    expect(axon.stats().refusedBusy).toBe(1);
    // Pings are never queued work.
    const ping = await send(fresh(), '/Synapse');
    expect(ping.status).toBe(200);
    expect(asked).toHaveLength(2);
  });

  it('refuses to start twice and stops cleanly', async () => {
    await expect(axon.start({ port: 0, host: '127.0.0.1' })).rejects.toThrow(/already started/);
    await axon.stop();
    await expect(rawRequest(port, '/Synapse')).rejects.toThrow();
    await startAxon();
  });
});

describe('sanity of the fixtures', () => {
  it('uses a fixed clock 0.88 s after the TV-3 nonce', () => {
    expect(Number(AXON_NOW - TV3.nonce) / 1e9).toBeCloseTo(0.8765, 4);
    expect(musicGeneration({ text_input: 'x' }).name).toBe('MusicGeneration');
  });
});
