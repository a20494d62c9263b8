import { describe, expect, it } from 'vitest';
import {
  allowedHostNames,
  createToken,
  hostAllowed,
  originAllowed,
  tokenFromRequest,
  tokenMatches,
} from './security.js';

const check = { names: allowedHostNames('127.0.0.1'), port: 7850 };

describe('tokens', () => {
  it('creates long, distinct, URL-safe tokens', () => {
    const a = createToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createToken()).not.toBe(a);
  });

  it('matches only the exact token', () => {
    const token = createToken();
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${token}x`)).toBe(false);
    expect(tokenMatches(token, token.slice(1))).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, undefined)).toBe(false);
  });

  it('reads the token from a bearer header or a WebSocket subprotocol', () => {
    expect(tokenFromRequest({ authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenFromRequest({ authorization: 'bearer  abc ' })).toBe('abc');
    expect(tokenFromRequest({ authorization: 'Basic abc' })).toBeUndefined();
    expect(tokenFromRequest({ 'sec-websocket-protocol': 'bittaudio.v1, bittaudio-token.xyz' })).toBe('xyz');
    expect(tokenFromRequest({ 'sec-websocket-protocol': 'bittaudio.v1' })).toBeUndefined();
  });
});

describe('Host allowlist (DNS rebinding)', () => {
  it.each(['127.0.0.1:7850', 'localhost:7850', 'LOCALHOST:7850', '[::1]:7850'])('accepts %s', (host) => {
    expect(hostAllowed(host, check)).toBe(true);
  });

  it.each([
    ['a rebinding name', 'evil.example:7850'],
    ['another port', '127.0.0.1:7851'],
    ['no port', 'localhost'],
    ['credentials', 'evil@127.0.0.1:7850'],
    ['a path', '127.0.0.1:7850/x'],
    ['an empty header', ''],
  ])('refuses %s', (_why, host) => {
    expect(hostAllowed(host, check)).toBe(false);
  });

  it('refuses a missing header', () => {
    expect(hostAllowed(undefined, check)).toBe(false);
  });

  it('adds the listen address and extra names when asked', () => {
    const lan = { names: allowedHostNames('192.168.1.20', ['gpu-box.lan']), port: 7850 };
    expect(hostAllowed('192.168.1.20:7850', lan)).toBe(true);
    expect(hostAllowed('gpu-box.lan:7850', lan)).toBe(true);
    expect(hostAllowed('other.lan:7850', lan)).toBe(false);
  });
});

describe('Origin allowlist', () => {
  it('accepts no Origin (a program) and our own origin', () => {
    expect(originAllowed(undefined, check)).toBe(true);
    expect(originAllowed('http://127.0.0.1:7850', check)).toBe(true);
    expect(originAllowed('http://localhost:7850', check)).toBe(true);
  });

  it.each(['https://evil.example', 'http://127.0.0.1:9999', 'null', 'file://', 'chrome-extension://abc', 'garbage'])(
    'refuses %s',
    (origin) => {
      expect(originAllowed(origin, check)).toBe(false);
    },
  );
});
