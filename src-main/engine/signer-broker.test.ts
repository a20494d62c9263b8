import { describe, expect, it } from 'vitest';
import type { SignerRequest } from '../../src-shared/schemas/wallet.js';
import { SignerBroker } from './signer-broker.js';

describe('SignerBroker', () => {
  it('turns a payload signature into a signer.request and resolves with the answer', async () => {
    const sent: SignerRequest[] = [];
    const broker = new SignerBroker({ emit: (request) => sent.push(request) });
    const signer = broker.signerFor('5Fake', 'Register a hotkey');
    const signing = signer.signer.signPayload?.({ address: '5Fake', method: '0x01' } as never);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'payload', address: '5Fake', description: 'Register a hotkey' });
    expect(broker.respond({ requestId: sent[0]?.requestId ?? '', signature: '0xabcd' })).toBe(true);
    await expect(signing).resolves.toMatchObject({ signature: '0xabcd' });
    expect(broker.respond({ requestId: sent[0]?.requestId ?? '', signature: '0xabcd' })).toBe(false);
  });

  it('cancels waiting requests when it stops, and refuses new ones', async () => {
    const broker = new SignerBroker({ emit: () => undefined });
    const signer = broker.signerFor('5Fake', 'x');
    const waiting = signer.signer.signRaw?.({ address: '5Fake', data: '0x00', type: 'bytes' });
    expect(broker.pending).toBe(1);
    broker.stop();
    await expect(waiting).rejects.toThrow(/closing/);
    expect(broker.pending).toBe(0);
    await expect(signer.signer.signRaw?.({ address: '5Fake', data: '0x00', type: 'bytes' })).rejects.toThrow(/closing/);
  });

  it('times out a request nobody answers', async () => {
    const broker = new SignerBroker({ emit: () => undefined, timeoutMs: 20 });
    const waiting = broker.signerFor('5Fake', 'x').signer.signRaw?.({ address: '5Fake', data: '0x00', type: 'bytes' });
    await expect(waiting).rejects.toMatchObject({ code: 'timeout' });
    expect(broker.pending).toBe(0);
  });
});
