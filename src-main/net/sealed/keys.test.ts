import { createHash, hkdfSync } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, sr25519Agreement } from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import { keyFromMnemonic, toKeyringPair } from '../../wallet/keys.js';
import { TV9 } from '../../wallet/wire-protocol-vectors.js';
import { SealedError } from './errors.js';
import { deriveRequestKey, hotkeyOf, sealedKeypair, sealedKeypairFromPair, type DeriveRequestKeyArgs } from './keys.js';
import { ALICE, BOB, CHARLIE, TV3 } from './test-fixtures.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const validatorSide = (overrides: Partial<DeriveRequestKeyArgs> = {}): DeriveRequestKeyArgs => ({
  ours: ALICE,
  ourRole: 'validator',
  theirPublicKey: BOB.publicKey,
  nonce: TV3.nonce,
  uuid: TV3.uuid,
  direction: 'request',
  ...overrides,
});

const minerSide = (overrides: Partial<DeriveRequestKeyArgs> = {}): DeriveRequestKeyArgs => ({
  ...validatorSide(),
  ours: BOB,
  ourRole: 'miner',
  theirPublicKey: ALICE.publicKey,
  ...overrides,
});

describe('deriveRequestKey', () => {
  it('gives the validator and the miner the same key from opposite halves, in both directions', () => {
    for (const direction of ['request', 'response'] as const) {
      const v = deriveRequestKey(validatorSide({ direction }));
      const m = deriveRequestKey(minerSide({ direction }));
      expect(hex(v.key)).toBe(hex(m.key));
      expect(hex(v.commitment)).toBe(hex(m.commitment));
      expect(v.key.length).toBe(32);
      expect(v.commitment.length).toBe(32);
    }
  });

  it('is the documented HKDF-SHA256, recomputed here with node:crypto', () => {
    const lp = (text: string | Uint8Array): Buffer => {
      const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };
    const nonce = Buffer.alloc(8);
    nonce.writeBigUInt64BE(TV3.nonce);
    const salt = Buffer.concat([nonce, Buffer.from(TV3.uuid)]);
    const shared = sr25519Agreement(ALICE.secretKey, BOB.publicKey);
    const info = Buffer.concat([
      lp('bittaudio/sealed-synapse/v1/kdf'),
      Buffer.of(0x02),
      lp('/MusicGenerationSealed'),
      ALICE.publicKey,
      BOB.publicKey,
    ]);
    const expand = (label: string): string =>
      hex(new Uint8Array(hkdfSync('sha256', shared, salt, Buffer.concat([info, lp(label)]), 32)));
    const derived = deriveRequestKey(validatorSide({ direction: 'response' }));
    expect(hex(derived.key)).toBe(expand('aead-key'));
    expect(hex(derived.commitment)).toBe(expand('key-commitment'));
    expect(hex(derived.key)).not.toBe(hex(derived.commitment));
    // The shared secret itself never appears: neither output is a plain hash of it.
    expect(hex(derived.key)).not.toBe(createHash('sha256').update(shared).digest('hex'));
  });

  it('separates every input: direction, nonce, uuid, route, peer, and who plays which role', () => {
    const base = hex(deriveRequestKey(validatorSide()).key);
    const variants: DeriveRequestKeyArgs[] = [
      validatorSide({ direction: 'response' }),
      validatorSide({ nonce: TV3.nonce + 1n }),
      validatorSide({ uuid: `${TV3.uuid}x` }),
      validatorSide({ route: '/MusicGenerationSealed2' }),
      validatorSide({ theirPublicKey: CHARLIE.publicKey }),
      // Bob validating Alice: the same agreement secret, but the roles are swapped.
      { ...validatorSide(), ours: BOB, theirPublicKey: ALICE.publicKey },
    ];
    const keys = variants.map((args) => hex(deriveRequestKey(args).key));
    expect(new Set([base, ...keys]).size).toBe(keys.length + 1);
  });

  it('refuses keys of the wrong size and public keys that are not points', () => {
    const cases: Partial<DeriveRequestKeyArgs>[] = [
      { theirPublicKey: new Uint8Array(32) }, // the identity: no secret can be agreed with it
      { theirPublicKey: new Uint8Array(32).fill(0xff) }, // not a Ristretto encoding
      { theirPublicKey: new Uint8Array(31) },
      { ours: { publicKey: ALICE.publicKey, secretKey: new Uint8Array(32) } },
      { nonce: -1n },
      { nonce: 2n ** 64n },
    ];
    for (const overrides of cases) {
      expect(() => deriveRequestKey(validatorSide(overrides))).toThrow(SealedError);
    }
  });
});

describe('wallet hotkeys', () => {
  it('seal with a btcli hotkey: sealedKeypair and hotkeyOf agree with the wallet (TV-9)', () => {
    const keypair = sealedKeypair(keyFromMnemonic(TV9.mnemonic));
    expect(hotkeyOf(keypair)).toBe(TV9.ss58Address);
    expect(hex(keypair.secretKey)).toBe(TV9.secretKey.slice(2));
    expect(hotkeyOf(ALICE)).toBe(TV3.validatorHotkey);
    expect(hotkeyOf(BOB)).toBe(TV3.minerHotkey);
  });

  it('refuses a public-only key', () => {
    const key = keyFromMnemonic(TV9.mnemonic);
    expect(() => sealedKeypair({ publicKey: key.publicKey, ss58Address: key.ss58Address })).toThrow(SealedError);
  });
});

describe('KeyringPair hotkeys (what the axon and dendrite sign with)', () => {
  it('reads the keypair of an unlocked sr25519 pair, the same as the wallet key', async () => {
    await cryptoWaitReady();
    const key = keyFromMnemonic(TV9.mnemonic);
    const fromPair = sealedKeypairFromPair(toKeyringPair(key));
    expect(hex(fromPair.publicKey)).toBe(hex(key.publicKey));
    expect(hex(fromPair.secretKey)).toBe(hex(sealedKeypair(key).secretKey));
    const bob = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Bob');
    expect(hex(sealedKeypairFromPair(bob).secretKey)).toBe(hex(BOB.secretKey));
    // The pair still signs afterwards: nothing of it was consumed or wiped.
    expect(bob.sign(new Uint8Array([1, 2, 3]))).toHaveLength(64);
  });

  it('refuses a locked pair and a pair of another scheme', async () => {
    await cryptoWaitReady();
    const locked = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    locked.lock();
    expect(() => sealedKeypairFromPair(locked)).toThrow(SealedError);
    const ed25519 = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
    expect(() => sealedKeypairFromPair(ed25519)).toThrow(SealedError);
  });
});
