/** TAO and alpha amounts: 9 decimals, held as bigint rao (chain §1.1). */

export const RAO_PER_TAO = 1_000_000_000n;

/** `1.5` for 1_500_000_000 rao; trailing zeros trimmed, never through a float. */
export function formatTao(rao: bigint): string {
  const negative = rao < 0n;
  const abs = negative ? -rao : rao;
  const whole = abs / RAO_PER_TAO;
  const fraction = (abs % RAO_PER_TAO).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Parses `1.5` or `0.000000001` into rao; more than 9 decimals is an error, not a rounding. */
export function parseTao(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not an amount of TAO (up to 9 decimals)`);
  return BigInt(match[1] ?? '0') * RAO_PER_TAO + BigInt((match[2] ?? '').padEnd(9, '0') || '0');
}
