/**
 * The daemon's access token reaches the page in the URL fragment (`#token=…`), which browsers
 * never send to a server. It is moved to localStorage at once and wiped from the address bar so
 * that it does not end up in screenshots, bookmarks or history.
 */
export const TOKEN_STORAGE_KEY = 'bittaudio.token';

/** The token rides in a WebSocket subprotocol, so it must be an HTTP "token" (RFC 9110 tchar). */
const TOKEN_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,1024}$/;

export function isUsableToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/**
 * Splits `token` out of a fragment. Both `#token=X` and `#/logs?token=X` are understood; `hash` is
 * what the fragment should become without it ('' for none).
 */
export function splitTokenFromHash(hash: string): { token: string | null; hash: string } {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  let route = '';
  let query = body;
  if (body.startsWith('/')) {
    const mark = body.indexOf('?');
    route = mark >= 0 ? body.slice(0, mark) : body;
    query = mark >= 0 ? body.slice(mark + 1) : '';
  }
  const params = new URLSearchParams(query);
  const token = params.get('token');
  if (token === null) return { token: null, hash };
  params.delete('token');
  const rest = params.toString();
  const fragment = route ? (rest ? `${route}?${rest}` : route) : rest;
  return { token: token.trim(), hash: fragment ? `#${fragment}` : '' };
}

/** The parts of `window` that finding the token touches; tests pass fakes. */
export interface TokenEnvironment {
  readonly location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  readonly history: Pick<History, 'replaceState' | 'state'>;
  /** null where storage is unavailable (disabled, sandboxed). */
  readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

export type TokenLookup = { kind: 'found'; token: string } | { kind: 'missing' } | { kind: 'invalid'; reason: string };

/** The token from the URL (remembered for next time) or else the one remembered. */
export function findToken(env: TokenEnvironment): TokenLookup {
  const fromHash = splitTokenFromHash(env.location.hash);
  if (fromHash.token !== null) {
    env.history.replaceState(env.history.state, '', `${env.location.pathname}${env.location.search}${fromHash.hash}`);
    if (!isUsableToken(fromHash.token)) {
      return {
        kind: 'invalid',
        reason: 'The token in the link is damaged. Copy the whole link that the daemon printed.',
      };
    }
    try {
      env.storage?.setItem(TOKEN_STORAGE_KEY, fromHash.token);
    } catch (error) {
      // Private windows may refuse storage; this visit still works, the next needs the link again.
      console.warn('Could not remember the access token', error);
    }
    return { kind: 'found', token: fromHash.token };
  }
  let stored: string | null = null;
  try {
    stored = env.storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch (error) {
    console.warn('Could not read the remembered access token', error);
  }
  if (stored !== null && isUsableToken(stored)) return { kind: 'found', token: stored };
  return { kind: 'missing' };
}
