/**
 * The mnemonic confirmation of wallet creation: the person is asked for three of the words, by
 * position, before the mnemonic is gone for good. Pure, so the choice and the check are tested.
 */

/** Three distinct positions (0-based, ascending) out of `count`, from `random` in [0, 1). */
export function pickPositions(count: number, random: () => number = Math.random, how = 3): number[] {
  if (count < how) throw new Error(`a mnemonic of ${count} words cannot be checked with ${how}`);
  const chosen = new Set<number>();
  while (chosen.size < how) chosen.add(Math.min(count - 1, Math.floor(random() * count)));
  return [...chosen].sort((a, b) => a - b);
}

/** Positions whose answer is wrong (case and surrounding spaces do not matter). */
export function wrongAnswers(mnemonic: string, positions: readonly number[], answers: readonly string[]): number[] {
  const words = mnemonic.trim().split(/\s+/);
  return positions.filter((position, i) => (answers[i] ?? '').trim().toLowerCase() !== words[position]?.toLowerCase());
}

/** "1st", "2nd", "3rd", "12th": positions as people count them. */
export function ordinal(position: number): string {
  const n = position + 1;
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
