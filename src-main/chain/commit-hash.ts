/**
 * Commit-reveal v2 hash (chain §5.1): blake2-256 of the SCALE tuple (hotkey AccountId32, netuid
 * index u16, uids Vec<u16>, values Vec<u16>, salt Vec<u16>, version_key u64). Matches the
 * Python SDK's generate_weight_hash and the chain's get_commit_hash.
 */
import { TypeRegistry } from '@polkadot/types';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';

const registry = new TypeRegistry();

export interface CommitHashInput {
  /** SS58 address or 32 raw public-key bytes. */
  hotkey: string | Uint8Array;
  /** mecid * 4096 + netuid; equal to the netuid for mechanism 0. */
  netuidIndex: number;
  uids: number[];
  values: number[];
  salt: number[];
  versionKey: bigint;
}

export function commitHash(input: CommitHashInput): Uint8Array {
  const account = typeof input.hotkey === 'string' ? decodeAddress(input.hotkey) : input.hotkey;
  const encoded = registry
    .createType('(AccountId32,u16,Vec<u16>,Vec<u16>,Vec<u16>,u64)', [
      account,
      input.netuidIndex,
      input.uids,
      input.values,
      input.salt,
      input.versionKey,
    ])
    .toU8a();
  return blake2AsU8a(encoded, 256);
}

/** Storage index of a mechanism's weights (chain §2.1). */
export function netuidIndex(netuid: number, mechanismId = 0): number {
  return mechanismId * 4096 + netuid;
}
