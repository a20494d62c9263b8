/**
 * Fuzzing a live axon on 127.0.0.1 with 10 000 random and malformed requests (plus raw garbage on
 * the socket): it never crashes, answers only documented statuses, calls the handler only for
 * accepted callers, and keeps its memory bounded.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyringPair } from '@polkadot/keyring/types';
import {
  MusicGenerationSynapse,
  musicGeneration,
  type MusicGeneration,
} from '../../src-shared/synapse/music-generation.js';
import { Axon } from './axon.js';
import type { Caller } from './blacklist.js';
import { FakeMetagraph, captureLogger, testKeys, type CapturedLine } from './testing/helpers.js';
import { signedRequest } from './testing/requests.js';

/** Every status our axon documents, plus Node's own 400/431 for broken HTTP framing. */
const DOCUMENTED = new Set([200, 400, 401, 403, 404, 405, 408, 413, 422, 431, 500, 503]);
const REQUESTS = 10_000;

let keys: Record<'alice' | 'bob' | 'charlie' | 'dave', KeyringPair>;
let axon: Axon;
let port: number;
const handled: Caller[] = [];
let logLines: CapturedLine[];

beforeAll(async () => {
  keys = await testKeys();
  const metagraph = new FakeMetagraph().set(keys.alice.address, 20_000n).set(keys.charlie.address, 5n);
  const captured = captureLogger();
  logLines = captured.lines;
  axon = new Axon({
    hotkey: keys.bob,
    metagraph,
    log: captured.logger,
    limits: { nonceCacheSize: 1_000 },
  });
  axon.attach(MusicGenerationSynapse, async (synapse: MusicGeneration, caller) => {
    handled.push(caller);
    return { ...synapse, music_output: [0.5, -0.5] };
  });
  ({ port } = await axon.start({ port: 0, host: '127.0.0.1' }));
});

afterAll(() => axon.stop({ graceMs: 100 }));

const HEADER_NAMES = [
  'name',
  'timeout',
  'bt_header_axon_ip',
  'bt_header_axon_port',
  'bt_header_axon_hotkey',
  'bt_header_dendrite_ip',
  'bt_header_dendrite_version',
  'bt_header_dendrite_nonce',
  'bt_header_dendrite_uuid',
  'bt_header_dendrite_hotkey',
  'bt_header_dendrite_signature',
  'bt_header_input_obj_text_input',
  'header_size',
  'total_size',
  'computed_body_hash',
  'content-type',
  'content-length',
  'accept-encoding',
];
const BODY_FIELDS = [
  'name',
  'timeout',
  'dendrite',
  'axon',
  'text_input',
  'model_name',
  'music_output',
  'duration',
  'total_size',
];
const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('', '0', '-1', '1e999', 'None', 'IiI=', 'AAAA', '0x' + 'ab'.repeat(64), '99999999999999999999999999'),
  fc.bigInt({ min: 0n, max: 1n << 70n }).map(String),
);

/**
 * Who signed: a fresh request of the staked validator (the only kind that can reach the handler),
 * or one from a pool signed once up front: replays of the validator's, a low-stake caller's, a
 * stranger's. Pools keep the fuzzer's own sr25519 signing (≈1 ms each here) off the hot path.
 */
type Signer = 'alice' | 'alice-replay' | 'charlie' | 'dave' | 'none';

