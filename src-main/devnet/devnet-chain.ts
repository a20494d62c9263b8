/**
 * `DevnetChain`: the `Chain` interface in one process, deterministic, no network. It applies the
 * subtensor rules the app relies on (chain §3–§7) with the chain's error names, runs a simplified
 * Yuma consensus every epoch (consensus.ts) and keeps an epoch history for reward charts.
 *
 * Model:
 * - Blocks advance with `advance(n)` (tests) or a timer (`startBlockProduction(ms)`, the demo).
 *   In each new block, for every subnet in netuid order: the burn decays, the block's alpha accrues,
 *   and, in an epoch block (epoch.ts), timelocked commits due are revealed and the epoch runs.
 *   Then `onNewBlock` listeners are called.
 * - A submission is applied at once, in the current block (there is no mempool): `LastUpdate`,
 *   axon blocks and commit blocks are the current block number, and the result carries it.
 * - Chain-rule failures never throw: they return `{ ok: false, error: { name, message } }` and emit
 *   an `ExtrinsicFailed` event. Devnet helpers (`createSubnet`, `endow`, …) throw `DevnetError` on
 *   misuse. Reads of a subnet that does not exist reject with `DevnetError`.
 * - Signatures are not checked: the signer is `pair.address`.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToU8a, u8aEq, u8aToHex } from '@polkadot/util';
import { blake2AsHex, decodeAddress, encodeAddress, signatureVerify } from '@polkadot/util-crypto';
import type { Chain } from '../chain/chain.js';
import { isExternalSigner, type ChainSigner } from '../chain/signer.js';
import { commitHash, netuidIndex } from '../chain/commit-hash.js';
import { decodeIp, encodeIp, ipRejectedByChain } from '../chain/ip.js';
import type {
  AxonInfo,
  ChainConnection,
  ChainErrorInfo,
  HotkeyStake,
  Hyperparameters,
  Metagraph,
  MinerRewardEvent,
  Netuid,
  Neuron,
  PendingWeightCommit,
  RevealWeightsParams,
  ServeAxonParams,
  SetWeightsParams,
  Ss58,
  Submission,
  TimelockedCommitParams,
  Uid,
} from '../chain/types.js';
import { formatTao } from '../chain/units.js';
import { splitEpochEmission, toU16, topKByStake, yumaConsensus } from './consensus.js';
import { epochIndex, isEpochBlock, nextEpochBlockAfter, revealWindow } from '../chain/epoch.js';
import { chainError, DevnetError } from './errors.js';
import {
  type DevnetEvent,
  type DevnetLogger,
  type DevnetSubnetConfig,
  type EpochRecord,
  type NeuronState,
  RUNTIME_DEFAULTS,
  type SubnetState,
  type TimelockedCommit,
  type TimelockedCommitStatus,
  validateConfig,
  type WeightCommit,
} from './state.js';
import { checkWeights, type WeightsRequest } from './weights.js';

/** Weights a timelocked commit decrypts to. */
export interface RevealedWeights {
  uids: number[];
  weights: number[];
  versionKey: bigint;
}

/**
 * Decrypts a CRv3/v4 commit once its drand round is due; `undefined` when it cannot (no pulse,
 * bad ciphertext). Injected so a later integration can plug in the timelock code.
 */
export type TimelockRevealer = (
  commit: Uint8Array,
  revealRound: bigint,
  context: { netuid: Netuid; hotkey: Ss58 },
) => RevealedWeights | undefined;

export interface DevnetChainOptions {
  /** Block number at start (default 0). */
  startBlock?: number;
  /** Global `StakeThreshold`: minimum stake weight to set weights, rao (default 0). */
  stakeThreshold?: bigint;
  /** `CommitRevealWeightsVersion` timelocked commits must carry (default 4). */
  commitRevealVersion?: number;
  revealTimelocked?: TimelockRevealer;
  logger?: DevnetLogger;
  /** Epoch records kept per subnet (default 1000; older ones are dropped). */
  historyLimit?: number;
  /** Reported in `connection` (default 411: the epoch rules the devnet follows). */
  specVersion?: number;
  /**
   * Local-only mode: serve_axon accepts 127.0.0.1, which subtensor refuses. For a local network
   * on a machine whose loopback has no other address (macOS has only 127.0.0.1 on lo0, where
   * Linux routes all of 127/8). Default false: the chain's rule.
   */
  acceptLoopbackAxonIp?: boolean;
}

/** Raw serve_axon arguments, as the extrinsic takes them (chain §3). */
export interface RawServeAxonParams {
  netuid: Netuid;
  version: number;
  ip: bigint;
  port: number;
  ipType: number;
  protocol: number;
}

export interface TimelockedCommitInfo {
  hotkey: Ss58;
  revealRound: bigint;
  commitBlock: number;
  revealEpoch: number;
  status: TimelockedCommitStatus;
  reason?: string;
}

const MAX_UNREVEALED_COMMITS = 10;
/** `MAX_CRV3_COMMIT_SIZE_BYTES`. */
const MAX_TIMELOCKED_COMMIT_BYTES = 5000;
const U16_MAX = 65535;
const U32_MAX = 4294967295;
const U64_MAX = (1n << 64n) - 1n;

export class DevnetChain implements Chain {
  readonly connection: ChainConnection;

  private block: number;
  private readonly subnets = new Map<Netuid, SubnetState>();
  private readonly balances = new Map<Ss58, bigint>();
  /** `Owner(hotkey)`: the coldkey that first registered the hotkey. */
  private readonly hotkeyOwners = new Map<Ss58, Ss58>();
  private readonly blockListeners = new Set<(block: number) => void>();
  private readonly connectionListeners = new Set<(state: ChainConnection) => void>();
  private readonly eventListeners = new Set<(event: DevnetEvent) => void>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private txCount = 0;
  private readonly stakeThresholdRao: bigint;
  private readonly crVersion: number;
  private readonly historyLimit: number;
  private readonly revealer: TimelockRevealer | undefined;
  private readonly logger: DevnetLogger | undefined;
  private readonly acceptLoopbackAxonIp: boolean;

