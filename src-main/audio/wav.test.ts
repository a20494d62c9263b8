import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { decodeWav, encodeWav, toPcm16, WavFormatError, writeWavFile } from './wav.js';

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
