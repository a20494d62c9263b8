/**
 * The interface the neuron loops use. `SubtensorChain` implements it on @polkadot/api against a
 * real node; the devnet implements it in-process with the subtensor rules the app relies on.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import type {
  ChainConnection,
  Hyperparameters,
  Metagraph,
  Netuid,
  RevealWeightsParams,
  ServeAxonParams,
  SetWeightsParams,
  Ss58,
  Submission,
  TimelockedCommitParams,
} from './types.js';

export interface Chain {
  readonly connection: ChainConnection;
  onConnection(listener: (state: ChainConnection) => void): () => void;
  /** Called with each new best block number; resubscribes by itself after a reconnect. */
  onNewBlock(listener: (block: number) => void): () => void;

  currentBlock(): Promise<number>;
  metagraph(netuid: Netuid): Promise<Metagraph>;
  hyperparameters(netuid: Netuid): Promise<Hyperparameters>;
  /** Cost of burned_register on the subnet now, rao. */
  registrationCost(netuid: Netuid): Promise<bigint>;
  /** First block of the next epoch. */
  nextEpochBlock(netuid: Netuid): Promise<number>;
  uidOf(netuid: Netuid, hotkey: Ss58): Promise<number | undefined>;

  /** Signed by the coldkey; pays the burn. */
  burnedRegister(coldkey: KeyringPair, netuid: Netuid, hotkey: Ss58): Promise<Submission>;
  /** Signed by the hotkey. */
  serveAxon(hotkey: KeyringPair, params: ServeAxonParams): Promise<Submission>;
  setWeights(hotkey: KeyringPair, params: SetWeightsParams): Promise<Submission>;
  /** Commit-reveal v2: commit the hash (chain §5.1) … */
  commitWeights(hotkey: KeyringPair, netuid: Netuid, commitHash: Uint8Array, mechanismId?: number): Promise<Submission>;
  /** … and reveal exactly what was hashed. */
  revealWeights(hotkey: KeyringPair, params: RevealWeightsParams): Promise<Submission>;
  /** Commit-reveal v4 (drand timelock, chain §5.2). */
  commitTimelockedWeights(hotkey: KeyringPair, params: TimelockedCommitParams): Promise<Submission>;

  close(): Promise<void>;
}
