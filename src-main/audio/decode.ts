/**
 * One entry point for every audio file a miner or a reference set may bring (scoring.md §5):
 * WAV (read here), FLAC and MP3 (WASM builds of libFLAC and mpg123, no native code). The format
 * is sniffed from the bytes, never taken from a file name. Every failure is an AudioDecodeError.
 *
 * Limits: an MP3 that is cut short decodes to shorter audio (an MP3 stream declares no length the
 * decoder checks), and the duration check of signal-checks.ts is what catches it. libFLAC's WASM
 * build also prints frame errors with console.error.
 */
import { deinterleave } from './channels.js';
import { AudioDecodeError, type AudioContainer } from './decode-error.js';
import { decodeWav } from './wav.js';

export interface DecodedAudio {
  container: Exclude<AudioContainer, 'unknown'>;
  sampleRate: number;
  /** One Float32Array per channel, all of the same length, nominally in [-1, 1]. */
  channelData: Float32Array[];
}

/** What the first bytes say the file is; ID3v2 tags in front of FLAC or MP3 are skipped. */
export function sniffContainer(bytes: Uint8Array): AudioContainer {
  const ascii = (at: number, text: string): boolean =>
    bytes.length >= at + text.length && [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));
  if (ascii(0, 'RIFF') && ascii(8, 'WAVE')) return 'wav';
  const start = id3v2Length(bytes);
  if (ascii(start, 'fLaC')) return 'flac';
  if (isMpegAudioHeader(bytes, start)) return 'mp3';
  return 'unknown';
}

/** Bytes → planar samples and the sample rate. Throws AudioDecodeError for anything unreadable. */
export async function decodeAudio(bytes: Uint8Array): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new AudioDecodeError('empty', 'unknown', 'the file is empty');
  const container = sniffContainer(bytes);
  switch (container) {
    case 'wav': {
      const wav = decodeWav(bytes);
      return { container, sampleRate: wav.sampleRate, channelData: deinterleave(wav.samples, wav.channels) };
    }
    case 'flac':
      return decodeFlac(bytes);
    case 'mp3':
      return decodeMp3(bytes);
    case 'unknown':
      throw new AudioDecodeError(
        'unknown-format',
        'unknown',
        bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === 'OggS'
          ? 'Ogg files are not supported (WAV, FLAC or MP3)'
          : 'not a WAV, FLAC or MP3 file',
      );
  }
}

