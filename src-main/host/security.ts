/**
 * The local API's gatekeeping (anchors-desktop §5.2): a per-launch bearer token, and Host and
 * Origin allowlists so a web page elsewhere cannot reach the API through DNS rebinding or a
 * cross-site request. No CORS headers are ever sent.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { WS_TOKEN_PREFIX } from '../../src-shared/api/envelope.js';

export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison that does not leak the token's length either. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || given.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** The token of a request: `Authorization: Bearer …`, or a WebSocket subprotocol for browsers. */
export function tokenFromRequest(headers: {
  authorization?: string;
  'sec-websocket-protocol'?: string;
}): string | undefined {
  const auth = headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1];
  }
  const protocols = headers['sec-websocket-protocol'];
  if (protocols) {
    for (const protocol of protocols.split(',').map((p) => p.trim())) {
      if (protocol.startsWith(WS_TOKEN_PREFIX)) return protocol.slice(WS_TOKEN_PREFIX.length);
    }
  }
  return undefined;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function isLoopbackAddress(address: string): boolean {
  return address === 'localhost' || address === '::1' || address === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** Host names (as they appear in a Host header, IPv6 in brackets) the server answers to. */
export function allowedHostNames(listen: string, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>(LOOPBACK_NAMES);
  const add = (address: string): void => {
    names.add(address.includes(':') && !address.startsWith('[') ? `[${address}]` : address.toLowerCase());
  };
  if (listen === '0.0.0.0' || listen === '::') {
    for (const list of Object.values(networkInterfaces())) for (const info of list ?? []) add(info.address);
  } else {
    add(listen);
  }
  for (const name of extra) add(name);
  return names;
}

export interface HostCheck {
  names: ReadonlySet<string>;
  port: number;
}

/** True when a Host header names this server: an allowed name and our port. */
export function hostAllowed(hostHeader: string | undefined, check: HostCheck): boolean {
  if (!hostHeader) return false;
  let url: URL;
  try {
    url = new URL(`http://${hostHeader}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/') return false;
  const port = url.port === '' ? 80 : Number(url.port);
  return port === check.port && check.names.has(url.hostname.toLowerCase());
}

/**
 * True when an Origin header is absent (a program, not a browser page) or is this server's own
 * origin. `null` (sandboxed frames, file://) is refused.
 */
export function originAllowed(origin: string | undefined, check: HostCheck): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return hostAllowed(url.host, check);
}

/**
 * The Content-Security-Policy of both hosts (the daemon's HTTP server and Electron's app://).
 * `styleNonce` goes only on the page itself (index.html): wavesurfer.js injects a <style> into
 * its shadow DOM and marks it with that nonce (its `cspNonce` option), so no 'unsafe-inline'.
 */
export function contentSecurityPolicy(options: { styleNonce?: string } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    options.styleNonce ? `style-src 'self' 'nonce-${options.styleNonce}'` : "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every response: no sniffing, no framing, no referrer, a strict CSP for pages. */
export function securityHeaders(options: { styleNonce?: string } = {}): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(options),
  };
}

/** A fresh nonce for one page response (128 random bits, as CSP asks). */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

const NONCE_META = /<meta\s+name="csp-nonce"\s+content="[^"]*"\s*\/?>/;

/**
 * index.html with the page's nonce where the renderer reads it (`<meta name="csp-nonce">`,
 * src-renderer/csp-nonce.ts). A page without the tag gets it added at the top of <head>.
 */
export function pageWithNonce(html: string, nonce: string): string {
  const tag = `<meta name="csp-nonce" content="${nonce}" />`;
  if (NONCE_META.test(html)) return html.replace(NONCE_META, tag);
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${tag}`) : `${tag}${html}`;
}
