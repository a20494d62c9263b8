import { describe, expect, it } from 'vitest';
import { decodeIp, encodeIp, ipRejectedByChain } from './ip.js';

describe('IP integers (wire-protocol TV-7)', () => {
  it.each([
    ['198.51.100.20', 3325256724n, 4, '198.51.100.20'],
    ['1.2.3.4', 16909060n, 4, '1.2.3.4'],
    ['0.0.0.0', 0n, 4, '0.0.0.0'],
    ['2001:db8::1', 42540766411282592856903984951653826561n, 6, '2001:db8::1'],
    ['::ffff:1.2.3.4', 281470698652420n, 6, '::ffff:102:304'],
    ['::1', 1n, 6, '0.0.0.1'],
  ] as const)('%s ↔ %s', (text, ip, ipType, decoded) => {
    expect(encodeIp(text)).toEqual({ ip, ipType });
    expect(decodeIp(ip)).toBe(decoded);
  });

  it('round-trips full IPv6 addresses', () => {
    for (const text of ['fe80::1:2:3:4', '2001:db8:0:1:1:1:1:1', 'ffff::', '1:0:0:2::3']) {
      expect(decodeIp(encodeIp(text).ip)).toBe(text);
    }
  });

  it('refuses text that is not an address', () => {
    expect(() => encodeIp('example.com')).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => encodeIp('256.1.1.1')).toThrow();
  });

  it('knows what the chain rejects', () => {
    expect(ipRejectedByChain(encodeIp('127.0.0.1').ip, 4)).toBe('InvalidIpAddress');
    expect(ipRejectedByChain(1n, 6)).toBe('InvalidIpAddress');
    expect(ipRejectedByChain(0n, 4)).toBeUndefined();
    expect(ipRejectedByChain(encodeIp('1.2.3.4').ip, 5)).toBe('InvalidIpType');
  });
});
