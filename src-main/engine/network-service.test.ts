/**
 * The network service with the real local network (devnet, local miners, test validator; blocks
 * driven by hand) and, for the remote mode, a devnet chain standing in for a SubtensorChain
 * behind the same `Chain` interface (no node can run here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HostEvent } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import { NetworkMetagraphSchema, NetworkStatusSchema, type NetworkStatus } from '../../src-shared/schemas/network.js';
import { DEFAULT_SETTINGS, type NetworkSettings } from '../../src-shared/schemas/settings.js';
import type { Chain } from '../chain/chain.js';
import type { ChainConnection } from '../chain/types.js';
import { DevnetChain } from '../devnet/index.js';
import { LogRoot } from '../log/logger.js';
import { EventBus } from './events.js';
import type { NetworkHandle } from './network-handle.js';
import { NetworkService, type NetworkServiceOptions } from './network-service.js';

const log = new LogRoot(() => undefined).logger('network');
const services: NetworkService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
});

function make(
  settings: Partial<NetworkSettings> = {},
  options: Partial<NetworkServiceOptions> = {},
): { service: NetworkService; events: HostEvent[]; settings: { value: NetworkSettings } } {
  const events = new EventBus();
  const seen: HostEvent[] = [];
  events.subscribe((event) => seen.push(event));
  const current = { value: { ...DEFAULT_SETTINGS.network, ...settings } };
  const service = new NetworkService({
    events,
    log,
    settings: () => current.value,
    local: { blockTimeMs: null },
    ...options,
  });
  services.push(service);
  return { service, events: seen, settings: current };
}

function networkEvents(events: HostEvent[]): NetworkStatus[] {
  return events.flatMap((e) => (e.event === 'network' ? [e.payload] : []));
}

/** A devnet with subnet 50 standing in for a node at `endpoint`. */
function remoteDouble(opened: string[], failFirst = 0): NetworkServiceOptions['connectRemote'] {
  let failures = failFirst;
  return async (endpoint) => {
    opened.push(endpoint);
    if (failures-- > 0) throw new Error(`Could not connect to ${endpoint}`);
    const chain = new DevnetChain({ startBlock: 1000 });
    chain.createSubnet(50, { tempo: 360 });
    return chain as Chain;
  };
}

