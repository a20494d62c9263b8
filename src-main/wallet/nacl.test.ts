import { createHash, randomBytes } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { describe, expect, it } from 'vitest';
import { WalletError } from './errors.js';
import { decryptNacl, encryptNacl, isNacl } from './nacl.js';
import { cachedNaclKdf } from './test-kdf.js';
import { TV10 } from './wire-protocol-vectors.js';

const tv10File = Buffer.from(TV10.fileBase64, 'base64');
const tv10Key = Buffer.from(TV10.key, 'hex');
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * The spec's $NACL layout written out independently of nacl.ts and libsodium (wire-protocol §9.4):
 * "$NACL" ‖ nonce(24) ‖ tag(16) ‖ XSalsa20 ciphertext, with @noble/ciphers' secretbox.
 */
const independent = {
  seal(plaintext: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
    return Buffer.concat([Buffer.from('$NACL'), nonce, xsalsa20poly1305(key, nonce).encrypt(plaintext)]);
  },
  open(file: Uint8Array, key: Uint8Array): Uint8Array {
    expect(Buffer.from(file.subarray(0, 5)).toString('latin1')).toBe('$NACL');
    return xsalsa20poly1305(key, file.subarray(5, 29)).decrypt(file.subarray(29));
  },
};

async function rejection(promise: Promise<unknown>): Promise<WalletError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WalletError) return error;
    throw error;
  }
  throw new Error('expected a WalletError');
}

describe('$NACL key files (wire-protocol §9.4, TV-10)', () => {
  // TV-10's key is preset (argon2.test.ts derives it for real); other passwords are derived once.
  const kdf = cachedNaclKdf();

  it('holds the TV-10 file as the spec gives it', () => {
    expect(tv10File.length).toBe(TV10.fileLength);
    expect(sha256(tv10File)).toBe(TV10.fileSha256);
    expect(tv10File.subarray(0, 64).toString('hex')).toBe(TV10.first64Hex);
    expect(isNacl(tv10File)).toBe(true);
  });

  it('decrypts the TV-10 file to its plaintext', async () => {
    const plaintext = await decryptNacl(tv10File, TV10.password, { kdf });
    expect(Buffer.from(plaintext).toString('utf8')).toBe(TV10.plaintext);
    expect(sha256(plaintext)).toBe(TV10.plaintextSha256);
  });

  it('re-encrypts the TV-10 plaintext with the same nonce byte for byte', async () => {
    const file = await encryptNacl(Buffer.from(TV10.plaintext), TV10.password, { kdf, nonce: TV10.nonce });
    expect(Buffer.from(file).toString('base64')).toBe(TV10.fileBase64);
    expect(sha256(file)).toBe(TV10.fileSha256);
  });

  it('writes files that the spec algorithm, implemented independently, opens', async () => {
    const plaintext = randomBytes(300);
    const file = await encryptNacl(plaintext, TV10.password, { kdf });
    expect(file.length).toBe(5 + 24 + 16 + 300);
    expect(Buffer.from(independent.open(file, tv10Key)).equals(plaintext)).toBe(true);
  });

  it('opens files that the independent implementation wrote', async () => {
    const plaintext = new TextEncoder().encode('{"ss58Address":"5x"}');
    const file = independent.seal(plaintext, tv10Key, randomBytes(24));
    expect(Buffer.from(await decryptNacl(file, TV10.password, { kdf })).toString()).toBe('{"ss58Address":"5x"}');
  });

  it('gives every file a fresh random nonce', async () => {
    const a = await encryptNacl(new Uint8Array([1]), TV10.password, { kdf });
    const b = await encryptNacl(new Uint8Array([1]), TV10.password, { kdf });
    expect(Buffer.from(a.subarray(5, 29)).equals(Buffer.from(b.subarray(5, 29)))).toBe(false);
  });

  it(
    'says "wrong password" for a wrong password, without the password (a real derivation)',
    { timeout: 60_000 },
    async () => {
      const before = kdf.derivations();
      const error = await rejection(decryptNacl(tv10File, 'not the password', { kdf, source: '/w/coldkey' }));
      expect(kdf.derivations()).toBe(before + 1);
      expect(error.code).toBe('wrong_password');
      expect(error.message).toMatch(/wrong password for \/w\/coldkey/);
      expect(error.message).not.toContain('not the password');
    },
  );

  it('treats a damaged body like a wrong password (the tag cannot tell them apart)', async () => {
    const damaged = Buffer.from(tv10File);
    damaged[100] = (damaged[100] ?? 0) ^ 1;
    expect((await rejection(decryptNacl(damaged, TV10.password, { kdf }))).code).toBe('wrong_password');
  });

  it('refuses a truncated file before deriving any key', async () => {
    const calls = kdf.calls();
    for (const length of [0, 5, 29, 44]) {
      const error = await rejection(decryptNacl(tv10File.subarray(0, length), TV10.password, { kdf }));
      expect(error.code).toBe('corrupt_file');
    }
    expect((await rejection(decryptNacl(tv10File.subarray(0, 40), TV10.password, { kdf }))).message).toMatch(
      /truncated/,
    );
    expect(kdf.calls()).toBe(calls);
  });

  it('refuses a file with the wrong magic', async () => {
    const wrong = Buffer.from(tv10File);
    wrong.write('$NACK', 0, 'latin1');
    const error = await rejection(decryptNacl(wrong, TV10.password, { kdf }));
    expect(error.code).toBe('corrupt_file');
    expect(error.message).toMatch(/wrong magic/);
  });

  it('refuses a nonce of the wrong size', async () => {
    expect((await rejection(encryptNacl(new Uint8Array(1), 'x', { kdf, nonce: new Uint8Array(8) }))).code).toBe(
      'invalid_input',
    );
  });
});
