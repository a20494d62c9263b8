/** Small assertions for tests, in place of non-null assertions. */

/** The value, or a thrown error saying what was missing. */
export function must<T>(value: T | null | undefined, what = 'a value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}

/** A copy of `data` with the byte at `at` changed. */
export function withFlippedByte(data: Uint8Array, at: number): Buffer {
  const copy = Buffer.from(data);
  copy[at] = (must(copy[at], `a byte at ${at}`) + 1) & 0xff;
  return copy;
}

/** Fails unless each element is at least the one before. */
export function isMonotonic(values: readonly number[]): boolean {
  return values.every((value, i) => i === 0 || value >= (values[i - 1] ?? value));
}
