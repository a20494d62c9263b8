import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { TV8 } from '../wallet/wire-protocol-vectors.js';
import { EMPTY_BODY_HASH } from './constants.js';
import {
  axonMessage,
  dendriteMessage,
  hotkeyProblem,
  responseMessage,
  signMessage,
  verifySignature,
} from './signing.js';
import { testKeys } from './testing/helpers.js';
import { TV3, TV4 } from './testing/wire-vectors.js';

let alice: KeyringPair;
let bob: KeyringPair;
beforeAll(async () => {
  ({ alice, bob } = await testKeys());
});

describe('TV-3: the dendrite signature', () => {
  it('builds the signed message nonce.dendrite.axon.uuid.bodyHash (219 bytes)', () => {
    const message = dendriteMessage({
      nonce: TV3.nonce,
      dendriteHotkey: TV3.alice,
      axonHotkey: TV3.bob,
      uuid: TV3.uuid,
      bodyHash: TV3.bodyHash,
    });
    expect(message).toBe(TV3.message);
    expect(Buffer.byteLength(message)).toBe(219);
  });

  it('verifies the spec signature with Alice, and not with Bob', () => {
    expect(verifySignature(TV3.message, TV3.signature, TV3.alice)).toBe(true);
    expect(verifySignature(TV3.message, TV3.signature, TV3.bob)).toBe(false);
  });

  it('signs with polkadot-js so that the result verifies (sr25519 is randomized)', () => {
    const signature = signMessage(alice, TV3.message);
    expect(signature).toMatch(/^0x[0-9a-f]{128}$/);
    expect(signature).not.toBe(signMessage(alice, TV3.message));
    expect(verifySignature(TV3.message, signature, TV3.alice)).toBe(true);
  });

  it('refuses a signature without 0x, of the wrong length, or for another message', () => {
    expect(verifySignature(TV3.message, TV3.signature.slice(2), TV3.alice)).toBe(false);
    expect(verifySignature(TV3.message, `${TV3.signature}00`, TV3.alice)).toBe(false);
    expect(verifySignature(TV3.message, null, TV3.alice)).toBe(false);
    expect(verifySignature(`${TV3.message}x`, TV3.signature, TV3.alice)).toBe(false);
  });

  it('accepts the <Bytes>-wrapped form, as Python verifiers do', () => {
    const wrapped = u8aToHex(alice.sign(new TextEncoder().encode(`<Bytes>${TV3.message}</Bytes>`)));
    expect(verifySignature(TV3.message, wrapped, TV3.alice)).toBe(true);
  });

  it('writes a missing part as None', () => {
    expect(dendriteMessage({ nonce: null, dendriteHotkey: null, axonHotkey: 'B', uuid: null, bodyHash: null })).toBe(
      'None.None.B.None.None',
    );
  });
});

describe('TV-4: the axon signature of error responses', () => {
  it('builds axonNonce.dendrite.axon.axonUuid and the spec signature verifies with Bob', () => {
    const message = axonMessage({
      nonce: TV4.axonNonce,
      dendriteHotkey: TV3.alice,
      axonHotkey: TV3.bob,
      uuid: TV4.axonUuid,
    });
    expect(message).toBe(TV4.axonMessage);
    expect(verifySignature(message, TV4.axonSignature, TV3.bob)).toBe(true);
    expect(verifySignature(message, signMessage(bob, message), TV3.bob)).toBe(true);
  });
});

describe('our response signature', () => {
  it('is domain-separated from request messages, which start with a digit', () => {
    const message = responseMessage({
      axonNonce: 1n,
      dendriteHotkey: TV3.alice,
      axonHotkey: TV3.bob,
      axonUuid: 'u',
      dendriteNonce: 2n,
      dendriteUuid: 'v',
      bodyHash: EMPTY_BODY_HASH,
    });
    expect(message.startsWith('bittaudio-response-v1.')).toBe(true);
  });
});

describe('TV-8: SS58 hotkeys', () => {
  it('accepts Alice by her SS58 address and rejects junk with a reason', () => {
    expect(encodeAddress(TV8.publicKey, 42)).toBe(TV8.ss58Address);
    expect(u8aToHex(decodeAddress(TV8.ss58Address))).toBe(TV8.publicKey);
    expect(alice.address).toBe(TV8.ss58Address);
    expect(hotkeyProblem(TV8.ss58Address)).toBeUndefined();
    expect(hotkeyProblem(null)).toBe('No SS58 formatted address or public key provided.');
    expect(hotkeyProblem('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ')).toBeTypeOf('string');
    expect(hotkeyProblem(TV8.publicKey)).toBeTypeOf('string');
    expect(hotkeyProblem('a.b')).toBeTypeOf('string');
  });
});
