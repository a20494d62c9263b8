import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBytes, toHex } from './bytes.js';
import { AES_GCM_SUITE, ENVELOPE_OVERHEAD_BYTES, parseCiphertext, serializeCiphertext } from './envelope.js';
import { TimelockError } from './errors.js';
import { parseCommitCallData } from './extrinsic.js';
import { weightsPayloadLength } from './payload.js';
import { KAT1, KAT2, MAINNET_CALL } from './test-vectors.js';

const kat1 = toBytes(KAT1.commit, 'kat1');
const kat2 = toBytes(KAT2.commit, 'kat2');

function u64le(n: number): string {
  return toHex(new Uint8Array(new BigUint64Array([BigInt(n)]).buffer));
}

/** parseCiphertext either returns a canonical parse or throws a TimelockError — never anything else. */
function parseOrTimelockError(bytes: Uint8Array): 'ok' | string {
  try {
    const parsed = parseCiphertext(bytes);
    expect(toHex(serializeCiphertext(parsed))).toBe(toHex(bytes));
    return 'ok';
  } catch (error) {
    if (!(error instanceof TimelockError)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
    return error.code;
  }
}

describe('commit layout (§2.5, §7.6 item 7)', () => {
  for (const [name, bytes, p] of [
    ['KAT-1', kat1, 14],
    ['KAT-2', kat2, 55],
  ] as const) {
    it(`${name}: length P + 244 with the fixed prefixes and suffix`, () => {
      const hex = toHex(bytes);
      const at = (offset: number, length: number): string => hex.slice(2 * offset, 2 * (offset + length));
      expect(bytes.length).toBe(p + ENVELOPE_OVERHEAD_BYTES);
      expect(at(96, 8)).toBe(u64le(32));
      expect(at(136, 8)).toBe(u64le(32));
      expect(at(176, 8)).toBe(u64le(p + 44));
      expect(at(184, 8)).toBe(u64le(p + 16));
      expect(at(208 + p, 8)).toBe(u64le(12));
      expect(at(228 + p, 8)).toBe(u64le(8));
      expect(at(236 + p, 8)).toBe('4145535f47434d5f');
      const parsed = parseCiphertext(bytes);
      expect(parsed.ciphertext.length).toBe(p + 16);
      expect(parsed.nonce.length).toBe(12);
      expect(parsed.cipherSuite).toEqual(AES_GCM_SUITE);
      expect(toHex(serializeCiphertext(parsed))).toBe(hex);
    });
  }
});

describe('the real mainnet commit (§7.4)', () => {
  it('parses: valid subgroup U, 32-byte V/W, 59-byte plaintext (hotkey + 4 pairs), 12-byte nonce, AES_GCM_', () => {
    const call = parseCommitCallData(toBytes(MAINNET_CALL.callData, 'call'));
    expect(call.commit.length).toBe(303);
    const parsed = parseCiphertext(call.commit);
    expect(parsed.header.u.is0()).toBe(false);
    expect(() => parsed.header.u.assertValidity()).not.toThrow();
    expect(parsed.header.v.length).toBe(32);
    expect(parsed.header.w.length).toBe(32);
    const plaintextLength = parsed.ciphertext.length - 16;
    expect(plaintextLength).toBe(59);
    expect(plaintextLength).toBe(weightsPayloadLength(4));
    expect(toHex(parsed.nonce)).toBe('f6e30fc8e613b20200bf45fe');
    expect(toHex(serializeCiphertext(parsed))).toBe(toHex(call.commit));
  });
});

describe('parser rejects malformed commits with a clear error (§7.5)', () => {
  it('rejects every truncation of a valid commit', () => {
    for (let n = 0; n < kat1.length; n++) {
      expect(parseOrTimelockError(kat1.subarray(0, n)), `length ${n}`).toBe('malformed-commit');
    }
  });

  it('rejects trailing bytes', () => {
    const longer = new Uint8Array(kat1.length + 1);
    longer.set(kat1);
    expect(() => parseCiphertext(longer)).toThrow(/1 trailing bytes/);
  });

  it('rejects wrong length prefixes', () => {
    const p = 14;
    const withU64 = (offset: number, value: bigint): Uint8Array => {
      const bad = kat1.slice();
      new DataView(bad.buffer).setBigUint64(offset, value, true);
      return bad;
    };
    expect(() => parseCiphertext(withU64(96, 31n))).toThrow(/V must be 32 bytes/);
    expect(() => parseCiphertext(withU64(96, 33n))).toThrow(/W length prefix|truncated|must be 32/);
    expect(() => parseCiphertext(withU64(96, 2n ** 64n - 1n))).toThrow(/V length prefix says/);
    expect(() => parseCiphertext(withU64(136, 0n))).toThrow(/W must be 32 bytes/);
    expect(() => parseCiphertext(withU64(176, BigInt(p + 45)))).toThrow(/cipher suite length prefix says/);
    expect(() => parseCiphertext(withU64(176, BigInt(p + 61)))).toThrow(/body length prefix says/);
    expect(() => parseCiphertext(withU64(176, BigInt(p + 43)))).toThrow(TimelockError);
    expect(() => parseCiphertext(withU64(184, BigInt(p + 17)))).toThrow(/commit body/);
    expect(() => parseCiphertext(withU64(184, 15n))).toThrow(TimelockError);
    expect(() => parseCiphertext(withU64(208 + p, 11n))).toThrow(TimelockError);
    expect(() => parseCiphertext(withU64(228 + p, 9n))).toThrow(/cipher suite length prefix says/);
  });

  it('rejects another cipher suite, an invalid U and U at infinity', () => {
    const suite = kat1.slice();
    suite[suite.length - 1] = 0x58;
    expect(() => parseCiphertext(suite)).toThrow(expect.objectContaining({ code: 'unsupported-cipher-suite' }));
    const infinity = kat1.slice();
    infinity.set([0xc0, ...new Uint8Array(95)], 0);
    expect(() => parseCiphertext(infinity)).toThrow(/commit: U/);
    const offCurve = kat1.slice();
    offCurve[95] = (offCurve[95] ?? 0) ^ 0x01;
    expect(parseOrTimelockError(offCurve)).toMatch(/^(ok|malformed-commit)$/);
    const uncompressed = kat1.slice();
    uncompressed[0] = (uncompressed[0] ?? 0) & 0x7f;
    expect(() => parseCiphertext(uncompressed)).toThrow(/commit: U/);
  });

  it('fuzz: random mutations of a valid commit never crash the parser', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: kat2.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat({ max: kat2.length }),
        (edits, length) => {
          const bytes = kat2.slice(0, length);
          for (const { at, value } of edits) if (at < bytes.length) bytes[at] = value;
          parseOrTimelockError(bytes);
        },
      ),
      { numRuns: 300, seed: 0x5eed },
    );
  });

  it('fuzz: arbitrary bytes never crash the parser', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(parseOrTimelockError(bytes)).not.toBe('ok');
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
