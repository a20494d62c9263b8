/**
 * `Chain` on @polkadot/api against a real subtensor node (finney, test, local or any URL).
 *
 * Connection: our own reconnect loop with exponential backoff drives the WsProvider; the provider
 * re-sends live subscriptions (new heads) on each reconnect, and ApiPromise re-reads the runtime.
 * Submissions: one queue per signer with an explicit account nonce, so back-to-back calls never
 * race. A drop while a submission is in flight is resolved after the reconnect by the nonce: if
 * the chain moved past it, the extrinsic is looked up in recent blocks; if not, the same signed
 * bytes are sent again, which the nonce makes impossible to include twice.
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Codec } from '@polkadot/types/types';
import { u8aToHex } from '@polkadot/util';
import { type RuntimeCapabilities, pascal, readCapabilities, snake } from './capabilities.js';
import type { Chain } from './chain.js';
import { netuidIndex } from './commit-hash.js';
import { ChainError, chainError, subnetMissing, unsupportedByRuntime } from './errors.js';
import { routePolkadotConsole } from './polkadot-console.js';
import { nextEpochBlockAfter } from './epoch.js';
import { decodeIp, encodeIp } from './ip.js';
import { isExternalSigner, type ChainSigner } from './signer.js';
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
} from './types.js';
import type { Logger } from '../log/logger.js';

/**
 * Typed runtime APIs, mechanisms and timelocked commits exist from here on (chain §1.3). Older
 * runtimes are read through fallbacks (README, "The chain"), with a warning.
 */
export const MIN_SPEC_VERSION = 365;

/** What the user is told when the runtime is older than MIN_SPEC_VERSION. */
export function oldRuntimeWarning(specVersion: number): string {
  return (
    `The chain runs subtensor spec ${specVersion}, older than ${MIN_SPEC_VERSION}: BittAudio reads it through ` +
    'fallbacks (neurons and storage instead of the metagraph API, plain weight calls); ' +
    'timelocked commits and mechanisms other than 0 are not available.'
  );
}

export interface SubtensorChainOptions {
  endpoint: string;
  log?: Logger;
  /** Reconnect delays: first wait, doubled after each failed try, capped. */
  backoff?: { initialMs: number; maxMs: number };
  /** How long a submission may wait for inclusion before it is reported as unknown. */
  inclusionTimeoutMs?: number;
}

type Listener<T> = (value: T) => void;

/** The Metagraph indexes (chain §2.1) that hold hyperparameters, for get_selective_metagraph. */
const HYPERPARAMETER_INDEXES = [0, 8, 24, 25, 26, 27, 28, 29, 31, 32, 34, 36, 45, 46, 47];

export class SubtensorChain implements Chain {
  readonly api: ApiPromise;
  private state: ChainConnection;
  private readonly connectionListeners = new Set<Listener<ChainConnection>>();
  private readonly blockListeners = new Set<Listener<number>>();
  private readonly nonces = new Map<string, number>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly backoff: { initialMs: number; maxMs: number };
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private unsubscribeHeads: (() => void) | undefined;
  private closed = false;
  private everReady = false;
  private headsSubscribing = false;
  private caps: RuntimeCapabilities | undefined;
  private readonly unrouteConsole: () => void;

  private constructor(
    private readonly provider: WsProvider,
    private readonly options: SubtensorChainOptions,
  ) {
    this.backoff = options.backoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.retryMs = this.backoff.initialMs;
    this.state = { status: 'connecting', endpoint: options.endpoint };
    this.unrouteConsole = routePolkadotConsole(options.log?.child('polkadot'));
    this.api = new ApiPromise({ provider, noInitWarn: true, throwOnConnect: false });
    // Connection errors are expected while a node is down: our loop retries, so they are logged
    // here instead of surfacing as unhandled rejections of the api's ready promise.
    this.api.isReadyOrError.catch(() => undefined);
    this.api.on('error', (error: unknown) => {
      this.options.log?.debug('Chain connection error', {
        error: error instanceof Error ? error.message : String(error),
      });
    });
    provider.on('disconnected', () => this.onDisconnected());
    this.api.on('ready', () => this.onReady());
    // `ready` fires once; after a reconnect the api says `connected` and re-reads the runtime.
    this.api.on('connected', () => {
      if (this.api.isConnected && this.everReady)
        void this.api.rpc.state.getRuntimeVersion().then(
          () => this.onReady(),
          () => undefined,
        );
    });
  }

