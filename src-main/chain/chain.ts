/**
 * The interface the neuron loops use. `SubtensorChain` implements it on @polkadot/api against a
 * real node; the devnet implements it in-process with the subtensor rules the app relies on.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ChainSigner } from './signer.js';
import type {
  ChainConnection,
  HotkeyStake,
  MinerRewardEvent,
  PendingWeightCommit,
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
  /**
   * The subnet's alpha price: TAO rao per 1 alpha (1e9 rao), so `taoRao = alphaRao * price / 1e9`
   * (chain §3). null on runtimes without dynamic TAO (no subnet pool), where alpha has no TAO price.
   */
  alphaPrice(netuid: Netuid): Promise<bigint | null>;

  // What the neuron loops check before they act; each read follows the runtime's capabilities.
  /** Free TAO of an account, rao. */
  freeBalance(account: Ss58): Promise<bigint>;
  hotkeyStake(hotkey: Ss58, netuid: Netuid): Promise<HotkeyStake>;
  /** Minimum stake weight to set weights (`StakeThreshold`, `WeightsMinStake` before it), rao. */
  stakeThreshold(): Promise<bigint>;
  weightsSetRateLimit(netuid: Netuid): Promise<number>;
  commitRevealEnabled(netuid: Netuid): Promise<boolean>;
  /** `CommitRevealWeightsVersion`; undefined on runtimes without timelocked commits. */
  commitRevealVersion(): Promise<number | undefined>;
  /** `Drand.LastStoredRound`; undefined on runtimes without the drand pallet. */
  lastDrandRound(): Promise<bigint | undefined>;
  pendingWeightCommits(netuid: Netuid, hotkey: Ss58, mechanismId?: number): Promise<PendingWeightCommit[]>;
  /** Miner rewards emitted in one block; refuses by name on runtimes without the event. */
  minerRewardEvents(block: number): Promise<MinerRewardEvent[]>;
  /**
   * Hotkeys whose timelocked weights the chain revealed on `netuid` in `block`
   * (`TimelockedWeightsRevealed`): how a timelocked commit is confirmed, since no transaction of
   * ours reveals it. Optional: a chain without it leaves such commits unconfirmed.
   */
  timelockedWeightsRevealed?(netuid: Netuid, block: number): Promise<Ss58[]>;

  /** Signed by the coldkey (held here or in a browser extension); pays the burn. */
  burnedRegister(coldkey: ChainSigner, netuid: Netuid, hotkey: Ss58): Promise<Submission>;
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
