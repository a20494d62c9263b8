import { argon2i as nobleArgon2i } from '@noble/hashes/argon2.js';
import { describe, expect, it } from 'vitest';
import { argon2i, argon2iInWorker, NACL_ARGON2I, NACL_SALT, naclKdf } from './argon2.js';
import { TV10 } from './wire-protocol-vectors.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('Argon2i for $NACL (wire-protocol §9.4)', () => {
  it('uses the fixed salt and the SENSITIVE limits', () => {
    expect(hex(NACL_SALT)).toBe(TV10.salt);
    expect(NACL_ARGON2I).toMatchObject({ opslimit: 8, memlimit: 512 * 1024 * 1024, outlen: 32 });
  });

  it('derives the TV-10 key from its password (a real 512 MiB derivation)', { timeout: 60_000 }, async () => {
    expect(hex(await naclKdf(TV10.password))).toBe(TV10.key);
  });

  it('gives the same key in a worker, on the calling thread and in an independent implementation', async () => {
    // Small limits keep this fast; the code path is the one the real limits take.
    const params = { salt: NACL_SALT, opslimit: 3, memlimit: 1024 * 1024, outlen: 32 };
    const password = 'pässwörd 🔑';
    const inWorker = await argon2iInWorker(password, params);
    const inline = await argon2i(password, params, 'inline');
    const noble = nobleArgon2i(new TextEncoder().encode(password), NACL_SALT, {
      t: 3,
      m: 1024,
      p: 1,
      dkLen: 32,
      version: 0x13,
    });
    expect(hex(inWorker)).toBe(hex(noble));
    expect(hex(inline)).toBe(hex(noble));
    expect(hex(await argon2i('another', params))).not.toBe(hex(noble));
  });
});
