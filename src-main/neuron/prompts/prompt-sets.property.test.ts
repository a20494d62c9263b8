/** Properties of the number spelling and fuzzing of the set readers (fast-check). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../testing/temp-dir.js';
import { FolderDatasetFiles } from './dataset-files.js';
import { openPromptTable } from './dataset-table.js';
import { PromptSetError } from './errors.js';
import { numberToWords, numbersToWords } from './number-words.js';
import { parquetSet, testClip, writeSet } from './testing/prompt-sets.js';

const tempDir = useTempDirs();

/**
 * Each case's guard against a hang: the reader's own bound, tighter than the app's so an endless
 * decode costs seconds here. (Only the outcome is asserted, never how long a read took.)
 */
const READ_BOUND = { timeoutMs: 3_000, heapMb: 64 };

const SMALL: Record<string, bigint> = Object.fromEntries(
  [
    'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen',
    'seventeen eighteen nineteen',
  ]
    .join(' ')
    .split(' ')
    .map((word, i) => [word, BigInt(i)]),
);
const TENS: Record<string, bigint> = Object.fromEntries(
  'twenty thirty forty fifty sixty seventy eighty ninety'.split(' ').map((word, i) => [word, BigInt(20 + 10 * i)]),
);
const SCALES =
  'thousand million billion trillion quadrillion quintillion sextillion septillion octillion nonillion decillion'
    .split(' ')
    .map((word, i) => [word, 1000n ** BigInt(i + 1)] as const);

/** Reads the words back, so the spelling can be checked against the number for any size. */
function wordsToNumber(words: string): bigint {
  let total = 0n;
  let current = 0n;
  for (const token of words.replaceAll(',', '').split(/[ -]/)) {
    if (token === 'and') continue;
    if (token === 'hundred') current *= 100n;
    else if (SMALL[token] !== undefined) current += SMALL[token];
    else if (TENS[token] !== undefined) current += TENS[token];
    else {
      const scale = SCALES.find(([name]) => name === token);
      if (scale === undefined) throw new Error(`unknown word ${token}`);
      total += current * scale[1];
      current = 0n;
    }
  }
  return total + current;
}

describe('numberToWords, for any whole number inflect spells', () => {
  it('reads back to the same number, in lower-case words with commas only between groups', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 36n - 1n }), (n) => {
        const words = numberToWords(n.toString());
        expect(words).not.toBeNull();
        expect(words).toMatch(/^[a-z]+(?:(?:, | |-)[a-z]+)*$/);
        expect(wordsToNumber(words ?? '')).toBe(n);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves no standalone number behind in a prompt of words and numbers', () => {
    const token = fc.oneof(fc.constantFrom('jazz', 'piano', 'BPM', 'with', 'and'), fc.nat(100_000).map(String));
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 12 }), (tokens) => {
        expect(numbersToWords(tokens.join(' '))).not.toMatch(/\d/);
      }),
    );
  });
});

describe('the set readers, on damaged files', () => {
  const parquet = parquetSet(
    [
      { prompt: 'One', clip: testClip(1) },
      { prompt: 'Two', clip: testClip(2) },
    ],
    { rowGroupSize: 1 },
  );

  /** Every read a damaged set allows: the prompts, then each row's clip. */
  async function readAll(damaged: Uint8Array): Promise<'read' | PromptSetError> {
    const root = writeSet(tempDir(), { 'data/train.parquet': damaged });
    try {
      const table = await openPromptTable(new FolderDatasetFiles(root), undefined, READ_BOUND);
      let refused: PromptSetError | null = null;
      for (let row = 0; row < table.size; row++) {
        table.prompt(row);
        await table.reference(row).catch((error: unknown) => {
          if (!(error instanceof PromptSetError)) throw error;
          refused ??= error;
        });
      }
      return refused ?? 'read';
    } catch (error) {
      if (error instanceof PromptSetError) return error;
      throw error;
    }
  }

  function damage(flips: readonly { at: number; mask: number }[]): Uint8Array {
    const damaged = Uint8Array.from(parquet);
    for (const { at, mask } of flips) damaged[at] = (damaged[at] ?? 0) ^ mask;
    return damaged;
  }

  it('end a read that hyparquet would never finish with a PromptSetError (damage found by random seeds)', async () => {
    // With hyparquet 1.33 each of these kept a decode loop busy without end (a level or dictionary run
    // decoded to billions of values): the first in the prompt column, the others in a row's clip.
    for (const flip of [
      { at: 16, mask: 200 },
      { at: 3332, mask: 69 },
      { at: 6675, mask: 242 },
    ]) {
      const outcome = await readAll(damage([flip]));
      expect(outcome, JSON.stringify(flip)).toBeInstanceOf(PromptSetError);
      expect((outcome as PromptSetError).message).toMatch(/data\/train\.parquet/);
    }
  }, 60_000);

  it('refuse a Parquet file with bytes changed anywhere with a PromptSetError, or read it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(parquet.byteLength - 1), mask: fc.integer({ min: 1, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (flips) => {
          expect(await readAll(damage(flips))).toSatisfy((o) => o === 'read' || o instanceof PromptSetError);
        },
      ),
      // Random seeds again (fast-check prints the seed of a failure): the reads are bounded now,
      // so a case that would keep hyparquet busy ends as a PromptSetError instead of a hung run.
      { numRuns: 40 },
    );
  }, 300_000);

  it('refuse arbitrary bytes as a CSV with a PromptSetError, or read them as prompts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const root = tempDir();
        writeFileSync(join(root, 'prompts.csv'), bytes);
        try {
          const table = await openPromptTable(new FolderDatasetFiles(root));
          expect(table.size).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(PromptSetError);
        }
      }),
      { numRuns: 100 },
    );
  });
});
