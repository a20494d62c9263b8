/**
 * Test support: Argon2i at 512 MiB costs seconds, so tests that only need *a* correct `$NACL`
 * key share one derivation per password instead of paying for it on every file they write.
 * Nothing in the app imports this.
 */
import { naclKdf, type PasswordKdf } from './argon2.js';
import { TV10 } from './wire-protocol-vectors.js';

export interface CachedKdf extends PasswordKdf {
  /** How many real Argon2i derivations ran. */
  readonly derivations: () => number;
  /** How many times a key was asked for. */
  readonly calls: () => number;
}

/**
 * The real `$NACL` derivation, memoised per password. TV-10's password starts with the key the
 * spec gives for it, which argon2.test.ts checks against a real derivation.
 */
export function cachedNaclKdf(options: { presetTv10?: boolean } = {}): CachedKdf {
  const keys = new Map<string, Promise<Uint8Array>>();
  if (options.presetTv10 ?? true) keys.set(TV10.password, Promise.resolve(Buffer.from(TV10.key, 'hex')));
  let derivations = 0;
  let calls = 0;
  const kdf = (password: string): Promise<Uint8Array> => {
    calls++;
    let key = keys.get(password);
    if (!key) {
      derivations++;
      key = naclKdf(password);
      keys.set(password, key);
    }
    return key.then((bytes) => Uint8Array.from(bytes));
  };
  return Object.assign(kdf, { derivations: () => derivations, calls: () => calls });
}