  /**
   * Connects and waits until the runtime is known. Fails at once when the endpoint refuses the
   * connection or cannot be resolved; waits `timeoutMs` only for an endpoint that stays silent.
   */
  static async connect(options: SubtensorChainOptions, timeoutMs = 30_000): Promise<SubtensorChain> {
    // autoConnect off: our loop below owns the retries and their backoff.
    const provider = new WsProvider(options.endpoint, false);
    const chain = new SubtensorChain(provider, options);
    let timer: NodeJS.Timeout | undefined;
    let offError: (() => void) | undefined;
    const failFast = new Promise<never>((_, reject) => {
      const onError = (error: unknown): void => {
        const failure = connectFailure(options.endpoint, error);
        if (failure) reject(failure);
      };
      offError = provider.on('error', onError);
    });
    chain.tryConnect();
    try {
      await Promise.race([
        chain.api.isReady,
        failFast,
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new ChainError(
                  'timeout',
                  `No answer from the chain at ${options.endpoint} within ${timeoutMs / 1000} s.`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      await chain.close();
      throw error;
    } finally {
      offError?.();
      clearTimeout(timer);
    }
    return chain;
  }

  get connection(): ChainConnection {
    return this.state;
  }

  onConnection(listener: Listener<ChainConnection>): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  onNewBlock(listener: Listener<number>): () => void {
    this.blockListeners.add(listener);
    return () => this.blockListeners.delete(listener);
  }

  private setState(state: ChainConnection): void {
    this.state = state;
    for (const listener of this.connectionListeners) listener(state);
  }

  private tryConnect(): void {
    this.provider.connect().catch((error: unknown) => {
      this.options.log?.debug('Chain connect attempt failed', { error: String(error) });
    });
  }

  private onReady(): void {
    this.everReady = true;
    this.retryMs = this.backoff.initialMs;
    const specVersion = this.api.runtimeVersion.specVersion.toNumber();
    const chainName = this.api.runtimeChain.toString();
    this.caps = readCapabilities(this.api);
    const warning = specVersion < MIN_SPEC_VERSION ? oldRuntimeWarning(specVersion) : undefined;
    if (warning) this.options.log?.warn(warning);
    this.setState({
      status: 'connected',
      endpoint: this.options.endpoint,
      specVersion,
      chain: chainName,
      ...(warning ? { warning } : {}),
    });
    this.options.log?.info('Connected to the chain', {
      endpoint: this.options.endpoint,
      specVersion,
      chain: chainName,
    });
    if (!this.headsSubscribing) {
      // Subscribed once: the provider re-subscribes an established subscription after every
      // reconnect. One still being set up when the connection drops fails, and is tried again at
      // the next connect.
      this.headsSubscribing = true;
      this.api.rpc.chain
        .subscribeNewHeads((header) => {
          const block = header.number.toNumber();
          for (const listener of this.blockListeners) listener(block);
        })
        .then((unsubscribe) => {
          this.unsubscribeHeads = unsubscribe;
        })
        .catch(() => {
          this.headsSubscribing = false;
        });
    }
  }

  private onDisconnected(): void {
    if (this.closed) return;
    const retryInMs = this.retryMs;
    this.setState({ status: 'disconnected', endpoint: this.options.endpoint, reason: 'connection lost', retryInMs });
    // Before the first connection, connect() reports the failure itself (refused, timeout); a
    // "lost the connection" warning there would be wrong and printed ahead of the real reason.
    if (this.everReady)
      this.options.log?.warn('Lost the chain connection, reconnecting', { endpoint: this.options.endpoint, retryInMs });
    else this.options.log?.debug('Chain connection attempt failed', { endpoint: this.options.endpoint, retryInMs });
    this.retryMs = Math.min(this.retryMs * 2, this.backoff.maxMs);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.closed && !this.provider.isConnected) this.tryConnect();
    }, retryInMs);
  }

  /** Resolves once connected and the runtime is decorated. */
  private async whenConnected(): Promise<void> {
    if (this.state.status === 'connected' && this.provider.isConnected) return;
    await new Promise<void>((resolve) => {
      const off = this.onConnection((state) => {
        if (state.status === 'connected') {
          off();
          resolve();
        }
      });
    });
  }

  async currentBlock(): Promise<number> {
    await this.whenConnected();
    const header = await this.api.rpc.chain.getHeader();
    return header.number.toNumber();
  }

  /** What the connected runtime offers; read again when the spec version changes (an upgrade). */
  capabilities(): RuntimeCapabilities {
    const spec = this.api.runtimeVersion.specVersion.toNumber();
    if (this.caps?.specVersion !== spec) this.caps = readCapabilities(this.api);
    return this.caps;
  }

  async metagraph(netuid: Netuid): Promise<Metagraph> {
    await this.whenConnected();
    const source = this.capabilities().metagraphSource();
    if (source === 'getMetagraph') {
      const graph = unwrapOption(await this.runtimeCall('subnetInfoRuntimeApi', 'getMetagraph', netuid));
      if (graph) return decodeMetagraph(graph);
      // None can also mean a runtime that cannot build it: only storage says whether it exists.
    }
    return this.metagraphFallback(netuid, source === 'storage' ? 'storage' : 'neuronsLite');
  }

  /**
   * The Python SDK's fallback: NeuronInfoRuntimeApi.get_neurons_lite plus the storage it reads;
   * on runtimes without a typed get_neurons_lite, the same columns straight from storage.
   */
  private async metagraphFallback(netuid: Netuid, source: 'neuronsLite' | 'storage'): Promise<Metagraph> {
    await this.ensureSubnet(netuid);
    const hash = await this.api.rpc.chain.getBlockHash();
    const at = await this.api.at(hash);
    const [header, tempo, registeredAt] = await Promise.all([
      this.api.rpc.chain.getHeader(hash),
      this.storageAt(at, 'tempo', netuid),
      this.storageEntries(at, 'blockAtRegistration', netuid),
    ]);
    const partial =
      source === 'neuronsLite'
        ? listOf(await this.runtimeCallAt(at, 'neuronInfoRuntimeApi', 'getNeuronsLite', netuid)).map((lite) =>
            neuronFromLite(lite as Codec & StructLike),
          )
        : await this.neuronsFromStorage(at, netuid);
    const alpha = await Promise.all(partial.map((n) => this.storageAt(at, 'totalHotkeyAlpha', n.hotkey, netuid)));
    const neurons = partial
      .map((neuron, i) => {
        // TotalHotkeyAlpha is the source of truth where the runtime has it (chain §2.4).
        const stake = alpha[i] ? bigintOf(alpha[i]) : neuron.alphaStake;
        const registered = registeredAt.get(neuron.uid);
        // Without the metagraph API there is no root-weighted stake; alpha is the stake weight.
        return {
          ...neuron,
          alphaStake: stake,
          totalStake: stake,
          blockAtRegistration: registered ? numberOf(registered) : 0,
        };
      })
      .sort((a, b) => a.uid - b.uid);
    return { netuid, block: header.number.toNumber(), tempo: tempo ? numberOf(tempo) : 0, neurons };
  }

