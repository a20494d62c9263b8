/**
 * The network service: the one chain the engine uses for its whole life, and the `network.status`
 * / `network.metagraph` commands and `network` events. By default that is the built-in local
 * network (neuron/local-network.ts: a devnet with local miners and a test validator); when the
 * settings name a real endpoint, a SubtensorChain kept connected (it reconnects by itself; a first
 * connection that fails is tried again with a growing delay). A settings change replaces the
 * network, and every service that uses it hears so through `onChange`.
 *
 * Its heavy parts (the devnet, @polkadot/api, transformers.js) are imported when it starts, never
 * when the engine is made, so the daemon prints its link before any of them loads.
 */
import type { NetworkMetagraph, NetworkStatus } from '../../src-shared/schemas/network.js';
import type { NetworkSettings } from '../../src-shared/schemas/settings.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { Chain } from '../chain/chain.js';
import { blocksUntilNextEpoch } from '../chain/epoch.js';
import type { Metagraph } from '../chain/types.js';
import type { SpawnWorker } from '../inference/worker/worker-client.js';
import type { Logger } from '../log/logger.js';
import type { LocalNetwork, LocalNetworkOptions } from '../neuron/local-network.js';
import type { EventBus } from './events.js';
import type { NetworkHandle, NetworkProvider } from './network-handle.js';
import type { HandlerSlice, Service } from './service.js';

type NetworkCommands = 'network.status' | 'network.metagraph';

export interface NetworkServiceOptions {
  events: EventBus;
  log: Logger;
  /** The network settings now (read at each start). */
  settings: () => NetworkSettings;
  /**
   * Starts the local miners' inference worker (a forked child under the daemon, a utilityProcess
   * in Electron): they then generate there. null or absent: in this process (tests).
   */
  spawnWorker?: SpawnWorker | null;
  /** Tests: local network options on top of the settings (e.g. `blockTimeMs: null`). */
  local?: Partial<Omit<LocalNetworkOptions, 'log'>>;
  /** Tests: how a remote endpoint is opened (default: SubtensorChain.connect). */
  connectRemote?: (endpoint: string, log: Logger) => Promise<Chain>;
  /** Delay before the first retry of a remote connection that failed (doubles, at most 5 min). Default 5 s. */
  retryMs?: number;
}

interface Running {
  handle: NetworkHandle;
  local: LocalNetwork | null;
  tempo: number | null;
  /** What the connection says while the network runs (lost and reconnecting, an old runtime). */
  note: string | null;
  teardown(): Promise<void>;
}

export class NetworkService implements Service<NetworkCommands>, NetworkProvider {
  readonly name = 'network';
  readonly handlers: HandlerSlice<NetworkCommands> = {
    'network.status': () => this.status(),
    'network.metagraph': () => this.metagraph(),
  };
  private state: NetworkStatus['state'] = 'stopped';
  private error: string | null = null;
  private running: Running | null = null;
  private block: number | null = null;
  private active: NetworkSettings;
  private readonly listeners = new Set<(network: NetworkHandle | null) => void>();
  /** Start, stop and replace run one after another. */
  private queue: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private retries = 0;
  private generation = 0;
  private lastRemoteEvent = 0;

  constructor(private readonly options: NetworkServiceOptions) {
    this.active = options.settings();
  }

  current(): NetworkHandle | null {
    return this.running?.handle ?? null;
  }

