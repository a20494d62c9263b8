import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyCodecError, decodeSynapseBody, encodeSynapseBody } from './body-codec.js';

const NONCE = 1_717_171_717_123_456_789n; // TV-5/TV-6: beyond 2^53, not exact as a double

/** TV-6 (wire-protocol.md §10): a SN50 success response as a Python axon (FastAPI) writes it. */
const TV6 =
  '{"name":"MusicGeneration","timeout":200.0,"total_size":3506,"header_size":0,"dendrite":{"status_code":null,"status_message":null,"process_time":null,"ip":"203.0.113.7","port":null,"version":10002000,"nonce":1717171717123456789,"uuid":"5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a","hotkey":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","signature":"0x9225bc71f57c1907272eb7d81e8336e9c15d128b05e28af54de6a9e37c75fa785ec1876824a03a78261ab74b9391516f160b445e53e4dd0a01a11959212d2b82"},"axon":{"status_code":200,"status_message":"Success","process_time":12.5,"ip":"198.51.100.20","port":8091,"version":null,"nonce":null,"uuid":null,"hotkey":"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty","signature":null},"computed_body_hash":"","text_input":"Lo-fi hip hop beat with mellow piano and soft rain","model_name":"facebook/musicgen-medium","music_output":[0.0,-3.0517578125e-05,0.5,1e-05,0.10000000149011612],"duration":755}';

function terminal(nonce: bigint | null): Record<string, unknown> {
  return {
    status_code: null,
    status_message: null,
    process_time: null,
    ip: null,
    port: null,
    version: 10002000,
    nonce,
    uuid: null,
    hotkey: null,
    signature: null,
  };
}

function synapse(music: Float32Array | number[] | null): Record<string, unknown> {
  return {
    name: 'MusicGeneration',
    timeout: 200,
    total_size: 0,
    header_size: 0,
    dendrite: terminal(NONCE),
    axon: { ...terminal(null), status_code: 200, status_message: 'Success', process_time: 12.5 },
    computed_body_hash: '',
    text_input: 'Lo-fi hip hop beat with mellow piano and soft rain',
    model_name: 'facebook/musicgen-medium',
    music_output: music,
    duration: 755,
  };
}

/** The numbers of the `music_output` array in an encoded body, as text. */
function sampleTexts(body: Buffer): string[] {
  const text = body.toString('utf8');
  const start = text.indexOf('"music_output":[') + '"music_output":['.length;
  const inner = text.slice(start, text.indexOf(']', start));
  return inner === '' ? [] : inner.split(',');
}

function expectSameFloats(actual: unknown, expected: ArrayLike<number>): void {
  expect(actual).toBeInstanceOf(Float32Array);
  const got = actual as Float32Array;
  expect(got.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(got[i], expected[i])) expect.fail(`sample ${i}: got ${got[i]}, expected ${expected[i]}`);
  }
}

function expectCodecError(body: Buffer | string, message?: RegExp): void {
  let thrown: unknown;
  try {
    decodeSynapseBody(body);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `no error for ${JSON.stringify(String(body).slice(0, 80))}`).toBeInstanceOf(BodyCodecError);
  if (message) expect((thrown as Error).message).toMatch(message);
}

function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasUnsafeInteger);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasUnsafeInteger);
  return false;
}

/** Every finite float32, by bit pattern: all exponents, subnormals and both zeros. */
const anyFloat32 = fc
  .integer({ min: 0, max: 2 ** 32 - 1 })
  .map((bits) => new Float32Array(new Uint32Array([bits]).buffer)[0] as number)
  .filter(Number.isFinite);

const nonce = fc.oneof(
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: -(2n ** 70n), max: -(2n ** 53n) }),
);