  /** The metagraph's columns as subtensor stores them (chain §2.3), uid by uid. */
  private async neuronsFromStorage(at: { query: unknown }, netuid: Netuid): Promise<Neuron[]> {
    const keys = await this.storageEntries(at, 'keys', netuid);
    const column = async (item: string): Promise<Codec[]> => {
      const value = await this.storageAt(at, item, netuid);
      return value ? listOf(value) : [];
    };
    const names = ['active', 'validatorPermit', 'emission', 'incentive', 'dividends', 'consensus', 'lastUpdate'];
    const columns = await Promise.all(names.map(column));
    const [active, permits, emission, incentive, dividends, consensus, lastUpdate] = names.map(
      (_, i) => columns[i] ?? [],
    ) as [Codec[], Codec[], Codec[], Codec[], Codec[], Codec[], Codec[]];
    const entries = [...keys.entries()];
    const [owners, axons] = await Promise.all([
      Promise.all(entries.map(([, hotkey]) => this.storageAt(at, 'owner', String(hotkey)))),
      Promise.all(entries.map(([, hotkey]) => this.storageAt(at, 'axons', netuid, String(hotkey)))),
    ]);
    const cell = <T>(list: Codec[], uid: number, read: (c: Codec) => T, fallback: T): T => {
      const value = list[uid];
      return value ? read(value) : fallback;
    };
    return entries.map(([uid, hotkey], i) => {
      const axon = unwrapOption(axons[i]);
      return {
        uid,
        hotkey: String(hotkey),
        coldkey: owners[i] ? String(owners[i]) : '',
        active: cell(active, uid, boolOf, false),
        axon: axon ? decodeAxon(axon) : NO_AXON,
        validatorPermit: cell(permits, uid, boolOf, false),
        alphaStake: 0n,
        totalStake: 0n,
        emission: cell(emission, uid, bigintOf, 0n),
        incentive: cell(incentive, uid, numberOf, 0) / 65535,
        dividends: cell(dividends, uid, numberOf, 0) / 65535,
        consensus: cell(consensus, uid, numberOf, 0) / 65535,
        lastUpdate: cell(lastUpdate, uid, numberOf, 0),
        blockAtRegistration: 0,
      };
    });
  }

  async hyperparameters(netuid: Netuid): Promise<Hyperparameters> {
    await this.whenConnected();
    const source = this.capabilities().hyperparametersSource();
    if (source === 'selectiveMetagraph') {
      const graph = unwrapOption(
        await this.runtimeCall('subnetInfoRuntimeApi', 'getSelectiveMetagraph', netuid, HYPERPARAMETER_INDEXES),
      );
      if (graph) return decodeHyperparameters(graph);
      await this.ensureSubnet(netuid);
      return this.hyperparametersFromStorage(netuid);
    }
    await this.ensureSubnet(netuid);
    if (source === 'hyperparamsV2') {
      const params = unwrapOption(await this.runtimeCall('subnetInfoRuntimeApi', 'getSubnetHyperparamsV2', netuid));
      // v2 carries neither the burn nor the uid limit: those two come from storage.
      if (params) {
        const [burn, maxUids] = await Promise.all([
          this.storageAt(this.api, 'burn', netuid),
          this.storageAt(this.api, 'maxAllowedUids', netuid),
        ]);
        return decodeHyperparameters(params, {
          burn: burn ? bigintOf(burn) : 0n,
          maxAllowedUids: maxUids ? numberOf(maxUids) : 0,
        });
      }
    }
    return this.hyperparametersFromStorage(netuid);
  }

  private async hyperparametersFromStorage(netuid: Netuid): Promise<Hyperparameters> {
    const caps = this.capabilities();
    const at = await this.api.at(await this.api.rpc.chain.getBlockHash());
    const item = async (name: string): Promise<Codec | undefined> =>
      caps.hasStorage(`subtensorModule.${name}`) ? this.storageAt(at, name, netuid) : undefined;
    const names = [
      'tempo',
      'immunityPeriod',
      'weightsSetRateLimit',
      'minAllowedWeights',
      'maxWeightsLimit',
      'weightsVersionKey',
      'commitRevealWeightsEnabled',
      'revealPeriodEpochs',
      'servingRateLimit',
      'maxAllowedValidators',
      'maxAllowedUids',
      'activityCutoff',
      'activityCutoffFactorMilli',
      'networkRegistrationAllowed',
      'burn',
    ] as const;
    const values = await Promise.all(names.map(item));
    const get = (name: (typeof names)[number]): Codec | undefined => values[names.indexOf(name)];
    const num = (name: (typeof names)[number], fallback: number): number => {
      const value = get(name);
      return value ? numberOf(value) : fallback;
    };
    const tempo = num('tempo', 0);
    // Spec 424 replaced the cutoff in blocks with a factor of the tempo (chain §7).
    const factor = get('activityCutoffFactorMilli');
    const activityCutoff = factor ? Math.floor((numberOf(factor) * tempo) / 1000) : num('activityCutoff', 0);
    const enabled = get('commitRevealWeightsEnabled');
    const allowed = get('networkRegistrationAllowed');
    const version = get('weightsVersionKey');
    const burn = get('burn');
    return {
      tempo,
      immunityPeriod: num('immunityPeriod', 0),
      weightsRateLimit: num('weightsSetRateLimit', 0),
      minAllowedWeights: num('minAllowedWeights', 0),
      maxWeightsLimit: num('maxWeightsLimit', 65535),
      weightsVersionKey: version ? bigintOf(version) : 0n,
      commitRevealEnabled: enabled ? boolOf(enabled) : false,
      revealPeriodEpochs: num('revealPeriodEpochs', 1),
      servingRateLimit: num('servingRateLimit', 0),
      maxAllowedValidators: num('maxAllowedValidators', 0),
      maxAllowedUids: num('maxAllowedUids', 0),
      activityCutoff,
      registrationAllowed: allowed ? boolOf(allowed) : false,
      burn: burn ? bigintOf(burn) : 0n,
    };
  }

  async registrationCost(netuid: Netuid): Promise<bigint> {
    return (await this.hyperparameters(netuid)).burn;
  }

  async nextEpochBlock(netuid: Netuid): Promise<number> {
    await this.whenConnected();
    if (this.capabilities().nextEpochSource() === 'runtimeApi') {
      const value = unwrapOption(await this.runtimeCall('subnetInfoRuntimeApi', 'getNextEpochStartBlock', netuid));
      if (value) return bigintOf(value) > 0n ? Number(bigintOf(value)) : 0;
    }
    // Runtimes before 424: the stateless schedule (see epoch.ts for the off-by-one in the docs).
    await this.ensureSubnet(netuid);
    const [block, tempo] = await Promise.all([this.currentBlock(), this.storageAt(this.api, 'tempo', netuid)]);
    return nextEpochBlockAfter(netuid, tempo ? numberOf(tempo) : 0, block);
  }

