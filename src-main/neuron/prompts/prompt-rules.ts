/**
 * The reference round's prompt rules (scoring.md §1.1), in one place for every source: digits
 * become words, and a prompt longer than 256 characters after that is redrawn. Whitespace is
 * tidied first (dataset rows carry stray newlines and double spaces); an empty row is redrawn too.
 */
import { SeededRandom } from '../../inference/generate/sampling.js';
import { numbersToWords } from './number-words.js';

/** The reference's `len(prompt) > 256` check counts Python characters (code points). */
export const MAX_PROMPT_CHARS = 256;

/** Draws a source may spend on rows that fail the rules before it gives up on the set. */
export const MAX_REDRAWS = 64;

/** The prompt as the round sends it, or null when the row must be redrawn. */
export function applyPromptRules(raw: string): string | null {
  const tidy = raw.replace(/\s+/g, ' ').trim();
  if (tidy === '') return null;
  const text = numbersToWords(tidy);
  return [...text].length > MAX_PROMPT_CHARS ? null : text;
}

/**
 * Rows in a seeded random order: each pass visits every row once, and the next pass is a new
 * shuffle. The same seed gives the same order, so tests (and a restarted validator that keeps
 * its seed) are repeatable.
 */
export class ShuffledOrder {
  private readonly random: SeededRandom;
  private order: Uint32Array;
  private at: number;

  constructor(
    readonly size: number,
    seed: number,
  ) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`nothing to draw from (${size} rows)`);
    this.random = new SeededRandom(seed >>> 0);
    this.order = new Uint32Array(size);
    this.at = size;
  }

  next(): number {
    if (this.at >= this.size) this.reshuffle();
    return this.order[this.at++] ?? 0;
  }

  /** A uniform integer in [0, bound), for sources that pick rather than walk. */
  pick(bound: number): number {
    return Math.floor(this.random.next() * bound);
  }

  private reshuffle(): void {
    for (let i = 0; i < this.size; i++) this.order[i] = i;
    // Fisher–Yates.
    for (let i = this.size - 1; i > 0; i--) {
      const j = Math.floor(this.random.next() * (i + 1));
      const swap = this.order[i] ?? 0;
      this.order[i] = this.order[j] ?? 0;
      this.order[j] = swap;
    }
    this.at = 0;
  }
}
