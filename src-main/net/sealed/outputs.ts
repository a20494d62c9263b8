/**
 * What a sealed response hides: the miner's output. `music_output` travels as raw float32
 * little-endian samples rather than JSON text: 4 bytes a sample instead of ~20 (wire-protocol §7.4),
 * and exact, since the samples are float32 PCM to begin with (§7.1). Layout:
 *
 *   u32be(L) ‖ canonical JSON header (L bytes) ‖ samples (4 × N bytes)
 *   header = {"music_output":null} | {"music_output":{"encoding":"f32le","samples":N}}
 *
 * The header is the place for output fields a later version may add; v1 allows no other key.
 */
import { z } from 'zod';
import { concat, u32be, utf8 } from './bytes.js';
import { canonicalJson } from './canonical-json.js';
import { MAX_RESPONSE_PLAINTEXT } from './constants.js';
import { SealedError } from './errors.js';
import { describeIssues } from './inputs.js';

export interface SealedResponseOutputs {
  /** Mono PCM at 32 kHz (implied, as on the plaintext route), or null when there is no audio. */
  readonly music_output: Float32Array | null;
}

const OutputsHeaderSchema = z.strictObject({
  music_output: z
    .strictObject({
      encoding: z.literal('f32le'),
      samples: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    })
    .nullable(),
});

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export function encodeResponseOutputs(outputs: SealedResponseOutputs): Uint8Array {
  const samples = outputs.music_output;
  if (samples !== null && !(samples instanceof Float32Array)) {
    throw new SealedError('invalid_input', 'music_output must be a Float32Array or null');
  }
  // The plaintext route cannot carry NaN or ±Infinity either (wire-protocol §4.8).
  if (samples?.some((sample) => !Number.isFinite(sample))) {
    throw new SealedError('invalid_input', 'music_output holds a non-finite sample');
  }
  const header = utf8(
    canonicalJson({ music_output: samples === null ? null : { encoding: 'f32le', samples: samples.length } }),
  );
  const audio = samples === null ? new Uint8Array(0) : float32ToBytes(samples);
  const plaintext = concat(u32be(header.length), header, audio);
  if (plaintext.length > MAX_RESPONSE_PLAINTEXT) {
    throw new SealedError('invalid_input', `response outputs exceed ${MAX_RESPONSE_PLAINTEXT} bytes`);
  }
  return plaintext;
}

export function decodeResponseOutputs(plaintext: Uint8Array): SealedResponseOutputs {
  if (plaintext.length < 4) throw new SealedError('bad_plaintext', 'response plaintext is truncated');
  const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const headerLength = view.getUint32(0, false);
  if (headerLength > plaintext.length - 4) throw new SealedError('bad_plaintext', 'response header is truncated');
  const headerBytes = plaintext.subarray(4, 4 + headerLength);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    throw new SealedError('bad_plaintext', 'response header is not UTF-8 JSON');
  }
  const checked = OutputsHeaderSchema.safeParse(parsed);
  if (!checked.success) throw new SealedError('bad_plaintext', `response header: ${describeIssues(checked.error)}`);
  const header = checked.data;
  if (canonicalJson(header) !== new TextDecoder().decode(headerBytes)) {
    throw new SealedError('bad_plaintext', 'response header is not in canonical form');
  }
  const audio = plaintext.subarray(4 + headerLength);
  const expected = header.music_output === null ? 0 : header.music_output.samples * 4;
  if (audio.length !== expected) {
    throw new SealedError('bad_plaintext', `response carries ${audio.length} audio bytes, its header says ${expected}`);
  }
  if (header.music_output === null) return { music_output: null };
  const samples = bytesToFloat32(audio);
  if (samples.some((sample) => !Number.isFinite(sample))) {
    throw new SealedError('bad_plaintext', 'music_output holds a non-finite sample');
  }
  return { music_output: samples };
}

function float32ToBytes(samples: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN)
    return new Uint8Array(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength));
  const out = new Uint8Array(samples.length * 4);
  const view = new DataView(out.buffer);
  samples.forEach((sample, i) => view.setFloat32(i * 4, sample, true));
  return out;
}

function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(bytes.slice().buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
