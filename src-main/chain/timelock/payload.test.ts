import { TypeRegistry } from '@polkadot/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.js';
import { TimelockError } from './errors.js';
import {
  type WeightsTlockPayloadInput,
  decodeWeightsPayload,
  encodeWeightsPayload,
  weightsPayloadLength,
} from './payload.js';
import { KAT2 } from './test-vectors.js';

const registry = new TypeRegistry();
const HOTKEY = KAT2.hotkey;

function polkadotEncoding(hotkey: Uint8Array, uids: number[], values: number[], versionKey: bigint): string {
  // An array, not a Uint8Array: polkadot.js reads a Uint8Array given for Vec<u8> as already SCALE-encoded.
  const value = [Array.from(hotkey), uids, values, versionKey];
  return toHex(registry.createType('(Vec<u8>, Vec<u16>, Vec<u16>, u64)', value).toU8a());
}

describe('WeightsTlockPayload (§3)', () => {
  it("matches KAT-2's payload bytes", () => {
    const bytes = encodeWeightsPayload({
      hotkey: KAT2.hotkey,
      uids: KAT2.uids,
      values: KAT2.values,
      versionKey: KAT2.versionKey,
    });
    expect(toHex(bytes)).toBe(KAT2.payload);
    expect(bytes.length).toBe(55);
    expect(bytes[0]).toBe(0x80);
  });

  it('matches @polkadot/types SCALE and decodes back (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { maxLength: 120 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (hotkey, uids, versionKey) => {
          const values = uids.map((u) => (u * 7919) % 65536);
          const bytes = encodeWeightsPayload({ hotkey, uids, values, versionKey });
          expect(toHex(bytes)).toBe(polkadotEncoding(hotkey, uids, values, versionKey));
          expect(bytes.length).toBe(weightsPayloadLength(uids.length));
          expect(decodeWeightsPayload(bytes)).toEqual({ hotkey, uids, values, versionKey });
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it('uses the two-byte compact length from 64 entries and the four-byte one from 16384', () => {
    for (const n of [63, 64, 16383, 16384]) {
      const uids = Array.from({ length: n }, (_, i) => i);
      const bytes = encodeWeightsPayload({ hotkey: HOTKEY, uids, values: uids.map(() => 1), versionKey: 1n });
      const values = uids.map(() => 1);
      expect(toHex(bytes)).toBe(polkadotEncoding(Uint8Array.from(Buffer.from(HOTKEY, 'hex')), uids, values, 1n));
      expect(bytes.length).toBe(weightsPayloadLength(n));
      expect(decodeWeightsPayload(bytes).uids.length).toBe(n);
    }
    expect(weightsPayloadLength(4)).toBe(59);
    expect(weightsPayloadLength(63)).toBe(43 + 4 * 63);
    expect(weightsPayloadLength(64)).toBe(45 + 4 * 64);
  });

  it('refuses payloads the chain would drop at reveal time', () => {
    const ok: WeightsTlockPayloadInput = { hotkey: HOTKEY, uids: [1, 2], values: [3, 4], versionKey: 1n };
    const cases: [Partial<WeightsTlockPayloadInput>, RegExp][] = [
      [{ hotkey: '00'.repeat(31) }, /hotkey: expected 32 bytes/],
      [{ uids: [1] }, /differ in length/],
      [{ uids: [1, 1] }, /duplicate uid 1/],
      [{ uids: [1, 65536] }, /uids\[1\] = 65536 is not a u16/],
      [{ values: [1.5, 2] }, /values\[0\] = 1.5 is not a u16/],
      [{ values: [-1, 2] }, /not a u16/],
      [{ versionKey: -1n }, /versionKey/],
      [{ versionKey: 2n ** 64n }, /versionKey/],
    ];
    for (const [patch, message] of cases) {
      expect(() => encodeWeightsPayload({ ...ok, ...patch })).toThrow(message);
    }
  });

  it('decoder rejects truncated, padded and non-canonical payloads with clear errors', () => {
    const bytes = encodeWeightsPayload({ hotkey: HOTKEY, uids: [0, 1, 2], values: [9, 8, 7], versionKey: 5n });
    for (let n = 0; n < bytes.length; n++) {
      expect(() => decodeWeightsPayload(bytes.subarray(0, n)), `length ${n}`).toThrow(
        expect.objectContaining({ code: 'malformed-payload' }),
      );
    }
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    expect(() => decodeWeightsPayload(padded)).toThrow(/1 trailing bytes/);
    expect(() => decodeWeightsPayload(Uint8Array.of(0x01, 0x00))).toThrow(/non-canonical/);
    expect(() => decodeWeightsPayload(Uint8Array.of(0x03, 0, 0, 0, 0))).toThrow(/too large/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (random) => {
        try {
          decodeWeightsPayload(random);
        } catch (error) {
          expect(error).toBeInstanceOf(TimelockError);
        }
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});
