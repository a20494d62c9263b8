/**
 * RIFF/WAVE encoding of audio, and a strict reader for every flavour the scoring spec lists
 * (scoring.md §5): integer PCM at 16, 24 and 32 bits (the reference validator writes int32),
 * IEEE float at 32 and 64 bits, plain or as WAVE_FORMAT_EXTENSIBLE, any channel count.
 *
 * The writer's default is mono 16-bit PCM with the canonical 44-byte header; float formats carry
 * an 18-byte `fmt ` chunk and the `fact` chunk that non-PCM formats must have. All fields are
 * little-endian.
 */
import { writeFile } from 'node:fs/promises';
import { AudioDecodeError, type AudioDecodeFailure } from './decode-error.js';

export type WavSampleFormat = 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

const FORMAT_PCM = 1;
const FORMAT_IEEE_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The tail of the KSDATAFORMAT_SUBTYPE GUIDs; the first two bytes hold the format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** More channels than any real recording has; a header claiming more is corrupt. */
const MAX_CHANNELS = 64;

const LAYOUT: Record<WavSampleFormat, { tag: number; bytes: number }> = {
  pcm16: { tag: FORMAT_PCM, bytes: 2 },
  pcm24: { tag: FORMAT_PCM, bytes: 3 },
  pcm32: { tag: FORMAT_PCM, bytes: 4 },
  float32: { tag: FORMAT_IEEE_FLOAT, bytes: 4 },
  float64: { tag: FORMAT_IEEE_FLOAT, bytes: 8 },
};

export class WavFormatError extends AudioDecodeError {
  override readonly name: string = 'WavFormatError';

  constructor(message: string, failure: AudioDecodeFailure = 'corrupt') {
    super(failure, 'wav', message);
  }
}

export interface EncodeWavOptions {
  /** Write WAVE_FORMAT_EXTENSIBLE (a 40-byte `fmt ` chunk with a sub-format GUID). */
  extensible?: boolean;
}

/** Samples in [-1, 1] (clipped, NaN as 0) → a mono WAV file's bytes. */
export function encodeWav(samples: Float32Array, sampleRate: number, format: WavSampleFormat = 'pcm16'): Buffer {
  return encodeWavChannels([samples], sampleRate, format);
}

/** One Float32Array per channel, all of one length → an interleaved WAV file's bytes. */
export function encodeWavChannels(
  channels: readonly Float32Array[],
  sampleRate: number,
  format: WavSampleFormat = 'pcm16',
  options: EncodeWavOptions = {},
): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff) {
    throw new RangeError(`the sample rate must be a positive integer, not ${sampleRate}`);
  }
  const channelCount = channels.length;
  const frames = channels[0]?.length ?? 0;
  if (channelCount < 1 || channelCount > MAX_CHANNELS)
    throw new RangeError(`1 to ${MAX_CHANNELS} channels, not ${channelCount}`);
  if (channels.some((c) => c.length !== frames)) throw new RangeError('all channels must have the same length');
  const { tag, bytes: bytesPerSample } = LAYOUT[format];
  const blockAlign = bytesPerSample * channelCount;
  const dataBytes = frames * blockAlign;
  const extensible = options.extensible === true;
  const fmtBytes = extensible ? 40 : tag === FORMAT_PCM ? 16 : 18;
  const factChunk = tag === FORMAT_PCM ? 0 : 12;
  const headerBytes = 12 + 8 + fmtBytes + factChunk + 8;
  const padByte = dataBytes % 2;
  if (headerBytes - 8 + dataBytes + padByte > 0xffffffff) {
    throw new RangeError('the audio is too long for a WAV file (4 GiB)');
  }
  const out = Buffer.alloc(headerBytes + dataBytes + padByte);
  let p = 0;
  p += out.write('RIFF', p, 'ascii');
  p = out.writeUInt32LE(headerBytes - 8 + dataBytes + padByte, p);
  p += out.write('WAVE', p, 'ascii');
  p += out.write('fmt ', p, 'ascii');
  p = out.writeUInt32LE(fmtBytes, p);
  p = out.writeUInt16LE(extensible ? FORMAT_EXTENSIBLE : tag, p);
  p = out.writeUInt16LE(channelCount, p);
  p = out.writeUInt32LE(sampleRate, p);
  p = out.writeUInt32LE(sampleRate * blockAlign, p); // byte rate
  p = out.writeUInt16LE(blockAlign, p);
  p = out.writeUInt16LE(bytesPerSample * 8, p);
  if (extensible) {
    p = out.writeUInt16LE(22, p); // cbSize
    p = out.writeUInt16LE(bytesPerSample * 8, p); // valid bits per sample
    p = out.writeUInt32LE(0, p); // channel mask: no speaker positions
    p = out.writeUInt16LE(tag, p);
    for (const b of SUBTYPE_GUID_TAIL) p = out.writeUInt8(b, p);
  } else if (tag !== FORMAT_PCM) {
    p = out.writeUInt16LE(0, p); // cbSize
  }
  if (tag !== FORMAT_PCM) {
    p += out.write('fact', p, 'ascii');
    p = out.writeUInt32LE(4, p);
    p = out.writeUInt32LE(frames, p); // sample frames
  }
  p += out.write('data', p, 'ascii');
  p = out.writeUInt32LE(dataBytes, p);
  for (let i = 0; i < frames; i++) {
    for (const channel of channels) p = writeSample(out, p, channel[i] ?? 0, format);
  }
  return out;
}

