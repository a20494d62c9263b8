import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { AudioDecodeError } from './decode-error.js';
import {
  decodeWav,
  encodeWav,
  encodeWavChannels,
  toPcm16,
  toPcmInt,
  WavFormatError,
  type WavSampleFormat,
  writeWavFile,
} from './wav.js';

const tempDir = useTempDirs();

describe('encodeWav', () => {
  it('writes the canonical 44-byte PCM16 mono header', () => {
    const bytes = encodeWav(Float32Array.from([0, 1, -1, 0.5]), 32000, 'pcm16');
    expect(bytes.byteLength).toBe(44 + 8);
    expect(bytes.subarray(0, 44).toString('hex')).toBe(
      [
        '52494646', // RIFF
        '2c000000', // 36 + 8 data bytes
        '57415645', // WAVE
        '666d7420', // "fmt "
        '10000000', // 16
        '0100', // PCM
        '0100', // mono
        '007d0000', // 32000 Hz
        '00fa0000', // 64000 bytes/s
        '0200', // block align
        '1000', // 16 bits
        '64617461', // data
        '08000000', // 8 bytes
      ].join(''),
    );
    expect([...new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + 52))]).toEqual([
      0, 32767, -32768, 16384,
    ]);
  });

  it('writes float32 with format tag 3, cbSize and a fact chunk holding the frame count', () => {
    const bytes = encodeWav(Float32Array.from([0.25, -0.75, 2]), 44100, 'float32');
    expect(bytes.byteLength).toBe(58 + 12);
    expect(bytes.readUInt32LE(4)).toBe(bytes.byteLength - 8);
    expect(bytes.readUInt32LE(16)).toBe(18);
    expect(bytes.readUInt16LE(20)).toBe(3);
    expect(bytes.readUInt32LE(24)).toBe(44100);
    expect(bytes.readUInt32LE(28)).toBe(44100 * 4);
    expect(bytes.readUInt16LE(32)).toBe(4);
    expect(bytes.readUInt16LE(34)).toBe(32);
    expect(bytes.readUInt16LE(36)).toBe(0);
    expect(bytes.toString('ascii', 38, 42)).toBe('fact');
    expect(bytes.readUInt32LE(46)).toBe(3);
    expect(bytes.toString('ascii', 50, 54)).toBe('data');
    expect(bytes.readUInt32LE(54)).toBe(12);
    expect([bytes.readFloatLE(58), bytes.readFloatLE(62), bytes.readFloatLE(66)]).toEqual([0.25, -0.75, 1]);
  });

  it('clips out-of-range samples and writes NaN as silence', () => {
    expect([toPcm16(3), toPcm16(-3), toPcm16(Number.NaN), toPcm16(-0.5)]).toEqual([32767, -32768, 0, -16384]);
  });

  it('refuses a sample rate that is not a positive integer', () => {
    expect(() => encodeWav(new Float32Array(1), 0)).toThrow(RangeError);
    expect(() => encodeWav(new Float32Array(1), 22050.5)).toThrow(/positive integer/);
  });

  it('round-trips through decodeWav at any sample rate (property)', () => {
    fc.assert(
      fc.property(
        fc.float32Array({ min: -1, max: 1, noNaN: true, maxLength: 200 }),
        fc.integer({ min: 1, max: 384000 }),
        fc.constantFrom('pcm16' as const, 'float32' as const),
        (samples, rate, format) => {
          const decoded = decodeWav(encodeWav(samples, rate, format));
          expect(decoded).toMatchObject({ sampleRate: rate, channels: 1, format });
          expect(decoded.samples.length).toBe(samples.length);
          // Written as s·32767 (positive) or s·32768, read back as n/32768: at most 1.5/32768 apart.
          const tolerance = format === 'pcm16' ? 1.5 / 32768 : 0;
          samples.forEach((s, i) =>
            expect(Math.abs((decoded.samples[i] ?? Number.NaN) - s)).toBeLessThanOrEqual(tolerance + 1e-9),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes a file', async () => {
    const path = join(tempDir(), 'a.wav');
    const size = await writeWavFile(path, new Float32Array(32000), 32000);
    expect(size).toBe(44 + 64000);
    expect(decodeWav(readFileSync(path)).samples.length).toBe(32000);
  });
});

describe('decodeWav', () => {
  it('skips unknown chunks, including odd-sized ones with their pad byte', () => {
    const base = encodeWav(Float32Array.from([0.5]), 8000);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const withList = Buffer.concat([base.subarray(0, 36), list, base.subarray(36)]);
    withList.writeUInt32LE(withList.byteLength - 8, 4);
    expect(decodeWav(withList).samples[0]).toBeCloseTo(0.5, 4);
  });

  it('rejects what it cannot read with a reason', () => {
    expect(() => decodeWav(Buffer.from('not a wav file at all'))).toThrow(WavFormatError);
    const truncated = encodeWav(new Float32Array(10), 8000).subarray(0, 50);
    expect(() => decodeWav(truncated)).toThrow(/runs past the end/);
    const eightBit = encodeWav(new Float32Array(2), 8000);
    eightBit.writeUInt16LE(8, 34);
    expect(() => decodeWav(eightBit)).toThrow(/unsupported WAV encoding: format tag 1, 8 bits/);
  });
});

describe('WAV flavours (scoring.md §5)', () => {
  /** A one-channel file of `format` whose data bytes are replaced by `data`. */
  function withData(format: WavSampleFormat, data: number[]): Buffer {
    const bytesPerSample = { pcm16: 2, pcm24: 3, pcm32: 4, float32: 4, float64: 8 }[format];
    const file = encodeWavChannels([new Float32Array(data.length / bytesPerSample)], 8000, format);
    Buffer.from(data).copy(file, file.byteLength - data.length - (data.length % 2));
    return file;
  }

  it('reads 24-bit PCM little-endian, scaled by 2^-23', () => {
    const wav = decodeWav(withData('pcm24', [0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff]));
    expect(wav.format).toBe('pcm24');
    expect([...wav.samples]).toEqual([Math.fround(8388607 / 8388608), -1, 1 / 8388608, -1 / 8388608]);
  });

  it('reads 32-bit integer PCM (what the reference validator writes), scaled by 2^-31', () => {
    const wav = decodeWav(withData('pcm32', [0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40]));
    expect(wav.format).toBe('pcm32');
    expect([...wav.samples]).toEqual([Math.fround(2147483647 / 2147483648), -1, 0.5]);
  });

  it('reads 64-bit float, rounded to float32', () => {
    const data = Buffer.alloc(16);
    data.writeDoubleLE(0.1, 0);
    data.writeDoubleLE(-2.5, 8);
    const wav = decodeWav(withData('float64', [...data]));
    expect(wav.format).toBe('float64');
    expect([...wav.samples]).toEqual([Math.fround(0.1), -2.5]);
  });

  it('scales integers symmetrically in reading and asymmetrically in writing, so ±1 survive', () => {
    expect([toPcmInt(1, 24), toPcmInt(-1, 24), toPcmInt(0.5, 24)]).toEqual([8388607, -8388608, 4194304]);
    expect([toPcmInt(1, 32), toPcmInt(-1, 32), toPcmInt(Number.NaN, 32)]).toEqual([2147483647, -2147483648, 0]);
  });

  it('writes WAVE_FORMAT_EXTENSIBLE with the sub-format GUID that holds the real tag', () => {
    const bytes = encodeWavChannels([Float32Array.from([0.5]), Float32Array.from([-0.5])], 48000, 'pcm24', {
      extensible: true,
    });
    expect(bytes.readUInt32LE(16)).toBe(40);
    expect(bytes.readUInt16LE(20)).toBe(0xfffe);
    expect(bytes.readUInt16LE(22)).toBe(2);
    expect(bytes.readUInt16LE(32)).toBe(6); // block align
    expect(bytes.readUInt16LE(36)).toBe(22); // cbSize
    expect(bytes.readUInt16LE(38)).toBe(24); // valid bits
    expect(bytes.subarray(44, 60).toString('hex')).toBe('0100000000001000800000aa00389b71');
    expect(decodeWav(bytes)).toMatchObject({ format: 'pcm24', channels: 2, sampleRate: 48000 });
  });

  it('round-trips every format, plain and extensible, mono to 6 channels (property)', () => {
    const formats: WavSampleFormat[] = ['pcm16', 'pcm24', 'pcm32', 'float32', 'float64'];
    // Half an LSB of rounding each way, plus the asymmetric write scale: ≤ 1.5 LSB.
    const lsb: Record<WavSampleFormat, number> = {
      pcm16: 2 ** -15,
      pcm24: 2 ** -23,
      pcm32: 2 ** -31,
      float32: 0,
      float64: 0,
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(...formats),
        fc.boolean(),
        fc.integer({ min: 1, max: 192000 }),
        fc.infiniteStream(fc.float({ min: -1, max: 1, noNaN: true })),
        (channelCount, frames, format, extensible, rate, values) => {
          const it = values[Symbol.iterator]();
          const channels = Array.from({ length: channelCount }, () =>
            Float32Array.from({ length: frames }, () => it.next().value as number),
          );
          const decoded = decodeWav(encodeWavChannels(channels, rate, format, { extensible }));
          expect(decoded).toMatchObject({ sampleRate: rate, channels: channelCount, format });
          expect(decoded.samples.length).toBe(channelCount * frames);
          for (let f = 0; f < frames; f++) {
            for (let c = 0; c < channelCount; c++) {
              const error = Math.abs((decoded.samples[f * channelCount + c] ?? Number.NaN) - (channels[c]?.[f] ?? 0));
              expect(error).toBeLessThanOrEqual(1.5 * lsb[format] + 1e-12);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names what is wrong with a malformed header, always as an AudioDecodeError', () => {
    const stereo16 = (): Buffer => encodeWavChannels([new Float32Array(4), new Float32Array(4)], 8000);
    const cases: [string, (b: Buffer) => void, RegExp, string][] = [
      ['block align', (b) => b.writeUInt16LE(3, 32), /block align is 3, not 4/, 'corrupt'],
      ['no channels', (b) => b.writeUInt16LE(0, 22), /declares 0 channels/, 'corrupt'],
      ['rate 0', (b) => b.writeUInt32LE(0, 24), /sample rate of 0/, 'corrupt'],
      ['a frame cut in half', (b) => b.writeUInt32LE(14, 40), /ends inside a sample frame/, 'truncated'],
      ['format tag 2 (ADPCM)', (b) => b.writeUInt16LE(2, 20), /format tag 2, 16 bits/, 'unsupported'],
    ];
    for (const [, mutate, message, failure] of cases) {
      const bytes = stereo16();
      mutate(bytes);
      const error = catchError(() => decodeWav(bytes));
      expect(error).toBeInstanceOf(AudioDecodeError);
      expect(error).toMatchObject({ failure, container: 'wav' });
      expect((error as Error).message).toMatch(message);
    }
    const ext = encodeWavChannels([new Float32Array(2)], 8000, 'pcm16', { extensible: true });
    ext[50] = 0x11; // a GUID that is not KSDATAFORMAT_SUBTYPE_*
    expect(() => decodeWav(ext)).toThrow(/unknown WAVE_FORMAT_EXTENSIBLE sub-format/);
    expect(catchError(() => decodeWav(new Uint8Array(0)))).toMatchObject({ failure: 'empty' });
    expect(catchError(() => decodeWav(stereo16().subarray(0, 30)))).toMatchObject({ failure: 'truncated' });
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
