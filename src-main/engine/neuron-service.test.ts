/**
 * "Your" miner through the engine's Host API handlers, on the in-process devnet: a real axon on
 * loopback, a validator's signed requests, the tiny model, SQLite and WAV files in a temp folder.
 * Blocks advance when the test says so.
 */
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostEvent } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { NeuronStatus } from '../../src-shared/schemas/neuron.js';
import { musicGeneration } from '../../src-shared/synapse/music-generation.js';
import type { Chain } from '../chain/chain.js';
import { RAO_PER_TAO } from '../chain/units.js';
import { createDemoDevnet } from '../devnet/index.js';
import { Dendrite } from '../net/dendrite.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { WalletStore } from '../wallet/store.js';
import { Engine, type EngineOptions } from './engine.js';
import { LOCAL_IP, TINY_MODEL_DIR, devnetNetwork, type TestNetwork } from './testing/devnet-network.js';

const tempDir = useTempDirs();
const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.shutdown();
});

function engine(network: TestNetwork, dataDir = tempDir(), extra: Partial<EngineOptions> = {}): Engine {
  const made = new Engine({
    dataDir,
    host: 'daemon',
    network,
    neuron: { device: () => Promise.resolve('cpu'), watchEveryBlocks: 1 },
    ...extra,
  });
  engines.push(made);
  return made;
}

function record(engine: Engine): HostEvent[] {
  const events: HostEvent[] = [];
  engine.events.subscribe((event) => events.push(event));
  return events;
}

/** Polls until `check` holds (the chain watch and the axon answer asynchronously). */
async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function ask(network: TestNetwork, status: NeuronStatus, prompt: string, duration = 28) {
  if (!status.axon || !status.hotkey) throw new Error('the miner does not serve');
  return new Dendrite({ hotkey: network.devnet.validator.hotkey }).call(
    { hotkey: status.hotkey, ip: LOCAL_IP, port: status.axon.port },
    musicGeneration({ text_input: prompt, duration }),
    { timeoutSeconds: 30 },
  );
}

/** A history row without audio, as a failed request leaves one. */
function failedRecord(prompt: string, time: string): Parameters<Engine['generations']['record']>[0] {
  return {
    time,
    role: 'miner',
    caller: '5Caller',
    prompt,
    durationTokens: 53,
    model: 'm',
    device: 'cpu',
    status: 'failed',
    error: 'x',
    queuedMs: 0,
    generateMs: 0,
  };
}

async function failure(promise: unknown): Promise<HostApiError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HostApiError)) throw new Error(`expected a HostApiError, got ${String(error)}`);
  return error;
}

