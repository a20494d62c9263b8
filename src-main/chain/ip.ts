/**
 * IP addresses as serve_axon stores them: the big-endian integer value in a u128, with ip_type 4 or
 * 6 from the textual family (wire-protocol §6.2). Decoding infers the family from the magnitude,
 * as Python's netaddr does, so our strings match the ones Python neurons build.
 */
import { isIPv4, isIPv6 } from 'node:net';

export class IpError extends Error {
  override readonly name = 'IpError';
}

export function encodeIp(text: string): { ip: bigint; ipType: 4 | 6 } {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { ip: value, ipType: 4 };
  }
  if (isIPv6(text)) return { ip: ipv6ToBigInt(text), ipType: 6 };
  throw new IpError(`"${text}" is not an IPv4 or IPv6 address`);
}

export function decodeIp(value: bigint): string {
  if (value < 0n || value >= 1n << 128n) throw new IpError(`${value} does not fit in a u128`);
  if (value <= 0xffffffffn) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  return compressIpv6(groups);
}

/** The chain refuses these (chain §3): loopback, all-ones, ip_type other than 4/6. 0 = not serving. */
export function ipRejectedByChain(ip: bigint, ipType: number): string | undefined {
  if (ipType !== 4 && ipType !== 6) return 'InvalidIpType';
  if (ipType === 4 && (ip >= 0xffffffffn || ip === 0x7f000001n)) return 'InvalidIpAddress';
  if (ipType === 6 && (ip === (1n << 128n) - 1n || ip === 1n)) return 'InvalidIpAddress';
  return undefined;
}

function ipv6ToBigInt(text: string): bigint {
  let address = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4?.[1]) {
    const n = Number(encodeIp(v4[1]).ip);
    address = `${address.slice(0, -v4[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  const groups = tail === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** RFC 5952 text: the longest run (≥ 2) of zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}
