import type { KeyringPair } from '@polkadot/keyring/types';
import type { Signer, SignerPayloadRaw, SignerResult } from '@polkadot/types/types';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { describe, expect, it } from 'vitest';
import type { ExternalSigner } from '../chain/signer.js';
import { TAO, testNet } from './test-fixtures.js';

/** Signs as a Polkadot extension does: the raw bytes wrapped in <Bytes>…</Bytes>, by `key`. */
function extensionLike(address: string, key: KeyringPair, seen: SignerPayloadRaw[] = []): ExternalSigner {
  const signer: Signer = {
    signRaw: (raw: SignerPayloadRaw): Promise<SignerResult> => {
      seen.push(raw);
      return Promise.resolve({ id: seen.length, signature: u8aToHex(key.sign(u8aWrapBytes(hexToU8a(raw.data)))) });
    },
  };
  return { kind: 'external', address, signer };
}

describe('burned_register signed by an outside signer (a browser extension)', () => {
  it('registers when the account itself signed the call, and the signer saw what it signed', async () => {
    const { chain, netuid, actor } = await testNet();
    const eve = actor('Eve');
    chain.endow(eve.coldkey.address, 10n * TAO);
    const seen: SignerPayloadRaw[] = [];
    const result = await chain.burnedRegister(
      extensionLike(eve.coldkey.address, eve.coldkey, seen),
      netuid,
      eve.hotkey.address,
    );
    expect(result.ok).toBe(true);
    expect(await chain.uidOf(netuid, eve.hotkey.address)).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.address).toBe(eve.coldkey.address);
    expect(Buffer.from(hexToU8a(seen[0]?.data)).toString()).toContain('burned_register');
    expect(Buffer.from(hexToU8a(seen[0]?.data)).toString()).toContain(eve.hotkey.address);
  });

  it('refuses a signature by another key and changes nothing', async () => {
    const { chain, netuid, actor } = await testNet();
    const eve = actor('Eve');
    const mallory = actor('Ferdie');
    chain.endow(eve.coldkey.address, 10n * TAO);
    const before = chain.balanceOf(eve.coldkey.address);
    const result = await chain.burnedRegister(
      extensionLike(eve.coldkey.address, mallory.coldkey),
      netuid,
      eve.hotkey.address,
    );
    expect(result).toMatchObject({ ok: false, error: { name: 'BadSignature' } });
    expect(await chain.uidOf(netuid, eve.hotkey.address)).toBeUndefined();
    expect(chain.balanceOf(eve.coldkey.address)).toBe(before);
  });

  it('reports a refusal by the signer (the user pressed Cancel) by name', async () => {
    const { chain, netuid, actor } = await testNet();
    const eve = actor('Eve');
    const refusing: ExternalSigner = {
      kind: 'external',
      address: eve.coldkey.address,
      signer: { signRaw: () => Promise.reject(new Error('Cancelled')) },
    };
    const result = await chain.burnedRegister(refusing, netuid, eve.hotkey.address);
    expect(result).toMatchObject({ ok: false, error: { name: 'SignerRefused' } });
    if (!result.ok) expect(result.error.message).toContain('Cancelled');
  });

  it('refuses a signer without raw signing', async () => {
    const { chain, netuid, actor } = await testNet();
    const eve = actor('Eve');
    const result = await chain.burnedRegister(
      { kind: 'external', address: eve.coldkey.address, signer: {} },
      netuid,
      eve.hotkey.address,
    );
    expect(result).toMatchObject({ ok: false, error: { name: 'SignerUnsupported' } });
  });
});