describe('synapse body codec', () => {
  describe('round trips', () => {
    it('returns the SN50 synapse: bigint nonce exact, samples as the same float32 values', () => {
      const samples = Float32Array.from([0, -0, 1, -1, 0.5, 1e-5, -3.0517578125e-5, 0.1, 0.999_999_9, -0.123_456_79]);
      const original = synapse(samples);
      const decoded = decodeSynapseBody(encodeSynapseBody(original));
      expect(Object.keys(decoded)).toEqual(Object.keys(original));
      expect((decoded.dendrite as Record<string, unknown>).nonce).toBe(NONCE);
      expectSameFloats(decoded.music_output, samples);
      expect({ ...decoded, music_output: null }).toEqual({ ...original, music_output: null });
    });

    it('round-trips arbitrary synapse-like objects exactly (float32 samples, nested fields, bigint nonces)', () => {
      const json = fc.jsonValue({ maxDepth: 3 });
      const body = fc.record({
        name: fc.string(),
        timeout: fc.double({ noNaN: true, noDefaultInfinity: true }),
        dendrite: fc.record({ nonce, version: fc.integer(), uuid: fc.uuid(), extra: json }),
        axon: fc.record({ nonce: fc.option(nonce), ip: fc.option(fc.ipV4()), status_code: fc.option(fc.nat(999)) }),
        text_input: fc.string({ unit: 'grapheme', maxLength: 40 }),
        music_output: fc.option(fc.array(anyFloat32, { maxLength: 300 }).map((xs) => Float32Array.from(xs))),
        nested: fc.dictionary(fc.string(), json, { maxKeys: 4 }),
        duration: fc.option(fc.integer({ min: 0, max: 10_000 })),
      });
      fc.assert(
        fc.property(body, (original) => {
          expect(decodeSynapseBody(encodeSynapseBody(original))).toEqual(original);
        }),
        { numRuns: 300 },
      );
    });

    it('rounds number[] samples to float32, and writes them so that JSON.parse + Math.fround gives the same', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ noNaN: true, min: -3e38, max: 3e38 }), { maxLength: 200 }), (samples) => {
          const body = encodeSynapseBody({ music_output: samples });
          const expected = Float32Array.from(samples);
          expectSameFloats(decodeSynapseBody(body).music_output, expected);
          const viaJson = JSON.parse(body.toString('utf8')) as { music_output: number[] };
          expectSameFloats(Float32Array.from(viaJson.music_output.map(Math.fround)), expected);
        }),
      );
    });

    // A million values through the codec and JSON.parse: CPU work that a busy 2-core machine may
    // take well past the default 5 s for; the limit is not what this test is about.
    it('writes every float32 with at most 9 significant digits that read back exactly', { timeout: 60_000 }, () => {
      const edges = [
        1.401298464324817e-45, // smallest subnormal
        1.1754942106924411e-38, // largest subnormal
        1.1754943508222875e-38, // smallest normal
        3.4028234663852886e38, // largest float32
        1e-13,
        9.99999982e-14,
        1e21,
        1.0000000200408773e21,
        0.1,
        0.01,
        0.001,
        1e-4,
        1e-5,
        1e-6,
        10,
        1e15,
        1e16,
        0.0099999998,
        0.999_999_94,
      ].flatMap((x) => {
        const f = Math.fround(x);
        const bits = new Uint32Array(new Float32Array([f]).buffer)[0] as number;
        const around = [bits - 1, bits, bits + 1].map(
          (b) => new Float32Array(new Uint32Array([b]).buffer)[0] as number,
        );
        return [...around, ...around.map((y) => -y)];
      });
      const random = fc.sample(anyFloat32, { numRuns: 100_000, seed: 42 });
      // All 2^20 float32 values just above 0.1 and 0.5: a dense run of consecutive mantissas.
      const dense = [0.1, 0.5].flatMap((start) => {
        const bits = new Uint32Array(new Float32Array([start]).buffer)[0] as number;
        return Array.from(
          { length: 2 ** 19 },
          (_, i) => new Float32Array(new Uint32Array([bits + i]).buffer)[0] as number,
        );
      });
      const samples = Float32Array.from([...edges, ...random, ...dense].filter(Number.isFinite));
      const body = encodeSynapseBody({ music_output: samples });
      expectSameFloats(decodeSynapseBody(body).music_output, samples);
      const texts = sampleTexts(body);
      expect(texts.length).toBe(samples.length);
      const viaJson = (JSON.parse(body.toString('utf8')) as { music_output: number[] }).music_output;
      for (let i = 0; i < samples.length; i++) {
        const text = texts[i] as string;
        if (!/^-?(0|[1-9]\d*)(\.\d+)?(e[+-]?\d+)?$/.test(text)) expect.fail(`not a plain JSON number: ${text}`);
        const significant = text.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
        if (significant.length > 9) expect.fail(`${samples[i]} written with too many digits: ${text}`);
        if (!Object.is(Math.fround(viaJson[i] as number), samples[i])) expect.fail(`${text} reads back wrong`);
      }
    });

    it('keeps integers beyond 2^53 exact as bigint in any field, and numbers as numbers', () => {
      fc.assert(
        fc.property(nonce, nonce, fc.double({ noNaN: true, noDefaultInfinity: true }), (a, b, x) => {
          const decoded = decodeSynapseBody(encodeSynapseBody({ dendrite: { nonce: a }, list: [b, x], x }));
          expect(decoded).toEqual({ dendrite: { nonce: a }, list: [b, x], x });
        }),
      );
      expect(decodeSynapseBody('{"n": 9007199254740991, "m": 9007199254740992, "k": -9007199254740993}')).toEqual({
        n: 9007199254740991,
        m: 9007199254740992n,
        k: -9007199254740993n,
      });
      // A bigint within the safe range comes back as a number; a double stays a double.
      expect(decodeSynapseBody(encodeSynapseBody({ a: 5n, b: 1e20, c: -(2 ** 60), d: -0 }))).toEqual({
        a: 5,
        b: 1e20,
        c: -(2 ** 60),
        d: -0,
      });
      expect(decodeSynapseBody('{"a": 1e20, "b": 12345678901234567890.0}')).toEqual({
        a: 1e20,
        b: 12345678901234567000,
      });
    });

    it('writes compact JSON that JSON.parse reads (with the nonce as a 19-digit integer)', () => {
      const body = encodeSynapseBody(synapse(Float32Array.from([0.5, -0.25])));
      const text = body.toString('utf8');
      expect(text).toContain(`"nonce":${NONCE}`);
      expect(text).toContain('"music_output":[0.5,-0.25]');
      expect(text).not.toMatch(/\s[,:]|[,:]\s/);
      expect(JSON.parse(text)).toMatchObject({ name: 'MusicGeneration', duration: 755, music_output: [0.5, -0.25] });
    });

    it('writes samples with 8 or 9 significant digits, trailing zeros dropped, in Python-readable forms', () => {
      const body = encodeSynapseBody({
        music_output: [0, -0, 1, -1, 0.5, 1e-5, -3.0517578125e-5, 123456.7, 1e20, 3e38, 1e-40, 0.1, 0.01, 2.5e-7],
      });
      expect(body.toString()).toBe(
        // 1e-5 and 0.01 as float32 need their 8th digit; 0.1 and 2.5e-7 do not.
        '{"music_output":[0.0,-0.0,1.0,-1.0,0.5,9.9999997e-6,-0.000030517578,123456.7,1e20,3e+38,1e-40,0.1,0.0099999998,2.5e-7]}',
      );
    });

    it('uses about 11 bytes per sample for random audio in [-1, 1]', () => {
      const samples = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i * 12.9898) * 0.999);
      const body = encodeSynapseBody({ music_output: samples });
      expect(body.length / samples.length).toBeLessThan(12);
      expectSameFloats(decodeSynapseBody(body).music_output, samples);
    });

    it('grows its buffer for samples wider than usual', () => {
      // 15 to 19 bytes each, more than the 14 reserved per sample up front.
      const wide = Float32Array.from({ length: 50_000 }, (_, i) =>
        i % 2 ? -0.00012345679 * (1 + i / 1e5) : -123456789e6 * (1 + i / 1e5),
      );
      const body = encodeSynapseBody({ before: 'é'.repeat(1000), music_output: wide, after: '🎵'.repeat(1000) });
      expect(body.length / wide.length).toBeGreaterThan(16);
      const decoded = decodeSynapseBody(body);
      expectSameFloats(decoded.music_output, wide);
      expect(decoded.after).toBe('🎵'.repeat(1000));
      expect(JSON.parse(body.toString('utf8'))).toMatchObject({ before: 'é'.repeat(1000), after: '🎵'.repeat(1000) });
    });

    it('treats only a top-level flat number list as samples', () => {
      const body = encodeSynapseBody({
        music_output: [[0.1, 0.2], [0.3]],
        nested: { music_output: [0.1, 1e-7] },
        other: new Float32Array([0.1]),
      });
      const decoded = decodeSynapseBody(body);
      expect(decoded).toEqual({
        music_output: [[0.1, 0.2], [0.3]],
        nested: { music_output: [0.1, 1e-7] },
        other: [Math.fround(0.1)],
      });
      expect(decodeSynapseBody('{"music_output": null}')).toEqual({ music_output: null });
      expect(decodeSynapseBody('{"music_output": [0.5, "x", null]}')).toEqual({ music_output: [0.5, 'x', null] });
      expectSameFloats(decodeSynapseBody('{"music_output": []}').music_output, []);
      expectSameFloats(decodeSynapseBody('{"music_output": [ ]}').music_output, []);
      expectSameFloats(encodeAndDecode({ music_output: [] }), []);
    });

    it('follows JSON.stringify for undefined, functions, toJSON and key order', () => {
      const body = encodeSynapseBody({
        b: 1,
        a: undefined,
        f: () => 1,
        list: [undefined, () => 1, Symbol('s'), 2],
        when: new Date(0),
        music_output: null,
        z: 'é"\n\u2028',
      });
      expect(body.toString('utf8')).toBe(
        '{"b":1,"list":[null,null,null,2],"when":"1970-01-01T00:00:00.000Z","music_output":null,"z":"é\\"\\n\u2028"}',
      );
    });
  });

  describe('Python peers', () => {
    it('reads TV-6, the response body a Python axon writes', () => {
      const decoded = decodeSynapseBody(Buffer.from(TV6, 'utf8'));
      expect((decoded.dendrite as Record<string, unknown>).nonce).toBe(NONCE);
      expect((decoded.axon as Record<string, unknown>).status_code).toBe(200);
      expect(decoded.timeout).toBe(200);
      expectSameFloats(decoded.music_output, Float32Array.from([0, -3.0517578125e-5, 0.5, 1e-5, 0.10000000149011612]));
      const { music_output: _music, ...rest } = decoded;
      const { music_output: _expected, ...restExpected } = JSON.parse(TV6) as Record<string, unknown>;
      expect({ ...rest, dendrite: { ...(rest.dendrite as object), nonce: 0 } }).toEqual({
        ...restExpected,
        dendrite: { ...(restExpected.dendrite as object), nonce: 0 },
      });
    });

    it("reads json.dumps output: ', ' and ': ' separators, repr floats, exponents, -0.0, ints in the list", () => {
      const body =
        '{"name": "MusicGeneration", "timeout": 12.0, "dendrite": {"nonce": 1717171717123456789, "uuid": "u"}, ' +
        '"music_output": [0.0, -0.0, 1, -1, 0, 0.10000000149011612, -3.0517578125e-05, 1e-05, 1E-7, 2.5e+2, ' +
        '-0.9999999403953552, 1.401298464324817e-45, 0.333333333333333314829616256247390992939472198486328125, 5], ' +
        '"duration": 1510}';
      const decoded = decodeSynapseBody(body);
      expect(decoded.name).toBe('MusicGeneration');
      expect((decoded.dendrite as Record<string, unknown>).nonce).toBe(NONCE);
      expect(decoded.duration).toBe(1510);
      const expected = [
        0,
        -0,
        1,
        -1,
        0,
        0.10000000149011612,
        -3.0517578125e-5,
        1e-5,
        1e-7,
        250,
        -0.9999999403953552,
        1.401298464324817e-45,
        1 / 3,
        5,
      ].map(Math.fround);
      expectSameFloats(decoded.music_output, expected);
    });

    it('reads indented json.dumps output (newlines, tabs, CRLF around values)', () => {
      const body = '{\r\n  "music_output": [\n    0.5,\n\t-0.25 \n  ],\n  "nonce": 1717171717123456789\n}\n';
      const decoded = decodeSynapseBody(body);
      expectSameFloats(decoded.music_output, [0.5, -0.25]);
      expect(decoded.nonce).toBe(NONCE);
    });

    it('reads 17-digit repr of arbitrary doubles as Math.fround(JSON.parse(text)), midpoints included', () => {
      // Doubles at and next to the midpoint between two float32 values, where decimal → double →
      // float32 rounding is decided by the last digits.
      const nextUp = (x: number, steps: number): number => {
        const view = new DataView(new ArrayBuffer(8));
        view.setFloat64(0, x);
        view.setBigUint64(0, view.getBigUint64(0) + BigInt(steps));
        return view.getFloat64(0);
      };
      const midpoints = fc
        .sample(
          anyFloat32.filter((f) => f > 0 && f < 3e38),
          { numRuns: 3000, seed: 7 },
        )
        .flatMap((f) => {
          const bits = new Uint32Array(new Float32Array([f]).buffer)[0] as number;
          const next = new Float32Array(new Uint32Array([bits + 1]).buffer)[0] as number;
          const mid = (f + next) / 2;
          return [-2, -1, 0, 1, 2].map((s) => nextUp(mid, s));
        });
      const doubles = fc.sample(fc.double({ noNaN: true, min: -1e30, max: 1e30 }), { numRuns: 3000, seed: 8 });
      const texts = [...midpoints, ...doubles].flatMap((x) => [
        String(x),
        x.toPrecision(17),
        x.toPrecision(19),
        x.toPrecision(21),
      ]);
      const decoded = decodeSynapseBody(`{"music_output": [${texts.join(', ')}]}`).music_output;
      expectSameFloats(
        decoded,
        texts.map((t) => Math.fround(Number(t))),
      );
    });
  });

  describe('malformed input', () => {
    const cases: Array<[string, string | Buffer, RegExp?]> = [
      ['empty body', '', /JSON object/],
      ['only whitespace', '  \n', /JSON object/],
      ['not an object', '[1, 2]', /JSON object/],
      ['a string', '"x"', /JSON object/],
      ['null', 'null', /JSON object/],
      ['truncated object', '{', /string key/],
      ['truncated after key', '{"a":', /JSON value/],
      ['truncated value', '{"a":1', /',' or '}'/],
      ['trailing comma', '{"a":1,}', /string key/],
      ['missing colon', '{"a" 1}', /':'/],
      ['unquoted key', '{a:1}', /string key/],
      ['single quotes', "{'a':1}", /string key/],
      ['trailing data', '{"a":1}x', /after the JSON object/],
      ['two objects', '{"a":1}{"b":2}', /after the JSON object/],
      ['bad literal', '{"a":tru}', /true/],
      ['bad null', '{"a":nul}', /null/],
      ['NaN', '{"a":NaN}', /JSON value/],
      ['Infinity', '{"a":Infinity}', /JSON value/],
      ['-Infinity', '{"a":-Infinity}', /JSON value/],
      ['leading plus', '{"a":+1}', /JSON value/],
      ['leading zero', '{"a":01}', /',' or '}'/],
      ['bare dot', '{"a":1.}', /decimal point/],
      ['leading dot', '{"a":.5}', /JSON value/],
      ['empty exponent', '{"a":1e}', /exponent/],
      ['signed empty exponent', '{"a":1e+}', /exponent/],
      ['lone minus', '{"a":-}', /JSON value/],
      ['hex', '{"a":0x10}', /',' or '}'/],
      ['unterminated string', '{"a":"abc', /unterminated string/],
      ['unterminated key', '{"abc', /unterminated string/],
      ['backslash at end', '{"a":"abc\\', /unterminated string/],
      ['bad escape', '{"a":"\\x41"}', /escape/],
      ['short unicode escape', '{"a":"\\u12"}', /escape/],
      ['raw control character', '{"a":"x\u0001y"}', /control character/],
      ['raw newline in string', '{"a":"x\ny"}', /control character/],
      ['byte order mark', '\uFEFF{"a":1}', /JSON object/],
      ['samples: truncated', '{"music_output":[0.1, 0.2', /',' or ']'/],
      ['samples: truncated number', '{"music_output":[0.1, -', /JSON value/],
      ['samples: double comma', '{"music_output":[0.1,,0.2]}', /JSON value/],
      ['samples: trailing comma', '{"music_output":[0.1,]}', /JSON value/],
      ['samples: NaN', '{"music_output":[0.1, NaN]}', /JSON value/],
      ['samples: Infinity', '{"music_output":[Infinity]}', /JSON value/],
      ['samples: -Infinity', '{"music_output":[0.5, -Infinity]}', /JSON value/],
      ['samples: bare dot', '{"music_output":[1.]}', /decimal point/],
      ['samples: leading zero', '{"music_output":[01]}', /',' or ']'/],
      ['samples: empty exponent', '{"music_output":[1e]}', /exponent/],
      ['samples: missing comma', '{"music_output":[0.1 0.2]}', /',' or ']'/],
      ['samples: float32 overflow', '{"music_output":[0.5, 1e39]}', /music_output\[1\].*float32 range/],
      ['samples: double overflow', '{"music_output":[-1e400]}', /music_output\[0\].*float32 range/],
      ['samples: overflow on the generic path', '{"music_output":[1e39, "x"]}', /music_output\[0\].*float32 range/],
      ['deeply nested arrays', '{"a":' + '['.repeat(100_000), /nested deeper than 512/],
      ['deeply nested objects', '{"a":' + '{"a":'.repeat(100_000), /nested deeper than 512/],
      ['deeply nested, closed', '{"a":' + '['.repeat(600) + ']'.repeat(600) + '}', /nested deeper than 512/],
      ['deeply nested samples', '{"music_output":' + '['.repeat(100_000), /nested deeper than 512/],
    ];
    it.each(cases)('rejects %s', (_name, body, message) => {
      expectCodecError(body, message);
      expectCodecError(Buffer.from(body), message);
    });

    it('names the byte offset and what it found', () => {
      expect(() => decodeSynapseBody('{"a": [1, 2 x]}')).toThrow(
        new BodyCodecError("malformed synapse body at byte 12: expected ',' or ']' in an array, found 'x'"),
      );
      expect(() => decodeSynapseBody('{"a":')).toThrow(/at byte 5: expected a JSON value, found the end of the body/);
    });

    it('accepts nesting up to 512 levels like JSON.parse', () => {
      const text = '{"a":' + '['.repeat(511) + ']'.repeat(511) + '}';
      expect(decodeSynapseBody(text)).toEqual(JSON.parse(text));
    });

    it('never throws anything but BodyCodecError on random bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          try {
            decodeSynapseBody(Buffer.from(bytes));
          } catch (error) {
            if (!(error instanceof BodyCodecError)) throw error;
          }
        }),
        { numRuns: 10_000 },
      );
    });

    it('never throws anything but BodyCodecError on JSON-like text, and agrees with JSON.parse on what it accepts', () => {
      const alphabet = [...'{}[]":,.-+0123456789eE \\ntrufalsNI'.split(''), '"music_output":', '"a":', '1e39', '\\u00'];
      const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map((parts) => parts.join(''));
      fc.assert(
        fc.property(text, (body) => {
          let decoded: Record<string, unknown>;
          try {
            decoded = decodeSynapseBody(body);
          } catch (error) {
            if (!(error instanceof BodyCodecError)) throw error;
            return;
          }
          // Whatever we accept is JSON (an object).
          expect(typeof JSON.parse(body)).toBe('object');
          expect(decoded).toBeTypeOf('object');
        }),
        { numRuns: 10_000 },
      );
    });

    it('never throws anything but BodyCodecError on mutated real bodies', () => {
      const original = encodeSynapseBody(synapse(Float32Array.from([0.5, -0.125, 1e-7, 0.3])));
      const python = Buffer.from(TV6.replace(/,/g, ', ').replace(/":/g, '": '));
      const mutation = fc.record({
        python: fc.boolean(),
        edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -1, max: 255 })), { minLength: 1, maxLength: 4 }),
        cut: fc.option(fc.nat()),
      });
      fc.assert(
        fc.property(mutation, ({ python: usePython, edits, cut }) => {
          const source = usePython ? python : original;
          let bytes = [...source];
          for (const [at, value] of edits) {
            const i = at % bytes.length;
            if (value < 0) bytes.splice(i, 1);
            else bytes[i] = value;
          }
          if (cut !== null) bytes = bytes.slice(0, cut % (bytes.length + 1));
          try {
            decodeSynapseBody(Buffer.from(bytes));
          } catch (error) {
            if (!(error instanceof BodyCodecError)) throw error;
          }
        }),
        { numRuns: 10_000 },
      );
    });
  });

  describe('agreement with JSON.parse', () => {
    const objects = fc
      .dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue(), { maxKeys: 6 })
      .filter((value) => !('music_output' in value) && !hasUnsafeInteger(value));

    it('decodes compact, indented and Python-spaced JSON exactly as JSON.parse', () => {
      fc.assert(
        fc.property(objects, (value) => {
          for (const text of [
            JSON.stringify(value),
            JSON.stringify(value, null, 2),
            JSON.stringify(value, null, '\t'),
          ]) {
            expect(decodeSynapseBody(text)).toEqual(JSON.parse(text));
            expect(decodeSynapseBody(Buffer.from(text))).toEqual(JSON.parse(text));
          }
        }),
        { numRuns: 500 },
      );
    });

    it('decodes escapes, unicode and big floats as JSON.parse does', () => {
      const texts = [
        '{"s":"\\u00e9\\n\\t\\"\\\\\\/\\b\\f\\r","t":"é日本🎵","u":"\\ud83c\\udfb5","lone":"\\ud800"}',
        '{"big":1e400,"small":1e-400,"neg":-1E+2,"z":-0,"zf":-0.0,"f":1.7976931348623157e308}',
        '{"a":{"b":{"c":[true,false,null,{},[]]}},"":""}',
        '{"dup":1,"dup":2}',
      ];
      for (const text of texts) expect(decodeSynapseBody(text)).toEqual(JSON.parse(text));
    });

    it('keeps a "__proto__" key as an own property, as JSON.parse does', () => {
      const decoded = decodeSynapseBody('{"__proto__":{"polluted":true},"a":1}');
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(Object.keys(decoded)).toEqual(['__proto__', 'a']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(decoded).toEqual(JSON.parse('{"__proto__":{"polluted":true},"a":1}'));
    });
  });

  describe('encoding errors', () => {
    it('rejects non-finite samples with a clear error, never writing NaN or Infinity', () => {
      expect(() => encodeSynapseBody({ music_output: Float32Array.from([0.5, Number.NaN]) })).toThrow(
        new BodyCodecError('music_output[1] = NaN is not finite (JSON has no NaN or Infinity)'),
      );
      expect(() => encodeSynapseBody({ music_output: [Number.NEGATIVE_INFINITY] })).toThrow(
        /music_output\[0\].*not finite/,
      );
      expect(() => encodeSynapseBody({ music_output: [0, 1e39] })).toThrow(
        /music_output\[1\] = 1e\+39 is beyond the float32 range/,
      );
    });

    it('rejects non-finite numbers in other fields', () => {
      expect(() => encodeSynapseBody({ timeout: Number.NaN })).toThrow(BodyCodecError);
      expect(() => encodeSynapseBody({ axon: { process_time: Number.POSITIVE_INFINITY } })).toThrow(/Infinity/);
      expect(() => encodeSynapseBody({ music_output: [[Number.NaN]] })).toThrow(/NaN/);
    });

    it('rejects circular structures and non-objects', () => {
      const loop: Record<string, unknown> = { a: 1 };
      loop.self = { loop };
      expect(() => encodeSynapseBody(loop)).toThrow(/circular/);
      expect(() => encodeSynapseBody([] as unknown as Record<string, unknown>)).toThrow(BodyCodecError);
      expect(() => encodeSynapseBody(null as unknown as Record<string, unknown>)).toThrow(BodyCodecError);
      const shared = { x: 1 };
      expect(JSON.parse(encodeSynapseBody({ a: shared, b: shared }).toString())).toEqual({ a: { x: 1 }, b: { x: 1 } });
    });
  });
});

function encodeAndDecode(value: Record<string, unknown>): unknown {
  return decodeSynapseBody(encodeSynapseBody(value)).music_output;
}