  async uidOf(netuid: Netuid, hotkey: Ss58): Promise<number | undefined> {
    const graph = await this.metagraph(netuid);
    return graph.neurons.find((n) => n.hotkey === hotkey)?.uid;
  }

  async alphaPrice(netuid: Netuid): Promise<bigint | null> {
    await this.whenConnected();
    const caps = this.capabilities();
    // chain §3: SwapRuntimeApi.current_alpha_price where it exists; the pool's reserves before it
    // (SubnetTAO / SubnetAlphaIn, the constant-product price); neither on pre-dTAO runtimes (218).
    if (caps.hasApi('swapRuntimeApi.currentAlphaPrice')) {
      return bigintOf(await this.runtimeCall('swapRuntimeApi', 'currentAlphaPrice', netuid));
    }
    if (caps.hasStorage('subtensorModule.subnetTAO') && caps.hasStorage('subtensorModule.subnetAlphaIn')) {
      const [tao, alphaIn] = await Promise.all([
        this.storageAt(this.api, 'subnetTAO', netuid),
        this.storageAt(this.api, 'subnetAlphaIn', netuid),
      ]);
      const alpha = alphaIn ? bigintOf(alphaIn) : 0n;
      // An empty pool quotes no price (a subnet not yet started), rather than a division by zero.
      return alpha > 0n && tao ? (bigintOf(tao) * 1_000_000_000n) / alpha : null;
    }
    return null;
  }

  async freeBalance(account: Ss58): Promise<bigint> {
    await this.whenConnected();
    const info = (await this.api.query['system']?.['account']?.(account)) as unknown as StructLike | undefined;
    const data = info?.get('data') as unknown as StructLike | undefined;
    const free = data?.get('free');
    if (!free) throw unsupportedByRuntime(this.capabilities().specVersion, 'System.Account balances');
    return bigintOf(free);
  }

  async hotkeyStake(hotkey: Ss58, netuid: Netuid): Promise<HotkeyStake> {
    await this.whenConnected();
    this.requireStorage('totalHotkeyAlpha', 'TotalHotkeyAlpha');
    const at = await this.api.at(await this.api.rpc.chain.getBlockHash());
    const [onSubnet, all] = await Promise.all([
      this.storageAt(at, 'totalHotkeyAlpha', hotkey, netuid),
      this.storageEntries(at, 'totalHotkeyAlpha', hotkey),
    ]);
    let total = 0n;
    for (const value of all.values()) total += bigintOf(value);
    return { onSubnet: onSubnet ? bigintOf(onSubnet) : 0n, total };
  }

  async stakeThreshold(): Promise<bigint> {
    await this.whenConnected();
    // Renamed from WeightsMinStake (spec 218 still has the old name).
    const name = this.capabilities().hasStorage('subtensorModule.stakeThreshold')
      ? 'stakeThreshold'
      : 'weightsMinStake';
    this.requireStorage(name, 'StakeThreshold');
    const value = await this.storageAt(this.api, name);
    return value ? bigintOf(value) : 0n;
  }

  async weightsSetRateLimit(netuid: Netuid): Promise<number> {
    return numberOf(await this.subnetStorage('weightsSetRateLimit', 'WeightsSetRateLimit', netuid));
  }

  async commitRevealEnabled(netuid: Netuid): Promise<boolean> {
    return boolOf(await this.subnetStorage('commitRevealWeightsEnabled', 'CommitRevealWeightsEnabled', netuid));
  }

  async commitRevealVersion(): Promise<number | undefined> {
    await this.whenConnected();
    if (!this.capabilities().hasStorage('subtensorModule.commitRevealWeightsVersion')) return undefined;
    const value = await this.storageAt(this.api, 'commitRevealWeightsVersion');
    return value ? numberOf(value) : undefined;
  }

  async lastDrandRound(): Promise<bigint | undefined> {
    await this.whenConnected();
    const read = this.api.query['drand']?.['lastStoredRound'];
    if (!read) return undefined;
    return bigintOf(await read());
  }

  async pendingWeightCommits(netuid: Netuid, hotkey: Ss58, mechanismId = 0): Promise<PendingWeightCommit[]> {
    await this.whenConnected();
    const caps = this.capabilities();
    this.requireStorage('weightCommits', 'WeightCommits');
    if (mechanismId !== 0 && !caps.hasCall('subtensorModule.commitMechanismWeights'))
      throw unsupportedByRuntime(caps.specVersion, `weight commits of mechanism ${mechanismId}`);
    await this.ensureSubnet(netuid);
    const value = unwrapOption(
      await this.storageAt(this.api, 'weightCommits', netuidIndex(netuid, mechanismId), hotkey),
    );
    if (!value) return [];
    return listOf(value).map((entry) => {
      const [hash, committedAt, first, last] = listOf(entry);
      if (!hash || !committedAt || !first || !last)
        throw new ChainError('undecodable', 'A weight commit has an unknown layout.');
      return {
        hash: hash.toHex(),
        committedAt: numberOf(committedAt),
        firstRevealBlock: numberOf(first),
        lastRevealBlock: numberOf(last),
      };
    });
  }

  async minerRewardEvents(block: number): Promise<MinerRewardEvent[]> {
    await this.whenConnected();
    const caps = this.capabilities();
    const known = (this.api.events as unknown as Record<string, Record<string, unknown> | undefined>)[
      'subtensorModule'
    ];
    if (!known?.['IncentiveAlphaEmittedToMiners'])
      throw unsupportedByRuntime(
        caps.specVersion,
        'miner reward events',
        'it has no IncentiveAlphaEmittedToMiners event',
      );
    const at = await this.api.at(await this.api.rpc.chain.getBlockHash(block));
    const records = (await at.query['system']?.['events']?.()) as unknown as EventRecordLike[] | undefined;
    const rewards: MinerRewardEvent[] = [];
    for (const record of records ?? []) {
      const { section, method, data } = record.event;
      if (section !== 'subtensorModule' || method !== 'IncentiveAlphaEmittedToMiners') continue;
      const [index, emissions] = data;
      if (!index || !emissions) continue;
      const storageIndex = numberOf(index);
      rewards.push({
        netuid: storageIndex % 4096,
        mechanismId: Math.floor(storageIndex / 4096),
        emissions: listOf(emissions).map(bigintOf),
      });
    }
    return rewards;
  }