/** The total length of an ID3v2 tag at the start (10-byte header, syncsafe size, optional footer), or 0. */
function id3v2Length(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
  const size = ((bytes[6] ?? 0) << 21) | ((bytes[7] ?? 0) << 14) | ((bytes[8] ?? 0) << 7) | (bytes[9] ?? 0);
  const footer = ((bytes[5] ?? 0) & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

/** An MPEG audio frame header: 11 sync bits, a real version and layer, a usable bitrate and rate. */
function isMpegAudioHeader(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  const b1 = bytes[at + 1] ?? 0;
  const b2 = bytes[at + 2] ?? 0;
  return (
    bytes[at] === 0xff &&
    (b1 & 0xe0) === 0xe0 &&
    ((b1 >> 3) & 0x3) !== 1 && // reserved version
    ((b1 >> 1) & 0x3) !== 0 && // reserved layer
    b2 >> 4 !== 0xf && // bad bitrate
    ((b2 >> 2) & 0x3) !== 3 // reserved sample rate
  );
}

interface StreamInfo {
  sampleRate: number;
  channels: number;
  /** 0 when the encoder did not know it (a stream). */
  totalSamples: number;
}

/** The STREAMINFO block that must follow "fLaC" (RFC 9639 §8.2). */
function readStreamInfo(bytes: Uint8Array, at: number): StreamInfo {
  const fail = (why: string): never => {
    throw new AudioDecodeError('corrupt', 'flac', `not a valid FLAC stream: ${why}`);
  };
  if (bytes.length < at + 4 + 4 + 34) {
    throw new AudioDecodeError('truncated', 'flac', 'the FLAC file ends inside its STREAMINFO block');
  }
  const head = at + 4;
  if (((bytes[head] ?? 0) & 0x7f) !== 0) fail('the first metadata block is not STREAMINFO');
  const length = ((bytes[head + 1] ?? 0) << 16) | ((bytes[head + 2] ?? 0) << 8) | (bytes[head + 3] ?? 0);
  if (length !== 34) fail(`STREAMINFO is ${length} bytes, not 34`);
  const b = (i: number): number => bytes[head + 4 + i] ?? 0;
  const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const channels = ((b(12) >> 1) & 0x7) + 1;
  const totalSamples = (b(13) & 0xf) * 2 ** 32 + ((b(14) << 24) >>> 0) + (b(15) << 16) + (b(16) << 8) + b(17);
  if (sampleRate === 0) fail('a sample rate of 0');
  return { sampleRate, channels, totalSamples };
}

async function decodeFlac(bytes: Uint8Array): Promise<DecodedAudio> {
  const info = readStreamInfo(bytes, id3v2Length(bytes));
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const decoder = new FLACDecoder();
  let result: Awaited<ReturnType<typeof decoder.decodeFile>>;
  try {
    await decoder.ready;
    result = await decoder.decodeFile(bytes);
  } catch (error) {
    throw new AudioDecodeError('corrupt', 'flac', 'the FLAC decoder failed', { cause: error });
  } finally {
    decoder.free();
  }
  refuseFrameErrors('flac', result.errors);
  if (info.totalSamples > 0 && result.samplesDecoded < info.totalSamples) {
    throw new AudioDecodeError(
      'truncated',
      'flac',
      `only ${result.samplesDecoded} of ${info.totalSamples} samples decode: the FLAC file is cut short or has damaged frames`,
    );
  }
  const audio = checked('flac', result, info.channels, info.sampleRate);
  // libFLAC's WASM build divides integers by 2^(bits−1) − 1; rescale to the 2^(bits−1) that
  // torchaudio (and decodeWav) use, so a FLAC and a WAV of the same PCM decode alike.
  const bits = result.bitDepth;
  if (Number.isInteger(bits) && bits >= 2 && bits <= 32) {
    const rescale = (2 ** (bits - 1) - 1) / 2 ** (bits - 1);
    for (const channel of audio.channelData)
      for (let i = 0; i < channel.length; i++) channel[i] = (channel[i] ?? 0) * rescale;
  }
  return audio;
}

async function decodeMp3(bytes: Uint8Array): Promise<DecodedAudio> {
  const { MPEGDecoder } = await import('mpg123-decoder');
  const decoder = new MPEGDecoder();
  let result: ReturnType<typeof decoder.decode>;
  try {
    await decoder.ready;
    result = decoder.decode(bytes);
  } catch (error) {
    throw new AudioDecodeError('corrupt', 'mp3', 'the MP3 decoder failed', { cause: error });
  } finally {
    decoder.free();
  }
  refuseFrameErrors('mp3', result.errors);
  return checked('mp3', result, null, null);
}

/** A frame the decoder reported as bad makes the whole file corrupt (no silent gaps in scored audio). */
function refuseFrameErrors(
  container: 'flac' | 'mp3',
  errors: readonly { frameNumber: number; message: string }[],
): void {
  const first = errors[0];
  if (first) {
    throw new AudioDecodeError(
      'corrupt',
      container,
      `corrupt ${container.toUpperCase()} frame ${first.frameNumber}: ${first.message} (${errors.length} bad frames)`,
    );
  }
}

/** The decoders' output, checked for the shape the rest of the app relies on. */
function checked(
  container: 'flac' | 'mp3',
  result: { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number },
  expectedChannels: number | null,
  expectedRate: number | null,
): DecodedAudio {
  const { channelData, samplesDecoded, sampleRate } = result;
  if (samplesDecoded === 0 || channelData.length === 0) {
    throw new AudioDecodeError(
      'corrupt',
      container,
      `no audio could be decoded from the ${container.toUpperCase()} file`,
    );
  }
  if (expectedChannels !== null && channelData.length !== expectedChannels) {
    throw new AudioDecodeError(
      'corrupt',
      container,
      `${channelData.length} channels decoded, ${expectedChannels} declared`,
    );
  }
  if (expectedRate !== null && sampleRate !== expectedRate) {
    throw new AudioDecodeError('corrupt', container, `frames at ${sampleRate} Hz in a ${expectedRate} Hz stream`);
  }
  if (!(sampleRate > 0)) throw new AudioDecodeError('corrupt', container, 'the decoder reported no sample rate');
  // The decoders may hand back views of a larger buffer; keep exactly the decoded frames.
  return { container, sampleRate, channelData: channelData.map((c) => c.slice(0, samplesDecoded)) };
}