describe('NeuronService', () => {
  it('starts by itself on a first local run, and not again once the user stopped it', { timeout: 60_000 }, async () => {
    const network = await devnetNetwork();
    const dataDir = tempDir();
    const auto = { neuron: { device: () => Promise.resolve('cpu' as const), autoStartOnLocal: true } };
    const first = engine(network, dataDir, auto);
    expect(first.settings.get().minerEnabled).toBeNull();
    await until(async () => (await first.handlers['neuron.status']({})).state === 'running');
    expect(first.settings.get().minerEnabled).toBe(true);
    await first.handlers['neuron.stop']({});
    expect(first.settings.get().minerEnabled).toBe(false);
    await first.shutdown();

    const second = engine(network, dataDir, auto);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await second.handlers['neuron.status']({})).state).toBe('stopped');
  });

  it('does not start by itself without the option or on a remote network', async () => {
    const local = await devnetNetwork();
    const plain = engine(local);
    const remote = await devnetNetwork({ handle: { kind: 'remote' } });
    const onRemote = engine(remote, tempDir(), {
      neuron: { device: () => Promise.resolve('cpu' as const), autoStartOnLocal: true },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await plain.handlers['neuron.status']({})).state).toBe('stopped');
    expect((await onRemote.handlers['neuron.status']({})).state).toBe('stopped');
  });

  it('is stopped until started, and says which network it would use', async () => {
    const network = await devnetNetwork();
    const status = await engine(network).handlers['neuron.status']({});
    expect(status).toMatchObject({ state: 'stopped', uid: null, axon: null, netuid: 50, alerts: [], error: null });
  });

  it(
    'mines on the local network: serves its axon on chain, answers a validator, stores the clip with model and device',
    { timeout: 60_000 },
    async () => {
      const network = await devnetNetwork();
      const app = engine(network);
      const events = record(app);
      const started = await app.handlers['neuron.start']({});
      const uid = await network.devnet.chain.uidOf(network.devnet.netuid, network.you.hotkey.address);
      expect(started).toMatchObject({
        state: 'running',
        hotkey: network.you.hotkey.address,
        uid,
        model: 'musicgen',
        device: 'cpu',
        axon: { host: LOCAL_IP, externalIp: LOCAL_IP, servedOnChain: true },
        error: null,
      });
      const onChain = (await network.devnet.chain.metagraph(network.devnet.netuid)).neurons.find(
        (n) => n.uid === uid,
      )?.axon;
      expect(onChain).toMatchObject({ ip: LOCAL_IP, port: started.axon?.port });
      expect(app.settings.get().minerEnabled).toBe(true);

      const answer = await ask(network, started, 'lo-fi beat with mellow piano');
      expect(answer.dendrite.status_code).toBe(200);
      const stored = await until(() =>
        events.find((e): e is Extract<HostEvent, { event: 'generation.stored' }> => e.event === 'generation.stored'),
      );
      expect(stored.payload).toMatchObject({
        id: 1,
        caller: network.devnet.validator.hotkey.address,
        prompt: 'lo-fi beat with mellow piano',
        durationTokens: 28,
        durationSeconds: 0.5,
        model: 'musicgen',
        device: 'cpu',
        status: 'ok',
        mediaPath: 'generations/1.wav',
      });
      expect(existsSync(join(app.mediaDir, '1.wav'))).toBe(true);
      expect(await app.handlers['generations.list']({ limit: 50, offset: 0 })).toEqual({
        items: [stored.payload],
        total: 1,
      });
      expect(await app.handlers['generations.get']({ id: 1 })).toEqual(stored.payload);
      // The queue's progress reaches the clients as `generation` events.
      expect(events.some((e) => e.event === 'generation' && e.payload.state === 'done')).toBe(true);
      expect(await app.handlers['neuron.status']({})).toMatchObject({ answered: 1, failed: 0 });
    },
  );

  it(
    'decodes requests of one duration that wait behind another as one batch (the model watch passes batches on)',
    { timeout: 60_000 },
    async () => {
      const network = await devnetNetwork();
      const app = engine(network);
      const events = record(app);
      const started = await app.handlers['neuron.start']({});
      // 1000 steps: within the 30 s timeout at the assumed 50 steps/s, long enough for the others to queue.
      const long = ask(network, started, 'a long piece', 1000);
      await until(() =>
        events.some((e) => e.event === 'generation' && e.payload.state === 'running' && e.payload.step >= 1),
      );
      // `ask` calls from a dendrite of its own each time, so these two arrive together.
      const answers = await Promise.all([ask(network, started, 'lo-fi beat', 20), ask(network, started, 'jazz', 20)]);
      expect((await long).dendrite.status_code).toBe(200);
      expect(answers.map((a) => a.dendrite.status_code)).toEqual([200, 200]);
      const sizes = events.flatMap((e) =>
        e.event === 'generation' && e.payload.state === 'running' ? [[e.payload.prompt, e.payload.batchSize]] : [],
      );
      expect(sizes).toContainEqual(['lo-fi beat', 2]);
      expect(sizes).toContainEqual(['jazz', 2]);
    },
  );

  it('answers not_found for a generation that does not exist, and pages and searches the library', async () => {
    const network = await devnetNetwork();
    const app = engine(network);
    const error = await failure(Promise.resolve().then(() => app.handlers['generations.get']({ id: 42 })));
    expect(error.code).toBe('not_found');
    for (const prompt of ['jazz', 'techno', 'jazz fusion']) {
      app.generations.record(failedRecord(prompt, new Date().toISOString()));
    }
    const page = await app.handlers['generations.list']({ limit: 1, offset: 0, search: 'jazz' });
    expect(page.total).toBe(2);
    expect(page.items.map((i) => [i.prompt, i.mediaPath, i.durationSeconds])).toEqual([['jazz fusion', null, 1]]);
  });

  it('refuses to start an unregistered hotkey: failed, the burn cost and how to register', async () => {
    const network = await devnetNetwork({ register: false });
    const app = engine(network);
    const error = await failure(app.handlers['neuron.start']({}));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/is not registered on subnet 50\. Registering burns [\d.]+ TAO .*wallet register/);
    const status = await app.handlers['neuron.status']({});
    expect(status).toMatchObject({ state: 'failed', error: { code: 'not_registered', message: error.message } });
    expect(status.alerts.map((a) => a.kind)).toEqual(['not_registered']);
    // Nothing was remembered as running (nor as stopped by the user: still undecided).
    expect(app.settings.get().minerEnabled).toBeNull();
  });

  it('refuses a bad announced address and a missing model with their reasons', async () => {
    const badIp = await devnetNetwork({ handle: { axon: { host: LOCAL_IP, externalIp: '300.1.2.3', port: 0 } } });
    const first = engine(badIp);
    expect((await failure(first.handlers['neuron.start']({}))).message).toMatch(/"300.1.2.3" is not an IPv4 or IPv6/);
    expect((await first.handlers['neuron.status']({})).error?.code).toBe('invalid_address');

    const noModel = await devnetNetwork({ handle: { localModelDir: join(tempDir(), 'nowhere') } });
    const second = engine(noModel);
    expect((await failure(second.handlers['neuron.start']({}))).message).toMatch(/nowhere does not exist/);
    const status = await second.handlers['neuron.status']({});
    expect(status).toMatchObject({ state: 'failed', error: { code: 'model_missing' } });
    expect(status.alerts.map((a) => a.kind)).toEqual(['model_failed']);
  });

  it('answers unavailable while there is no network', async () => {
    const network = await devnetNetwork();
    network.set(null);
    const error = await failure(engine(network).handlers['neuron.start']({}));
    expect(error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/No network is up yet/) });
  });

  it(
    'reads its chain stats as blocks come, and stores a rewards snapshot at each epoch',
    { timeout: 60_000 },
    async () => {
      const network = await devnetNetwork();
      const { chain, netuid, validator } = network.devnet;
      const app = engine(network);
      const events = record(app);
      const started = await app.handlers['neuron.start']({});
      const uid = started.uid ?? -1;
      // The validator gives all its weight to us, so the next epoch pays us the whole incentive
      // (a block after our registration: subtensor masks weights not newer than it).
      chain.advance(1);
      const weights = await chain.setWeights(validator.hotkey, {
        netuid,
        uids: [uid],
        weights: [65535],
        versionKey: 0n,
      });
      expect(weights.ok).toBe(true);
      const tempo = (await chain.hyperparameters(netuid)).tempo;
      chain.advance(tempo + 1);
      const reward = await until(() =>
        events.find((e): e is Extract<HostEvent, { event: 'reward' }> => e.event === 'reward'),
      );
      expect(reward.payload).toMatchObject({ netuid, uid, hotkey: network.you.hotkey.address, incentive: 1 });
      expect(BigInt(reward.payload.emission)).toBeGreaterThan(0n);
      // Immunity left as the status computes it, and the pool's price (the devnet's new subnet: 1 TAO per alpha).
      const immunityPeriod = (await chain.hyperparameters(netuid)).immunityPeriod;
      const registeredAt = (await chain.metagraph(netuid)).neurons[uid]?.blockAtRegistration ?? -1;
      expect(reward.payload.immunityBlocksLeft).toBe(Math.max(0, registeredAt + immunityPeriod - reward.payload.block));
      expect(reward.payload.immunityBlocksLeft).toBeGreaterThan(0);
      expect(reward.payload.alphaPrice).toBe('1000000000');
      const { items } = await app.handlers['rewards.list']({ limit: 500 });
      expect(items).toEqual([reward.payload]);
      const status = await until(async () => {
        const s = await app.handlers['neuron.status']({});
        return s.chain && s.chain.block >= reward.payload.block ? s : undefined;
      });
      expect(status.chain).toMatchObject({ incentive: 1, emission: reward.payload.emission, trust: null });
      expect(status.chain?.immunityBlocksLeft).toBeGreaterThan(0);
    },
  );

  it('raises an alert when the chain announces another address for our uid', { timeout: 60_000 }, async () => {
    const network = await devnetNetwork();
    const { chain, netuid } = network.devnet;
    const app = engine(network);
    const started = await app.handlers['neuron.start']({});
    expect(started.alerts).toEqual([]);
    const servingRateLimit = (await chain.hyperparameters(netuid)).servingRateLimit;
    chain.advance(servingRateLimit);
    // Another machine with the same hotkey announces itself.
    const other = await chain.serveAxon(network.you.hotkey, { netuid, ip: '10.1.2.3', port: 9000, version: 1 });
    expect(other.ok).toBe(true);
    chain.advance(1);
    const status = await until(async () => {
      const s = await app.handlers['neuron.status']({});
      return s.alerts.length > 0 ? s : undefined;
    });
    expect(status.alerts).toMatchObject([
      { kind: 'axon_address_mismatch', severity: 'warning', message: expect.stringMatching(/10\.1\.2\.3:9000/) },
    ]);
    expect(status.axon?.servedOnChain).toBe(false);
  });

  it(
    'starts again after a restart of the engine on the same data folder, history intact; stop forgets it',
    { timeout: 60_000 },
    async () => {
      const network = await devnetNetwork();
      const dataDir = tempDir();
      const first = engine(network, dataDir);
      const before = await first.handlers['neuron.start']({});
      expect((await ask(network, before, 'before the restart')).dendrite.status_code).toBe(200);
      await until(async () => (await first.handlers['generations.list']({ limit: 50, offset: 0 })).total === 1);
      await first.shutdown();

      const second = engine(network, dataDir);
      const after = await until(async () => {
        const s = await second.handlers['neuron.status']({});
        return s.state === 'running' ? s : undefined;
      });
      expect(after.uid).toBe(before.uid);
      expect((await ask(network, after, 'after the restart')).dendrite.status_code).toBe(200);
      const history = await until(async () => {
        const list = await second.handlers['generations.list']({ limit: 50, offset: 0 });
        return list.total === 2 ? list : undefined;
      });
      expect(history.items.map((i) => i.prompt)).toEqual(['after the restart', 'before the restart']);

      expect(await second.handlers['neuron.stop']({})).toMatchObject({ state: 'stopped', axon: null });
      expect(second.settings.get().minerEnabled).toBe(false);
    },
  );

  it('stops with its network and starts again when a network comes back', { timeout: 60_000 }, async () => {
    const network = await devnetNetwork();
    const app = engine(network);
    await app.handlers['neuron.start']({});
    network.set(null);
    await until(async () => (await app.handlers['neuron.status']({})).state === 'stopped');
    expect(app.settings.get().minerEnabled).toBe(true);
    network.set(network.handle);
    const status = await until(async () => {
      const s = await app.handlers['neuron.status']({});
      return s.state === 'running' ? s : undefined;
    });
    expect((await ask(network, status, 'back again')).dendrite.status_code).toBe(200);
  });

  it(
    'mines on a real network with the wallet and model from the settings, without any coldkey file',
    { timeout: 60_000 },
    async () => {
      const network = await devnetNetwork({
        register: false,
        handle: { kind: 'remote', localMinerHotkey: null, localModelDir: null },
      });
      const { chain, netuid, spare } = network.devnet;
      const walletPath = tempDir();
      const wallets = new WalletStore({ root: walletPath, env: {} });
      const { ss58Address: hotkey } = await wallets.createHotkey('miner1', 'gpu0');
      // Only the coldkey's public address is on this machine; the coldkey that pays stays elsewhere.
      await wallets.regenerateColdkeypub('miner1', { ss58Address: spare.coldkey.address });
      expect((await chain.burnedRegister(spare.coldkey, netuid, hotkey)).ok).toBe(true);

      const app = engine(network);
      app.settings.update({ walletPath, walletName: 'miner1', walletHotkey: 'gpu0', minerModel: 'musicgen-small' });
      const missing = await failure(app.handlers['neuron.start']({}));
      expect(missing.message).toMatch(/musicgen-small \(fp32\) is not ready: .*Settings → Models/);
      expect((await app.handlers['neuron.status']({})).error?.code).toBe('model_missing');

      app.settings.update({ minerModel: TINY_MODEL_DIR });
      const status = await app.handlers['neuron.start']({});
      expect(status).toMatchObject({ state: 'running', hotkey, model: 'musicgen', error: null, alerts: [] });
      expect((await ask(network, status, 'from a real wallet')).dendrite.status_code).toBe(200);
    },
  );

  it('names a wallet it cannot read and how to fix it', async () => {
    const network = await devnetNetwork({ handle: { kind: 'remote', localMinerHotkey: null, localModelDir: null } });
    const app = engine(network);
    app.settings.update({ walletPath: tempDir(), walletName: 'nobody', walletHotkey: 'none' });
    const error = await failure(app.handlers['neuron.start']({}));
    expect(error.message).toMatch(
      /The hotkey nobody\/none cannot be used: .*\(Settings: wallet name, hotkey and folder\)/,
    );
    expect((await app.handlers['neuron.status']({})).error?.code).toBe('wallet');
  });

  it('reports each state change as a neuron event, and a stop clears a failure', async () => {
    const network = await devnetNetwork({ register: false });
    const app = engine(network);
    const events = record(app);
    await failure(app.handlers['neuron.start']({}));
    const states = events.flatMap((e) => (e.event === 'neuron' ? [e.payload.state] : []));
    expect(states[0]).toBe('starting');
    expect(states.at(-1)).toBe('failed');
    expect(await app.handlers['neuron.stop']({})).toMatchObject({ state: 'stopped', error: null });
  });

  it('applies a tighter retention setting at once', async () => {
    const network = await devnetNetwork();
    const app = engine(network);
    const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
    for (const time of [old, new Date().toISOString()]) {
      app.generations.record(failedRecord(time === old ? 'old' : 'new', time));
    }
    expect((await app.handlers['generations.list']({ limit: 50, offset: 0 })).total).toBe(2);
    app.settings.update({ keepDays: 5 });
    const left = await app.handlers['generations.list']({ limit: 50, offset: 0 });
    expect(left.items.map((i) => i.prompt)).toEqual(['new']);
  });

  it(
    'raises chain_unreachable while the metagraph cannot be read, and clears it after',
    { timeout: 60_000 },
    async () => {
      const devnet = await createDemoDevnet({ miners: 2, validatorStake: 20_000n * RAO_PER_TAO });
      let down = false;
      // The devnet behind the Chain interface, with reads that fail while "down" (a node gone away).
      const flaky = new Proxy(devnet.chain, {
        get(target, property) {
          if (property === 'metagraph' && down) return () => Promise.reject(new Error('connection refused'));
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      }) as Chain;
      const network = await devnetNetwork({ devnet, handle: { chain: flaky } });
      const app = engine(network);
      await app.handlers['neuron.start']({});
      down = true;
      devnet.chain.advance(1);
      const failing = await until(async () => {
        const s = await app.handlers['neuron.status']({});
        return s.alerts.length > 0 ? s : undefined;
      });
      expect(failing.alerts).toMatchObject([
        { kind: 'chain_unreachable', severity: 'error', message: expect.stringMatching(/connection refused/) },
      ]);
      expect(failing.state).toBe('running');
      down = false;
      devnet.chain.advance(1);
      await until(async () => (await app.handlers['neuron.status']({})).alerts.length === 0);
    },
  );

  it(
    'a stop asked while the miner starts waits for it, then stops it and forgets it',
    { timeout: 60_000 },
    async () => {
      const network = await devnetNetwork();
      const app = engine(network);
      const starting = app.handlers['neuron.start']({});
      const stopped = await app.handlers['neuron.stop']({});
      expect((await starting).state).toBe('running');
      expect(stopped).toMatchObject({ state: 'stopped', axon: null });
      expect(app.settings.get().minerEnabled).toBe(false);
    },
  );

  it('fails the start when the model cannot be loaded, with the model_failed alert', { timeout: 60_000 }, async () => {
    const broken = join(tempDir(), 'broken-musicgen');
    cpSync(TINY_MODEL_DIR, broken, { recursive: true });
    writeFileSync(join(broken, 'onnx', 'decoder_model_merged.onnx'), 'not an onnx graph');
    const network = await devnetNetwork({ handle: { localModelDir: broken } });
    const app = engine(network);
    const error = await failure(app.handlers['neuron.start']({}));
    expect(error.message).toMatch(/The model broken-musicgen could not be loaded/);
    const status = await app.handlers['neuron.status']({});
    expect(status).toMatchObject({ state: 'failed', axon: null, error: { code: 'model_failed' } });
    expect(status.alerts).toMatchObject([{ kind: 'model_failed', severity: 'error' }]);
    // A miner that never ran is not remembered as running.
    expect(app.settings.get().minerEnabled).toBeNull();
  });
});