const requestArbitrary = fc.record({
  signer: fc.oneof(
    { weight: 12, arbitrary: fc.constant<Signer>('alice') },
    { weight: 15, arbitrary: fc.constant<Signer>('alice-replay') },
    { weight: 20, arbitrary: fc.constant<Signer>('charlie') },
    { weight: 23, arbitrary: fc.constant<Signer>('dave') },
    { weight: 30, arbitrary: fc.constant<Signer>('none') },
  ),
  path: fc.oneof(
    { weight: 14, arbitrary: fc.constant('/MusicGeneration') },
    { weight: 2, arbitrary: fc.constant('/Synapse') },
    {
      weight: 4,
      arbitrary: fc.oneof(
        fc.constantFrom(
          '/',
          '/musicgeneration',
          '/MusicGeneration/x',
          '/MusicGeneration?x=1',
          '/MusicGenerationSealed',
        ),
        fc.stringMatching(/^\/[A-Za-z0-9_./%?=&-]{0,40}$/),
      ),
    },
  ),
  method: fc.oneof(
    { weight: 17, arbitrary: fc.constant('POST') },
    { weight: 3, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH') },
  ),
  headerEdits: fc.array(
    fc.record({
      name: fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^[a-z_][a-z0-9_-]{0,24}$/)),
      value: fc.option(headerValue, { nil: undefined }),
    }),
    { maxLength: 4 },
  ),
  body: fc.oneof(
    fc.constant({ kind: 'as-signed' as const }),
    fc.record({
      kind: fc.constant('patched' as const),
      patch: fc.dictionary(fc.constantFrom(...BODY_FIELDS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    }),
    fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 600 }) }),
    fc.record({ kind: fc.constant('truncated' as const), at: fc.nat({ max: 2000 }) }),
    fc.constant({ kind: 'declared-oversize' as const }),
  ),
});

type FuzzRequest = typeof requestArbitrary extends fc.Arbitrary<infer V> ? V : never;

const POOL_SIZE = 16;
let pools: Record<'alice-replay' | 'charlie' | 'dave', ReturnType<typeof signedRequest>[]>;

function sign(who: 'alice' | 'charlie' | 'dave', seq: number): ReturnType<typeof signedRequest> {
  return signedRequest({
    signer: keys[who],
    axonHotkey: keys.bob.address,
    nonce: BigInt(Date.now()) * 1_000_000n + BigInt(seq),
    uuid: `fuzz-${who}-${seq}`,
    synapse: musicGeneration({ text_input: `prompt ${seq}`, duration: 755 }),
  });
}

