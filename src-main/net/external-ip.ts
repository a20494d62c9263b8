import { networkInterfaces } from 'node:os';

/** The first address of this machine that others could reach, if any (never a loopback one). */
export function detectExternalIp(interfaces = networkInterfaces()): string | null {
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.family === 'IPv4') return address.address;
    }
  }
  return null;
}
