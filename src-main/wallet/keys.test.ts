import { blake2b } from '@noble/hashes/blake2.js';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { mnemonicValidate, signatureVerify } from '@polkadot/util-crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WalletError } from './errors.js';
import {
  canonicalPrivateKey,
  expandPrivateKey,
  generateMnemonic,
  keyFromKeyfile,
  keyFromMnemonic,
  keyFromPrivateKey,
  keyFromPublicKey,
  keyFromSeed,
  keyFromSs58,
  keyToKeyfile,
  keyToPublicKeyfile,
  SS58_PREFIX,
  toKeyringPair,
  toSs58,
} from './keys.js';
import { TV8, TV9 } from './wire-protocol-vectors.js';

const bytes = (hex: string): Uint8Array => Buffer.from(hex.replace(/^0x/, ''), 'hex');

/** Base58 (Bitcoin alphabet), written here to check SS58 without the library under test. */
function base58(data: Uint8Array): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = BigInt(`0x${Buffer.from(data).toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const byte of data) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

function walletError(run: () => unknown): WalletError {
  try {
    run();
  } catch (error) {
    if (error instanceof WalletError) return error;
    throw error;
  }
  throw new Error('expected a WalletError');
}

describe('SS58 (wire-protocol §9.3, TV-8)', () => {
  it('encodes Alice with prefix 42 and the blake2b-512 checksum 1d21', () => {
    const payload = Buffer.concat([Buffer.from([SS58_PREFIX]), bytes(TV8.publicKey)]);
    const checksum = blake2b(Buffer.concat([Buffer.from('SS58PRE'), payload]), { dkLen: 64 }).subarray(0, 2);
    expect(Buffer.from(checksum).toString('hex')).toBe(TV8.checksum);
    expect(base58(Buffer.concat([payload, checksum]))).toBe(TV8.ss58Address);
    expect(toSs58(bytes(TV8.publicKey))).toBe(TV8.ss58Address);
  });

  it('reads an address back to its public key and re-encodes other prefixes as 42', () => {
    expect(u8aToHex(keyFromSs58(TV8.ss58Address).publicKey)).toBe(TV8.publicKey);
    // Alice on Polkadot (prefix 0)
    expect(keyFromSs58('15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5').ss58Address).toBe(TV8.ss58Address);
    expect(walletError(() => keyFromSs58('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ')).code).toBe(
      'invalid_input',
    );
  });
});

describe('key material (wire-protocol §9.2, TV-9)', () => {
  it('derives seed, public key, address and both private key forms from the mnemonic', () => {
    const key = keyFromMnemonic(TV9.mnemonic);
    expect(u8aToHex(key.secret?.secretSeed)).toBe(TV9.secretSeed);
    expect(u8aToHex(key.publicKey)).toBe(TV9.publicKey);
    expect(key.ss58Address).toBe(TV9.ss58Address);
    expect(u8aToHex(key.secret?.secretKey)).toBe(TV9.secretKey);
    expect(keyToKeyfile(key)).toEqual({
      accountId: TV9.publicKey,
      publicKey: TV9.publicKey,
      privateKey: TV9.privateKey,
      secretPhrase: TV9.mnemonic,
      secretSeed: TV9.secretSeed,
      ss58Address: TV9.ss58Address,
    });
    expect(keyToPublicKeyfile(key)).toEqual({
      accountId: TV9.publicKey,
      publicKey: TV9.publicKey,
      ss58Address: TV9.ss58Address,
    });
  });

  it('tolerates stray spaces and capitals in a typed mnemonic', () => {
    expect(keyFromMnemonic(`  ${TV9.mnemonic.toUpperCase().replace(/ /g, '   ')}\n`).ss58Address).toBe(TV9.ss58Address);
  });

  it('converts the canonical privateKey to the scalar × 8 secretKey and back', () => {
    expect(u8aToHex(expandPrivateKey(bytes(TV9.privateKey)))).toBe(TV9.secretKey);
    expect(u8aToHex(canonicalPrivateKey(bytes(TV9.secretKey)))).toBe(TV9.privateKey);
  });

  it('round-trips the ×8 conversion for any seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const key = keyFromSeed(seed);
        const secretKey = key.secret?.secretKey as Uint8Array;
        const canonical = canonicalPrivateKey(secretKey);
        expect(u8aToHex(expandPrivateKey(canonical))).toBe(u8aToHex(secretKey));
        expect(keyFromPrivateKey(canonical).ss58Address).toBe(key.ss58Address);
      }),
      { numRuns: 25 },
    );
  });

  it('signs with a key read from privateKey alone, and the signature verifies against the public key', () => {
    const pair = toKeyringPair(keyFromPrivateKey(TV9.privateKey));
    expect(pair.address).toBe(TV9.ss58Address);
    const signature = pair.sign('nonce.hotkey.hotkey.uuid.hash');
    expect(signatureVerify('nonce.hotkey.hotkey.uuid.hash', signature, TV9.publicKey).isValid).toBe(true);
  });

  it('reads a //Alice key file, which has only privateKey and public fields', () => {
    const alice = new Keyring({ type: 'sr25519' }).createFromUri('//Alice');
    const secretKey = alice.encodePkcs8().subarray(16, 80); // PKCS#8 body: the 64-byte secret
    const data = {
      privateKey: u8aToHex(canonicalPrivateKey(secretKey)),
      publicKey: TV8.publicKey,
      ss58Address: TV8.ss58Address,
    };
    expect(keyFromKeyfile(data).ss58Address).toBe(TV8.ss58Address);
  });

  it('gives a polkadot-js keyring pair of type sr25519 with SS58 format 42', () => {
    const pair = toKeyringPair(keyFromMnemonic(TV9.mnemonic), 'miner');
    expect(pair.type).toBe('sr25519');
    expect(pair.address).toBe(TV9.ss58Address);
    expect(pair.meta.name).toBe('miner');
    const signature = pair.sign(new TextEncoder().encode('hello'));
    expect(signatureVerify('hello', signature, TV9.ss58Address).isValid).toBe(true);
    expect(signatureVerify('hellO', signature, TV9.ss58Address).isValid).toBe(false);
  });

  it('refuses to make a signing pair from a public-only key', () => {
    expect(walletError(() => toKeyringPair(keyFromPublicKey(TV9.publicKey))).code).toBe('invalid_input');
  });

  it('refuses a bad mnemonic without repeating it', () => {
    const typo = TV9.mnemonic.replace('leopard', 'leopardd');
    const error = walletError(() => keyFromMnemonic(typo));
    expect(error.code).toBe('invalid_input');
    expect(error.message).not.toContain('leopard');
    expect(walletError(() => keyFromMnemonic(TV9.mnemonic.replace('review', 'abandon'))).code).toBe('invalid_input');
  });

  it('refuses malformed seeds and private keys', () => {
    expect(walletError(() => keyFromSeed('0x1234')).code).toBe('invalid_input');
    expect(walletError(() => keyFromSeed('zz'.repeat(32))).code).toBe('invalid_input');
    expect(walletError(() => keyFromPrivateKey(new Uint8Array(64))).code).toBe('invalid_input');
    expect(walletError(() => keyFromPrivateKey(new Uint8Array(64).fill(0xff))).code).toBe('invalid_input');
  });

  it('accepts a seed with or without 0x', () => {
    expect(keyFromSeed(TV9.secretSeed.slice(2)).ss58Address).toBe(TV9.ss58Address);
  });

  it('generates valid 12-word mnemonics by default, and other BIP-39 lengths on request', () => {
    const first = generateMnemonic();
    expect(first.split(' ')).toHaveLength(12);
    expect(mnemonicValidate(first)).toBe(true);
    expect(generateMnemonic()).not.toBe(first);
    expect(generateMnemonic(24).split(' ')).toHaveLength(24);
    expect(walletError(() => generateMnemonic(13 as 12)).code).toBe('invalid_input');
  });
});

describe('keyfile → key precedence (wire-protocol §9.2)', () => {
  const other = keyFromSeed(new Uint8Array(32).fill(7));
  const otherData = keyToKeyfile(other);

  it('takes secretPhrase before secretSeed', () => {
    expect(keyFromKeyfile({ secretPhrase: TV9.mnemonic, secretSeed: otherData.secretSeed }).ss58Address).toBe(
      TV9.ss58Address,
    );
  });

  it('takes secretSeed before privateKey', () => {
    expect(keyFromKeyfile({ secretSeed: TV9.secretSeed, privateKey: otherData.privateKey }).ss58Address).toBe(
      TV9.ss58Address,
    );
  });

  it('takes privateKey before ss58Address, and checks they agree', () => {
    expect(keyFromKeyfile({ privateKey: TV9.privateKey }).secret).toBeDefined();
    expect(walletError(() => keyFromKeyfile({ privateKey: TV9.privateKey, ss58Address: other.ss58Address })).code).toBe(
      'corrupt_file',
    );
  });

  it('reads public-only files from ss58Address, publicKey or accountId', () => {
    for (const data of [{ ss58Address: TV9.ss58Address }, { publicKey: TV9.publicKey }, { accountId: TV9.publicKey }]) {
      const key = keyFromKeyfile(data);
      expect(key.ss58Address).toBe(TV9.ss58Address);
      expect(key.secret).toBeUndefined();
    }
  });

  it('refuses a file whose public key is not the key its secret gives', () => {
    const error = walletError(() =>
      keyFromKeyfile({ secretSeed: TV9.secretSeed, publicKey: otherData.publicKey }, 'hk'),
    );
    expect(error.code).toBe('corrupt_file');
    expect(error.message).toMatch(/^hk: publicKey does not match/);
  });

  it('reports bad fields as a corrupt file, naming it', () => {
    const error = walletError(() => keyFromKeyfile({ secretSeed: '0x12' }, '/w/coldkey'));
    expect(error.code).toBe('corrupt_file');
    expect(error.message).toMatch(/^\/w\/coldkey: /);
    expect(walletError(() => keyFromKeyfile({})).code).toBe('corrupt_file');
  });
});
