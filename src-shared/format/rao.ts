/**
 * TAO and alpha amounts for people: the API carries them as rao (1e-9) in decimal strings, because
 * u64 does not fit a JSON number; this turns them into `1,234.5678 TAO` without going through a
 * float. Shared by the renderer and anything else that shows amounts (chain §1.1: 9 decimals).
 */

export const RAO_DECIMALS = 9;
const RAO_PER_UNIT = 10n ** BigInt(RAO_DECIMALS);

/** TAO on the root network and in wallets; alpha for a subnet's stake and emission (dynamic TAO). */
export type AmountUnit = 'TAO' | 'alpha';

const UNIT_SUFFIX: Record<AmountUnit, string> = { TAO: 'TAO', alpha: 'α' };

export interface FormatRaoOptions {
  /** Default TAO. */
  readonly unit?: AmountUnit;
  /** Decimals shown at most (0…9, default 4); the rest is cut, not rounded up, so nothing is overstated. */
  readonly maxDecimals?: number;
}

/** Reads a rao amount from the wire; anything but a plain non-negative integer is an error. */
export function parseRao(value: string): bigint {
  if (!/^\d{1,30}$/.test(value)) throw new Error(`"${value}" is not an amount in rao (a whole number as text)`);
  return BigInt(value);
}

/**
 * `1,234.5678 TAO`, `0.25 α`, `0 TAO`; an amount too small for the decimals shown reads
 * `< 0.0001 TAO` rather than a misleading zero.
 */
export function formatRao(rao: string | bigint, options: FormatRaoOptions = {}): string {
  const unit = UNIT_SUFFIX[options.unit ?? 'TAO'];
  const maxDecimals = options.maxDecimals ?? 4;
  if (!Number.isInteger(maxDecimals) || maxDecimals < 0 || maxDecimals > RAO_DECIMALS) {
    throw new Error(`maxDecimals must be a whole number from 0 to ${RAO_DECIMALS}, not ${maxDecimals}`);
  }
  const amount = typeof rao === 'bigint' ? rao : parseRao(rao);
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const whole = abs / RAO_PER_UNIT;
  const fraction = (abs % RAO_PER_UNIT).toString().padStart(RAO_DECIMALS, '0').slice(0, maxDecimals).replace(/0+$/, '');
  if (whole === 0n && fraction === '' && abs > 0n) {
    const smallest = maxDecimals === 0 ? '1' : `0.${'0'.repeat(maxDecimals - 1)}1`;
    return `${negative ? '> -' : '< '}${smallest} ${unit}`;
  }
  const sign = negative ? '-' : '';
  return `${sign}${groupThousands(whole.toString())}${fraction ? `.${fraction}` : ''} ${unit}`;
}

/** Rao as a float of whole units, for charts only (precision loss there is invisible). */
export function raoToNumber(rao: string | bigint): number {
  const amount = typeof rao === 'bigint' ? rao : parseRao(rao);
  return Number(amount / RAO_PER_UNIT) + Number(amount % RAO_PER_UNIT) / Number(RAO_PER_UNIT);
}

/**
 * The TAO value of an alpha amount at a subnet's price (TAO rao per 1 alpha, as
 * `current_alpha_price` gives it): chain §3, `tao = alpha × price / 1e9`, rounded down.
 */
export function alphaToTaoRao(alphaRao: string | bigint, priceRao: string | bigint): bigint {
  const alpha = typeof alphaRao === 'bigint' ? alphaRao : parseRao(alphaRao);
  const price = typeof priceRao === 'bigint' ? priceRao : parseRao(priceRao);
  return (alpha * price) / RAO_PER_UNIT;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
