/** `bittaudio score` as a user runs it, on the tiny CLAP, AST and VGGish models with generated clips. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../audio/wav.js';
import { noiseBursts, syntheticMusic } from '../../testing/test-signals.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import { frechetDistanceFromFrames } from '../../scoring/frechet.js';
import { registerScoreCommand, type ScoreRow } from './score.js';

const TINY = join(import.meta.dirname, '..', '..', '..', 'models', 'tiny');
const tempDir = useTempDirs();
const RATE = 32_000;
const VGGISH = join(TINY, 'vggish');

/** A .npy file (format 1.0, <f4, C order) read back as rows, checking the header as numpy would. */
function readNpy(file: string): Float32Array[] {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
  const length = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + length).toString('latin1');
  expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(\d+, \d+\), \} *\n$/);
  const [rows, columns] = (/\((\d+), (\d+)\)/.exec(header) ?? []).slice(1).map(Number) as [number, number];
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + length, bytes.byteOffset + bytes.length));
  expect(data).toHaveLength(rows * columns);
  return Array.from({ length: rows }, (_, i) => data.slice(i * columns, (i + 1) * columns));
}

function wav(dir: string, name: string, samples: Float32Array): string {
  const file = join(dir, name);
  writeFileSync(file, encodeWav(samples, RATE, 'float32'));
  return file;
}

async function score(args: string[]): Promise<{ out: string; error: unknown }> {
  let out = '';
  const program = new Command('bittaudio').exitOverride();
  registerScoreCommand(program, { out: (text) => void (out += text), err: () => undefined });
  const error = await program
    .parseAsync([
      'node',
      'bittaudio',
      'score',
      '--clap',
      join(TINY, 'clap'),
      '--classifier',
      join(TINY, 'ast'),
      ...args,
    ])
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  return { out, error };
}

describe('bittaudio score', () => {
  it(
    'scores each clip against the prompt and the reference, and keeps going past a bad file',
    { timeout: 120_000 },
    async () => {
      const dir = tempDir();
      const music = syntheticMusic(1, 12, RATE);
      const reference = wav(dir, 'reference.wav', music);
      const same = wav(dir, 'same.wav', music);
      const other = wav(dir, 'other.wav', noiseBursts(2, 12, RATE));
      const broken = join(dir, 'broken.wav');
      writeFileSync(broken, 'RIFF....WAVEnot really');
      const { out, error } = await score([
        '--prompt',
        'a calm piano melody',
        '--reference',
        reference,
        '--vggish',
        VGGISH,
        '--json',
        same,
        other,
        broken,
      ]);
      expect(error).toBeUndefined();
      const rows = JSON.parse(out) as ScoreRow[];
      expect(rows.map((r) => r.name)).toEqual(['same.wav', 'other.wav', 'broken.wav']);
      const [sameRow, otherRow, brokenRow] = rows as [ScoreRow, ScoreRow, ScoreRow];
      for (const row of [sameRow, otherRow]) {
        expect(row.error).toBeUndefined();
        expect(row.seconds).toBeCloseTo(12, 5);
        expect(row.clapCosine).toBeGreaterThanOrEqual(-1);
        expect(row.clapCosine).toBeLessThanOrEqual(1);
        expect(row.clapWindows).toBeGreaterThan(0);
      }
      // The reference against itself: only the epsilon's trace, at most 1e-6 per class (527) and direction; another clip is further away.
      expect(Math.abs(sameRow.kld ?? Number.NaN)).toBeLessThanOrEqual(2 * 527 * 1e-6);
      expect(otherRow.kld).toBeGreaterThan(Math.abs(sameRow.kld ?? 0));
      expect(otherRow.normalizedKld).not.toBeNull();
      // FAD on VGGish: 12 examples per 12 s clip; the reference against itself is 0 (normalised 1).
      for (const row of [sameRow, otherRow]) {
        expect(row).toMatchObject({ fadEmbedding: 'vggish', fadFrames: 12, fadReferenceFrames: 12 });
      }
      expect(sameRow.fad).toBeLessThan(1e-6);
      expect(sameRow.normalizedFad).toBeCloseTo(1, 6);
      expect(otherRow.fad).toBeGreaterThan(sameRow.fad ?? 0);
      expect(brokenRow).toMatchObject({
        clapCosine: null,
        kld: null,
        fad: null,
        normalizedKld: null,
        normalizedFad: null,
        clapGate: null,
      });
      expect(brokenRow.error).toMatch(/chunk runs past the end/);
    },
  );

  it(
    'prints the raw and the profile tables, and refuses an unknown profile or a missing reference',
    { timeout: 120_000 },
    async () => {
      const dir = tempDir();
      const clip = wav(dir, 'clip.wav', syntheticMusic(3, 11, RATE));
      const { out } = await score(['--prompt', 'drums', '--reference', clip, '--profile', 'fixed', clip]);
      expect(out).toMatch(/^Raw metrics\nfile +seconds +clap_cosine +windows +kld_both/);
      expect(out).toMatch(/^Raw metrics\n.* fad +fad_embedding +fad_frames +error\n/);
      // No VGGish: FAD on CLAP windows 1 s apart (2 for 11 s), on a scale the profile does not normalise.
      expect(out).toMatch(/\nclip\.wav +11\.00 .* clap-frames +2\/2 *\n/);
      expect(out).toMatch(
        /\nProfile fixed\nfile +normalized_kld +clap_gate\(>0\.1\) +normalized_fad\nclip\.wav +[\d.]+ +(pass|closed) +-\n/,
      );

      expect(String((await score(['--prompt', 'x', '--reference', clip, '--profile', 'lenient', clip])).error)).toMatch(
        /choose bittaudio-1\.1\.3 or fixed/,
      );
      expect(String((await score(['--prompt', 'x', '--reference', join(dir, 'none.wav'), clip])).error)).toMatch(
        /The reference .*none\.wav cannot be used/,
      );
    },
  );

  it(
    'dumps the embeddings and probabilities behind each metric as .npy, from which the FAD recomputes',
    { timeout: 120_000 },
    async () => {
      const dir = tempDir();
      const dump = join(dir, 'dump');
      const reference = wav(dir, 'reference.wav', syntheticMusic(4, 11, RATE));
      const clip = wav(dir, 'clip.wav', noiseBursts(5, 11, RATE));
      const { out, error } = await score([
        '--prompt',
        'jazz trio',
        '--reference',
        reference,
        '--vggish',
        VGGISH,
        '--dump-embeddings',
        dump,
        '--json',
        clip,
      ]);
      expect(error).toBeUndefined();
      const [row] = JSON.parse(out) as [ScoreRow];
      const frames = readNpy(join(dump, 'clip.wav.vggish.npy'));
      const referenceFrames = readNpy(join(dump, 'reference', 'reference.wav.vggish.npy'));
      expect([frames.length, frames[0]?.length, referenceFrames.length]).toEqual([11, 128, 11]);
      expect(row.fad).toBeCloseTo(frechetDistanceFromFrames(referenceFrames, frames).distance, 9);

      expect(readNpy(join(dump, 'prompt.clap-text.npy'))).toHaveLength(1);
      expect(readNpy(join(dump, 'clip.wav.clap-audio.npy'))).toHaveLength(row.clapWindows);
      for (const name of ['clip.wav.classifier-probs.npy', 'clip.wav.reference-classifier-probs.npy']) {
        const probabilities = readNpy(join(dump, name));
        expect(probabilities[0]).toHaveLength(527);
        for (const p of probabilities) expect(p.reduce((sum, v) => sum + v, 0)).toBeCloseTo(1, 4);
      }
    },
  );
});
