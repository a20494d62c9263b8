/**
 * Who signs a coldkey call: a key held in this process (a btcli coldkey unlocked for one call) or
 * an outside signer asked per call — a Polkadot browser extension, reached through the page
 * (issue #13). The outside signer is @polkadot/api's own `Signer` interface, so the real chain
 * signs with it unchanged and the devnet checks a raw signature by the same key.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Signer as PolkadotSigner } from '@polkadot/types/types';

export interface ExternalSigner {
  readonly kind: 'external';
  /** The SS58 address of the account that signs. */
  readonly address: string;
  readonly signer: PolkadotSigner;
}

export type ChainSigner = KeyringPair | ExternalSigner;

export function isExternalSigner(signer: ChainSigner): signer is ExternalSigner {
  return 'kind' in signer && signer.kind === 'external';
}
