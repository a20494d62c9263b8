import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { MAX_REQUEST_PLAINTEXT, MUSIC_MODEL_NAMES } from './constants.js';
import { SealedError } from './errors.js';
import { decodeRequestInputs, encodeRequestInputs, type SealedRequestInputs } from './inputs.js';
import { decodeResponseOutputs, encodeResponseOutputs } from './outputs.js';
import { INPUTS, SAMPLES } from './test-fixtures.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealedError) return error.code;
    throw error;
  }
  return undefined;
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('request inputs', () => {
  it('are the canonical JSON of all three input fields, nulls included', () => {
    expect(text(encodeRequestInputs(INPUTS))).toBe(
      '{"duration":755,"model_name":"facebook/musicgen-medium","text_input":"Lo-fi hip hop beat with mellow piano and soft rain"}',
    );
    expect(text(encodeRequestInputs({ text_input: 'x', model_name: null, duration: null }))).toBe(
      '{"duration":null,"model_name":null,"text_input":"x"}',
    );
  });

  it('round-trip for any prompt, model and token count', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.constantFrom(null, ...MUSIC_MODEL_NAMES),
        fc.option(fc.nat()),
        (text_input, model_name, duration) => {
          const inputs: SealedRequestInputs = { text_input, model_name, duration };
          expect(decodeRequestInputs(encodeRequestInputs(inputs))).toEqual(inputs);
        },
      ),
    );
  });

  it('refuse to seal what the synapse would not accept', () => {
    const bad: unknown[] = [
      { ...INPUTS, model_name: 'facebook/musicgen-small' },
      { ...INPUTS, duration: 7.5 },
      { ...INPUTS, duration: -1 },
      { ...INPUTS, text_input: 42 },
      { ...INPUTS, extra: 1 },
      { text_input: 'x'.repeat(MAX_REQUEST_PLAINTEXT), model_name: null, duration: null },
    ];
    for (const inputs of bad) {
      expect(codeOf(() => encodeRequestInputs(inputs as SealedRequestInputs))).toBe('invalid_input');
    }
  });

  it('open only from the canonical bytes', () => {
    const canonical = text(encodeRequestInputs(INPUTS));
    const variants = [
      JSON.stringify(INPUTS), // keys in the wrong order
      canonical.replace(',', ', '), // whitespace
      canonical.replace('755', '755.0'), // another spelling of the number
      canonical.replace('"Lo-fi', '"\\u004co-fi'), // another spelling of the string
      '{"duration":755,"text_input":"x"}', // a missing field
      '{"duration":755,"extra":1,"model_name":null,"text_input":"x"}', // an extra field
      '{"duration":"755","model_name":null,"text_input":"x"}',
      'null',
      'not json',
    ];
    for (const variant of variants) expect(codeOf(() => decodeRequestInputs(utf8(variant)))).toBe('bad_plaintext');
    expect(codeOf(() => decodeRequestInputs(Uint8Array.of(0x7b, 0xff, 0x7d)))).toBe('bad_plaintext');
  });
});

describe('response outputs', () => {
  it('carry music_output as float32 little-endian after a canonical JSON header', () => {
    const plaintext = encodeResponseOutputs({ music_output: Float32Array.of(0.5, -1) });
    const header = '{"music_output":{"encoding":"f32le","samples":2}}';
    expect(plaintext.length).toBe(4 + header.length + 8);
    expect(Buffer.from(plaintext.subarray(0, 4)).readUInt32BE(0)).toBe(header.length);
    expect(text(plaintext.subarray(4, 4 + header.length))).toBe(header);
    expect(Buffer.from(plaintext.subarray(4 + header.length)).toString('hex')).toBe('0000003f000080bf');
  });

  it('round-trip every float32 bit pattern exactly, -0 and subnormals included', () => {
    const back = decodeResponseOutputs(encodeResponseOutputs({ music_output: SAMPLES })).music_output;
    expect(back && Buffer.from(back.buffer).equals(Buffer.from(SAMPLES.buffer))).toBe(true);
    fc.assert(
      fc.property(fc.float32Array({ noDefaultInfinity: true, noNaN: true, maxLength: 200 }), (samples) => {
        const out = decodeResponseOutputs(encodeResponseOutputs({ music_output: samples })).music_output;
        expect(out).not.toBeNull();
        expect(
          Buffer.from(out?.buffer ?? new ArrayBuffer(0)).equals(
            Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength),
          ),
        ).toBe(true);
      }),
    );
  });

  it('may carry no audio at all', () => {
    const plaintext = encodeResponseOutputs({ music_output: null });
    expect(text(plaintext.subarray(4))).toBe('{"music_output":null}');
    expect(decodeResponseOutputs(plaintext)).toEqual({ music_output: null });
  });

  it('is 4 bytes a sample, about a fifth of the JSON text of the plaintext route', () => {
    const samples = Float32Array.from({ length: 32_000 }, (_, i) => Math.sin(i / 7) * 0.8);
    const binary = encodeResponseOutputs({ music_output: samples }).length;
    const json = JSON.stringify(Array.from(samples)).length;
    expect(binary).toBeLessThan(32_000 * 4 + 64);
    expect(binary * 4).toBeLessThan(json);
  });

  it('refuse non-finite samples on both sides', () => {
    expect(codeOf(() => encodeResponseOutputs({ music_output: Float32Array.of(0, NaN) }))).toBe('invalid_input');
    expect(codeOf(() => encodeResponseOutputs({ music_output: Float32Array.of(Infinity) }))).toBe('invalid_input');
    const good = encodeResponseOutputs({ music_output: Float32Array.of(0) });
    const nan = good.slice();
    nan.set([0x00, 0x00, 0xc0, 0x7f], nan.length - 4); // a float32 NaN, little-endian
    expect(codeOf(() => decodeResponseOutputs(nan))).toBe('bad_plaintext');
  });

  it('refuse a header that disagrees with the audio, is not canonical or says more than v1 knows', () => {
    const build = (header: string, audio: Uint8Array): Uint8Array => {
      const head = utf8(header);
      const out = new Uint8Array(4 + head.length + audio.length);
      new DataView(out.buffer).setUint32(0, head.length, false);
      out.set(head, 4);
      out.set(audio, 4 + head.length);
      return out;
    };
    const four = new Uint8Array(4);
    expect(
      decodeResponseOutputs(build('{"music_output":{"encoding":"f32le","samples":1}}', four)).music_output,
    ).toEqual(Float32Array.of(0));
    const cases: Uint8Array[] = [
      build('{"music_output":{"encoding":"f32le","samples":2}}', four),
      build('{"music_output":null}', four),
      build('{"music_output":{"samples":1,"encoding":"f32le"}}', four),
      build('{"music_output":{"encoding":"f64le","samples":1}}', four),
      build('{"music_output":null,"text_input":"x"}', new Uint8Array(0)),
      build('{"music_output": null}', new Uint8Array(0)),
      Uint8Array.of(0, 0, 0),
      Uint8Array.of(0, 0, 0, 9, 0x7b),
    ];
    for (const plaintext of cases) expect(codeOf(() => decodeResponseOutputs(plaintext))).toBe('bad_plaintext');
  });
});