/** A full garbage collection, so heap sizes compare live memory rather than uncollected garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function build(
  sample: FuzzRequest,
  seq: number,
): { path: string; method: string; headers: Record<string, string>; body: Buffer } {
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  let body: Buffer = Buffer.from('{}');
  if (sample.signer !== 'none') {
    const signed =
      sample.signer === 'alice'
        ? sign('alice', seq)
        : (pools[sample.signer][seq % POOL_SIZE] as ReturnType<typeof signedRequest>);
    headers = { ...signed.headers };
    body = signed.body;
  }
  for (const edit of sample.headerEdits) {
    if (edit.value === undefined)
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== edit.name));
    else headers[edit.name] = edit.value;
  }
  switch (sample.body.kind) {
    case 'patched':
      body = Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString()) as object), ...sample.body.patch }));
      break;
    case 'bytes':
      body = Buffer.from(sample.body.bytes);
      break;
    case 'truncated':
      body = body.subarray(0, sample.body.at);
      break;
    case 'declared-oversize':
      headers['content-length'] = String(5 * 1024 * 1024);
      break;
    case 'as-signed':
      break;
  }
  if (sample.body.kind !== 'declared-oversize') headers['content-length'] = String(body.length);
  return { path: sample.path, method: sample.method, headers, body };
}

interface Outcome {
  status: number;
  contentType: string | undefined;
  body: string;
}

function sendOne(agent: Agent, r: ReturnType<typeof build>): Promise<Outcome | 'connection-closed'> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: r.path, method: r.method, headers: r.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', () => resolve('connection-closed'));
      },
    );
    req.on('error', () => resolve('connection-closed'));
    req.end(r.method === 'GET' && r.body.length === 0 ? undefined : r.body);
  });
}

describe('axon fuzzing', () => {
  it(
    `survives ${REQUESTS} random and malformed requests with documented answers only`,
    { timeout: 120_000 },
    async () => {
      const samples = fc.sample(requestArbitrary, { numRuns: REQUESTS, seed: 20240611 });
      pools = {
        'alice-replay': Array.from({ length: POOL_SIZE }, (_, i) => sign('alice', REQUESTS + 100 + i)),
        charlie: Array.from({ length: POOL_SIZE }, (_, i) => sign('charlie', i)),
        dave: Array.from({ length: POOL_SIZE }, (_, i) => sign('dave', i)),
      };
      const agent = new Agent({ keepAlive: true, maxSockets: 48 });
      const oneShot = new Agent({ keepAlive: false });
      const statuses = new Map<number, number>();
      let closed = 0;
      let successes = 0;
      collectGarbage();
      const heapBefore = process.memoryUsage().heapUsed;
      const started = Date.now();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < samples.length) {
          const seq = next++;
          const sample = samples[seq] as FuzzRequest;
          const built = build(sample, seq);
          // A request that lies about its length poisons a keep-alive connection for the next one: own socket.
          const outcome = await sendOne(sample.body.kind === 'declared-oversize' ? oneShot : agent, built);
          if (outcome === 'connection-closed') {
            closed++;
            // Only a request that declared a body it never sent may see its connection closed.
            expect(sample.body.kind, JSON.stringify(sample)).toBe('declared-oversize');
            continue;
          }
          statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
          expect(DOCUMENTED.has(outcome.status), `status ${outcome.status} for ${JSON.stringify(sample)}`).toBe(true);
          if (outcome.status === 200 && /^\/MusicGeneration(?:[/?]|$)/.test(built.path)) successes++;
          if (outcome.status !== 400 && outcome.status !== 431) {
            expect(outcome.contentType).toBe('application/json');
            const parsed = JSON.parse(outcome.body) as Record<string, unknown>;
            if (outcome.status === 422) expect(Array.isArray(parsed['detail'])).toBe(true);
            else if (outcome.status !== 200) expect(typeof parsed['message']).toBe('string');
          }
        }
      };
      await Promise.all(Array.from({ length: 48 }, worker));
      agent.destroy();
      oneShot.destroy();
      const seconds = (Date.now() - started) / 1000;

      // Raw garbage on fresh sockets: Node's parser answers 400 or closes; the axon keeps serving.
      const garbage = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), { numRuns: 200, seed: 7 });
      await Promise.all(
        garbage.map(
          (bytes) =>
            new Promise<void>((resolve) => {
              const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.from(bytes)));
              socket.on('data', () => undefined);
              socket.on('error', () => resolve());
              socket.on('close', () => resolve());
              socket.setTimeout(5_000, () => socket.destroy());
            }),
        ),
      );

      const total = [...statuses.values()].reduce((a, b) => a + b, 0) + closed;
      expect(total).toBe(REQUESTS);
      // The handler ran only for the registered, staked caller, at least once per success.
      expect(handled.every((caller) => caller.hotkey === keys.alice.address)).toBe(true);
      expect(handled.length).toBeGreaterThanOrEqual(successes);
      expect(successes).toBeGreaterThan(100);
      // Every path was exercised.
      for (const status of [200, 401, 403, 404, 405, 413, 422, 500])
        expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
      // Bounded state: the nonce table (the work queue's bound is the scheduler's, neuron/ tests it).
      const stats = axon.stats();
      expect(stats.rememberedNonces).toBeLessThanOrEqual(1_000);
      expect(stats.inFlight).toBe(0);
      collectGarbage();
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      expect(heapGrowth).toBeLessThan(16 * 1024 * 1024);
      // No request ever escaped the pipeline's error handling.
      expect(logLines.filter((line) => line.level === 'error')).toEqual([]);
      // Still alive and serving.
      const after = await sendOne(
        new Agent(),
        build(
          { signer: 'alice', path: '/MusicGeneration', method: 'POST', headerEdits: [], body: { kind: 'as-signed' } },
          REQUESTS + 1,
        ),
      );
      expect(after !== 'connection-closed' && after.status).toBe(200);
      console.log(
        `fuzz: ${REQUESTS} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; closed ${closed}; heap +${(heapGrowth / 1e6).toFixed(1)} MB`,
      );
    },
  );
});
