/**
 * Devnet state: subnet configuration (hyperparameters plus the devnet's economic knobs), the
 * per-uid and per-subnet storage it keeps, the epoch history and the events it emits.
 */
import type { AxonInfo, ChainErrorInfo, Hyperparameters, Netuid, Ss58, Uid } from '../chain/types.js';
import { DevnetError } from './errors.js';

export interface SubnetOwner {
  coldkey: Ss58;
  /** Exempt from the stake threshold, the permit check and pruning; receives the owner cut as alpha. */
  hotkey: Ss58;
}

export interface DevnetSubnetConfig extends Hyperparameters {
  /** The burn never falls below this (rao). */
  minBurn: bigint;
  /** The burn never rises above this (rao). */
  maxBurn: bigint;
  /** The burn is multiplied by this after each registration (subtensor `BurnIncreaseMult`). */
  burnIncreaseMult: number;
  /** Blocks in which the burn halves, decaying a little every block (subtensor `BurnHalfLife`); 0 = no decay. */
  burnHalfLife: number;
  /** Alpha (rao) the subnet emits per block; it accrues and is handed out at each epoch. */
  alphaEmissionPerBlock: bigint;
  /** Share of each epoch's alpha that goes to the subnet owner, in percent (dTAO: 18). */
  ownerCutPercent: number;
  /**
   * The subnet pool's alpha price, TAO rao per 1 alpha (what `current_alpha_price` answers); null
   * models a runtime without dynamic TAO, where alpha has no TAO price.
   */
  alphaPriceRao: bigint | null;
  /** Consensus quantile κ of the simplified Yuma (0.5: stake-weighted median). */
  kappa: number;
  owner?: SubnetOwner;
}

/**
 * Runtime defaults of a new subnet (chain §7, subtensor HEAD). The devnet's own knobs: a 2× burn
 * increase per registration with a 360-block half-life, 1 alpha per block, 18 % owner cut, κ 0.5.
 */
export const RUNTIME_DEFAULTS: Readonly<DevnetSubnetConfig> = Object.freeze({
  tempo: 360,
  immunityPeriod: 4096,
  weightsRateLimit: 100,
  minAllowedWeights: 1024,
  maxWeightsLimit: 65535,
  weightsVersionKey: 0n,
  commitRevealEnabled: true,
  revealPeriodEpochs: 1,
  servingRateLimit: 50,
  maxAllowedValidators: 128,
  maxAllowedUids: 256,
  activityCutoff: 5000,
  registrationAllowed: true,
  burn: 100_000_000n,
  minBurn: 500_000n,
  maxBurn: 100_000_000_000n,
  burnIncreaseMult: 2,
  burnHalfLife: 360,
  alphaEmissionPerBlock: 1_000_000_000n,
  ownerCutPercent: 18,
  // A new dynamic subnet's pool starts with equal TAO and alpha reserves: 1 TAO per alpha.
  alphaPriceRao: 1_000_000_000n,
  kappa: 0.5,
});

/** Checks a configuration; throws DevnetError naming the first bad field. */
export function validateConfig(config: DevnetSubnetConfig): void {
  const integer = (name: keyof DevnetSubnetConfig, value: number, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new DevnetError(`${name} must be an integer in ${min}..${max}, got ${value}`);
    }
  };
  integer('tempo', config.tempo, 0, 65535);
  integer('immunityPeriod', config.immunityPeriod, 0, 65535);
  integer('weightsRateLimit', config.weightsRateLimit, 0, Number.MAX_SAFE_INTEGER);
  integer('minAllowedWeights', config.minAllowedWeights, 0, 65535);
  integer('maxWeightsLimit', config.maxWeightsLimit, 0, 65535);
  integer('revealPeriodEpochs', config.revealPeriodEpochs, 0, 65535);
  integer('servingRateLimit', config.servingRateLimit, 0, Number.MAX_SAFE_INTEGER);
  integer('maxAllowedValidators', config.maxAllowedValidators, 0, 65535);
  integer('maxAllowedUids', config.maxAllowedUids, 0, 65535);
  integer('activityCutoff', config.activityCutoff, 0, Number.MAX_SAFE_INTEGER);
  integer('burnHalfLife', config.burnHalfLife, 0, 65535);
  if (config.weightsVersionKey < 0n) throw new DevnetError('weightsVersionKey must not be negative');
  if (config.burn < 0n || config.minBurn < 0n || config.maxBurn < config.minBurn) {
    throw new DevnetError('burn, minBurn and maxBurn must be non-negative with minBurn <= maxBurn');
  }
  if (!(config.burnIncreaseMult >= 1)) throw new DevnetError('burnIncreaseMult must be at least 1');
  if (config.alphaEmissionPerBlock < 0n) throw new DevnetError('alphaEmissionPerBlock must not be negative');
  if (!(config.ownerCutPercent >= 0 && config.ownerCutPercent <= 100)) {
    throw new DevnetError('ownerCutPercent must be in 0..100');
  }
  if (config.alphaPriceRao !== null && config.alphaPriceRao < 0n) {
    throw new DevnetError('alphaPriceRao must be null or not negative');
  }
  if (!(config.kappa > 0 && config.kappa <= 1)) throw new DevnetError('kappa must be in (0, 1]');
}

