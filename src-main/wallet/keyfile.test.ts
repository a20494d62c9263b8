import { describe, expect, it } from 'vitest';
import { WalletError } from './errors.js';
import { decodeKeyfile, detectKeyfileFormat, encodeKeyfile } from './keyfile.js';
import { cachedNaclKdf } from './test-kdf.js';
import { TV10, TV11, TV12, TV9 } from './wire-protocol-vectors.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

async function rejection(promise: Promise<unknown>): Promise<WalletError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WalletError) return error;
    throw error;
  }
  throw new Error('expected a WalletError');
}

describe('key file formats', () => {
  const kdf = cachedNaclKdf();

  it('recognises each format by its first bytes', () => {
    expect(detectKeyfileFormat(Buffer.from(TV10.fileBase64, 'base64'))).toBe('nacl');
    expect(detectKeyfileFormat(utf8(TV11.file))).toBe('ansible-vault');
    expect(detectKeyfileFormat(utf8(TV12.token))).toBe('fernet');
    expect(detectKeyfileFormat(utf8(TV10.plaintext))).toBe('json');
    expect(detectKeyfileFormat(utf8(`\uFEFF  ${TV10.plaintext}`))).toBe('json');
    expect(detectKeyfileFormat(utf8(TV9.publicKey))).toBe('public-hex');
    expect(detectKeyfileFormat(utf8('hello'))).toBeUndefined();
  });

  it('opens $NACL with the password and plaintext without one', async () => {
    const nacl = await decodeKeyfile(Buffer.from(TV10.fileBase64, 'base64'), { password: TV10.password, kdf });
    expect(nacl).toEqual({ format: 'nacl', data: expect.objectContaining({ ss58Address: TV9.ss58Address }) });
    const plain = await decodeKeyfile(utf8(TV10.plaintext));
    expect(plain.data).toEqual(nacl.data);
    expect((await decodeKeyfile(utf8(TV9.publicKey))).data).toEqual({ publicKey: TV9.publicKey });
  });

  it('asks for a password for every encrypted format, before deriving any key', async () => {
    const calls = kdf.calls();
    for (const file of [Buffer.from(TV10.fileBase64, 'base64'), utf8(TV11.file), utf8(TV12.token)]) {
      expect((await rejection(decodeKeyfile(file, { source: 'hk' }))).code).toBe('password_required');
    }
    expect(kdf.calls()).toBe(calls);
  });

  it('refuses empty and unknown files as corrupt, naming them', async () => {
    const empty = await rejection(decodeKeyfile(new Uint8Array(), { source: '/w/hotkeys/a' }));
    expect(empty.code).toBe('corrupt_file');
    expect(empty.message).toBe('/w/hotkeys/a is empty');
    expect((await rejection(decodeKeyfile(utf8('PK\u0003\u0004 zip')))).code).toBe('corrupt_file');
    expect((await rejection(decodeKeyfile(utf8('{"secretSeed": "0x')))).code).toBe('corrupt_file');
  });

  it('writes plaintext as compact JSON and, with a password, as $NACL that opens again', async () => {
    const data = { publicKey: TV9.publicKey, ss58Address: TV9.ss58Address };
    expect(Buffer.from(await encodeKeyfile(data)).toString()).toBe(JSON.stringify(data));
    const sealed = await encodeKeyfile(data, { password: TV10.password, kdf });
    expect(Buffer.from(sealed.subarray(0, 5)).toString()).toBe('$NACL');
    expect((await decodeKeyfile(sealed, { password: TV10.password, kdf })).data).toEqual(data);
  });
});