  async timelockedWeightsRevealed(netuid: Netuid, block: number): Promise<Ss58[]> {
    await this.whenConnected();
    const known = (this.api.events as unknown as Record<string, Record<string, unknown> | undefined>)[
      'subtensorModule'
    ];
    // CRV3WeightsRevealed is the name the event had before commit-reveal v4.
    const names = ['TimelockedWeightsRevealed', 'CRV3WeightsRevealed'].filter((name) => known?.[name]);
    if (names.length === 0)
      throw unsupportedByRuntime(
        this.capabilities().specVersion,
        'timelocked weight reveals',
        'it has no TimelockedWeightsRevealed event',
      );
    const at = await this.api.at(await this.api.rpc.chain.getBlockHash(block));
    const records = (await at.query['system']?.['events']?.()) as unknown as EventRecordLike[] | undefined;
    const hotkeys: Ss58[] = [];
    for (const record of records ?? []) {
      const { section, method, data } = record.event;
      if (section !== 'subtensorModule' || !names.includes(method)) continue;
      const [index, hotkey] = data;
      // netuid_index = mecid * 4096 + netuid (chain §2.1).
      if (index && hotkey && numberOf(index) % 4096 === netuid) hotkeys.push(hotkey.toString());
    }
    return hotkeys;
  }

  private requireStorage(item: string, runtimeName: string): void {
    const caps = this.capabilities();
    if (!caps.hasStorage(`subtensorModule.${item}`))
      throw unsupportedByRuntime(caps.specVersion, `SubtensorModule.${runtimeName}`);
  }

  /** A per-subnet storage value that every runtime we talk to has, after the existence check. */
  private async subnetStorage(item: string, runtimeName: string, netuid: Netuid): Promise<Codec> {
    await this.whenConnected();
    this.requireStorage(item, runtimeName);
    await this.ensureSubnet(netuid);
    const value = await this.storageAt(this.api, item, netuid);
    if (!value) throw unsupportedByRuntime(this.capabilities().specVersion, `SubtensorModule.${runtimeName}`);
    return value;
  }

  /** "Does not exist" only when storage says so (NetworksAdded), never from a missing API. */
  private async ensureSubnet(netuid: Netuid): Promise<void> {
    const caps = this.capabilities();
    if (!caps.hasStorage('subtensorModule.networksAdded')) return;
    const added = await this.storageAt(this.api, 'networksAdded', netuid);
    if (!added || !boolOf(added)) throw subnetMissing(netuid);
  }

  private runtimeCall(section: string, method: string, ...args: unknown[]): Promise<Codec> {
    return this.runtimeCallAt(this.api, section, method, ...args);
  }

  private async runtimeCallAt(
    at: { call: unknown },
    section: string,
    method: string,
    ...args: unknown[]
  ): Promise<Codec> {
    const fn = (at.call as Record<string, Record<string, ((...a: unknown[]) => Promise<Codec>) | undefined>>)[
      section
    ]?.[method];
    if (!fn) throw unsupportedByRuntime(this.capabilities().specVersion, `${pascal(section)}.${snake(method)}`);
    return fn(...args);
  }

  /** One SubtensorModule storage value (undefined when the runtime has no such item). */
  private async storageAt(at: { query: unknown }, item: string, ...keys: unknown[]): Promise<Codec | undefined> {
    const fn = (at.query as Record<string, Record<string, ((...k: unknown[]) => Promise<Codec>) | undefined>>)[
      'subtensorModule'
    ]?.[item];
    return fn ? fn(...keys) : undefined;
  }

  /** A double map's values under its first key, by the second (numeric) key. */
  private async storageEntries(at: { query: unknown }, item: string, first: unknown): Promise<Map<number, Codec>> {
    const fn = (
      at.query as Record<
        string,
        Record<string, { entries(k: unknown): Promise<[{ args: Codec[] }, Codec][]> } | undefined>
      >
    )['subtensorModule']?.[item];
    const result = new Map<number, Codec>();
    if (!fn) return result;
    for (const [key, value] of await fn.entries(first)) {
      const second = key.args[1];
      if (second) result.set(numberOf(second), value);
    }
    return result;
  }

  burnedRegister(coldkey: ChainSigner, netuid: Netuid, hotkey: Ss58): Promise<Submission> {
    return this.submit(coldkey, (tx) => tx['burnedRegister']?.(netuid, hotkey));
  }

  serveAxon(hotkey: KeyringPair, params: ServeAxonParams): Promise<Submission> {
    const { ip, ipType } = encodeIp(params.ip);
    return this.submit(hotkey, (tx) =>
      tx['serveAxon']?.(params.netuid, params.version, ip, params.port, ipType, params.protocol ?? 4, 0, 0),
    );
  }

  /** Mechanism calls where the runtime has them, else the plain calls for mechanism 0 (spec < 365). */
  setWeights(hotkey: KeyringPair, params: SetWeightsParams): Promise<Submission> {
    return this.submit(hotkey, (tx) => {
      const { call, withMechanism } = this.capabilities().weightsCall('set', params.mechanismId ?? 0);
      const mechanism = withMechanism ? [params.mechanismId ?? 0] : [];
      return tx[call]?.(params.netuid, ...mechanism, params.uids, params.weights, params.versionKey);
    });
  }

  commitWeights(hotkey: KeyringPair, netuid: Netuid, commitHash: Uint8Array, mechanismId = 0): Promise<Submission> {
    return this.submit(hotkey, (tx) => {
      const { call, withMechanism } = this.capabilities().weightsCall('commit', mechanismId);
      return tx[call]?.(netuid, ...(withMechanism ? [mechanismId] : []), u8aToHex(commitHash));
    });
  }

