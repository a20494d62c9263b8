/**
 * Who is who on a subnet: SS58 addresses, subnet ids and uids. Plain aliases (the chain hands
 * numbers and strings), plus parsers for text a person or a peer sent, so every layer refuses bad
 * input with the same words. Pure TypeScript: the renderer, net/ and chain/ share it.
 */

/** An SS58 address (prefix 42 on Bittensor): 47 or 48 base58 characters. */
export type Ss58 = string;
/** A subnet id (u16 on chain). */
export type Netuid = number;
/** A neuron's index on one subnet (u16 on chain). */
export type Uid = number;

export const U16_MAX = 65_535;

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

/**
 * True when `text` has the shape of a generic-prefix SS58 account address. The checksum needs
 * blake2b, which chain/ and wallet/ check; this is the cheap test for forms and wire input.
 */
export function looksLikeSs58(text: string): text is Ss58 {
  return text.length >= 47 && text.length <= 48 && BASE58.test(text) && text.startsWith('5');
}

function parseU16(text: string, what: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) throw new Error(`"${text}" is not a ${what} (a whole number from 0 to ${U16_MAX})`);
  const value = Number(trimmed);
  if (value > U16_MAX) throw new Error(`${what} ${value} is out of range (0 to ${U16_MAX})`);
  return value;
}

/** `"50"` → 50; anything but a whole number from 0 to 65535 is an error. */
export function parseNetuid(text: string): Netuid {
  return parseU16(text, 'subnet id');
}

/** `"7"` → 7; anything but a whole number from 0 to 65535 is an error. */
export function parseUid(text: string): Uid {
  return parseU16(text, 'uid');
}

/** True for a whole number from 0 to 65535, the range of a netuid or uid on chain. */
export function isU16(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= U16_MAX;
}