export interface NeuronState {
  uid: Uid;
  hotkey: Ss58;
  coldkey: Ss58;
  registeredAt: number;
  /** Block of the last set/commit/reveal; the registration block until then. */
  lastUpdate: number;
  /** Stored weights: target uid → max-upscaled u16 value. */
  weights: Map<Uid, number>;
  validatorPermit: boolean;
  active: boolean;
  /** Alpha earned in the last epoch (miner + validator parts), rao. */
  emission: bigint;
  /** u16 ratios as the chain stores them. */
  incentive: number;
  dividends: number;
  consensus: number;
}

/** A CR v2 commit (`WeightCommits`): the hash and where it may be revealed. */
export interface WeightCommit {
  hash: Uint8Array;
  commitBlock: number;
  commitEpoch: number;
  firstRevealBlock: number;
  lastRevealBlock: number;
}

export type TimelockedCommitStatus = 'pending' | 'revealed' | 'rejected' | 'unrevealed';

/** A CRv3/v4 commit (`TimelockedWeightCommits`) and what became of it. */
export interface TimelockedCommit {
  hotkey: Ss58;
  netuidIndex: number;
  commit: Uint8Array;
  revealRound: bigint;
  commitBlock: number;
  commitEpoch: number;
  /** The epoch at whose end the chain tries to reveal it. */
  revealEpoch: number;
  status: TimelockedCommitStatus;
  /** Why it was rejected or not revealed. */
  reason?: string;
  /** The block the chain revealed it in. */
  revealedAt?: number;
}

export interface SubnetState {
  netuid: Netuid;
  config: DevnetSubnetConfig;
  createdAt: number;
  /** Index = uid. */
  neurons: NeuronState[];
  /** `TotalHotkeyAlpha(hotkey, netuid)`: stays with the hotkey even when its uid is replaced. */
  stake: Map<Ss58, bigint>;
  /** `Axons(netuid, hotkey)`. */
  axons: Map<Ss58, AxonInfo>;
  commits: Map<Ss58, WeightCommit[]>;
  timelocked: TimelockedCommit[];
  /** Alpha accrued since the last epoch, rao. */
  pendingEmission: bigint;
  history: EpochRecord[];
}

/** One uid in one epoch, for reward charts. */
export interface EpochNeuronRecord {
  uid: Uid;
  hotkey: Ss58;
  /** minerEmission + validatorEmission, rao (what `Emission[uid]` shows). */
  emission: bigint;
  minerEmission: bigint;
  validatorEmission: bigint;
  incentive: number;
  dividends: number;
  consensus: number;
  validatorPermit: boolean;
  active: boolean;
  /** The hotkey's alpha after the rewards were staked. */
  alphaStake: bigint;
}

export interface EpochRecord {
  netuid: Netuid;
  /** The block the epoch ran in. */
  block: number;
  /** `epochIndex` of that block. */
  epoch: number;
  /** Alpha accrued since the previous epoch and handed out now (= toOwner + toMiners + toValidators + recycled). */
  emitted: bigint;
  toOwner: bigint;
  toMiners: bigint;
  toValidators: bigint;
  recycled: bigint;
  neurons: EpochNeuronRecord[];
}

export type DevnetEvent =
  | { type: 'Endowed'; coldkey: Ss58; amount: bigint; block: number }
  | { type: 'StakeAdded'; netuid: Netuid; hotkey: Ss58; amount: bigint; block: number }
  | {
      type: 'NeuronRegistered';
      netuid: Netuid;
      uid: Uid;
      hotkey: Ss58;
      coldkey: Ss58;
      burn: bigint;
      block: number;
      /** The hotkey whose uid was taken over, when the subnet was full. */
      replaced?: Ss58;
    }
  | { type: 'AxonServed'; netuid: Netuid; hotkey: Ss58; block: number }
  | { type: 'WeightsSet'; netuid: Netuid; uid: Uid; hotkey: Ss58; block: number }
  | { type: 'WeightsCommitted'; netuid: Netuid; hotkey: Ss58; block: number; firstRevealBlock: number }
  | { type: 'WeightsRevealed'; netuid: Netuid; hotkey: Ss58; block: number }
  | {
      type: 'TimelockedWeightsCommitted';
      netuid: Netuid;
      hotkey: Ss58;
      revealRound: bigint;
      revealEpoch: number;
      block: number;
    }
  | { type: 'TimelockedWeightsRevealed'; netuid: Netuid; hotkey: Ss58; block: number }
  | {
      type: 'TimelockedWeightsNotRevealed';
      netuid: Netuid;
      hotkey: Ss58;
      revealRound: bigint;
      block: number;
      /** For people: why the devnet did not apply these weights. */
      message: string;
      /** The weight rule the decrypted weights broke, when that was the reason. */
      error?: ChainErrorInfo;
    }
  | { type: 'ValidatorPermitsUpdated'; netuid: Netuid; permits: Uid[]; block: number }
  | { type: 'EpochCompleted'; record: EpochRecord }
  | { type: 'ExtrinsicFailed'; call: string; signer: Ss58; error: ChainErrorInfo; block: number };

/** A structural subset of the engine's Logger, so one can be passed in. */
export interface DevnetLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}