  revealWeights(hotkey: KeyringPair, params: RevealWeightsParams): Promise<Submission> {
    return this.submit(hotkey, (tx) => {
      const { call, withMechanism } = this.capabilities().weightsCall('reveal', params.mechanismId ?? 0);
      const mechanism = withMechanism ? [params.mechanismId ?? 0] : [];
      return tx[call]?.(params.netuid, ...mechanism, params.uids, params.weights, params.salt, params.versionKey);
    });
  }

  commitTimelockedWeights(hotkey: KeyringPair, params: TimelockedCommitParams): Promise<Submission> {
    return this.submit(hotkey, (tx) => {
      const { call, withMechanism } = this.capabilities().timelockedCommitCall(params.mechanismId ?? 0);
      const mechanism = withMechanism ? [params.mechanismId ?? 0] : [];
      return tx[call]?.(
        params.netuid,
        ...mechanism,
        u8aToHex(params.commit),
        params.revealRound,
        params.commitRevealVersion,
      );
    });
  }

  /** Builds, signs (explicit nonce) and submits one call; one at a time per signer. */
  private submit(
    signer: ChainSigner,
    build: (tx: SubtensorCalls) => SubmittableExtrinsic<'promise'> | undefined,
  ): Promise<Submission> {
    const previous = this.queues.get(signer.address) ?? Promise.resolve();
    const next = previous.then(async () => {
      await this.whenConnected();
      const calls = this.api.tx['subtensorModule'] as unknown as SubtensorCalls;
      const tx = build(calls);
      // The capability check chose a call the metadata lists, so this is a decoration bug, not the user's.
      if (!tx) throw new Error('the call the runtime metadata lists is not decorated');
      const nonce = await this.nextNonce(signer.address);
      // An outside signer (a browser extension) gets the payload through @polkadot/api's Signer.
      if (isExternalSigner(signer)) await tx.signAsync(signer.address, { nonce, signer: signer.signer });
      else await tx.signAsync(signer, { nonce });
      const outcome = await this.sendUntilKnown(tx, signer.address, nonce);
      if (outcome.ok || outcome.error.name !== 'InvalidTransaction') this.nonces.set(signer.address, nonce + 1);
      else this.nonces.delete(signer.address);
      return outcome;
    });
    this.queues.set(
      signer.address,
      next.catch(() => undefined),
    );
    return next.catch((error: unknown) => this.submissionFailure(error));
  }

