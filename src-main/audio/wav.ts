/**
 * RIFF/WAVE encoding of generated audio, and a strict reader for tests and for checking files.
 *
 * The writer makes mono files at any sample rate, either 16-bit PCM (format tag 1, the 44-byte
 * canonical header) or 32-bit IEEE float (format tag 3, an 18-byte `fmt ` chunk and the `fact`
 * chunk that non-PCM formats must carry). All fields are little-endian.
 */
import { writeFile } from 'node:fs/promises';

export type WavSampleFormat = 'pcm16' | 'float32';

const FORMAT_PCM = 1;
const FORMAT_IEEE_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

/** Samples in [-1, 1] (clipped, NaN as 0) → a mono WAV file's bytes. */
export function encodeWav(samples: Float32Array, sampleRate: number, format: WavSampleFormat = 'pcm16'): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff) {
    throw new RangeError(`the sample rate must be a positive integer, not ${sampleRate}`);
  }
  const bytesPerSample = format === 'pcm16' ? 2 : 4;
  const dataBytes = samples.length * bytesPerSample;
  const fmtBytes = format === 'pcm16' ? 16 : 18;
  const factChunk = format === 'pcm16' ? 0 : 12;
  const headerBytes = 12 + 8 + fmtBytes + factChunk + 8;
  if (headerBytes - 8 + dataBytes > 0xffffffff) throw new RangeError('the audio is too long for a WAV file (4 GiB)');
  const out = Buffer.alloc(headerBytes + dataBytes);
  let p = 0;
  p += out.write('RIFF', p, 'ascii');
  p = out.writeUInt32LE(headerBytes - 8 + dataBytes, p);
  p += out.write('WAVE', p, 'ascii');
  p += out.write('fmt ', p, 'ascii');
  p = out.writeUInt32LE(fmtBytes, p);
  p = out.writeUInt16LE(format === 'pcm16' ? FORMAT_PCM : FORMAT_IEEE_FLOAT, p);
  p = out.writeUInt16LE(1, p); // channels
  p = out.writeUInt32LE(sampleRate, p);
  p = out.writeUInt32LE(sampleRate * bytesPerSample, p); // byte rate
  p = out.writeUInt16LE(bytesPerSample, p); // block align
  p = out.writeUInt16LE(bytesPerSample * 8, p);
  if (format === 'float32') {
    p = out.writeUInt16LE(0, p); // cbSize
    p += out.write('fact', p, 'ascii');
    p = out.writeUInt32LE(4, p);
    p = out.writeUInt32LE(samples.length, p); // sample frames
  }
  p += out.write('data', p, 'ascii');
  p = out.writeUInt32LE(dataBytes, p);
  if (format === 'pcm16') {
    for (let i = 0; i < samples.length; i++) p = out.writeInt16LE(toPcm16(samples[i] ?? 0), p);
  } else {
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] ?? 0;
      p = out.writeFloatLE(Number.isNaN(s) ? 0 : Math.max(-1, Math.min(1, s)), p);
    }
  }
  return out;
}

/** [-1, 1] → int16, with the asymmetric scale so that -1 is -32768 and 1 is 32767. */
export function toPcm16(sample: number): number {
  if (Number.isNaN(sample)) return 0;
  const s = Math.max(-1, Math.min(1, sample));
  return s < 0 ? Math.round(s * 32768) : Math.round(s * 32767);
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
  /** Interleaved samples in [-1, 1]; frames = samples.length / channels. */
  samples: Float32Array;
}

/** Reads 16-bit PCM or 32-bit float WAV (also WAVE_FORMAT_EXTENSIBLE), skipping unknown chunks. */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null;
  let p = 12;
  while (p + 8 <= bytes.byteLength) {
    const id = tag(p);
    const size = view.getUint32(p + 4, true);
    const body = p + 8;
    if (body + size > bytes.byteLength)
      throw new WavFormatError(`the ${id.trim()} chunk runs past the end of the file`);
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError('the fmt chunk is too short');
      let format = view.getUint16(body, true);
      if (format === FORMAT_EXTENSIBLE && size >= 40) format = view.getUint16(body + 24, true);
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('the data chunk comes before the fmt chunk');
      return readSamples(view, body, size, fmt);
    }
    p = body + size + (size % 2); // chunks are word-aligned
  }
  throw new WavFormatError('no data chunk');
}

function readSamples(
  view: DataView,
  start: number,
  size: number,
  fmt: { format: number; channels: number; sampleRate: number; bits: number },
): DecodedWav {
  if (fmt.channels < 1) throw new WavFormatError('the file declares no channels');
  if (fmt.format === FORMAT_PCM && fmt.bits === 16) {
    const samples = new Float32Array(Math.floor(size / 2));
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(start + i * 2, true) / 32768;
    return { sampleRate: fmt.sampleRate, channels: fmt.channels, format: 'pcm16', samples };
  }
  if (fmt.format === FORMAT_IEEE_FLOAT && fmt.bits === 32) {
    const samples = new Float32Array(Math.floor(size / 4));
    for (let i = 0; i < samples.length; i++) samples[i] = view.getFloat32(start + i * 4, true);
    return { sampleRate: fmt.sampleRate, channels: fmt.channels, format: 'float32', samples };
  }
  throw new WavFormatError(`unsupported WAV encoding: format tag ${fmt.format}, ${fmt.bits} bits per sample`);
}
