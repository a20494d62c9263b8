import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { fitTone, sine } from '../testing/tones.js';
import { decodeAudio, sniffContainer } from './decode.js';
import { AudioDecodeError } from './decode-error.js';
import { encodeWavChannels } from './wav.js';

/** The fixtures' contents are described in fixtures/make-fixtures.mjs, which regenerates them. */
const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const MONO_FLAC = fixture('tone-440hz-32k-mono.flac');
const MONO_MP3 = fixture('tone-440hz-32k-mono.mp3');
const STEREO_FLAC = fixture('tones-44k-stereo.flac');
const STEREO_MP3 = fixture('tones-44k-stereo.mp3');
const EXTREMES_FLAC = fixture('extremes-24bit-8k-mono.flac');

async function rejection(bytes: Uint8Array): Promise<unknown> {
  try {
    await decodeAudio(bytes);
  } catch (error) {
    return error;
  }
  throw new Error('expected decodeAudio to reject');
}

/** The largest sample-by-sample difference from a 16-bit quantised sine. */
function maxErrorFromSine(samples: Float32Array, rate: number, hz: number, amplitude: number): number {
  let worst = 0;
  samples.forEach((s, n) => {
    const pcm = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * n) / rate));
    worst = Math.max(worst, Math.abs(s - pcm / 32768));
  });
  return worst;
}

describe('sniffContainer', () => {
  it('recognises each format from its first bytes, also behind an ID3v2 tag', () => {
    expect(sniffContainer(encodeWavChannels([new Float32Array(1)], 8000))).toBe('wav');
    expect(sniffContainer(MONO_FLAC)).toBe('flac');
    expect(sniffContainer(MONO_MP3)).toBe('mp3');
    expect(STEREO_MP3.toString('latin1', 0, 3)).toBe('ID3');
    expect(sniffContainer(STEREO_MP3)).toBe('mp3');
    const id3 = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 2, 0, 0]);
    expect(sniffContainer(Buffer.concat([id3, MONO_FLAC]))).toBe('flac');
    expect(sniffContainer(Buffer.from('OggS\0\x02'))).toBe('unknown');
    // 0xFF 0xE0 with the reserved version bits (01) is no MPEG header.
    expect(sniffContainer(Buffer.from([0xff, 0xe8, 0x90, 0x00]))).toBe('unknown');
  });
});

