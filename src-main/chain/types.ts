/**
 * The chain as the app sees it: plain data in domain units, independent of @polkadot/api, so the
 * neuron loops and the devnet double share one vocabulary. Token amounts are bigints in rao
 * (1 TAO = 1e9 rao; subnet alpha uses the same 9 decimals).
 */

import type { Netuid, Ss58, Uid } from '../../src-shared/domain/ids.js';

// The ids are shared vocabulary (src-shared/domain/ids.ts); re-exported for chain/'s importers.
export type { Netuid, Ss58, Uid };

/** What a neuron advertises with serve_axon (chain §3, wire-protocol §6). */
export interface AxonInfo {
  block: number;
  version: number;
  /** Dotted quad or IPv6 text, decoded with the Python magnitude rule (wire-protocol §6.2). */
  ip: string;
  port: number;
  ipType: 4 | 6;
  protocol: number;
}

/** One uid of a subnet, from the metagraph. Ratios are already divided by 65535. */
export interface Neuron {
  uid: Uid;
  hotkey: Ss58;
  coldkey: Ss58;
  active: boolean;
  axon: AxonInfo;
  validatorPermit: boolean;
  /** The hotkey's alpha on this subnet, rao. */
  alphaStake: bigint;
  /** Stake weight used by consensus (alpha + weighted root TAO), rao. */
  totalStake: bigint;
  /** Alpha earned in the last epoch, rao. */
  emission: bigint;
  incentive: number;
  dividends: number;
  consensus: number;
  lastUpdate: number;
  blockAtRegistration: number;
}

export interface Metagraph {
  netuid: Netuid;
  /** The block the metagraph was read at. */
  block: number;
  tempo: number;
  neurons: Neuron[];
}

export interface Hyperparameters {
  tempo: number;
  immunityPeriod: number;
  weightsRateLimit: number;
  minAllowedWeights: number;
  /** u16 as stored; 65535 means no limit. */
  maxWeightsLimit: number;
  weightsVersionKey: bigint;
  commitRevealEnabled: boolean;
  /** Epochs between a commit and its reveal. */
  revealPeriodEpochs: number;
  servingRateLimit: number;
  maxAllowedValidators: number;
  maxAllowedUids: number;
  activityCutoff: number;
  registrationAllowed: boolean;
  /** Current burn for burned_register, rao. */
  burn: bigint;
}

export type ChainConnection =
  | { status: 'connecting'; endpoint: string }
  | {
      status: 'connected';
      endpoint: string;
      specVersion: number;
      chain: string;
      /** Set when the runtime is older than the app's target and some features degrade. */
      warning?: string;
    }
  | { status: 'disconnected'; endpoint: string; reason: string; retryInMs: number };

/** How a submitted extrinsic ended. */
export type Submission =
  | { ok: true; blockHash: string; blockNumber?: number; txHash: string }
  | { ok: false; error: ChainErrorInfo; txHash?: string };

export interface ChainErrorInfo {
  /** `SettingWeightsTooFast`, `InvalidTransaction`, `Disconnected`, … */
  name: string;
  /** For people: what happened and what to do. */
  message: string;
}

export interface ServeAxonParams {
  netuid: Netuid;
  ip: string;
  port: number;
  /** Free u32; the Python SDK sends its version as an integer. */
  version: number;
  protocol?: number;
}

export interface SetWeightsParams {
  netuid: Netuid;
  uids: Uid[];
  /** u16 values, already converted (chain §4.2). */
  weights: number[];
  versionKey: bigint;
  /** Mechanism (sub-subnet); the Python SDK sends set_mechanism_weights with 0. */
  mechanismId?: number;
}

export interface RevealWeightsParams extends SetWeightsParams {
  salt: number[];
}

export interface TimelockedCommitParams {
  netuid: Netuid;
  mechanismId?: number;
  commit: Uint8Array;
  revealRound: bigint;
  commitRevealVersion: number;
}

/** A hotkey's stake in alpha rao: on one subnet (`TotalHotkeyAlpha`) and over all subnets. */
export interface HotkeyStake {
  onSubnet: bigint;
  total: bigint;
}

/** One unrevealed commit-reveal v2 commit (`WeightCommits`). */
export interface PendingWeightCommit {
  /** blake2-256 of the committed weights, hex. */
  hash: string;
  /** The commit's block, or its epoch on runtimes that key commits by epoch. */
  committedAt: number;
  firstRevealBlock: number;
  lastRevealBlock: number;
}

/** `IncentiveAlphaEmittedToMiners`: the alpha each uid earned as a miner in one epoch. */
export interface MinerRewardEvent {
  netuid: Netuid;
  mechanismId: number;
  /** By uid, rao. */
  emissions: bigint[];
}