  onChange(listener: (network: NetworkHandle | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The local network while it runs (the `bittaudio devnet` command prints from it). */
  get local(): LocalNetwork | null {
    return this.running?.local ?? null;
  }

  /** Starts the network the settings name; resolves once it runs or has failed (see `status`). */
  start(): Promise<void> {
    return this.enqueue(() => this.up());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.down());
  }

  /** Replaces the network when the network settings changed (and it was started). */
  applySettings(next: NetworkSettings): Promise<void> {
    if (sameSettings(next, this.active)) return this.queue;
    return this.enqueue(async () => {
      if (this.state === 'stopped') {
        this.active = next;
        return;
      }
      this.options.log.info('The network settings changed: replacing the network', { mode: next.mode });
      await this.down();
      await this.up();
    });
  }

  status(): NetworkStatus {
    const settings = this.active;
    const local = this.running?.local ?? null;
    const tempo = this.running?.tempo ?? null;
    const netuid = this.running?.handle.netuid ?? settings.netuid;
    const validator = local?.testValidator.status();
    return {
      kind: settings.mode,
      state: this.state,
      endpoint: settings.mode === 'local' ? 'local' : settings.endpoint,
      netuid,
      block: this.block,
      tempo,
      blocksUntilEpoch: tempo !== null && this.block !== null ? blocksUntilNextEpoch(netuid, tempo, this.block) : null,
      blockTimeMs: settings.mode === 'local' ? (local?.blockTimeMs ?? settings.localBlockTimeMs) : null,
      localMiners: local?.localMiners.length ?? 0,
      testValidator: validator
        ? {
            hotkey: validator.hotkey,
            queries: validator.queries,
            answered: validator.answered,
            lastWeightsBlock: validator.lastWeightsBlock,
          }
        : null,
      error: this.error ?? this.running?.note ?? null,
    };
  }

  async metagraph(): Promise<NetworkMetagraph> {
    const running = this.running;
    if (!running || this.state !== 'running') {
      throw new HostApiError(
        'unavailable',
        this.state === 'failed'
          ? `The network failed: ${this.error ?? 'unknown error'}`
          : `The network is ${this.state}.`,
      );
    }
    return metagraphToWire(await running.handle.chain.metagraph(running.handle.netuid));
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async up(): Promise<void> {
    if (this.running) return;
    this.active = this.options.settings();
    const generation = ++this.generation;
    this.setState('starting', null);
    try {
      const running = this.active.mode === 'local' ? await this.startLocal() : await this.startRemote();
      if (generation !== this.generation) {
        await running.teardown();
        return;
      }
      this.running = running;
      this.retries = 0;
      this.setState('running', null);
      this.notify();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log.error(`The ${this.active.mode} network could not start: ${message}`);
      this.setState('failed', message);
      if (this.active.mode === 'remote' && generation === this.generation) this.scheduleRetry();
    }
  }

  private async down(): Promise<void> {
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const running = this.running;
    this.running = null;
    if (running) {
      this.notify();
      await running.teardown();
    }
    this.block = null;
    this.setState('stopped', null);
  }

  private scheduleRetry(): void {
    const base = this.options.retryMs ?? 5000;
    const delay = Math.min(300_000, base * 2 ** this.retries++);
    this.options.log.info(`Trying the network again in ${Math.round(delay / 1000)} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.enqueue(() => this.up());
    }, delay);
    this.retryTimer.unref();
  }

  private async startLocal(): Promise<Running> {
    const settings = this.active;
    const log = this.options.log.child('local');
    const { LocalNetwork } = await import('../neuron/local-network.js');
    let closeWorker: (() => Promise<void>) | null = null;
    let generator: LocalNetworkOptions['generator'];
    const spawn = this.options.spawnWorker;
    if (spawn && !this.options.local?.generator) {
      const [{ InferenceWorker }, { findTinyModel }] = await Promise.all([
        import('../inference/worker/worker-client.js'),
        import('../neuron/local-network.js'),
      ]);
      const dir = this.options.local?.modelDir ?? findTinyModel();
      if (dir) {
        const worker = new InferenceWorker({ spawn, logger: log.child('inference.worker') });
        generator = worker.generator({ dir, dtype: 'fp32' }, { device: 'cpu' });
        closeWorker = () => worker.close();
      }
    }
    let local: LocalNetwork;
    try {
      local = await LocalNetwork.start({
        log,
        netuid: settings.netuid,
        blockTimeMs: settings.localBlockTimeMs,
        miners: settings.localMiners,
        ...(generator ? { generator } : {}),
        ...this.options.local,
      });
    } catch (error) {
      await closeWorker?.();
      throw error;
    }
    const tempo = (await local.chain.hyperparameters(local.netuid)).tempo;
    this.block = local.chain.blockNumber;
    const offBlock = local.chain.onNewBlock((block) => {
      this.block = block;
      this.options.events.emit('network', this.status());
    });
    return {
      local,
      tempo,
      note: null,
      handle: {
        kind: 'local',
        chain: local.chain,
        netuid: local.netuid,
        localMinerHotkey: local.yourMiner.hotkey,
        localModelDir: local.modelDir,
        axon: { host: local.axonHost, externalIp: local.axonHost, port: local.yourMiner.port },
        faucet: (address, rao) => local.chain.endow(address, rao),
      },
      teardown: async () => {
        offBlock();
        await local.stop();
        await closeWorker?.();
      },
    };
  }

  private async startRemote(): Promise<Running> {
    const settings = this.active;
    const log = this.options.log.child('chain');
    const [{ resolveEndpoint }, { detectExternalIp }] = await Promise.all([
      import('../chain/endpoints.js'),
      import('../net/external-ip.js'),
    ]);
    const endpoint = resolveEndpoint({ network: settings.endpoint });
    const connect =
      this.options.connectRemote ??
      (async (url: string, chainLog: Logger) => {
        const { SubtensorChain } = await import('../chain/subtensor.js');
        return SubtensorChain.connect({ endpoint: url, log: chainLog });
      });
    const chain = await connect(endpoint, log);
    let tempo: number | null = null;
    try {
      tempo = (await chain.hyperparameters(settings.netuid)).tempo;
      this.block = await chain.currentBlock();
    } catch (error) {
      log.warn(`Could not read subnet ${settings.netuid}`, { error: String(error) });
    }
    const offBlock = chain.onNewBlock((block) => {
      this.block = block;
      // At most one event a second, whatever the chain does.
      const now = Date.now();
      if (now - this.lastRemoteEvent < 1000) return;
      this.lastRemoteEvent = now;
      this.options.events.emit('network', this.status());
    });
    const externalIp = settings.externalIp ?? detectExternalIp();
    if (!externalIp)
      log.warn('This machine has no address others can reach; set the external IP in the network settings.');
    const running: Running = {
      local: null,
      tempo,
      note: null,
      handle: {
        kind: 'remote',
        chain,
        netuid: settings.netuid,
        localMinerHotkey: null,
        localModelDir: null,
        axon: {
          host: '0.0.0.0',
          externalIp: externalIp ?? '',
          port: settings.axonPort,
          ...(settings.externalIp ? {} : { detectExternalIp: () => detectExternalIp() }),
        },
      },
      teardown: async () => {
        offBlock();
        offConnection();
        await chain.close();
      },
    };
    // The client reconnects by itself; meanwhile the status says so.
    const offConnection = chain.onConnection((connection) => {
      const note =
        connection.status === 'disconnected'
          ? `Disconnected from ${connection.endpoint} (${connection.reason}); reconnecting in ${Math.ceil(connection.retryInMs / 1000)} s.`
          : connection.status === 'connecting'
            ? `Reconnecting to ${connection.endpoint}…`
            : (connection.warning ?? null);
      if (note === running.note) return;
      running.note = note;
      if (this.running === running) this.options.events.emit('network', this.status());
    });
    return running;
  }

  private setState(state: NetworkStatus['state'], error: string | null): void {
    this.state = state;
    this.error = error;
    this.options.events.emit('network', this.status());
  }

  private notify(): void {
    const handle = this.current();
    for (const listener of [...this.listeners]) {
      try {
        listener(handle);
      } catch (error) {
        this.options.log.error('A network listener failed', { error: String(error) });
      }
    }
  }
}

function sameSettings(a: NetworkSettings, b: NetworkSettings): boolean {
  return (Object.keys(a) as (keyof NetworkSettings)[]).every((key) => a[key] === b[key]);
}

/** The chain's metagraph for the wire: amounts as rao strings. */
export function metagraphToWire(graph: Metagraph): NetworkMetagraph {
  return {
    netuid: graph.netuid,
    block: graph.block,
    tempo: graph.tempo,
    neurons: graph.neurons.map((n) => ({
      uid: n.uid,
      hotkey: n.hotkey,
      coldkey: n.coldkey,
      active: n.active,
      validatorPermit: n.validatorPermit,
      alphaStake: n.alphaStake.toString(),
      totalStake: n.totalStake.toString(),
      emission: n.emission.toString(),
      incentive: n.incentive,
      dividends: n.dividends,
      consensus: n.consensus,
      lastUpdate: n.lastUpdate,
      blockAtRegistration: n.blockAtRegistration,
      axon: { ...n.axon },
    })),
  };
}