describe('decodeAudio', () => {
  it('reads WAV into one array per channel', async () => {
    const left = Float32Array.from([0.5, -0.25, 0]);
    const right = Float32Array.from([-1, 0.75, 0.125]);
    const audio = await decodeAudio(encodeWavChannels([left, right], 44100, 'float32'));
    expect(audio).toMatchObject({ container: 'wav', sampleRate: 44100 });
    expect(audio.channelData.map((c) => [...c])).toEqual([[...left], [...right]]);
  });

  it('reads the mono FLAC fixture exactly (lossless: the 16-bit sine, sample for sample)', async () => {
    const audio = await decodeAudio(MONO_FLAC);
    expect(audio).toMatchObject({ container: 'flac', sampleRate: 32000 });
    expect(audio.channelData).toHaveLength(1);
    expect(audio.channelData[0]).toHaveLength(32000);
    expect(maxErrorFromSine(audio.channelData[0] ?? new Float32Array(), 32000, 440, 0.5)).toBeLessThan(1e-7);
  });

  it('reads the stereo FLAC fixture with each channel its own tone', async () => {
    const audio = await decodeAudio(STEREO_FLAC);
    expect(audio.sampleRate).toBe(44100);
    expect(audio.channelData.map((c) => c.length)).toEqual([22050, 22050]);
    expect(maxErrorFromSine(audio.channelData[0] ?? new Float32Array(), 44100, 440, 0.5)).toBeLessThan(1e-7);
    expect(maxErrorFromSine(audio.channelData[1] ?? new Float32Array(), 44100, 1000, 0.25)).toBeLessThan(1e-7);
  });

  it('scales FLAC integers by 2^-(bits-1) as decodeWav does, so 24-bit extremes land on −1 and 1 − 2^-23', async () => {
    const audio = await decodeAudio(EXTREMES_FLAC);
    expect(audio).toMatchObject({ container: 'flac', sampleRate: 8000 });
    const pattern = [4194304, -8388608, 8388607, 1, -1].map((v) => Math.fround(v / 8388608));
    expect([...(audio.channelData[0] ?? [])]).toEqual(Array.from({ length: 200 }, (_, i) => pattern[i % 5]));
  });

  it('reads the MP3 fixtures: gapless length, each tone at its frequency and amplitude', async () => {
    // LAME's encoder leaves a 440 Hz tone at 0.950 of its amplitude (measured with `lame --decode`
    // too, so it is the encoding, not this decoder); the fit leaves the coding noise, under 1 %.
    const mono = await decodeAudio(MONO_MP3);
    expect(mono).toMatchObject({ container: 'mp3', sampleRate: 32000 });
    const m = mono.channelData[0] ?? new Float32Array();
    expect(m).toHaveLength(32000);
    const monoFit = fitTone(m, 32000, 440, 1000, 31000);
    expect(Math.abs(monoFit.amplitude / (0.95 * 0.5) - 1)).toBeLessThan(0.01);
    expect(monoFit.residualRms / monoFit.amplitude).toBeLessThan(0.01);

    const stereo = await decodeAudio(STEREO_MP3);
    expect(stereo.sampleRate).toBe(44100);
    expect(stereo.channelData.map((c) => c.length)).toEqual([22050, 22050]);
    const left = fitTone(stereo.channelData[0] ?? new Float32Array(), 44100, 440, 1000, 21000);
    const right = fitTone(stereo.channelData[1] ?? new Float32Array(), 44100, 1000, 1000, 21000);
    // The channels keep their own tones and their 2:1 level ratio.
    expect(Math.abs(left.amplitude / right.amplitude / 2 - 1)).toBeLessThan(0.02);
    expect(left.residualRms / left.amplitude).toBeLessThan(0.02);
    expect(right.residualRms / right.amplitude).toBeLessThan(0.02);
  });

  it('names why it cannot decode: empty, unknown, truncated, corrupt, unsupported', async () => {
    const cases: [Uint8Array, string, string, RegExp][] = [
      [new Uint8Array(0), 'empty', 'unknown', /empty/],
      [Buffer.from('hello, not audio'), 'unknown-format', 'unknown', /not a WAV, FLAC or MP3/],
      [Buffer.from('OggS\0\x02 rest of a page'), 'unknown-format', 'unknown', /Ogg/],
      [MONO_FLAC.subarray(0, MONO_FLAC.length / 2), 'truncated', 'flac', /only \d+ of 32000 samples decode/],
      [MONO_FLAC.subarray(0, 20), 'truncated', 'flac', /STREAMINFO/],
      [encodeWavChannels([sine(8000, 100, 0.5, 100)], 8000).subarray(0, 100), 'truncated', 'wav', /past the end/],
    ];
    for (const [bytes, failure, container, message] of cases) {
      const error = await rejection(bytes);
      expect(error).toBeInstanceOf(AudioDecodeError);
      expect(error).toMatchObject({ failure, container });
      expect((error as Error).message).toMatch(message);
    }
    // A FLAC frame with a flipped byte fails its CRC and is skipped: samples go missing.
    const flipped = Buffer.from(MONO_FLAC);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 2000) ^ 0x5a, flipped.length - 2000);
    const error = await rejection(flipped);
    expect(error).toMatchObject({ failure: 'truncated', container: 'flac' });
    expect((error as Error).message).toMatch(/damaged frames/);
    // An MP3 frame header and then nothing decodable.
    expect(await rejection(Buffer.from([0xff, 0xfb, 0x90, 0x64, 1, 2, 3]))).toMatchObject({
      failure: 'corrupt',
      container: 'mp3',
    });
  });

  it('turns mutated real files into audio or an AudioDecodeError, never anything else (fuzz)', async () => {
    // libFLAC's WASM build prints each frame error to the console; the errors are asserted here.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seeds = [MONO_FLAC, STEREO_MP3, MONO_MP3, encodeWavChannels([sine(16000, 300, 0.5, 800)], 16000, 'pcm24')];
    let decoded = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat()),
        async (which, flips, cut) => {
          const seed = seeds[which] ?? MONO_FLAC;
          const bytes = Buffer.from(seed.subarray(0, cut === null ? seed.length : cut % seed.length));
          // Headers are where parsers break: half the flips land in the first 64 bytes.
          flips.forEach(([at, xor], i) => {
            if (bytes.length === 0) return;
            const where = (i % 2 === 0 ? at % 64 : at) % bytes.length;
            bytes.writeUInt8(bytes.readUInt8(where) ^ xor, where);
          });
          try {
            const audio = await decodeAudio(bytes);
            expect(audio.channelData.length).toBeGreaterThan(0);
            expect(new Set(audio.channelData.map((c) => c.length)).size).toBe(1);
            decoded++;
          } catch (error) {
            expect(error).toBeInstanceOf(AudioDecodeError);
            rejected++;
          }
        },
      ),
      { numRuns: 300, seed: 11 },
    );
    // Both outcomes happen, so the property exercised the error paths and the decoders.
    expect(decoded).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
    quiet.mockRestore();
  });
});
