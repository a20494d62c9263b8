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
import type { Chain } from './chain.js';
import { chainError } from './errors.js';
import { nextEpochBlockAfter } from './epoch.js';
import { decodeIp, encodeIp } from './ip.js';
import type {
  AxonInfo,
  ChainConnection,
  ChainErrorInfo,
  Hyperparameters,
  Metagraph,
  Netuid,
  Neuron,
  RevealWeightsParams,
  ServeAxonParams,
  SetWeightsParams,
  Ss58,
  Submission,
  TimelockedCommitParams,
} from './types.js';
import type { Logger } from '../log/logger.js';

/** Typed runtime APIs, mechanisms and timelocked commits exist from here on (chain §1.3). */
export const MIN_SPEC_VERSION = 365;

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

  private constructor(
    private readonly provider: WsProvider,
    private readonly options: SubtensorChainOptions,
  ) {
    this.backoff = options.backoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.retryMs = this.backoff.initialMs;
    this.state = { status: 'connecting', endpoint: options.endpoint };
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

  /** Connects and waits until the runtime is known, or fails with a clear error after `timeoutMs`. */
  static async connect(options: SubtensorChainOptions, timeoutMs = 30_000): Promise<SubtensorChain> {
    // autoConnect off: our loop below owns the retries and their backoff.
    const provider = new WsProvider(options.endpoint, false);
    const chain = new SubtensorChain(provider, options);
    chain.tryConnect();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        chain.api.isReady,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`No answer from the chain at ${options.endpoint} within ${timeoutMs / 1000} s`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      await chain.close();
      throw error;
    } finally {
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
    if (specVersion < MIN_SPEC_VERSION) {
      this.options.log?.warn(
        `The chain runs spec ${specVersion}; BittAudio needs ${MIN_SPEC_VERSION} or newer. Reads may fail.`,
      );
    }
    this.setState({ status: 'connected', endpoint: this.options.endpoint, specVersion, chain: chainName });
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
    this.options.log?.warn('Lost the chain connection, reconnecting', { endpoint: this.options.endpoint, retryInMs });
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

  async metagraph(netuid: Netuid): Promise<Metagraph> {
    await this.whenConnected();
    const result = await this.api.call['subnetInfoRuntimeApi']?.['getMetagraph']?.(netuid);
    const graph = unwrapOption(result);
    if (!graph) throw new Error(`Subnet ${netuid} does not exist on this chain`);
    return decodeMetagraph(graph);
  }

  async hyperparameters(netuid: Netuid): Promise<Hyperparameters> {
    await this.whenConnected();
    const result = await this.api.call['subnetInfoRuntimeApi']?.['getSelectiveMetagraph']?.(
      netuid,
      HYPERPARAMETER_INDEXES,
    );
    const graph = unwrapOption(result);
    if (!graph) throw new Error(`Subnet ${netuid} does not exist on this chain`);
    return decodeHyperparameters(graph);
  }

  async registrationCost(netuid: Netuid): Promise<bigint> {
    return (await this.hyperparameters(netuid)).burn;
  }

  async nextEpochBlock(netuid: Netuid): Promise<number> {
    await this.whenConnected();
    const byRuntime = this.api.call['subnetInfoRuntimeApi']?.['getNextEpochStartBlock'];
    if (byRuntime) {
      const value = unwrapOption(await byRuntime(netuid));
      if (value) return bigintOf(value).valueOf() > 0n ? Number(bigintOf(value)) : 0;
    }
    // Runtimes before 424: the stateless schedule (see epoch.ts for the off-by-one in the docs).
    const [block, hyper] = await Promise.all([this.currentBlock(), this.hyperparameters(netuid)]);
    return nextEpochBlockAfter(netuid, hyper.tempo, block);
  }

  async uidOf(netuid: Netuid, hotkey: Ss58): Promise<number | undefined> {
    const graph = await this.metagraph(netuid);
    return graph.neurons.find((n) => n.hotkey === hotkey)?.uid;
  }

  burnedRegister(coldkey: KeyringPair, netuid: Netuid, hotkey: Ss58): Promise<Submission> {
    return this.submit(coldkey, (tx) => tx.burnedRegister(netuid, hotkey));
  }

  serveAxon(hotkey: KeyringPair, params: ServeAxonParams): Promise<Submission> {
    const { ip, ipType } = encodeIp(params.ip);
    return this.submit(hotkey, (tx) =>
      tx.serveAxon(params.netuid, params.version, ip, params.port, ipType, params.protocol ?? 4, 0, 0),
    );
  }

  setWeights(hotkey: KeyringPair, params: SetWeightsParams): Promise<Submission> {
    return this.submit(hotkey, (tx) =>
      tx.setMechanismWeights(params.netuid, params.mechanismId ?? 0, params.uids, params.weights, params.versionKey),
    );
  }

  commitWeights(hotkey: KeyringPair, netuid: Netuid, commitHash: Uint8Array, mechanismId = 0): Promise<Submission> {
    return this.submit(hotkey, (tx) => tx.commitMechanismWeights(netuid, mechanismId, u8aToHex(commitHash)));
  }

  revealWeights(hotkey: KeyringPair, params: RevealWeightsParams): Promise<Submission> {
    return this.submit(hotkey, (tx) =>
      tx.revealMechanismWeights(
        params.netuid,
        params.mechanismId ?? 0,
        params.uids,
        params.weights,
        params.salt,
        params.versionKey,
      ),
    );
  }

  commitTimelockedWeights(hotkey: KeyringPair, params: TimelockedCommitParams): Promise<Submission> {
    return this.submit(hotkey, (tx) =>
      tx.commitTimelockedMechanismWeights(
        params.netuid,
        params.mechanismId ?? 0,
        u8aToHex(params.commit),
        params.revealRound,
        params.commitRevealVersion,
      ),
    );
  }

  /** Builds, signs (explicit nonce) and submits one call; one at a time per signer. */
  private submit(
    signer: KeyringPair,
    build: (tx: SubtensorCalls) => SubmittableExtrinsic<'promise'>,
  ): Promise<Submission> {
    const previous = this.queues.get(signer.address) ?? Promise.resolve();
    const next = previous.then(async () => {
      await this.whenConnected();
      const calls = this.api.tx['subtensorModule'] as unknown as SubtensorCalls;
      const tx = build(calls);
      const nonce = await this.nextNonce(signer.address);
      await tx.signAsync(signer, { nonce });
      const outcome = await this.sendUntilKnown(tx, signer.address, nonce);
      if (outcome.ok || outcome.error.name !== 'InvalidTransaction') this.nonces.set(signer.address, nonce + 1);
      else this.nonces.delete(signer.address);
      return outcome;
    });
    this.queues.set(
      signer.address,
      next.catch(() => undefined),
    );
    return next.catch((error: unknown) => ({
      ok: false as const,
      error: chainError(
        'SubmissionFailed',
        `The submission failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    }));
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
  }
}

/** The SubtensorModule calls we use, as @polkadot/api decorates them from metadata. */
interface SubtensorCalls {
  burnedRegister(netuid: number, hotkey: string): SubmittableExtrinsic<'promise'>;
  serveAxon(
    netuid: number,
    version: number,
    ip: bigint,
    port: number,
    ipType: number,
    protocol: number,
    placeholder1: number,
    placeholder2: number,
  ): SubmittableExtrinsic<'promise'>;
  setMechanismWeights(
    netuid: number,
    mecid: number,
    dests: number[],
    weights: number[],
    versionKey: bigint,
  ): SubmittableExtrinsic<'promise'>;
  commitMechanismWeights(netuid: number, mecid: number, commitHash: string): SubmittableExtrinsic<'promise'>;
  revealMechanismWeights(
    netuid: number,
    mecid: number,
    uids: number[],
    values: number[],
    salt: number[],
    versionKey: bigint,
  ): SubmittableExtrinsic<'promise'>;
  commitTimelockedMechanismWeights(
    netuid: number,
    mecid: number,
    commit: string,
    revealRound: bigint,
    commitRevealVersion: number,
  ): SubmittableExtrinsic<'promise'>;
}

interface EventRecordLike {
  phase: { isApplyExtrinsic: boolean; asApplyExtrinsic: { toNumber(): number } };
  event: { section: string; method: string; data: Codec[] };
}

interface DispatchErrorLike {
  isModule: boolean;
  asModule: Parameters<ApiPromise['registry']['findMetaError']>[0];
  type: string;
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

interface StructLike {
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
    axon: axons[uid] ?? { block: 0, version: 0, ip: '0.0.0.0', port: 0, ipType: 4, protocol: 0 },
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

export function decodeHyperparameters(graph: StructLike): Hyperparameters {
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
    maxAllowedUids: n('maxUids'),
    activityCutoff: n('activityCutoff'),
    registrationAllowed: boolOf(field(graph, 'registrationAllowed')),
    burn: bigintOf(field(graph, 'burn')),
  };
}
