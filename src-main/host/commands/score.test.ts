/** `bittaudio score` as a user runs it, on the tiny CLAP and AST models with generated clips. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../audio/wav.js';
import { noiseBursts, syntheticMusic } from '../../testing/test-signals.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import { registerScoreCommand, type ScoreRow } from './score.js';

const TINY = join(import.meta.dirname, '..', '..', '..', 'models', 'tiny');
const tempDir = useTempDirs();
const RATE = 32_000;

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
      expect(brokenRow).toMatchObject({ clapCosine: null, kld: null, normalizedKld: null, clapGate: null });
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
      expect(out).toMatch(
        /\nProfile fixed\nfile +normalized_kld +clap_gate\(>0\.1\)\nclip\.wav +[\d.]+ +(pass|closed)/,
      );

      expect(String((await score(['--prompt', 'x', '--reference', clip, '--profile', 'lenient', clip])).error)).toMatch(
        /choose bittaudio-1\.1\.3 or fixed/,
      );
      expect(String((await score(['--prompt', 'x', '--reference', join(dir, 'none.wav'), clip])).error)).toMatch(
        /The reference .*none\.wav cannot be used/,
      );
    },
  );
});
