import {
  createServer,
  Agent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  type ClientRequestArgs,
} from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KeyringPair } from '@polkadot/keyring/types';
import {
  MusicGenerationSynapse,
  musicGeneration,
  type MusicGeneration,
} from '../../src-shared/synapse/music-generation.js';
import { encodeAddress } from '@polkadot/util-crypto';
import { decodeIp } from '../chain/ip.js';
import { decodeSynapseBody } from './body-codec.js';
import { EMPTY_BODY_HASH } from './constants.js';
import { applyResponse, ResponseParseError } from './dendrite-response.js';
import { Dendrite, axonUrl, prepareRequest } from './dendrite.js';
import { headerMap } from './headers.js';
import { verifySignature } from './signing.js';
import { testKeys } from './testing/helpers.js';
import { TV3, TV5, TV6, TV7 } from './testing/wire-vectors.js';

let alice: KeyringPair;
let bob: KeyringPair;
beforeAll(async () => {
  ({ alice, bob } = await testKeys());
});

/** A loopback HTTP server whose answer each test sets. */
class FakeAxon {
  server: Server;
  port = 0;
  requests: { rawHeaders: string[]; body: Buffer; url: string }[] = [];
  reply: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void = (_req, res) => res.end();

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.requests.push({ rawHeaders: req.rawHeaders, body, url: req.url ?? '' });
        this.reply(req, res, body);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends every connection to a loopback port, whatever address the URL names (so TV-5's public IPs stay in the request). */
class LoopbackAgent extends Agent {
  constructor(private readonly port: number) {
    super({ keepAlive: false });
  }
  override createConnection(
    _options: ClientRequestArgs,
    _callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex {
    return connect(this.port, '127.0.0.1');
  }
}

const tv6Headers = (): [string, string][] =>
  TV6.headers.map(([name, value]) => [
    name,
    value ?? (name === 'header_size' ? '464' : name === 'total_size' ? '3858' : ''),
  ]);

function withoutSignature(body: Record<string, unknown>): Record<string, unknown> {
  const dendrite = { ...(body['dendrite'] as Record<string, unknown>), signature: '<signature>' };
  return { ...body, dendrite, total_size: '<size>' };
}

describe('TV-5: the request, built', () => {
  const tv5 = () =>
    prepareRequest(
      MusicGenerationSynapse,
      musicGeneration({ text_input: TV5.textInput, duration: TV5.duration }),
      TV5.axon,
      { pair: alice, uuid: TV3.uuid, nonce: TV3.nonce, version: TV5.version, externalIp: TV5.dendriteIp },
      TV5.timeoutSeconds,
    );

  it('has the URL, and the headers in order with the same values (signature and sizes aside)', () => {
    const request = tv5();
    expect(request.url).toBe(TV5.url);
    expect(request.headers.map(([name]) => name)).toEqual(TV5.headers.map(([name]) => name));
    const expected = new Map(TV5.headers);
    for (const [name, value] of request.headers) {
      if (name === 'bt_header_dendrite_signature') expect(value).toMatch(/^0x[0-9a-f]{128}$/);
      else if (name === 'header_size' || name === 'total_size') expect(value).toMatch(/^\d+$/);
      else expect(value, name).toBe(expected.get(name));
    }
  });

  it('signs exactly the TV-3 message, verifiable with Alice', () => {
    const request = tv5();
    expect(request.message).toBe(TV3.message);
    const signature = new Map(request.headers).get('bt_header_dendrite_signature') ?? null;
    expect(verifySignature(TV3.message, signature, TV3.alice)).toBe(true);
  });

  it('has the body of TV-5 field for field, key order included, the nonce an exact integer', () => {
    const request = tv5();
    const ours = decodeSynapseBody(request.body);
    const theirs = decodeSynapseBody(TV5.body);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(withoutSignature(ours)).toEqual(withoutSignature(theirs));
    expect(request.body.toString()).toContain('"nonce":1717171717123456789');
    expect((ours['dendrite'] as Record<string, unknown>)['signature']).toBe(
      new Map(request.headers).get('bt_header_dendrite_signature'),
    );
    // total_size: the same integer in the header and the body.
    expect(String(ours['total_size'])).toBe(new Map(request.headers).get('total_size'));
  });
});

describe('TV-7: axon URLs from chain IPs', () => {
  it('builds URLs from decoded IPs, with brackets around IPv6', () => {
    expect(axonUrl({ ip: decodeIp(TV7.ipv4.ip), port: 8091 }, 'MusicGeneration')).toBe(TV5.url);
    expect(axonUrl({ ip: decodeIp(TV7.ipv6.ip), port: 8091 }, 'MusicGeneration')).toBe(
      'http://[2001:db8::1]:8091/MusicGeneration',
    );
    expect(axonUrl({ ip: decodeIp(TV7.loopbackV6.ip), port: 8091 }, 'Synapse')).toBe('http://0.0.0.1:8091/Synapse');
  });
});

describe('TV-5/TV-6 on the wire', () => {
  let fake: FakeAxon;
  beforeAll(async () => {
    fake = await new FakeAxon().start();
  });
  afterAll(() => fake.stop());

  it('sends TV-5 header for header and reads the TV-6 answer as 200 Success', async () => {
    fake.requests = [];
    fake.reply = (_req, res) => {
      res.writeHead(200, [...tv6Headers().flat(), 'content-type', 'application/json']);
      res.end(TV6.body);
    };
    const dendrite = new Dendrite({
      hotkey: alice,
      uuid: TV3.uuid,
      externalIp: TV5.dendriteIp,
      clock: () => TV3.nonce,
      agent: new LoopbackAgent(fake.port),
    });
    const [result] = await dendrite.query([TV5.axon], musicGeneration({ text_input: TV5.textInput, duration: 755 }), {
      timeoutSeconds: TV5.timeoutSeconds,
    });
    dendrite.close();

    const sent = fake.requests[0];
    expect(sent?.url).toBe('/MusicGeneration');
    const raw = sent?.rawHeaders ?? [];
    const names = raw.filter((_, i) => i % 2 === 0);
    const headers = headerMap(raw);
    // Every TV-5 header, in the TV-5 order, with TV-5's value (signature and sizes aside).
    expect(names.filter((n) => new Map(TV5.headers).has(n))).toEqual(TV5.headers.map(([n]) => n));
    for (const [name, value] of TV5.headers) {
      if (!['bt_header_dendrite_signature', 'header_size', 'total_size'].includes(name))
        expect(headers.get(name), name).toBe(value);
    }
    // Names are sent lowercase; the transport headers Python's aiohttp adds.
    expect(names.filter((n) => n.startsWith('bt_') || n === 'timeout').every((n) => n === n.toLowerCase())).toBe(true);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('host')).toBe('198.51.100.20:8091');
    expect(headers.get('accept-encoding')).toBe('gzip, deflate');
    expect(verifySignature(TV3.message, headers.get('bt_header_dendrite_signature') ?? null, TV3.alice)).toBe(true);
    expect(withoutSignature(decodeSynapseBody(sent?.body ?? Buffer.alloc(0)))).toEqual(
      withoutSignature(decodeSynapseBody(TV5.body)),
    );

    // §5.1: fields merged, status copied to the dendrite, process time measured.
    expect(result?.dendrite.status_code).toBe(200);
    expect(result?.dendrite.status_message).toBe('Success');
    expect(result?.axon.status_code).toBe(200);
    expect(result?.axon.process_time).toBe(12.5);
    expect(result?.dendrite.nonce).toBe(TV3.nonce);
    expect(result?.dendrite.process_time).toBeGreaterThan(0);
    expect(result?.music_output).toBeInstanceOf(Float32Array);
    expect(Array.from(result?.music_output ?? [])).toEqual(TV6.musicOutput.map(Math.fround));
    expect(result?.computed_body_hash).toBe('');
  });
});

describe('TV-6 variants: folding answers in (§5.1, §5.2)', () => {
  const local = (): MusicGeneration =>
    prepareRequest(
      MusicGenerationSynapse,
      musicGeneration({ text_input: 'x', duration: 755 }),
      TV5.axon,
      { pair: alice, uuid: TV3.uuid, nonce: TV3.nonce, version: TV5.version },
      200,
    ).synapse;
  const json = { 'content-type': 'application/json' };

  it('a bare body without bt headers leaves the status null (validators punish it)', () => {
    const merged = applyResponse(MusicGenerationSynapse, local(), {
      status: 200,
      headers: new Map(Object.entries(json)),
      body: Buffer.from('{"text_input":"x","music_output":[0.1]}'),
    });
    expect(merged.dendrite.status_code).toBeNull();
    // dendrite and axon are replaced wholesale by the body's (here: empty) objects.
    expect(merged.dendrite.nonce).toBeNull();
  });

  it('the same body plus the status headers reads 200 Success', () => {
    const merged = applyResponse(MusicGenerationSynapse, local(), {
      status: 200,
      headers: new Map([
        ...Object.entries(json),
        ['bt_header_axon_status_code', '200'],
        ['bt_header_axon_status_message', 'Success'],
      ]),
      body: Buffer.from('{"text_input":"x","music_output":[0.1]}'),
    });
    expect(merged.dendrite.status_code).toBe(200);
    expect(merged.dendrite.status_message).toBe('Success');
  });

  it('a body without text_input cannot be parsed (→ 422)', () => {
    expect(() =>
      applyResponse(MusicGenerationSynapse, local(), {
        status: 200,
        headers: new Map(Object.entries(json)),
        body: Buffer.from('{"music_output":[0.1]}'),
      }),
    ).toThrow(ResponseParseError);
  });

  it('403 with {"message"} gives 403 and that message', () => {
    const merged = applyResponse(MusicGenerationSynapse, local(), {
      status: 403,
      headers: new Map(Object.entries(json)),
      body: Buffer.from('{"message":"Forbidden. Key is blacklisted: Low stake."}'),
    });
    expect(merged.dendrite.status_code).toBe(403);
    expect(merged.dendrite.status_message).toBe('Forbidden. Key is blacklisted: Low stake.');
    expect(merged.text_input).toBe('x');
  });

  it('a non-JSON answer cannot be parsed (→ 422)', () => {
    expect(() =>
      applyResponse(MusicGenerationSynapse, local(), {
        status: 500,
        headers: new Map([['content-type', 'text/plain']]),
        body: Buffer.from('Internal Server Error'),
      }),
    ).toThrow(ResponseParseError);
  });
});

describe('Dendrite calls (§4.10, §5.3)', () => {
  let fake: FakeAxon;
  let dendrite: Dendrite;
  beforeAll(async () => {
    fake = await new FakeAxon().start();
  });
  afterAll(() => fake.stop());
  afterEach(() => dendrite?.close());
  const target = (): { hotkey: string; ip: string; port: number } => ({
    hotkey: bob.address,
    ip: '127.0.0.1',
    port: fake.port,
  });
  const ok = (res: ServerResponse, body: string, extra: Record<string, string> = {}): void => {
    res.writeHead(200, { 'content-type': 'application/json', bt_header_axon_status_code: '200', ...extra });
    res.end(body);
  };

  it('times out a slow axon with 408 "Request timeout after … seconds", without a process time', async () => {
    fake.reply = () => undefined; // never answers
    dendrite = new Dendrite({ hotkey: alice });
    const result = await dendrite.call(target(), musicGeneration({ text_input: 'x' }), { timeoutSeconds: 0.3 });
    expect(result.dendrite.status_code).toBe(408);
    expect(result.dendrite.status_message).toBe('Request timeout after 0.3 seconds');
    expect(result.dendrite.process_time).toBeNull();
  });

  it('answers 503 "Service unavailable at ip:port/Name" when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    dendrite = new Dendrite({ hotkey: alice });
    const result = await dendrite.call(
      { hotkey: bob.address, ip: '127.0.0.1', port },
      musicGeneration({ text_input: 'x' }),
    );
    expect(result.dendrite.status_code).toBe(503);
    expect(result.dendrite.status_message).toBe(`Service unavailable at 127.0.0.1:${port}/MusicGeneration`);
  });

  it('maps an axon that hangs up to 503 (disconnected) or 400 (incomplete payload)', async () => {
    fake.reply = (req) => req.socket.destroy();
    dendrite = new Dendrite({ hotkey: alice });
    const result = await dendrite.call(target(), musicGeneration({ text_input: 'x' }));
    expect(result.dendrite.status_code).toBe(503);
    expect(result.dendrite.status_message).toMatch(/^Service disconnected: /);

    fake.reply = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"text_input":');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const partial = await dendrite.call(target(), musicGeneration({ text_input: 'x' }));
    expect(partial.dendrite.status_code).toBe(400);
    expect(partial.dendrite.status_message).toMatch(/^Payload error: /);
  });

  it('refuses answers beyond the size limit with 422, compressed or not', async () => {
    const big = JSON.stringify({ text_input: 'x', music_output: new Array(50_000).fill(0.123456) });
    dendrite = new Dendrite({ hotkey: alice, maxResponseBytes: 100_000 });
    fake.reply = (_req, res) => ok(res, big);
    const plain = await dendrite.call(target(), musicGeneration({ text_input: 'x' }));
    expect(plain.dendrite.status_code).toBe(422);
    expect(plain.dendrite.status_message).toMatch(/larger than 100000 bytes/);

    const bomb = gzipSync(Buffer.alloc(10_000_000, 0x20));
    fake.reply = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    };
    const zipped = await dendrite.call(target(), musicGeneration({ text_input: 'x' }));
    expect(bomb.length).toBeLessThan(100_000);
    expect(zipped.dendrite.status_code).toBe(422);
  });

  it('decompresses gzip answers', async () => {
    const body = JSON.stringify({ text_input: 'x', music_output: [0.5, -0.25] });
    fake.reply = (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        bt_header_axon_status_code: '200',
      });
      res.end(gzipSync(body));
    };
    dendrite = new Dendrite({ hotkey: alice });
    const result = await dendrite.call(target(), musicGeneration({ text_input: 'x' }));
    expect(result.dendrite.status_code).toBe(200);
    expect(Array.from(result.music_output ?? [])).toEqual([0.5, -0.25]);
  });

  it('maps a non-JSON answer to 422 "Failed to parse response"', async () => {
    fake.reply = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    };
    dendrite = new Dendrite({ hotkey: alice });
    const result = await dendrite.call(target(), musicGeneration({ text_input: 'x' }));
    expect(result.dendrite.status_code).toBe(422);
    expect(result.dendrite.status_message).toMatch(/^Failed to parse response: /);
  });

  it('queries many axons in parallel, one result per axon in order, with strictly increasing nonces', async () => {
    fake.requests = [];
    // The fake answers nobody until all ten requests are in: sent one after another, the first
    // would wait for the rest and time out.
    const held: ServerResponse[] = [];
    fake.reply = (_req, res) => {
      held.push(res);
      if (held.length === 10) for (const waiting of held) ok(waiting, '{"text_input":"done"}');
    };
    dendrite = new Dendrite({ hotkey: alice });
    // Ten different miners (the fake answers for any hotkey) behind one loopback port.
    const axons = Array.from({ length: 10 }, (_, i) => ({
      ...target(),
      hotkey: encodeAddress(new Uint8Array(32).fill(i + 1), 42),
    }));
    const down = { hotkey: bob.address, ip: '127.0.0.1', port: 1 };
    const results = await dendrite.query([...axons, down], musicGeneration({ text_input: 'x' }), { timeoutSeconds: 5 });
    expect(results.map((r) => r.dendrite.status_code)).toEqual([...Array<number>(10).fill(200), 503]);
    expect(results[0]?.text_input).toBe('done');
    const nonces = fake.requests.map((r) => BigInt(headerMap(r.rawHeaders).get('bt_header_dendrite_nonce') ?? '0'));
    expect(new Set(nonces).size).toBe(10);
    const uuids = new Set(fake.requests.map((r) => headerMap(r.rawHeaders).get('bt_header_dendrite_uuid')));
    expect(uuids).toEqual(new Set([dendrite.uuid]));
    expect(fake.requests.every((r) => headerMap(r.rawHeaders).get('computed_body_hash') === EMPTY_BODY_HASH)).toBe(
      true,
    );
  });

  it('never has two requests in flight to the same axon, so its nonces arrive in order', async () => {
    let inFlight = 0;
    let most = 0;
    fake.requests = [];
    fake.reply = (_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        ok(res, '{"text_input":"done"}');
      }, 30);
    };
    dendrite = new Dendrite({ hotkey: alice });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        dendrite?.call(target(), musicGeneration({ text_input: 'x' }), { timeoutSeconds: 5 }),
      ),
    );
    expect(results.map((r) => r.dendrite.status_code)).toEqual(Array<number>(6).fill(200));
    expect(most).toBe(1);
    const nonces = fake.requests.map((r) => BigInt(headerMap(r.rawHeaders).get('bt_header_dendrite_nonce') ?? '0'));
    expect(nonces).toEqual([...nonces].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('retries once when a pooled connection was closed by the axon while idle', async () => {
    // The second request on a connection finds it dead, as after the axon's keep-alive timeout.
    const seen = new WeakMap<object, number>();
    fake.reply = (req, res) => {
      const count = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, count);
      if (count > 1) req.socket.destroy();
      else ok(res, '{"text_input":"fine"}');
    };
    fake.requests = [];
    dendrite = new Dendrite({ hotkey: alice });
    const first = await dendrite.call(target(), musicGeneration({ text_input: 'x' }));
    const second = await dendrite.call(target(), musicGeneration({ text_input: 'x' }));
    expect([first.dendrite.status_code, second.dendrite.status_code]).toEqual([200, 200]);
    expect(fake.requests).toHaveLength(3);
  });

  it('rejects an unknown synapse class unless its definition is given', async () => {
    dendrite = new Dendrite({ hotkey: alice });
    await expect(dendrite.call(target(), { ...musicGeneration({ text_input: 'x' }), name: 'Nope' })).rejects.toThrow(
      /unknown synapse class/,
    );
  });
});
