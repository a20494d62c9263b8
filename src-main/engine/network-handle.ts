/**
 * What the network service hands the services that need a chain (the neuron, the rewards watch):
 * the one long-lived connection, the subnet, and where our axon listens and what it announces on
 * this network. On the built-in local network it also names the development hotkey "your" miner
 * uses; on a real network that comes from the wallet settings instead.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Chain } from '../chain/chain.js';
import type { Netuid, Ss58 } from '../chain/types.js';

export interface NetworkHandle {
  readonly kind: 'local' | 'remote';
  readonly chain: Chain;
  readonly netuid: Netuid;
  /** Local network: the registered development hotkey of "your" miner; remote: null. */
  readonly localMinerHotkey: KeyringPair | null;
  /** Local network: the tiny MusicGen folder every local miner uses; remote: null (the model setting decides). */
  readonly localModelDir: string | null;
  /** Local network only: gives an account test TAO (so a new wallet can register); absent on a real chain. */
  readonly faucet?: (address: Ss58, rao: bigint) => void;
  /** Where our axon listens and the address it announces (never 127.0.0.1 on a real chain). */
  readonly axon: {
    readonly host: string;
    readonly externalIp: string;
    readonly port: number;
    /** When the address was detected (not set by the user): detects it again, so a change is announced. */
    readonly detectExternalIp?: () => string | null;
  };
}

/** The network service as the others see it. */
export interface NetworkProvider {
  /** The network in use, or null while none is up (starting, failed, stopped). */
  current(): NetworkHandle | null;
  /** Called when the network comes up, goes down or is replaced; returns the unsubscribe. */
  onChange(listener: (network: NetworkHandle | null) => void): () => void;
}
