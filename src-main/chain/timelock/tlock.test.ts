import { describe, expect, it } from 'vitest';
import { toBytes, toHex } from './bytes.js';
import { TimelockError } from './errors.js';
import { decodeWeightsPayload, encodeWeightsPayload } from './payload.js';
import { KAT1, KAT2, ROUND_1000_SIGNATURE, ROUND_2000_SIGNATURE, localBeacon } from './test-vectors.js';
import { tlockDecrypt, tlockEncrypt } from './tlock.js';

const text = new TextEncoder();

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a TimelockError').toBeInstanceOf(TimelockError);
  expect((thrown as TimelockError).code).toBe(code);
  if (message) expect((thrown as TimelockError).message).toMatch(message);
}

describe('known-answer ciphertexts (§7.3)', () => {
  it('KAT-1 is reproduced byte for byte and opens with the real round-1000 signature', () => {
    const commit = tlockEncrypt(text.encode(KAT1.plaintext), KAT1.round, {
      randomness: { esk: KAT1.esk, sigma: KAT1.sigma, nonce: KAT1.nonce },
    });
    expect(commit.length).toBe(258);
    expect(toHex(commit)).toBe(KAT1.commit);
    expect(new TextDecoder().decode(tlockDecrypt(toBytes(KAT1.commit, 'kat'), ROUND_1000_SIGNATURE))).toBe(
      KAT1.plaintext,
    );
  });

  it('KAT-2 (a weights payload) is reproduced byte for byte and opens with the real round-2000 signature', () => {
    const payload = encodeWeightsPayload({
      hotkey: KAT2.hotkey,
      uids: KAT2.uids,
      values: KAT2.values,
      versionKey: KAT2.versionKey,
    });
    const commit = tlockEncrypt(payload, KAT2.round, {
      randomness: { esk: KAT2.esk, sigma: KAT2.sigma, nonce: KAT2.nonce },
    });
    expect(commit.length).toBe(299);
    expect(toHex(commit)).toBe(KAT2.commit);
    const opened = decodeWeightsPayload(tlockDecrypt(toBytes(KAT2.commit, 'kat'), ROUND_2000_SIGNATURE));
    expect(toHex(opened.hotkey)).toBe(KAT2.hotkey);
    expect(opened.uids).toEqual(KAT2.uids);
    expect(opened.values).toEqual(KAT2.values);
    expect(opened.versionKey).toBe(KAT2.versionKey);
  });

  it('a real signature for the wrong round fails with a clear error', () => {
    expectCode(
      () => tlockDecrypt(toBytes(KAT1.commit, 'kat'), ROUND_2000_SIGNATURE),
      'wrong-signature',
      /signature does not open this ciphertext/,
    );
  });
});

describe('self-consistency with a local key (§7.5)', () => {
  const beacon = localBeacon(7);
  const round = 123_456_789n;
  const message = text.encode('weights for the reveal epoch');
  const commit = tlockEncrypt(message, round, { publicKey: beacon.publicKey });

  it('round-trips and the commit is plaintext + 244 bytes', () => {
    expect(commit.length).toBe(message.length + 244);
    expect(tlockDecrypt(commit, beacon.sign(round))).toEqual(message);
  });

  it('round-trips a weights payload, including an empty one', () => {
    const payload = encodeWeightsPayload({ hotkey: '11'.repeat(32), uids: [], values: [], versionKey: 0n });
    const sealed = tlockEncrypt(payload, 42n, { publicKey: beacon.publicKey });
    expect(decodeWeightsPayload(tlockDecrypt(sealed, beacon.sign(42n)))).toEqual({
      hotkey: new Uint8Array(32).fill(0x11),
      uids: [],
      values: [],
      versionKey: 0n,
    });
  });

  it('rejects the signature of another round and of another key', () => {
    expectCode(() => tlockDecrypt(commit, beacon.sign(round + 1n)), 'wrong-signature');
    expectCode(() => tlockDecrypt(commit, localBeacon(8).sign(round)), 'wrong-signature');
  });

  it('rejects a flipped byte in U, V, W, the AES body, the tag and the nonce', () => {
    const sig = beacon.sign(round);
    const p = message.length;
    const cases: [offset: number, code: string][] = [
      [50, 'malformed-commit'], // inside U: no longer a valid subgroup point (or a different one)
      [110, 'wrong-signature'], // V
      [150, 'wrong-signature'], // W
      [192, 'decryption-failed'], // first ciphertext byte
      [192 + p + 5, 'decryption-failed'], // tag
      [216 + p + 3, 'decryption-failed'], // nonce
    ];
    for (const [offset, code] of cases) {
      const bad = commit.slice();
      bad[offset] = (bad[offset] ?? 0) ^ 0x01;
      let thrown: unknown;
      try {
        tlockDecrypt(bad, sig);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `offset ${offset}`).toBeInstanceOf(TimelockError);
      // A flipped bit in U can still decode to another valid point; the IBE check then rejects it.
      const allowed = offset < 96 ? ['malformed-commit', 'wrong-signature'] : [code];
      expect(allowed, `offset ${offset}`).toContain((thrown as TimelockError).code);
    }
  });

  it('draws fresh randomness: two encryptions of the same message differ', () => {
    const again = tlockEncrypt(message, round, { publicKey: beacon.publicKey });
    expect(toHex(again)).not.toBe(toHex(commit));
  });

  it('validates injected randomness and inputs', () => {
    const m = new Uint8Array(1);
    expectCode(() => tlockEncrypt(m, 1n, { randomness: { esk: '00' } }), 'invalid-input', /esk: expected 32 bytes/);
    expectCode(() => tlockEncrypt(m, 1n, { randomness: { sigma: 'zz' } }), 'invalid-input', /sigma/);
    expectCode(() => tlockEncrypt(m, 1n, { randomness: { nonce: '00'.repeat(16) } }), 'invalid-input', /nonce/);
    expectCode(() => tlockEncrypt(m, -1n), 'invalid-input', /round/);
    expectCode(() => tlockEncrypt(m, 1n, { publicKey: '00'.repeat(96) }), 'invalid-point', /public key/);
  });
});