  constructor(options: DevnetChainOptions = {}) {
    this.block = options.startBlock ?? 0;
    if (!Number.isSafeInteger(this.block) || this.block < 0) throw new DevnetError('startBlock must be >= 0');
    this.stakeThresholdRao = options.stakeThreshold ?? 0n;
    this.crVersion = options.commitRevealVersion ?? 4;
    this.historyLimit = options.historyLimit ?? 1000;
    this.revealer = options.revealTimelocked;
    this.logger = options.logger;
    this.acceptLoopbackAxonIp = options.acceptLoopbackAxonIp ?? false;
    this.connection = {
      status: 'connected',
      endpoint: 'devnet',
      specVersion: options.specVersion ?? 411,
      chain: 'BittAudio devnet',
    };
  }

  // ---------------------------------------------------------------- listeners

  /** Called right away with the current state (always connected), and never again. */
  onConnection(listener: (state: ChainConnection) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.connection);
    return () => this.connectionListeners.delete(listener);
  }

  onNewBlock(listener: (block: number) => void): () => void {
    this.blockListeners.add(listener);
    return () => this.blockListeners.delete(listener);
  }

  /** Everything that happens on the devnet: registrations, weights, epochs (with rewards), failures. */
  onEvent(listener: (event: DevnetEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  // ---------------------------------------------------------------- blocks

  /** The current block, synchronously. */
  get blockNumber(): number {
    return this.block;
  }

  /** Produces `blocks` blocks one by one (epochs and listeners included); returns the new block number. */
  advance(blocks = 1): number {
    if (!Number.isSafeInteger(blocks) || blocks < 0) throw new DevnetError('advance() takes a block count >= 0');
    for (let i = 0; i < blocks; i++) this.produceBlock();
    return this.block;
  }

  /** Advances until `block` (no-op when already there). */
  advanceTo(block: number): number {
    return this.advance(Math.max(0, block - this.block));
  }

  /**
   * A new block every `ms` milliseconds until `stopBlockProduction()` or `close()`. The timer does
   * not keep the process alive by itself (the daemon's server does).
   */
  startBlockProduction(ms: number): void {
    if (!(ms > 0)) throw new DevnetError('block time must be positive');
    this.stopBlockProduction();
    this.timer = setInterval(() => {
      try {
        this.advance(1);
      } catch (error) {
        this.logger?.warn('devnet: producing a block failed', { error: String(error) });
      }
    }, ms);
    this.timer.unref?.();
  }

  stopBlockProduction(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  get producingBlocks(): boolean {
    return this.timer !== undefined;
  }

  async close(): Promise<void> {
    this.stopBlockProduction();
    this.blockListeners.clear();
    this.connectionListeners.clear();
    this.eventListeners.clear();
  }

  // ---------------------------------------------------------------- devnet administration

  /** Creates a subnet with the runtime defaults of chain §7, overridden by `config`. */
  createSubnet(netuid: Netuid, config: Partial<DevnetSubnetConfig> = {}): void {
    if (!Number.isInteger(netuid) || netuid < 1 || netuid > U16_MAX) {
      throw new DevnetError(`netuid must be in 1..65535 (0 is the root network), got ${netuid}`);
    }
    if (this.subnets.has(netuid)) throw new DevnetError(`subnet ${netuid} already exists`);
    const merged = mergeConfig(RUNTIME_DEFAULTS, config);
    this.subnets.set(netuid, {
      netuid,
      config: merged,
      createdAt: this.block,
      neurons: [],
      stake: new Map(),
      axons: new Map(),
      commits: new Map(),
      timelocked: [],
      pendingEmission: 0n,
      history: [],
    });
  }

  /** Sudo: changes hyperparameters (or devnet knobs) of an existing subnet. */
  setHyperparameters(netuid: Netuid, patch: Partial<DevnetSubnetConfig>): void {
    const subnet = this.requireSubnet(netuid);
    subnet.config = mergeConfig(subnet.config, patch);
  }

  /** Adds free TAO (rao) to a coldkey. */
  endow(coldkey: Ss58, rao: bigint): void {
    if (rao < 0n) throw new DevnetError('endow() takes a non-negative amount');
    const address = normalize(coldkey);
    this.balances.set(address, (this.balances.get(address) ?? 0n) + rao);
    this.emit({ type: 'Endowed', coldkey: address, amount: rao, block: this.block });
  }

  /** Free TAO of a coldkey, rao. */
  balanceOf(coldkey: Ss58): bigint {
    return this.balances.get(normalize(coldkey)) ?? 0n;
  }

  /**
   * Adds alpha stake (rao) to a hotkey on a subnet, as if its coldkey had staked. It counts for
   * consensus and the stake threshold at once; validator permits follow at the next epoch (or at
   * `refreshValidatorPermits`).
   */
  addStake(netuid: Netuid, hotkey: Ss58, alpha: bigint): void {
    if (alpha < 0n) throw new DevnetError('addStake() takes a non-negative amount');
    const subnet = this.requireSubnet(netuid);
    const address = normalize(hotkey);
    subnet.stake.set(address, (subnet.stake.get(address) ?? 0n) + alpha);
    this.emit({ type: 'StakeAdded', netuid, hotkey: address, amount: alpha, block: this.block });
  }

  /** `TotalHotkeyAlpha(hotkey, netuid)`, rao. */
  stakeOf(netuid: Netuid, hotkey: Ss58): bigint {
    return this.requireSubnet(netuid).stake.get(normalize(hotkey)) ?? 0n;
  }

  /** Gives validator permits now by the epoch's rule (top `maxAllowedValidators` by stake). */
  refreshValidatorPermits(netuid: Netuid): void {
    const subnet = this.requireSubnet(netuid);
    this.assignPermits(subnet);
  }

  /** Per-epoch records, oldest first (at most `historyLimit`). */
  epochHistory(netuid: Netuid): EpochRecord[] {
    return this.requireSubnet(netuid).history.map((record) => ({
      ...record,
      neurons: record.neurons.map((n) => ({ ...n })),
    }));
  }

  /** The weights a uid has stored, as (uid, max-upscaled u16) pairs sorted by uid. */
  weightsOf(netuid: Netuid, uid: Uid): Array<[Uid, number]> {
    const neuron = this.requireSubnet(netuid).neurons[uid];
    if (!neuron) return [];
    return [...neuron.weights.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** Pending CR v2 commits of a hotkey (`WeightCommits`), expired ones included until pruned. */
  pendingCommits(netuid: Netuid, hotkey: Ss58): WeightCommit[] {
    const commits = this.requireSubnet(netuid).commits.get(normalize(hotkey)) ?? [];
    return commits.map((c) => ({ ...c, hash: c.hash.slice() }));
  }

  /** Timelocked commits of a subnet and what became of them. */
  timelockedCommits(netuid: Netuid): TimelockedCommitInfo[] {
    return this.requireSubnet(netuid).timelocked.map((c) => ({
      hotkey: c.hotkey,
      revealRound: c.revealRound,
      commitBlock: c.commitBlock,
      revealEpoch: c.revealEpoch,
      status: c.status,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
    }));
  }

  // ---------------------------------------------------------------- reads (Chain)

  async currentBlock(): Promise<number> {
    return this.block;
  }

  async metagraph(netuid: Netuid): Promise<Metagraph> {
    const subnet = this.requireSubnet(netuid);
    return {
      netuid,
      block: this.block,
      tempo: subnet.config.tempo,
      neurons: subnet.neurons.map((n) => this.neuronView(subnet, n)),
    };
  }

  async hyperparameters(netuid: Netuid): Promise<Hyperparameters> {
    const c = this.requireSubnet(netuid).config;
    return {
      tempo: c.tempo,
      immunityPeriod: c.immunityPeriod,
      weightsRateLimit: c.weightsRateLimit,
      minAllowedWeights: c.minAllowedWeights,
      maxWeightsLimit: c.maxWeightsLimit,
      weightsVersionKey: c.weightsVersionKey,
      commitRevealEnabled: c.commitRevealEnabled,
      revealPeriodEpochs: c.revealPeriodEpochs,
      servingRateLimit: c.servingRateLimit,
      maxAllowedValidators: c.maxAllowedValidators,
      maxAllowedUids: c.maxAllowedUids,
      activityCutoff: c.activityCutoff,
      registrationAllowed: c.registrationAllowed,
      burn: c.burn,
    };
  }

  async registrationCost(netuid: Netuid): Promise<bigint> {
    return this.requireSubnet(netuid).config.burn;
  }

  /** The next block after the current one in which the epoch runs (see epoch.ts). */
  async nextEpochBlock(netuid: Netuid): Promise<number> {
    const subnet = this.requireSubnet(netuid);
    return nextEpochBlockAfter(netuid, subnet.config.tempo, this.block);
  }

  async uidOf(netuid: Netuid, hotkey: Ss58): Promise<number | undefined> {
    const subnet = this.subnets.get(netuid);
    if (!subnet) return undefined;
    const address = tryNormalize(hotkey);
    return subnet.neurons.find((n) => n.hotkey === address)?.uid;
  }

  async alphaPrice(netuid: Netuid): Promise<bigint | null> {
    return this.requireSubnet(netuid).config.alphaPriceRao;
  }

  async freeBalance(account: Ss58): Promise<bigint> {
    return this.balanceOf(account);
  }

  async hotkeyStake(hotkey: Ss58, netuid: Netuid): Promise<HotkeyStake> {
    const address = normalize(hotkey);
    let total = 0n;
    for (const subnet of this.subnets.values()) total += subnet.stake.get(address) ?? 0n;
    return { onSubnet: this.stakeOf(netuid, address), total };
  }

  async stakeThreshold(): Promise<bigint> {
    return this.stakeThresholdRao;
  }

  async weightsSetRateLimit(netuid: Netuid): Promise<number> {
    return this.requireSubnet(netuid).config.weightsRateLimit;
  }

  async commitRevealEnabled(netuid: Netuid): Promise<boolean> {
    return this.requireSubnet(netuid).config.commitRevealEnabled;
  }

  async commitRevealVersion(): Promise<number | undefined> {
    return this.crVersion;
  }

  /** The devnet reveals timelocked commits through its revealer, not a drand pallet. */
  async lastDrandRound(): Promise<bigint | undefined> {
    return undefined;
  }

  async pendingWeightCommits(netuid: Netuid, hotkey: Ss58): Promise<PendingWeightCommit[]> {
    return this.pendingCommits(netuid, hotkey).map((c) => ({
      hash: u8aToHex(c.hash),
      committedAt: c.commitBlock,
      firstRevealBlock: c.firstRevealBlock,
      lastRevealBlock: c.lastRevealBlock,
    }));
  }

  /** Hotkeys whose timelocked weights were revealed in `block` (`TimelockedWeightsRevealed`). */
  async timelockedWeightsRevealed(netuid: Netuid, block: number): Promise<Ss58[]> {
    const subnet = this.subnets.get(netuid);
    if (!subnet) return [];
    return subnet.timelocked.filter((c) => c.status === 'revealed' && c.revealedAt === block).map((c) => c.hotkey);
  }

  /** The miner part of each epoch that ran in `block`, by uid (IncentiveAlphaEmittedToMiners). */
  async minerRewardEvents(block: number): Promise<MinerRewardEvent[]> {
    const events: MinerRewardEvent[] = [];
    for (const [netuid, subnet] of this.subnets) {
      for (const record of subnet.history) {
        if (record.block !== block) continue;
        const emissions = new Array<bigint>(subnet.neurons.length).fill(0n);
        for (const n of record.neurons) emissions[n.uid] = n.minerEmission;
        events.push({ netuid, mechanismId: 0, emissions });
      }
    }
    return events;
  }

  // ---------------------------------------------------------------- extrinsics (Chain)

  async burnedRegister(coldkey: ChainSigner, netuid: Netuid, hotkey: Ss58): Promise<Submission> {
    const refused = await this.outsideSignatureRefused('burned_register', coldkey, [netuid, hotkey]);
    if (refused) return refused;
    return this.submit('burned_register', coldkey, () => {
      if (!isUint(netuid, U16_MAX)) return invalid('netuid must be a u16');
      const hotkeyAddress = tryNormalize(hotkey);
      if (hotkeyAddress === undefined) return invalid(`"${hotkey}" is not an SS58 address`);
      const signer = normalize(coldkey.address);
      if (netuid === 0) return chainError('RegistrationNotPermittedOnRootSubnet');
      const subnet = this.subnets.get(netuid);
      if (!subnet) return chainError('SubnetNotExists', `Subnet ${netuid} does not exist.`);
      const { config } = subnet;
      if (!config.registrationAllowed) return chainError('SubNetRegistrationDisabled');
      if (subnet.neurons.some((n) => n.hotkey === hotkeyAddress)) {
        return chainError('HotKeyAlreadyRegisteredInSubNet', `${hotkeyAddress} is already registered.`);
      }
      const balance = this.balances.get(signer) ?? 0n;
      if (balance < config.burn) {
        return chainError(
          'NotEnoughBalanceToStake',
          `The burn is ${formatTao(config.burn)} TAO and the coldkey holds ${formatTao(balance)} TAO.`,
        );
      }
      const owner = this.hotkeyOwners.get(hotkeyAddress);
      if (owner !== undefined && owner !== signer) {
        return chainError('NonAssociatedColdKey', `${hotkeyAddress} is owned by ${owner}.`);
      }
      let uid = subnet.neurons.length;
      let replaced: NeuronState | undefined;
      if (config.maxAllowedUids === 0) return chainError('NoNeuronIdAvailable', 'The subnet allows no uids.');
      if (subnet.neurons.length >= config.maxAllowedUids) {
        const prune = this.neuronToPrune(subnet);
        if (prune === undefined) {
          return chainError('NoNeuronIdAvailable', 'Every uid belongs to the subnet owner.');
        }
        uid = prune;
        replaced = subnet.neurons[prune];
      }

      // Pay, then register (append or replace).
      const burn = config.burn;
      this.balances.set(signer, balance - burn);
      this.hotkeyOwners.set(hotkeyAddress, signer);
      if (replaced) {
        subnet.axons.delete(replaced.hotkey);
      }
      subnet.neurons[uid] = freshNeuron(uid, hotkeyAddress, signer, this.block);
      config.burn = clampBurn(multiplyRao(burn, config.burnIncreaseMult), config);
      this.emit({
        type: 'NeuronRegistered',
        netuid,
        uid,
        hotkey: hotkeyAddress,
        coldkey: signer,
        burn,
        block: this.block,
        ...(replaced ? { replaced: replaced.hotkey } : {}),
      });
      this.logger?.info(`devnet: ${hotkeyAddress} registered as uid ${uid} on subnet ${netuid}`, {
        burn: formatTao(burn),
        ...(replaced ? { replaced: replaced.hotkey } : {}),
      });
      return undefined;
    });
  }

  async serveAxon(hotkey: KeyringPair, params: ServeAxonParams): Promise<Submission> {
    let encoded: { ip: bigint; ipType: 4 | 6 };
    try {
      encoded = encodeIp(params.ip);
    } catch {
      return this.submit('serve_axon', hotkey, () =>
        chainError('InvalidIpAddress', `"${params.ip}" is not an IPv4 or IPv6 address.`),
      );
    }
    return this.serveAxonRaw(hotkey, {
      netuid: params.netuid,
      version: params.version,
      ip: encoded.ip,
      port: params.port,
      ipType: encoded.ipType,
      // The Python axon sends protocol 4; the chain does not check it.
      protocol: params.protocol ?? 4,
    });
  }

  /** serve_axon with the raw extrinsic arguments (an integer IP and an explicit ip_type). */
  async serveAxonRaw(hotkey: KeyringPair, params: RawServeAxonParams): Promise<Submission> {
    return this.submit('serve_axon', hotkey, () => {
      if (!isUint(params.netuid, U16_MAX)) return invalid('netuid must be a u16');
      if (!isUint(params.version, U32_MAX)) return invalid('version must be a u32');
      if (!isUint(params.port, U16_MAX)) return invalid('port must be a u16');
      if (!isUint(params.ipType, 255) || !isUint(params.protocol, 255)) return invalid('ip_type and protocol are u8');
      if (params.ip < 0n || params.ip >= 1n << 128n) return invalid('ip must be a u128');
      const signer = normalize(hotkey.address);
      const subnet = this.subnets.get(params.netuid);
      if (!subnet) return chainError('SubnetNotExists', `Subnet ${params.netuid} does not exist.`);
      // The chain accepts a hotkey registered on any subnet.
      const registered = [...this.subnets.values()].some((s) => s.neurons.some((n) => n.hotkey === signer));
      if (!registered) return chainError('HotKeyNotRegisteredInNetwork', `${signer} has no uid.`);
      const rejected = ipRejectedByChain(params.ip, params.ipType);
      if (rejected === 'InvalidIpType') {
        return chainError('InvalidIpType', `ip_type ${params.ipType} was sent.`);
      }
      const loopbackAllowed = this.acceptLoopbackAxonIp && params.ipType === 4 && params.ip === 0x7f000001n;
      if (rejected === 'InvalidIpAddress' && !loopbackAllowed) {
        return chainError('InvalidIpAddress', `${describeIp(params.ip)} cannot be served.`);
      }
      // Rate limit before the port check, as subtensor's do_serve_axon orders them.
      const previous = subnet.axons.get(signer);
      const limit = subnet.config.servingRateLimit;
      if (limit !== 0 && previous && previous.block !== 0 && this.block - previous.block < limit) {
        return chainError(
          'ServingRateLimitExceeded',
          `The axon was served at block ${previous.block}; the next serve is possible at block ${previous.block + limit}.`,
        );
      }
      if (params.port === 0) return chainError('InvalidPort');
      const axon: AxonInfo = {
        block: this.block,
        version: params.version,
        ip: decodeIp(params.ip),
        port: params.port,
        ipType: params.ipType === 6 ? 6 : 4,
        protocol: params.protocol,
      };
      subnet.axons.set(signer, axon);
      this.emit({ type: 'AxonServed', netuid: params.netuid, hotkey: signer, block: this.block });
      return undefined;
    });
  }

  async setWeights(hotkey: KeyringPair, params: SetWeightsParams): Promise<Submission> {
    return this.submit('set_weights', hotkey, () => {
      const mechanismId = params.mechanismId ?? 0;
      const decodeError = checkWeightArgs(params.netuid, mechanismId, params.uids, params.weights, params.versionKey);
      if (decodeError) return decodeError;
      const signer = normalize(hotkey.address);
      const subnet = this.subnets.get(params.netuid);
      if (subnet?.config.commitRevealEnabled) {
        return chainError('CommitRevealEnabled', `Commit-reveal is on for subnet ${params.netuid}.`);
      }
      if (params.netuid === 0) return chainError('CanNotSetRootNetworkWeights');
      if (params.uids.length !== params.weights.length) {
        return chainError(
          'WeightVecNotEqualSize',
          `${params.uids.length} uids and ${params.weights.length} weights were sent.`,
        );
      }
      if (!subnet) return chainError('SubnetNotExists', `Subnet ${params.netuid} does not exist.`);
      if (mechanismId !== 0) return chainError('MechanismDoesNotExist', `Mechanism ${mechanismId} was named.`);
      const request: WeightsRequest = {
        hotkey: signer,
        uids: params.uids,
        values: params.weights,
        versionKey: params.versionKey,
      };
      return this.applyWeights(subnet, request);
    });
  }

  async commitWeights(hotkey: KeyringPair, netuid: Netuid, hash: Uint8Array, mechanismId = 0): Promise<Submission> {
    return this.submit('commit_weights', hotkey, () => {
      if (!isUint(netuid, U16_MAX) || !isUint(mechanismId, 255)) return invalid('netuid is a u16, mechanism a u8');
      if (hash.length !== 32) return invalid(`the commit hash must be 32 bytes, got ${hash.length}`);
      const signer = normalize(hotkey.address);
      const subnet = this.subnets.get(netuid);
      if (!subnet) return chainError('SubnetNotExists', `Subnet ${netuid} does not exist.`);
      if (mechanismId !== 0) return chainError('MechanismDoesNotExist', `Mechanism ${mechanismId} was named.`);
      const { config } = subnet;
      if (!config.commitRevealEnabled) return chainError('CommitRevealDisabled');
      const neuron = subnet.neurons.find((n) => n.hotkey === signer);
      if (!neuron) return chainError('HotKeyNotRegisteredInSubNet', `${signer} has no uid on subnet ${netuid}.`);
      const rateError = this.commitRateLimit(subnet, neuron);
      if (rateError) return rateError;
      const kept = (subnet.commits.get(signer) ?? []).filter((c) => !this.commitExpired(subnet, c.commitBlock));
      if (kept.length >= MAX_UNREVEALED_COMMITS) {
        return chainError('TooManyUnrevealedCommits', `${kept.length} commits are waiting to be revealed.`);
      }
      const window = revealWindow(netuid, config.tempo, this.block, config.revealPeriodEpochs);
      kept.push({
        hash: hash.slice(),
        commitBlock: this.block,
        commitEpoch: window.commitEpoch,
        firstRevealBlock: window.firstBlock,
        lastRevealBlock: window.lastBlock,
      });
      subnet.commits.set(signer, kept);
      neuron.lastUpdate = this.block;
      this.emit({
        type: 'WeightsCommitted',
        netuid,
        hotkey: signer,
        block: this.block,
        firstRevealBlock: window.firstBlock,
      });
      return undefined;
    });
  }

  async revealWeights(hotkey: KeyringPair, params: RevealWeightsParams): Promise<Submission> {
    return this.submit('reveal_weights', hotkey, () => {
      const mechanismId = params.mechanismId ?? 0;
      const decodeError = checkWeightArgs(params.netuid, mechanismId, params.uids, params.weights, params.versionKey);
      if (decodeError) return decodeError;
      if (!params.salt.every((x) => isUint(x, U16_MAX))) return invalid('salt values must be u16');
      const signer = normalize(hotkey.address);
      const subnet = this.subnets.get(params.netuid);
      if (!subnet) return chainError('SubnetNotExists', `Subnet ${params.netuid} does not exist.`);
      if (mechanismId !== 0) return chainError('MechanismDoesNotExist', `Mechanism ${mechanismId} was named.`);
      if (!subnet.config.commitRevealEnabled) return chainError('CommitRevealDisabled');
      const queue = subnet.commits.get(signer) ?? [];
      if (queue.length === 0) return chainError('NoWeightsCommitFound');

      // Expired commits at the front are dropped (only if the reveal succeeds: a failed call changes nothing).
      const expired: WeightCommit[] = [];
      let start = 0;
      while (start < queue.length && this.commitExpired(subnet, (queue[start] as WeightCommit).commitBlock)) {
        expired.push(queue[start] as WeightCommit);
        start++;
      }
      const live = queue.slice(start);
      const provided = commitHash({
        hotkey: signer,
        netuidIndex: netuidIndex(params.netuid, mechanismId),
        uids: params.uids,
        values: params.weights,
        salt: params.salt,
        versionKey: params.versionKey,
      });
      const wasExpired = expired.some((c) => u8aEq(c.hash, provided));
      const position = live.findIndex((c) => u8aEq(c.hash, provided));
      if (position < 0) {
        if (wasExpired) return chainError('ExpiredWeightCommit');
        return live.length === 0 ? chainError('NoWeightsCommitFound') : chainError('InvalidRevealCommitHashNotMatch');
      }
      const commit = live[position] as WeightCommit;
      const window = revealWindow(
        params.netuid,
        subnet.config.tempo,
        commit.commitBlock,
        subnet.config.revealPeriodEpochs,
      );
      if (epochIndex(params.netuid, subnet.config.tempo, this.block) !== window.revealEpoch) {
        return chainError('RevealTooEarly', `The reveal window opens at block ${window.firstBlock}.`);
      }
      if (params.uids.length !== params.weights.length) {
        return chainError('WeightVecNotEqualSize', `${params.uids.length} uids and ${params.weights.length} weights.`);
      }
      const error = this.applyWeights(subnet, {
        hotkey: signer,
        uids: params.uids,
        values: params.weights,
        versionKey: params.versionKey,
      });
      if (error) return error;
      const remaining = live.slice(position + 1);
      if (remaining.length === 0) subnet.commits.delete(signer);
      else subnet.commits.set(signer, remaining);
      this.emit({ type: 'WeightsRevealed', netuid: params.netuid, hotkey: signer, block: this.block });
      return undefined;
    });
  }

  async commitTimelockedWeights(hotkey: KeyringPair, params: TimelockedCommitParams): Promise<Submission> {
    return this.submit('commit_timelocked_weights', hotkey, () => {
      const mechanismId = params.mechanismId ?? 0;
      if (!isUint(params.netuid, U16_MAX) || !isUint(mechanismId, 255)) {
        return invalid('netuid is a u16, mechanism a u8');
      }
      if (!isUint(params.commitRevealVersion, U16_MAX)) return invalid('commit_reveal_version is a u16');
      if (params.revealRound < 0n || params.revealRound > U64_MAX) return invalid('reveal_round is a u64');
      if (params.commit.length > MAX_TIMELOCKED_COMMIT_BYTES) {
        return invalid(`the commit is ${params.commit.length} bytes; at most ${MAX_TIMELOCKED_COMMIT_BYTES} fit`);
      }
      const signer = normalize(hotkey.address);
      const subnet = this.subnets.get(params.netuid);
      if (!subnet) return chainError('SubnetNotExists', `Subnet ${params.netuid} does not exist.`);
      if (mechanismId !== 0) return chainError('MechanismDoesNotExist', `Mechanism ${mechanismId} was named.`);
      if (params.commitRevealVersion !== this.crVersion) {
        return chainError(
          'IncorrectCommitRevealVersion',
          `Version ${params.commitRevealVersion} was sent; the chain expects ${this.crVersion}.`,
        );
      }
      const { config } = subnet;
      if (!config.commitRevealEnabled) return chainError('CommitRevealDisabled');
      const neuron = subnet.neurons.find((n) => n.hotkey === signer);
      if (!neuron) {
        return chainError('HotKeyNotRegisteredInSubNet', `${signer} has no uid on subnet ${params.netuid}.`);
      }
      const rateError = this.commitRateLimit(subnet, neuron);
      if (rateError) return rateError;
      const commitEpoch = epochIndex(params.netuid, config.tempo, this.block);
      const unrevealed = subnet.timelocked.filter(
        (c) => c.hotkey === signer && c.commitEpoch === commitEpoch && c.status === 'pending',
      ).length;
      if (unrevealed >= MAX_UNREVEALED_COMMITS) {
        return chainError('TooManyUnrevealedCommits', `${unrevealed} commits are waiting to be revealed.`);
      }
      const revealEpoch = commitEpoch + config.revealPeriodEpochs;
      subnet.timelocked.push({
        hotkey: signer,
        netuidIndex: netuidIndex(params.netuid, mechanismId),
        commit: params.commit.slice(),
        revealRound: params.revealRound,
        commitBlock: this.block,
        commitEpoch,
        revealEpoch,
        status: 'pending',
      });
      neuron.lastUpdate = this.block;
      this.emit({
        type: 'TimelockedWeightsCommitted',
        netuid: params.netuid,
        hotkey: signer,
        revealRound: params.revealRound,
        revealEpoch,
        block: this.block,
      });
      return undefined;
    });
  }

  // ---------------------------------------------------------------- internals: submissions

  /** Runs a call; `undefined` from `apply` means success. */
  /**
   * An outside signer (a browser extension) signs the call's description as raw bytes and the
   * devnet checks the sr25519/ed25519 signature against the account, so a registration from the
   * page is really signed by that account's key. Keys held here need no check (they sign nothing
   * on the devnet, which trusts its own process).
   */
  private async outsideSignatureRefused(
    call: string,
    signer: ChainSigner,
    args: readonly unknown[],
  ): Promise<Submission | undefined> {
    if (!isExternalSigner(signer)) return undefined;
    const signRaw = signer.signer.signRaw?.bind(signer.signer);
    if (!signRaw) return { ok: false, error: chainError('SignerUnsupported') };
    const message = stringToU8a(`bittaudio-devnet:${call}:${this.block}:${JSON.stringify(args)}`);
    let signature: string;
    try {
      ({ signature } = await signRaw({ address: signer.address, data: u8aToHex(message), type: 'bytes' }));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { ok: false, error: chainError('SignerRefused', `The signer said: ${detail}.`) };
    }
    if (!signatureVerify(message, signature, signer.address).isValid) {
      return {
        ok: false,
        error: chainError('BadSignature', `Expected a signature by ${signer.address}.`),
      };
    }
    return undefined;
  }

  private submit(
    call: string,
    signer: { readonly address: string },
    apply: () => ChainErrorInfo | undefined,
  ): Submission {
    this.txCount += 1;
    const txHash = blake2AsHex(`devnet-tx:${this.txCount}:${call}:${signer.address}`, 256);
    const error = apply();
    if (error) {
      this.emit({ type: 'ExtrinsicFailed', call, signer: signer.address, error, block: this.block });
      return { ok: false, error, txHash };
    }
    return { ok: true, blockHash: blockHash(this.block), blockNumber: this.block, txHash };
  }

  /** Steps 4–13 of internal_set_weights: check, then store the weights and LastUpdate. */
  private applyWeights(subnet: SubnetState, request: WeightsRequest): ChainErrorInfo | undefined {
    const result = checkWeights(subnet, request, { block: this.block, stakeThreshold: this.stakeThresholdRao });
    if (!result.ok) return result.error;
    const neuron = subnet.neurons[result.uid] as NeuronState;
    neuron.weights = result.stored;
    neuron.lastUpdate = this.block;
    this.emit({
      type: 'WeightsSet',
      netuid: subnet.netuid,
      uid: result.uid,
      hotkey: request.hotkey,
      block: this.block,
    });
    return undefined;
  }

  private commitRateLimit(subnet: SubnetState, neuron: NeuronState): ChainErrorInfo | undefined {
    const limit = subnet.config.weightsRateLimit;
    if (neuron.lastUpdate !== 0 && this.block - neuron.lastUpdate < limit) {
      return chainError(
        'CommittingWeightsTooFast',
        `uid ${neuron.uid} was last updated in block ${neuron.lastUpdate}; the next commit is possible in block ${neuron.lastUpdate + limit}.`,
      );
    }
    return undefined;
  }

  private commitExpired(subnet: SubnetState, commitBlock: number): boolean {
    const { tempo, revealPeriodEpochs } = subnet.config;
    const window = revealWindow(subnet.netuid, tempo, commitBlock, revealPeriodEpochs);
    return epochIndex(subnet.netuid, tempo, this.block) > window.revealEpoch;
  }

  /**
   * The uid a registration on a full subnet takes over (chain §6): the lowest emission among the
   * non-immune uids, ties to the older registration, then the lower uid; owner hotkeys are never
   * pruned. Only when every other uid is immune does it fall back to the immune uid that ranks
   * lowest by the same rule (as subtensor HEAD's get_neuron_to_prune does).
   */
  private neuronToPrune(subnet: SubnetState): Uid | undefined {
    const better = (a: NeuronState, b: NeuronState): boolean =>
      a.emission !== b.emission
        ? a.emission < b.emission
        : a.registeredAt !== b.registeredAt
          ? a.registeredAt < b.registeredAt
          : a.uid < b.uid;
    let bestFree: NeuronState | undefined;
    let bestImmune: NeuronState | undefined;
    for (const neuron of subnet.neurons) {
      if (neuron.hotkey === subnet.config.owner?.hotkey) continue;
      if (this.isImmune(subnet, neuron)) {
        if (!bestImmune || better(neuron, bestImmune)) bestImmune = neuron;
      } else if (!bestFree || better(neuron, bestFree)) {
        bestFree = neuron;
      }
    }
    return (bestFree ?? bestImmune)?.uid;
  }

  private isImmune(subnet: SubnetState, neuron: NeuronState): boolean {
    return this.block - neuron.registeredAt < subnet.config.immunityPeriod;
  }

  // ---------------------------------------------------------------- internals: blocks and epochs

  private produceBlock(): void {
    this.block += 1;
    const block = this.block;
    const netuids = [...this.subnets.keys()].sort((a, b) => a - b);
    for (const netuid of netuids) {
      const subnet = this.subnets.get(netuid) as SubnetState;
      const { config } = subnet;
      if (config.burnHalfLife > 0 && block > 1) {
        const factor = Math.pow(0.5, 1 / config.burnHalfLife);
        config.burn = clampBurn(multiplyRao(config.burn, factor), config);
      } else {
        config.burn = clampBurn(config.burn, config);
      }
      subnet.pendingEmission += config.alphaEmissionPerBlock;
      if (isEpochBlock(netuid, config.tempo, block)) {
        this.revealTimelockedCommits(subnet);
        this.runEpoch(subnet);
      }
    }
    for (const listener of [...this.blockListeners]) {
      try {
        listener(block);
      } catch (error) {
        this.logger?.warn('devnet: a new-block listener threw', { error: String(error) });
      }
    }
  }

  /** At the end of each epoch, the timelocked commits whose reveal epoch has come are revealed. */
  private revealTimelockedCommits(subnet: SubnetState): void {
    const current = epochIndex(subnet.netuid, subnet.config.tempo, this.block);
    for (const commit of subnet.timelocked) {
      if (commit.status !== 'pending' || commit.revealEpoch > current) continue;
      this.revealOne(subnet, commit);
    }
  }

  private revealOne(subnet: SubnetState, commit: TimelockedCommit): void {
    const notRevealed = (status: TimelockedCommitStatus, message: string, error?: ChainErrorInfo): void => {
      commit.status = status;
      commit.reason = message;
      this.emit({
        type: 'TimelockedWeightsNotRevealed',
        netuid: subnet.netuid,
        hotkey: commit.hotkey,
        revealRound: commit.revealRound,
        block: this.block,
        message,
        ...(error ? { error } : {}),
      });
      this.logger?.warn(`devnet: ${message}`);
    };
    if (!this.revealer) {
      notRevealed(
        'unrevealed',
        `The timelocked weights committed by ${commit.hotkey} (drand round ${commit.revealRound}) were kept but not revealed: the devnet has no drand beacon to decrypt them, so they do not count. Use commit_weights (v2) or turn commit-reveal off on the devnet.`,
      );
      return;
    }
    let revealed: RevealedWeights | undefined;
    try {
      revealed = this.revealer(commit.commit, commit.revealRound, { netuid: subnet.netuid, hotkey: commit.hotkey });
    } catch (error) {
      notRevealed(
        'unrevealed',
        `Decrypting the timelocked weights of ${commit.hotkey} (round ${commit.revealRound}) failed: ${String(error)}.`,
      );
      return;
    }
    if (!revealed) {
      notRevealed(
        'unrevealed',
        `The timelocked weights of ${commit.hotkey} (round ${commit.revealRound}) could not be decrypted, so they do not count.`,
      );
      return;
    }
    const lengthError =
      revealed.uids.length !== revealed.weights.length
        ? chainError('WeightVecNotEqualSize', `${revealed.uids.length} uids and ${revealed.weights.length} weights.`)
        : checkWeightArgs(subnet.netuid, 0, revealed.uids, revealed.weights, revealed.versionKey);
    const error =
      lengthError ??
      this.applyWeights(subnet, {
        hotkey: commit.hotkey,
        uids: revealed.uids,
        values: revealed.weights,
        versionKey: revealed.versionKey,
      });
    if (error) {
      notRevealed(
        'rejected',
        `The timelocked weights of ${commit.hotkey} were decrypted but refused (${error.name}).`,
        error,
      );
      return;
    }
    commit.status = 'revealed';
    commit.revealedAt = this.block;
    this.emit({ type: 'TimelockedWeightsRevealed', netuid: subnet.netuid, hotkey: commit.hotkey, block: this.block });
  }

  /** One epoch: activity, simplified Yuma, emission split, rewards staked, new permits, history. */
  private runEpoch(subnet: SubnetState): void {
    const { config, neurons } = subnet;
    const block = this.block;
    const n = neurons.length;
    const active = neurons.map((x) => block - x.lastUpdate <= config.activityCutoff);
    const stake = neurons.map((x) => subnet.stake.get(x.hotkey) ?? 0n);
    // Weights without self-weights and without weights set before the target registered.
    const weights = neurons.map((validator) => {
      const row = new Map<Uid, number>();
      for (const [target, value] of validator.weights) {
        const targetNeuron = neurons[target];
        if (target === validator.uid || !targetNeuron) continue;
        if (validator.lastUpdate <= targetNeuron.registeredAt) continue;
        row.set(target, value);
      }
      return row;
    });
    const yuma = yumaConsensus({
      stake,
      validatorPermit: neurons.map((x) => x.validatorPermit),
      active,
      weights,
      kappa: config.kappa,
    });
    const emitted = subnet.pendingEmission;
    subnet.pendingEmission = 0n;
    const split = splitEpochEmission(emitted, config.ownerCutPercent, yuma.incentive, yuma.dividends);
    let toOwner = split.toOwner;
    let recycled = split.recycled;
    if (config.owner) {
      subnet.stake.set(config.owner.hotkey, (subnet.stake.get(config.owner.hotkey) ?? 0n) + toOwner);
    } else {
      recycled += toOwner;
      toOwner = 0n;
    }
    const permits = topKByStake(stake, config.maxAllowedValidators);
    const permitsChanged = neurons.some((x, i) => x.validatorPermit !== permits[i]);
    const records = [];
    for (let uid = 0; uid < n; uid++) {
      const neuron = neurons[uid] as NeuronState;
      const minerEmission = split.minerEmission[uid] ?? 0n;
      const validatorEmission = split.validatorEmission[uid] ?? 0n;
      const emission = minerEmission + validatorEmission;
      const alphaStake = (subnet.stake.get(neuron.hotkey) ?? 0n) + emission;
      if (emission > 0n) subnet.stake.set(neuron.hotkey, alphaStake);
      neuron.emission = emission;
      neuron.incentive = toU16(yuma.incentive[uid] ?? 0);
      neuron.dividends = toU16(yuma.dividends[uid] ?? 0);
      neuron.consensus = toU16(yuma.consensus[uid] ?? 0);
      neuron.active = active[uid] ?? false;
      neuron.validatorPermit = permits[uid] ?? false;
      records.push({
        uid,
        hotkey: neuron.hotkey,
        emission,
        minerEmission,
        validatorEmission,
        incentive: neuron.incentive / U16_MAX,
        dividends: neuron.dividends / U16_MAX,
        consensus: neuron.consensus / U16_MAX,
        validatorPermit: neuron.validatorPermit,
        active: neuron.active,
        alphaStake,
      });
    }
    const record: EpochRecord = {
      netuid: subnet.netuid,
      block,
      epoch: epochIndex(subnet.netuid, config.tempo, block),
      emitted,
      toOwner,
      toMiners: split.toMiners,
      toValidators: split.toValidators,
      recycled,
      neurons: records,
    };
    subnet.history.push(record);
    if (subnet.history.length > this.historyLimit) subnet.history.splice(0, subnet.history.length - this.historyLimit);
    if (permitsChanged) this.emitPermits(subnet);
    this.emit({ type: 'EpochCompleted', record });
    this.logger?.info(`devnet: epoch on subnet ${subnet.netuid} at block ${block}`, {
      emitted: formatTao(emitted),
      toMiners: formatTao(split.toMiners),
      toValidators: formatTao(split.toValidators),
    });
  }

  private assignPermits(subnet: SubnetState): void {
    const stake = subnet.neurons.map((x) => subnet.stake.get(x.hotkey) ?? 0n);
    const permits = topKByStake(stake, subnet.config.maxAllowedValidators);
    let changed = false;
    subnet.neurons.forEach((neuron, uid) => {
      const permit = permits[uid] ?? false;
      if (neuron.validatorPermit !== permit) changed = true;
      neuron.validatorPermit = permit;
    });
    if (changed) this.emitPermits(subnet);
  }

  private emitPermits(subnet: SubnetState): void {
    this.emit({
      type: 'ValidatorPermitsUpdated',
      netuid: subnet.netuid,
      permits: subnet.neurons.filter((x) => x.validatorPermit).map((x) => x.uid),
      block: this.block,
    });
  }

  // ---------------------------------------------------------------- internals: helpers

  private requireSubnet(netuid: Netuid): SubnetState {
    const subnet = this.subnets.get(netuid);
    if (!subnet) throw new DevnetError(`subnet ${netuid} does not exist on the devnet`);
    return subnet;
  }

  private neuronView(subnet: SubnetState, n: NeuronState): Neuron {
    const alphaStake = subnet.stake.get(n.hotkey) ?? 0n;
    return {
      uid: n.uid,
      hotkey: n.hotkey,
      coldkey: n.coldkey,
      active: n.active,
      axon: { ...(subnet.axons.get(n.hotkey) ?? EMPTY_AXON) },
      validatorPermit: n.validatorPermit,
      alphaStake,
      totalStake: alphaStake,
      emission: n.emission,
      incentive: n.incentive / U16_MAX,
      dividends: n.dividends / U16_MAX,
      consensus: n.consensus / U16_MAX,
      lastUpdate: n.lastUpdate,
      blockAtRegistration: n.registeredAt,
    };
  }

  private emit(event: DevnetEvent): void {
    for (const listener of [...this.eventListeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger?.warn('devnet: an event listener threw', { error: String(error) });
      }
    }
  }
}

/** What the metagraph shows for a uid that never served: all zeros (the chain's default AxonInfo). */
const EMPTY_AXON: AxonInfo = { block: 0, version: 0, ip: '0.0.0.0', port: 0, ipType: 4, protocol: 0 };

function mergeConfig(base: Readonly<DevnetSubnetConfig>, patch: Partial<DevnetSubnetConfig>): DevnetSubnetConfig {
  const merged: DevnetSubnetConfig = { ...base, ...patch };
  if (merged.owner) {
    merged.owner = { coldkey: normalize(merged.owner.coldkey), hotkey: normalize(merged.owner.hotkey) };
  }
  validateConfig(merged);
  return merged;
}

function freshNeuron(uid: Uid, hotkey: Ss58, coldkey: Ss58, block: number): NeuronState {
  return {
    uid,
    hotkey,
    coldkey,
    registeredAt: block,
    lastUpdate: block,
    weights: new Map(),
    validatorPermit: false,
    active: true,
    emission: 0n,
    incentive: 0,
    dividends: 0,
    consensus: 0,
  };
}

function checkWeightArgs(
  netuid: number,
  mechanismId: number,
  uids: readonly number[],
  weights: readonly number[],
  versionKey: bigint,
): ChainErrorInfo | undefined {
  if (!isUint(netuid, U16_MAX)) return invalid('netuid must be a u16');
  if (!isUint(mechanismId, 255)) return invalid('the mechanism id must be a u8');
  if (!uids.every((x) => isUint(x, U16_MAX))) return invalid('uids must be u16 integers');
  if (!weights.every((x) => isUint(x, U16_MAX))) return invalid('weights must be u16 integers (chain §4.2)');
  if (versionKey < 0n || versionKey > U64_MAX) return invalid('the version key must be a u64');
  return undefined;
}

function invalid(detail: string): ChainErrorInfo {
  return chainError('InvalidTransaction', `Invalid call: ${detail}.`);
}

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

function normalize(address: Ss58): Ss58 {
  const result = tryNormalize(address);
  if (result === undefined) throw new DevnetError(`"${address}" is not an SS58 address`);
  return result;
}

function tryNormalize(address: Ss58): Ss58 | undefined {
  try {
    return encodeAddress(decodeAddress(address), 42);
  } catch {
    return undefined;
  }
}

function blockHash(block: number): string {
  return blake2AsHex(`devnet-block:${block}`, 256);
}

function describeIp(ip: bigint): string {
  try {
    return decodeIp(ip);
  } catch {
    return `0x${ip.toString(16)}`;
  }
}

/** rao × factor, rounded down (exact for integer factors). */
function multiplyRao(rao: bigint, factor: number): bigint {
  if (Number.isInteger(factor)) return rao * BigInt(factor);
  return BigInt(Math.floor(Number(rao) * factor));
}

function clampBurn(burn: bigint, config: DevnetSubnetConfig): bigint {
  if (burn < config.minBurn) return config.minBurn;
  if (burn > config.maxBurn) return config.maxBurn;
  return burn;
}