function writeSample(out: Buffer, p: number, sample: number, format: WavSampleFormat): number {
  const s = Number.isNaN(sample) ? 0 : Math.max(-1, Math.min(1, sample));
  switch (format) {
    case 'pcm16':
      return out.writeInt16LE(toPcm16(s), p);
    case 'pcm24':
      return out.writeIntLE(toPcmInt(s, 24), p, 3);
    case 'pcm32':
      return out.writeInt32LE(toPcmInt(s, 32), p);
    case 'float32':
      return out.writeFloatLE(s, p);
    case 'float64':
      return out.writeDoubleLE(s, p);
  }
}

/** [-1, 1] → int16, with the asymmetric scale so that -1 is -32768 and 1 is 32767. */
export function toPcm16(sample: number): number {
  return toPcmInt(sample, 16);
}

/** [-1, 1] → a signed integer of `bits` bits: -1 is -2^(bits-1), 1 is 2^(bits-1) - 1. */
export function toPcmInt(sample: number, bits: 16 | 24 | 32): number {
  if (Number.isNaN(sample)) return 0;
  const s = Math.max(-1, Math.min(1, sample));
  const half = 2 ** (bits - 1);
  return s < 0 ? Math.round(s * half) : Math.round(s * (half - 1));
}

export async function writeWavFile(
  path: string,
  samples: Float32Array,
  sampleRate: number,
  format: WavSampleFormat = 'pcm16',
): Promise<number> {
  const bytes = encodeWav(samples, sampleRate, format);
  await writeFile(path, bytes);
  return bytes.byteLength;
}

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  format: WavSampleFormat;
  /** Interleaved samples, integers scaled by 2^-(bits-1) into [-1, 1); frames = samples.length / channels. */
  samples: Float32Array;
}

interface FmtChunk {
  format: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

/**
 * Reads integer PCM (16/24/32-bit) or IEEE float (32/64-bit) WAV, plain or WAVE_FORMAT_EXTENSIBLE,
 * skipping unknown chunks. Throws WavFormatError (an AudioDecodeError) for anything else.
 */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.byteLength === 0) throw new WavFormatError('the file is empty', 'empty');
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file', 'unknown-format');
  }
  let fmt: FmtChunk | null = null;
  let p = 12;
  while (p + 8 <= bytes.byteLength) {
    const id = tag(p);
    const size = view.getUint32(p + 4, true);
    const body = p + 8;
    if (body + size > bytes.byteLength) {
      throw new WavFormatError(`the ${printable(id)} chunk runs past the end of the file`, 'truncated');
    }
    if (id === 'fmt ') {
      fmt = readFmt(view, body, size);
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('the data chunk comes before the fmt chunk');
      return readSamples(view, body, size, fmt);
    }
    p = body + size + (size % 2); // chunks are word-aligned
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk', 'truncated');
}