  /** A failure before the node saw the call, in words: never a raw TypeError for the user. */
  private submissionFailure(error: unknown): Submission {
    if (error instanceof ChainError && error.kind === 'unsupported')
      return { ok: false, error: { name: 'UnsupportedByRuntime', message: error.message } };
    this.options.log?.debug('Submission failed before reaching the node', {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    if (error instanceof ChainError) return { ok: false, error: { name: 'SubmissionFailed', message: error.message } };
    // Encoding and programming errors carry words for developers; the log has them.
    const detail = error instanceof Error && !(error instanceof TypeError) ? `: ${error.message}` : '';
    return {
      ok: false,
      error: chainError(
        'SubmissionFailed',
        `BittAudio could not build or send this call for the node's runtime (spec ${this.specVersionOrUnknown()})${detail}.`,
      ),
    };
  }

  private specVersionOrUnknown(): string {
    return this.state.status === 'connected' ? String(this.state.specVersion) : 'unknown';
  }

  private async nextNonce(address: string): Promise<number> {
    const onChain = (await this.api.rpc.system.accountNextIndex(address)).toNumber();
    return Math.max(onChain, this.nonces.get(address) ?? 0);
  }

  /** Sends and watches; after a drop, finds out what happened instead of guessing. */
  private async sendUntilKnown(
    tx: SubmittableExtrinsic<'promise'>,
    address: string,
    nonce: number,
  ): Promise<Submission> {
    const txHash = tx.hash.toHex();
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await this.sendOnce(tx);
      if (result.kind === 'done') return result.submission;
      if (result.kind === 'rejected') {
        // A resend that the pool already holds: it survived the drop, so wait for it.
        if (attempt > 0 && /already has this transaction/.test(result.error.message))
          return this.awaitInclusion(txHash);
        return { ok: false, error: result.error, txHash };
      }
      this.options.log?.warn('The connection dropped during a submission; checking its fate after the reconnect', {
        txHash,
      });
      await this.whenConnected();
      // The node counts pooled transactions too: past our nonce means it was included or is queued.
      const chainNonce = (await this.api.rpc.system.accountNextIndex(address)).toNumber();
      if (chainNonce > nonce) return this.awaitInclusion(txHash);
      // Not used yet: sending the same signed bytes cannot make a second inclusion.
    }
    return { ok: false, error: chainError('Disconnected'), txHash };
  }

  /** Finds `txHash` in the last blocks, else watches new blocks until the inclusion timeout. */
  private async awaitInclusion(txHash: string): Promise<Submission> {
    const found = await this.findInRecentBlocks(txHash, 20);
    if (found) return found;
    return new Promise((resolve) => {
      let done = false;
      const finish = (submission: Submission): void => {
        if (done) return;
        done = true;
        off();
        clearTimeout(timer);
        resolve(submission);
      };
      const timer = setTimeout(
        () =>
          finish({
            ok: false,
            error: chainError('Timeout', 'The transaction was not seen in a block in time.'),
            txHash,
          }),
        this.options.inclusionTimeoutMs ?? 120_000,
      );
      const off = this.onNewBlock((block) => {
        void (async () => {
          const hash = (await this.api.rpc.chain.getBlockHash(block)).toHex();
          const body = await this.api.rpc.chain.getBlock(hash);
          if (body.block.extrinsics.some((ex) => ex.hash.toHex() === txHash))
            finish(await this.outcomeIn(hash, txHash));
        })().catch(() => undefined);
      });
    });
  }

  private sendOnce(
    tx: SubmittableExtrinsic<'promise'>,
  ): Promise<
    { kind: 'done'; submission: Submission } | { kind: 'rejected'; error: ChainErrorInfo } | { kind: 'dropped' }
  > {
    const txHash = tx.hash.toHex();
    return new Promise((resolve) => {
      let settled = false;
      let unsubscribe: (() => void) | undefined;
      const finish = (value: Parameters<typeof resolve>[0]): void => {
        if (settled) return;
        settled = true;
        offDisconnect();
        clearTimeout(timer);
        unsubscribe?.();
        resolve(value);
      };
      const offDisconnect = this.onConnection((state) => {
        if (state.status === 'disconnected') finish({ kind: 'dropped' });
      });
      const timer = setTimeout(
        () =>
          finish({
            kind: 'done',
            submission: { ok: false, error: chainError('Timeout', 'No inclusion within the time limit.'), txHash },
          }),
        this.options.inclusionTimeoutMs ?? 120_000,
      );
      tx.send((result) => {
        const status = result.status;
        if (status.isInBlock || status.isFinalized) {
          const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
          void this.outcomeIn(blockHash, txHash).then((submission) => finish({ kind: 'done', submission }));
        } else if (status.isDropped || status.isInvalid || status.isUsurped) {
          finish({
            kind: 'rejected',
            error: chainError('InvalidTransaction', `The node dropped the transaction (${status.type}).`),
          });
        }
      })
        .then((off) => {
          unsubscribe = off;
          if (settled) off();
        })
        .catch((error: unknown) => {
          if (!this.provider.isConnected) return finish({ kind: 'dropped' });
          finish({ kind: 'rejected', error: poolRejection(error) });
        });
    });
  }

  /** Success or the dispatch error of `txHash` in a block, from the block's events. */
  private async outcomeIn(blockHash: string, txHash: string): Promise<Submission> {
    const [block, events] = await Promise.all([
      this.api.rpc.chain.getBlock(blockHash),
      this.api.at(blockHash).then((at) => at.query['system']?.['events']?.()),
    ]);
    const index = block.block.extrinsics.findIndex((ex) => ex.hash.toHex() === txHash);
    const blockNumber = block.block.header.number.toNumber();
    if (index < 0 || !events) return { ok: true, blockHash, blockNumber, txHash };
    for (const record of events as unknown as EventRecordLike[]) {
      if (!record.phase.isApplyExtrinsic || record.phase.asApplyExtrinsic.toNumber() !== index) continue;
      if (record.event.section === 'system' && record.event.method === 'ExtrinsicFailed') {
        return { ok: false, error: this.describeDispatchError(record.event.data[0]), txHash };
      }
    }
    return { ok: true, blockHash, blockNumber, txHash };
  }

  private async findInRecentBlocks(txHash: string, depth: number): Promise<Submission | undefined> {
    let hash = (await this.api.rpc.chain.getBlockHash()).toHex();
    for (let i = 0; i < depth; i++) {
      const block = await this.api.rpc.chain.getBlock(hash);
      if (block.block.extrinsics.some((ex) => ex.hash.toHex() === txHash)) return this.outcomeIn(hash, txHash);
      if (block.block.header.number.toNumber() === 0) break;
      hash = block.block.header.parentHash.toHex();
    }
    return undefined;
  }

  /** Module errors by name from the runtime's own metadata; anything else as the node says it. */
  describeDispatchError(error: Codec | undefined): ChainErrorInfo {
    const dispatch = error as DispatchErrorLike | undefined;
    if (dispatch?.isModule) {
      const meta = this.api.registry.findMetaError(dispatch.asModule);
      return chainError(meta.name, meta.docs.join(' ').trim() || undefined);
    }
    return chainError(dispatch?.type ?? 'DispatchError', `The call failed: ${String(error)}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.unsubscribeHeads?.();
    await this.api.disconnect().catch(() => undefined);
    // polkadot.js may still report the closed subscription on a later tick; keep routing it away
    // from the console until then.
    setTimeout(this.unrouteConsole, 1000).unref();
  }
}

/**
 * SubtensorModule calls as @polkadot/api decorates them from the runtime's metadata; which exist
 * depends on the runtime, so every lookup may miss (capabilities.ts decides which to use).
 */
type SubtensorCalls = Readonly<Record<string, ((...args: unknown[]) => SubmittableExtrinsic<'promise'>) | undefined>>;

interface EventRecordLike {
  phase: { isApplyExtrinsic: boolean; asApplyExtrinsic: { toNumber(): number } };
  event: { section: string; method: string; data: Codec[] };
}

interface DispatchErrorLike {
  isModule: boolean;
  asModule: Parameters<ApiPromise['registry']['findMetaError']>[0];
  type: string;
}

/** A connection error that deserves an answer now rather than after the timeout. */
export function connectFailure(endpoint: string, error: unknown): ChainError | undefined {
  const event = error as { message?: unknown; error?: { code?: unknown } } | undefined;
  const code = typeof event?.error?.code === 'string' ? event.error.code : '';
  const text = `${code} ${typeof event?.message === 'string' ? event.message : ''}`;
  if (/ECONNREFUSED/.test(text))
    return new ChainError(
      'refused',
      `The chain endpoint ${endpoint} refused the connection: nothing is listening there. Is the node running on that port?`,
    );
  if (/ENOTFOUND|EAI_AGAIN/.test(text))
    return new ChainError(
      'unreachable',
      `The chain endpoint ${endpoint} cannot be found: its host name does not resolve.`,
    );
  if (/EHOSTUNREACH|ENETUNREACH/.test(text))
    return new ChainError('unreachable', `The chain endpoint ${endpoint} is unreachable from this machine's network.`);
  return undefined;
}

/** Errors the node's transaction pool answers with (JSON-RPC 1010 invalid, 1012/1013 pool). */
export function poolRejection(error: unknown): ChainErrorInfo {
  const message = error instanceof Error ? error.message : String(error);
  if (/outdated|stale/i.test(message)) {
    return chainError(
      'InvalidTransaction',
      `The node refused the transaction as outdated (nonce already used): ${message}`,
    );
  }
  if (/already imported/i.test(message)) {
    return chainError('InvalidTransaction', `The node already has this transaction: ${message}`);
  }
  return chainError('InvalidTransaction', `The node refused the transaction: ${message}`);
}

// ---- decoding the runtime API's structs into our types ----

export interface StructLike {
  get(name: string): Codec | undefined;
}

function unwrapOption(value: unknown): (Codec & StructLike) | undefined {
  const option = value as { isSome?: boolean; isNone?: boolean; unwrap?: () => Codec } | undefined;
  if (option === undefined || option === null) return undefined;
  if (option.isNone) return undefined;
  if (option.isSome && option.unwrap) return option.unwrap() as Codec & StructLike;
  return value as Codec & StructLike;
}

function field(struct: StructLike, name: string): Codec {
  const value = unwrapOption(struct.get(name));
  if (value === undefined) throw new Error(`The chain's metagraph lacks the field ${name}`);
  return value;
}

function bigintOf(codec: Codec): bigint {
  const inner = (codec as { unwrap?: () => Codec }).unwrap?.() ?? codec;
  return BigInt(inner.toString());
}

function numberOf(codec: Codec): number {
  return Number(bigintOf(codec));
}

function listOf(codec: Codec): Codec[] {
  return [...(codec as unknown as Iterable<Codec>)];
}

function boolOf(codec: Codec): boolean {
  return (codec as unknown as { isTrue: boolean }).isTrue;
}

/** What a uid that never served shows. */
const NO_AXON: AxonInfo = { block: 0, version: 0, ip: '0.0.0.0', port: 0, ipType: 4, protocol: 0 };

function decodeAxon(codec: Codec): AxonInfo {
  const axon = codec as unknown as StructLike;
  const ipType = numberOf(field(axon, 'ipType'));
  return {
    block: numberOf(field(axon, 'block')),
    version: numberOf(field(axon, 'version')),
    ip: decodeIp(bigintOf(field(axon, 'ip'))),
    port: numberOf(field(axon, 'port')),
    ipType: ipType === 6 ? 6 : 4,
    protocol: numberOf(field(axon, 'protocol')),
  };
}

export function decodeMetagraph(graph: StructLike): Metagraph {
  const hotkeys = listOf(field(graph, 'hotkeys')).map(String);
  const column = <T>(name: string, map: (c: Codec) => T): T[] => listOf(field(graph, name)).map(map);
  const coldkeys = column('coldkeys', String);
  const axons = column('axons', decodeAxon);
  const active = column('active', boolOf);
  const permits = column('validatorPermit', boolOf);
  const alphaStake = column('alphaStake', bigintOf);
  const totalStake = column('totalStake', bigintOf);
  const emission = column('emission', bigintOf);
  const incentives = column('incentives', numberOf);
  const dividends = column('dividends', numberOf);
  const consensus = column('consensus', numberOf);
  const lastUpdate = column('lastUpdate', numberOf);
  const registeredAt = column('blockAtRegistration', numberOf);
  const neurons: Neuron[] = hotkeys.map((hotkey, uid) => ({
    uid,
    hotkey,
    coldkey: coldkeys[uid] ?? '',
    active: active[uid] ?? false,
    axon: axons[uid] ?? NO_AXON,
    validatorPermit: permits[uid] ?? false,
    alphaStake: alphaStake[uid] ?? 0n,
    totalStake: totalStake[uid] ?? 0n,
    emission: emission[uid] ?? 0n,
    incentive: (incentives[uid] ?? 0) / 65535,
    dividends: (dividends[uid] ?? 0) / 65535,
    consensus: (consensus[uid] ?? 0) / 65535,
    lastUpdate: lastUpdate[uid] ?? 0,
    blockAtRegistration: registeredAt[uid] ?? 0,
  }));
  return {
    netuid: numberOf(field(graph, 'netuid')),
    block: numberOf(field(graph, 'block')),
    tempo: numberOf(field(graph, 'tempo')),
    neurons,
  };
}

/** One NeuronInfoLite (typed, or decoded from an old runtime's bytes) as our Neuron. */
export function neuronFromLite(lite: StructLike): Neuron {
  const ratio = (name: string): number => numberOf(field(lite, name)) / 65535;
  // One entry on current runtimes (owner, the hotkey's total alpha); summed for older ones.
  const stake = listOf(field(lite, 'stake')).reduce((sum, entry) => sum + bigintOf(listOf(entry)[1] ?? entry), 0n);
  return {
    uid: numberOf(field(lite, 'uid')),
    hotkey: String(field(lite, 'hotkey')),
    coldkey: String(field(lite, 'coldkey')),
    active: boolOf(field(lite, 'active')),
    axon: decodeAxon(field(lite, 'axonInfo')),
    validatorPermit: boolOf(field(lite, 'validatorPermit')),
    alphaStake: stake,
    totalStake: stake,
    emission: bigintOf(field(lite, 'emission')),
    incentive: ratio('incentive'),
    dividends: ratio('dividends'),
    consensus: ratio('consensus'),
    lastUpdate: numberOf(field(lite, 'lastUpdate')),
    blockAtRegistration: 0,
  };
}

/**
 * From the metagraph struct, or from SubnetHyperparamsV2 (same field names) with `fromStorage`
 * holding the two values v2 lacks.
 */
export function decodeHyperparameters(
  graph: StructLike,
  fromStorage?: { burn: bigint; maxAllowedUids: number },
): Hyperparameters {
  const n = (name: string): number => numberOf(field(graph, name));
  return {
    tempo: n('tempo'),
    immunityPeriod: n('immunityPeriod'),
    weightsRateLimit: n('weightsRateLimit'),
    minAllowedWeights: n('minAllowedWeights'),
    maxWeightsLimit: n('maxWeightsLimit'),
    weightsVersionKey: bigintOf(field(graph, 'weightsVersion')),
    commitRevealEnabled: boolOf(field(graph, 'commitRevealWeightsEnabled')),
    revealPeriodEpochs: n('commitRevealPeriod'),
    servingRateLimit: n('servingRateLimit'),
    maxAllowedValidators: n('maxValidators'),
    maxAllowedUids: fromStorage ? fromStorage.maxAllowedUids : n('maxUids'),
    activityCutoff: n('activityCutoff'),
    registrationAllowed: boolOf(field(graph, 'registrationAllowed')),
    burn: fromStorage ? fromStorage.burn : bigintOf(field(graph, 'burn')),
  };
}
