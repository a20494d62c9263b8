import { describe, expect, it, vi } from 'vitest';
import { TOKEN_STORAGE_KEY, findToken, isUsableToken, splitTokenFromHash } from './token.js';
import type { TokenEnvironment } from './token.js';

function environment(hash: string, stored: string | null = null) {
  const storage = new Map<string, string>(stored === null ? [] : [[TOKEN_STORAGE_KEY, stored]]);
  const replaceState = vi.fn<(data: unknown, unused: string, url?: string | URL | null) => void>();
  const env: TokenEnvironment = {
    location: { hash, pathname: '/', search: '' },
    history: { replaceState, state: null },
    storage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
    },
  };
  return { env, storage, replaceState };
}

describe('splitTokenFromHash', () => {
  it('takes the token out of a bare fragment', () => {
    expect(splitTokenFromHash('#token=abc123')).toEqual({ token: 'abc123', hash: '' });
  });

  it('keeps the route and other parameters', () => {
    expect(splitTokenFromHash('#/logs?token=abc&x=1')).toEqual({ token: 'abc', hash: '#/logs?x=1' });
    expect(splitTokenFromHash('#/logs?token=abc')).toEqual({ token: 'abc', hash: '#/logs' });
  });

  it('leaves a fragment without a token alone', () => {
    expect(splitTokenFromHash('#/settings')).toEqual({ token: null, hash: '#/settings' });
    expect(splitTokenFromHash('')).toEqual({ token: null, hash: '' });
  });
});

describe('findToken', () => {
  it('remembers the token from the link and wipes it from the address bar', () => {
    const { env, storage, replaceState } = environment('#token=Zm9v-YmFy_01');

    expect(findToken(env)).toEqual({ kind: 'found', token: 'Zm9v-YmFy_01' });
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe('Zm9v-YmFy_01');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/');
  });

  it('prefers the link over a remembered token', () => {
    const { env, storage } = environment('#token=new', 'old');

    expect(findToken(env)).toEqual({ kind: 'found', token: 'new' });
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe('new');
  });

  it('falls back to the remembered token without touching the URL', () => {
    const { env, replaceState } = environment('#/logs', 'kept');

    expect(findToken(env)).toEqual({ kind: 'found', token: 'kept' });
    expect(replaceState).not.toHaveBeenCalled();
  });

  it('reports a missing token', () => {
    expect(findToken(environment('').env)).toEqual({ kind: 'missing' });
  });

  it('refuses a token that cannot ride in a WebSocket subprotocol, but still wipes it', () => {
    const { env, storage, replaceState } = environment('#token=has%20space');

    expect(findToken(env).kind).toBe('invalid');
    expect(storage.has(TOKEN_STORAGE_KEY)).toBe(false);
    expect(replaceState).toHaveBeenCalled();
  });

  it('works when storage is unavailable', () => {
    const { env } = environment('#token=abc');
    const noStorage: TokenEnvironment = { ...env, storage: null };
    expect(findToken(noStorage)).toEqual({ kind: 'found', token: 'abc' });
  });
});

describe('isUsableToken', () => {
  it('accepts base64url and hex and rejects separators', () => {
    expect(isUsableToken('0123abcdef')).toBe(true);
    expect(isUsableToken('a-b_c.d~e')).toBe(true);
    expect(isUsableToken('a,b')).toBe(false);
    expect(isUsableToken('a b')).toBe(false);
    expect(isUsableToken('')).toBe(false);
  });
});