function printable(id: string): string {
  return /^[\x20-\x7e]{4}$/.test(id) ? `"${id.trim()}"` : 'a';
}

function readFmt(view: DataView, body: number, size: number): FmtChunk {
  if (size < 16) throw new WavFormatError('the fmt chunk is too short');
  let format = view.getUint16(body, true);
  const bits = view.getUint16(body + 14, true);
  if (format === FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavFormatError('the WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes');
    const validBits = view.getUint16(body + 18, true);
    // Samples narrower than their container (e.g. 20 valid bits in 24) read the same, scaled by
    // the container; a claim of more valid bits than the container holds is corrupt.
    if (validBits > bits) throw new WavFormatError(`${validBits} valid bits in a ${bits}-bit container`);
    format = view.getUint16(body + 24, true);
    for (let i = 0; i < SUBTYPE_GUID_TAIL.length; i++) {
      if (view.getUint8(body + 26 + i) !== SUBTYPE_GUID_TAIL[i]) {
        throw new WavFormatError(
          'unsupported WAV encoding: an unknown WAVE_FORMAT_EXTENSIBLE sub-format',
          'unsupported',
        );
      }
    }
  }
  return {
    format,
    channels: view.getUint16(body + 2, true),
    sampleRate: view.getUint32(body + 4, true),
    blockAlign: view.getUint16(body + 12, true),
    bits,
  };
}

function sampleFormat(fmt: FmtChunk): WavSampleFormat | null {
  if (fmt.format === FORMAT_PCM && fmt.bits === 16) return 'pcm16';
  if (fmt.format === FORMAT_PCM && fmt.bits === 24) return 'pcm24';
  if (fmt.format === FORMAT_PCM && fmt.bits === 32) return 'pcm32';
  if (fmt.format === FORMAT_IEEE_FLOAT && fmt.bits === 32) return 'float32';
  if (fmt.format === FORMAT_IEEE_FLOAT && fmt.bits === 64) return 'float64';
  return null;
}

function readSamples(view: DataView, start: number, size: number, fmt: FmtChunk): DecodedWav {
  const format = sampleFormat(fmt);
  if (!format) {
    throw new WavFormatError(
      `unsupported WAV encoding: format tag ${fmt.format}, ${fmt.bits} bits per sample`,
      'unsupported',
    );
  }
  if (fmt.channels < 1 || fmt.channels > MAX_CHANNELS) {
    throw new WavFormatError(`the file declares ${fmt.channels} channels (1 to ${MAX_CHANNELS} are readable)`);
  }
  if (fmt.sampleRate < 1) throw new WavFormatError('the file declares a sample rate of 0');
  const bytesPerSample = LAYOUT[format].bytes;
  if (fmt.blockAlign !== bytesPerSample * fmt.channels) {
    throw new WavFormatError(
      `the block align is ${fmt.blockAlign}, not ${bytesPerSample * fmt.channels} for ${fmt.channels} × ${fmt.bits}-bit samples`,
    );
  }
  if (size % fmt.blockAlign !== 0) {
    throw new WavFormatError(
      `the data chunk ends inside a sample frame (${size} bytes, frames of ${fmt.blockAlign})`,
      'truncated',
    );
  }
  const samples = new Float32Array(size / bytesPerSample);
  const read = reader(view, format);
  for (let i = 0; i < samples.length; i++) samples[i] = read(start + i * bytesPerSample);
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, format, samples };
}

/** One sample at a byte offset → a number; integers scaled as torchaudio.load does (÷ 2^(bits-1)). */
function reader(view: DataView, format: WavSampleFormat): (at: number) => number {
  switch (format) {
    case 'pcm16':
      return (at) => view.getInt16(at, true) / 32768;
    case 'pcm24':
      return (at) => ((view.getInt8(at + 2) << 16) | view.getUint16(at, true)) / 8388608;
    case 'pcm32':
      return (at) => view.getInt32(at, true) / 2147483648;
    case 'float32':
      return (at) => view.getFloat32(at, true);
    case 'float64':
      return (at) => view.getFloat64(at, true);
  }
}
