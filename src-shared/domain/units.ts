/**
 * TAO and alpha amounts (chain §1.1): 9 decimals, held as bigint rao in the engine and as decimal
 * strings on the wire (a u64 does not fit a JSON number). Formatting and parsing never go through
 * a float. Pure TypeScript, shared by the renderer, the engine and the CLI.
 */

export const RAO_PER_TAO = 1_000_000_000n;
export const TAO_DECIMALS = 9;
/** The largest amount a chain balance or stake (u64) holds. */
export const U64_MAX = 2n ** 64n - 1n;

export const TAO_SYMBOL = 'τ';
export const ALPHA_SYMBOL = 'α';

export interface FormatAmountOptions {
  /**
   * Decimals to keep, 0 to 9 (default 9, exact). Fewer rounds half away from zero; trailing zeros
   * are always trimmed.
   */
  maxDecimals?: number;
}

/** `1.5` for 1_500_000_000 rao; `0.000000001` for 1 rao; trailing zeros trimmed. */
export function formatTao(rao: bigint, options: FormatAmountOptions = {}): string {
  const decimals = options.maxDecimals ?? TAO_DECIMALS;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > TAO_DECIMALS) {
    throw new RangeError(`maxDecimals is a whole number from 0 to ${TAO_DECIMALS}, not ${decimals}`);
  }
  const negative = rao < 0n;
  let abs = negative ? -rao : rao;
  const step = 10n ** BigInt(TAO_DECIMALS - decimals);
  if (step > 1n) abs = ((abs + step / 2n) / step) * step;
  const whole = abs / RAO_PER_TAO;
  const fraction = (abs % RAO_PER_TAO).toString().padStart(TAO_DECIMALS, '0').replace(/0+$/, '');
  const sign = negative && abs !== 0n ? '-' : '';
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Subnet alpha has the same 9 decimals as TAO. */
export const formatAlpha = formatTao;

/** `τ1.5`; `α0.25` for alpha. */
export function formatAmount(rao: bigint, unit: 'tao' | 'alpha', options: FormatAmountOptions = {}): string {
  const text = formatTao(rao, options);
  const symbol = unit === 'tao' ? TAO_SYMBOL : ALPHA_SYMBOL;
  return text.startsWith('-') ? `-${symbol}${text.slice(1)}` : `${symbol}${text}`;
}

/**
 * Parses `1.5`, `.5` or `0.000000001` (optionally after a τ or α sign) into rao. More than 9
 * decimals is an error, not a rounding; so are signs, exponents, separators and amounts above u64.
 */
export function parseTao(text: string): bigint {
  const trimmed = text.trim().replace(/^[τα]\s*/u, '');
  const match = /^(\d*)(?:\.(\d{1,9}))?$/.exec(trimmed);
  if (!match || (match[1] === '' && match[2] === undefined)) {
    throw new Error(`"${text}" is not an amount of TAO (digits, up to 9 decimals)`);
  }
  const rao = BigInt(match[1] || '0') * RAO_PER_TAO + BigInt((match[2] ?? '').padEnd(TAO_DECIMALS, '0'));
  if (rao > U64_MAX) throw new Error(`"${text}" is more than a chain balance can hold (${formatTao(U64_MAX)})`);
  return rao;
}

export const parseAlpha = parseTao;

/** The wire form of rao (`RaoStringSchema`): a decimal string of a non-negative amount. */
export type RaoString = string;

/** What `RaoStringSchema` accepts: up to 30 decimal digits (a u64 has 20; sums may grow). */
export const RAO_STRING_PATTERN = /^\d{1,30}$/;

/** Rao for the wire; negative amounts have no wire form. */
export function raoToWire(rao: bigint): RaoString {
  if (rao < 0n) throw new RangeError(`a rao amount on the wire is not negative (got ${rao})`);
  return rao.toString();
}

/** Rao from the wire: decimal digits only, no sign, no point, no exponent. */
export function raoFromWire(text: string): bigint {
  if (!RAO_STRING_PATTERN.test(text))
    throw new Error(`"${text.slice(0, 40)}" is not an amount in rao (a decimal string)`);
  return BigInt(text);
}

export function isRaoString(text: string): text is RaoString {
  return RAO_STRING_PATTERN.test(text);
}