describe('NetworkService', () => {
  it('answers network.status as stopped before it starts, and network.metagraph as unavailable', async () => {
    const { service } = make();
    expect(NetworkStatusSchema.parse(await service.handlers['network.status']({}))).toMatchObject({
      kind: 'local',
      state: 'stopped',
      endpoint: 'local',
      netuid: 50,
      block: null,
      blockTimeMs: 1000,
      testValidator: null,
    });
    const error = await Promise.resolve(service.handlers['network.metagraph']({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostApiError);
    expect((error as HostApiError).code).toBe('unavailable');
    expect(service.current()).toBeNull();
  });

  it(
    'runs the local network by default: your registered hotkey, the local miners, a network event per block',
    { timeout: 60_000 },
    async () => {
      const { service, events } = make();
      const handles: (NetworkHandle | null)[] = [];
      service.onChange((handle) => handles.push(handle));
      await service.start();

      const status = NetworkStatusSchema.parse(service.status());
      expect(status).toMatchObject({
        kind: 'local',
        state: 'running',
        block: 0,
        tempo: 10,
        localMiners: 3,
        testValidator: { queries: 0, answered: 0, lastWeightsBlock: null },
        error: null,
      });
      expect(status.blocksUntilEpoch).toBe(3); // tempo − (0 + 50 + 1) % 11 = 10 − 7: the epoch runs at block 3
      const handle = service.current();
      expect(handles).toEqual([handle]);
      expect(handle).toMatchObject({ kind: 'local', netuid: 50, localModelDir: expect.stringMatching(/tiny/) });
      if (!handle?.localMinerHotkey) throw new Error('no local miner hotkey');
      expect(await handle.chain.uidOf(50, handle.localMinerHotkey.address)).toBe(1);
      expect(handle.axon.port).toBeGreaterThan(0);
      expect(handle.axon.externalIp).toBe(handle.axon.host);

      const graph = NetworkMetagraphSchema.parse(await service.handlers['network.metagraph']({}));
      expect(graph.neurons).toHaveLength(5);
      expect(graph.neurons.filter((n) => n.axon.port > 0).map((n) => n.uid)).toEqual([2, 3, 4]);
      expect(graph.neurons[0]?.alphaStake).toBe('20000000000000');

      const before = networkEvents(events).length;
      service.local?.chain.advance(2);
      expect(
        networkEvents(events)
          .slice(before)
          .map((s) => s.block),
      ).toEqual([1, 2]);
      expect(service.status().blocksUntilEpoch).toBe(1);
    },
  );

  it('stop tears the local network down and tells the listeners', { timeout: 60_000 }, async () => {
    const { service } = make({ localMiners: 1 });
    const handles: (NetworkHandle | null)[] = [];
    service.onChange((handle) => handles.push(handle));
    await service.start();
    const local = service.local;
    await service.stop();
    expect(handles).toHaveLength(2);
    expect(handles[1]).toBeNull();
    expect(service.status()).toMatchObject({ state: 'stopped', block: null, localMiners: 0 });
    expect(local?.chain.producingBlocks).toBe(false);
  });

  it('connects to a remote endpoint the settings name, with the axon settings', async () => {
    const opened: string[] = [];
    const { service } = make(
      { mode: 'remote', endpoint: 'test', axonPort: 9000, externalIp: '203.0.113.9' },
      { connectRemote: remoteDouble(opened) },
    );
    await service.start();
    expect(opened).toEqual(['wss://test.finney.opentensor.ai:443']);
    expect(NetworkStatusSchema.parse(service.status())).toMatchObject({
      kind: 'remote',
      state: 'running',
      endpoint: 'test',
      block: 1000,
      tempo: 360,
      blockTimeMs: null,
      localMiners: 0,
      testValidator: null,
    });
    expect(service.current()).toMatchObject({
      kind: 'remote',
      localMinerHotkey: null,
      localModelDir: null,
      axon: { host: '0.0.0.0', externalIp: '203.0.113.9', port: 9000 },
    });
  });

  it('reports a failed remote connection with its reason and tries again until it connects', async () => {
    const opened: string[] = [];
    const { service, events } = make(
      { mode: 'remote', endpoint: 'ws://10.0.0.1:9944' },
      { connectRemote: remoteDouble(opened, 2), retryMs: 5 },
    );
    const running = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (service.status().state === 'running') {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    await service.start();
    expect(service.status()).toMatchObject({ state: 'failed', error: 'Could not connect to ws://10.0.0.1:9944' });
    await running;
    expect(opened).toHaveLength(3);
    expect(networkEvents(events).map((s) => s.state)).toEqual([
      'starting',
      'failed',
      'starting',
      'failed',
      'starting',
      'running',
    ]);
  });

  it('says while running that the connection was lost and is being retried, and clears it once back', async () => {
    /** A devnet whose connection the test can drop, as a SubtensorChain reports it. */
    class DroppingChain extends DevnetChain {
      private readonly watchers = new Set<(state: ChainConnection) => void>();
      override onConnection(listener: (state: ChainConnection) => void): () => void {
        this.watchers.add(listener);
        listener(this.connection);
        return () => this.watchers.delete(listener);
      }
      report(state: ChainConnection): void {
        for (const watcher of this.watchers) watcher(state);
      }
    }
    const chain = new DroppingChain();
    chain.createSubnet(50, { tempo: 360 });
    const { service, events } = make({ mode: 'remote', endpoint: 'finney' }, { connectRemote: async () => chain });
    await service.start();
    expect(service.status()).toMatchObject({ state: 'running', error: null });
    chain.report({ status: 'disconnected', endpoint: 'wss://x', reason: 'socket closed', retryInMs: 2000 });
    expect(service.status()).toMatchObject({
      state: 'running',
      error: 'Disconnected from wss://x (socket closed); reconnecting in 2 s.',
    });
    expect(networkEvents(events).at(-1)?.error).toMatch(/^Disconnected/);
    chain.report(chain.connection);
    expect(service.status().error).toBeNull();
  });

  it('replaces the network when its settings change, and not when they do not', { timeout: 60_000 }, async () => {
    const opened: string[] = [];
    const { service, settings } = make({ localMiners: 0 }, { connectRemote: remoteDouble(opened) });
    const kinds: (string | null)[] = [];
    service.onChange((handle) => kinds.push(handle?.kind ?? null));
    await service.start();
    await service.applySettings({ ...settings.value });
    expect(kinds).toEqual(['local']);
    settings.value = { ...settings.value, mode: 'remote', endpoint: 'ws://10.0.0.2:9944' };
    await service.applySettings(settings.value);
    expect(kinds).toEqual(['local', null, 'remote']);
    expect(opened).toEqual(['ws://10.0.0.2:9944']);
    expect(service.status()).toMatchObject({ kind: 'remote', state: 'running', endpoint: 'ws://10.0.0.2:9944' });
  });
});
