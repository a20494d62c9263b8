import { describe, expect, it } from 'vitest';
import { WalletError } from './errors.js';
import { decodeKeyfile } from './keyfile.js';
import { keyFromKeyfile } from './keys.js';
import { decryptAnsibleVault, decryptFernet, fernetKdf, isAnsibleVault, isFernet } from './legacy.js';
import { TV11, TV12, TV9 } from './wire-protocol-vectors.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const fernetKey = Buffer.from(TV12.fernetKey, 'base64url');
const presetFernetKdf = async (): Promise<Uint8Array> => Uint8Array.from(fernetKey);

async function rejection(promise: Promise<unknown>): Promise<WalletError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WalletError) return error;
    throw error;
  }
  throw new Error('expected a WalletError');
}

describe('legacy Ansible Vault key files (wire-protocol §9.5, TV-11)', () => {
  const file = Buffer.from(TV11.file);

  it('decrypts TV-11', async () => {
    expect(isAnsibleVault(file)).toBe(true);
    expect(text(await decryptAnsibleVault(file, TV11.password))).toBe(TV11.plaintext);
  });

  it('reads TV-11 as the TV-9 key', async () => {
    const decoded = await decodeKeyfile(file, { password: TV11.password });
    expect(decoded.format).toBe('ansible-vault');
    expect(keyFromKeyfile(decoded.data).ss58Address).toBe(TV9.ss58Address);
  });

  it('accepts CRLF line ends', async () => {
    expect(text(await decryptAnsibleVault(Buffer.from(TV11.file.replace(/\n/g, '\r\n')), TV11.password))).toBe(
      TV11.plaintext,
    );
  });

  it('says "wrong password" when the HMAC does not match', async () => {
    const error = await rejection(decryptAnsibleVault(file, 'thisisafakepassworD', '/w/coldkey'));
    expect(error.code).toBe('wrong_password');
    expect(error.message).not.toContain('thisisafakepassworD');
  });

  it('refuses truncated, non-hex and unknown-version files as corrupt', async () => {
    const lines = TV11.file.split('\n');
    const cases = [
      lines.slice(0, 5).join('\n'),
      `${lines[0]}\nnot hex at all`,
      TV11.file.replace('1.1;AES256', '1.2;AES256'),
      '$ANSIBLE_VAULT;1.1;AES256\n',
    ];
    for (const bad of cases) {
      expect((await rejection(decryptAnsibleVault(Buffer.from(bad), TV11.password))).code).toBe('corrupt_file');
    }
  });
});

describe('legacy Fernet key files (wire-protocol §9.5, TV-12)', () => {
  const token = Buffer.from(TV12.token);

  it('derives the TV-12 Fernet key from the password (10 million PBKDF2 rounds)', { timeout: 60_000 }, async () => {
    expect(Buffer.from(await fernetKdf(TV12.password)).toString('base64url')).toBe(TV12.fernetKey.replace(/=+$/, ''));
  });

  it('decrypts TV-12', async () => {
    expect(isFernet(token)).toBe(true);
    expect(text(await decryptFernet(token, TV12.password, { kdf: presetFernetKdf }))).toBe(TV12.plaintext);
  });

  it('reads TV-12 as the TV-9 key', async () => {
    const decoded = await decodeKeyfile(token, { password: TV12.password, fernetKdf: presetFernetKdf });
    expect(decoded.format).toBe('fernet');
    expect(keyFromKeyfile(decoded.data).ss58Address).toBe(TV9.ss58Address);
  });

  it('says "wrong password" when the key does not match the token’s HMAC', async () => {
    const otherKey = async (): Promise<Uint8Array> => new Uint8Array(32).fill(1);
    expect((await rejection(decryptFernet(token, 'whatever', { kdf: otherKey }))).code).toBe('wrong_password');
  });

  it('refuses truncated or mangled tokens before deriving a key', async () => {
    let derived = 0;
    const counting = async (): Promise<Uint8Array> => {
      derived++;
      return Uint8Array.from(fernetKey);
    };
    for (const bad of [
      TV12.token.slice(0, 60),
      TV12.token.slice(0, -3),
      `${TV12.token.slice(0, 50)}!!${TV12.token.slice(52)}`,
    ]) {
      expect((await rejection(decryptFernet(Buffer.from(bad), TV12.password, { kdf: counting }))).code).toBe(
        'corrupt_file',
      );
    }
    expect(derived).toBe(0);
  });
});
