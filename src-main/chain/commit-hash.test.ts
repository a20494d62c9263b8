import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { describe, expect, it } from 'vitest';
import { commitHash, netuidIndex } from './commit-hash.js';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

/** The same SCALE bytes written out by hand: u16/u64 little-endian, Vec = compact length + items. */
function manual(uids: number[], values: number[], salt: number[], version: bigint, index: number): Uint8Array {
  const u16 = (n: number) => new Uint8Array([n & 0xff, n >> 8]);
  const vec = (items: number[]) => u8aConcat(new Uint8Array([items.length << 2]), ...items.map(u16));
  const u64 = new Uint8Array(8);
  new DataView(u64.buffer).setBigUint64(0, version, true);
  return blake2AsU8a(u8aConcat(decodeAddress(ALICE), u16(index), vec(uids), vec(values), vec(salt), u64), 256);
}

describe('commit-reveal v2 hash', () => {
  it('hashes the SCALE tuple exactly as the chain does', () => {
    const input = {
      hotkey: ALICE,
      netuidIndex: 50,
      uids: [0, 3, 7],
      values: [65535, 100, 1],
      salt: [1, 2, 3, 4, 5, 6, 7, 8],
      versionKey: 10002000n,
    };
    expect(u8aToHex(commitHash(input))).toBe(
      u8aToHex(manual(input.uids, input.values, input.salt, input.versionKey, 50)),
    );
  });

  it('changes with any input, so a reveal must repeat the commit exactly', () => {
    const base = { hotkey: ALICE, netuidIndex: 50, uids: [1], values: [65535], salt: [9], versionKey: 1n };
    const h = u8aToHex(commitHash(base));
    expect(u8aToHex(commitHash({ ...base, salt: [8] }))).not.toBe(h);
    expect(u8aToHex(commitHash({ ...base, versionKey: 2n }))).not.toBe(h);
    expect(u8aToHex(commitHash({ ...base, hotkey: decodeAddress(ALICE) }))).toBe(h);
  });

  it('indexes mechanisms by mecid * 4096 + netuid', () => {
    expect(netuidIndex(50)).toBe(50);
    expect(netuidIndex(50, 2)).toBe(8242);
  });
});
