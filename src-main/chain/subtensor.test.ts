/**
 * The real @polkadot/api path, offline: SubtensorChain talks over a real WebSocket to a fake node
 * that carries finney's spec-393 metadata, so every call is built, signed and decoded exactly as
 * for finney. Needs ../shared/fixtures/finney-metadata-v16-spec393.scale; skips without it, except
 * in CI, where its absence fails the run.
 */
import { readFileSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { ChainError } from './errors.js';
import { SubtensorChain, poolRejection } from './subtensor.js';
import { FakeSubtensorNode } from './testing/fake-node.js';
import { answerMetagraph } from './testing/metagraph-answer.js';
import { FINNEY_METADATA, sharedFixture } from './testing/shared-fixtures.js';
import type { ChainConnection } from './types.js';
import type { Logger } from '../log/logger.js';

const FIXTURE = sharedFixture(FINNEY_METADATA, 'the @polkadot/api chain tests');
const hasFixture = FIXTURE !== undefined;

let alice: KeyringPair;
let bob: KeyringPair;
let node: FakeSubtensorNode;
let chain: SubtensorChain;

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
});

beforeEach(async () => {
  if (!hasFixture) return;
  node = await FakeSubtensorNode.start({ metadata: readFileSync(FIXTURE ?? '') });
  chain = await SubtensorChain.connect({
    endpoint: node.url,
    backoff: { initialMs: 50, maxMs: 200 },
    inclusionTimeoutMs: 10_000,
  });
});

afterEach(async () => {
  if (!hasFixture) return;
  await chain.close();
  await node.stop();
});

function lastCall() {
  const ex = node.received.at(-1);
  if (!ex) throw new Error('nothing was submitted');
  return {
    section: ex.method.section,
    method: ex.method.method,
    args: ex.method.args.map((a) => a.toJSON()),
    signer: ex.signer.toString(),
    nonce: ex.nonce.toNumber(),
  };
}

describe.skipIf(!hasFixture)('SubtensorChain on @polkadot/api (finney spec 393 metadata)', () => {
  it('connects, reads the runtime version and reports the state', () => {
    expect(chain.connection).toEqual({ status: 'connected', endpoint: node.url, specVersion: 393, chain: 'Bittensor' });
  });

  it('reads the metagraph of a subnet in one runtime call', async () => {
    answerMetagraph(node, [alice.address, bob.address]);
    const graph = await chain.metagraph(50);
    expect(graph).toMatchObject({ netuid: 50, block: 4_000_000, tempo: 360 });
    expect(graph.neurons).toHaveLength(2);
    expect(graph.neurons[0]).toEqual({
      uid: 0,
      hotkey: alice.address,
      coldkey: bob.address,
      active: true,
      axon: { block: 3_999_000, version: 10002000, ip: '198.51.100.20', port: 8091, ipType: 4, protocol: 4 },
      validatorPermit: true,
      alphaStake: 123_456_789_000n,
      totalStake: 200_000_000_000n,
      emission: 1_500_000_000n,
      incentive: 0,
      dividends: 1,
      consensus: 0,
      lastUpdate: 3_999_900,
      blockAtRegistration: 100,
    });
    expect(graph.neurons[1]?.incentive).toBeCloseTo(0.5, 4);
    expect(graph.neurons[1]?.axon.ip).toBe('0.0.0.0');
    expect(await chain.uidOf(50, bob.address)).toBe(1);
    expect(await chain.uidOf(50, '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y')).toBeUndefined(); // //Charlie
  });

  it('reads hyperparameters and the registration cost through get_selective_metagraph', async () => {
    answerMetagraph(node, [alice.address, bob.address]);
    expect(await chain.hyperparameters(50)).toEqual({
      tempo: 360,
      immunityPeriod: 4096,
      weightsRateLimit: 100,
      minAllowedWeights: 8,
      maxWeightsLimit: 65535,
      weightsVersionKey: 10002000n,
      commitRevealEnabled: true,
      revealPeriodEpochs: 1,
      servingRateLimit: 50,
      maxAllowedValidators: 64,
      maxAllowedUids: 256,
      activityCutoff: 5000,
      registrationAllowed: true,
      burn: 250_000_000n,
    });
    expect(await chain.registrationCost(50)).toBe(250_000_000n);
  });

  it('reads the runtime capabilities again after a runtime upgrade', async () => {
    const before = chain.capabilities();
    expect(before.specVersion).toBe(393);
    expect(chain.capabilities()).toBe(before);
    node.upgradeRuntime(394);
    await vi.waitFor(() => expect(chain.api.runtimeVersion.specVersion.toNumber()).toBe(394));
    const after = chain.capabilities();
    expect(after).not.toBe(before);
    expect(after.specVersion).toBe(394);
    expect(after.hasCall('subtensorModule.setMechanismWeights')).toBe(true);
  });

  it('says a subnet does not exist only when NetworksAdded says so', async () => {
    node.runtimeCalls.set('SubnetInfoRuntimeApi_get_metagraph', () => new Uint8Array([0]));
    const failure = await chain.metagraph(99).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ChainError);
    expect(failure).toMatchObject({ kind: 'subnet-missing', message: 'Subnet 99 does not exist on this chain.' });
  });

  it('reads an existing subnet through get_neurons_lite and storage when get_metagraph answers None', async () => {
    const query = chain.api.query['subtensorModule'];
    const setStorage = (item: string, keys: unknown[], type: string, value: unknown): void => {
      const key = query?.[item]?.key(...keys);
      if (!key) throw new Error(`no storage item ${item}`);
      node.storage.set(key, u8aToHex(chain.api.createType(type, value).toU8a()));
    };
    setStorage('networksAdded', [50], 'bool', true);
    setStorage('tempo', [50], 'u16', 99);
    setStorage('totalHotkeyAlpha', [alice.address, 50], 'u64', 7_000_000_000n);
    setStorage('totalHotkeyAlpha', [bob.address, 50], 'u64', 3_000_000_000n);
    node.runtimeCalls.set('SubnetInfoRuntimeApi_get_metagraph', () => new Uint8Array([0]));
    const liteType = node.runtimeOutputType('NeuronInfoRuntimeApi', 'get_neurons_lite');
    const lite = (uid: number, hotkey: string) => ({
      hotkey,
      coldkey: bob.address,
      uid,
      netuid: 50,
      active: true,
      axonInfo: { block: 10, version: 1, ip: 3325256724n, port: 8091, ipType: 4, protocol: 4 },
      stake: [[bob.address, 5_000_000_000n]],
      emission: 42n,
      incentive: 65535,
      dividends: 0,
      consensus: 32768,
      lastUpdate: 77,
      validatorPermit: uid === 0,
    });
    const answer = node.registry.createType(liteType, [lite(1, bob.address), lite(0, alice.address)]).toU8a();
    node.runtimeCalls.set('NeuronInfoRuntimeApi_get_neurons_lite', () => answer);

    const graph = await chain.metagraph(50);
    expect(graph).toMatchObject({ netuid: 50, tempo: 99 });
    expect(graph.neurons.map((n) => n.uid)).toEqual([0, 1]);
    expect(graph.neurons[0]).toMatchObject({
      hotkey: alice.address,
      coldkey: bob.address,
      axon: { ip: '198.51.100.20', port: 8091, ipType: 4 },
      validatorPermit: true,
      // TotalHotkeyAlpha wins over the lite struct's stake list where storage has it.
      alphaStake: 7_000_000_000n,
      emission: 42n,
      incentive: 1,
      lastUpdate: 77,
    });
    expect(graph.neurons[1]?.alphaStake).toBe(3_000_000_000n);
    expect(graph.neurons[1]?.consensus).toBeCloseTo(0.5, 4);
  });

  it('reads what the neuron loops need from the current runtime’s storage and events', async () => {
    const query = chain.api.query;
    const set = (key: string | undefined, type: string, value: unknown): void => {
      if (!key) throw new Error('no such storage item');
      node.storage.set(key, u8aToHex(chain.api.createType(type, value).toU8a()));
    };
    set(query['subtensorModule']?.['networksAdded']?.key(50), 'bool', true);
    set(query['subtensorModule']?.['stakeThreshold']?.key(), 'u64', 1000n);
    set(query['subtensorModule']?.['commitRevealWeightsVersion']?.key(), 'u16', 4);
    set(query['subtensorModule']?.['commitRevealWeightsEnabled']?.key(50), 'bool', true);
    set(query['subtensorModule']?.['weightsSetRateLimit']?.key(50), 'u64', 100);
    set(query['drand']?.['lastStoredRound']?.key(), 'u64', 123_456n);
    set(query['subtensorModule']?.['totalHotkeyAlpha']?.key(alice.address, 50), 'u64', 70n);
    set(query['subtensorModule']?.['totalHotkeyAlpha']?.key(alice.address, 3), 'u64', 30n);
    const commit = [u8aToHex(new Uint8Array(32).fill(7)), 10, 20, 30];
    set(query['subtensorModule']?.['weightCommits']?.key(4096 + 50, alice.address), 'Vec<(H256,u64,u64,u64)>', [
      commit,
    ]);

    // The alpha price: the swap runtime API where the runtime has it, else the pool's reserves.
    if (chain.capabilities().hasApi('swapRuntimeApi.currentAlphaPrice')) {
      node.runtimeCalls.set('SwapRuntimeApi_current_alpha_price', () =>
        chain.api.createType('u64', 25_000_000n).toU8a(),
      );
      expect(await chain.alphaPrice(50)).toBe(25_000_000n);
    } else {
      set(query['subtensorModule']?.['subnetTAO']?.key(50), 'u64', 500_000_000_000n);
      set(query['subtensorModule']?.['subnetAlphaIn']?.key(50), 'u64', 20_000_000_000_000n);
      expect(await chain.alphaPrice(50)).toBe(25_000_000n);
    }
    expect(await chain.stakeThreshold()).toBe(1000n);
    expect(await chain.commitRevealVersion()).toBe(4);
    expect(await chain.commitRevealEnabled(50)).toBe(true);
    expect(await chain.weightsSetRateLimit(50)).toBe(100);
    expect(await chain.lastDrandRound()).toBe(123_456n);
    expect(await chain.hotkeyStake(alice.address, 50)).toEqual({ onSubnet: 70n, total: 100n });
    expect(await chain.freeBalance(bob.address)).toBe(0n);
    expect(await chain.pendingWeightCommits(50, alice.address, 1)).toEqual([
      { hash: commit[0], committedAt: 10, firstRevealBlock: 20, lastRevealBlock: 30 },
    ]);
    expect(await chain.pendingWeightCommits(50, alice.address)).toEqual([]);

    node.nextBlockEvents.push(['SubtensorModule', 'IncentiveAlphaEmittedToMiners', [4096 + 50, [5n, 0n, 9n]]]);
    const block = node.produceBlock();
    expect(await chain.minerRewardEvents(block.number)).toEqual([
      { netuid: 50, mechanismId: 1, emissions: [5n, 0n, 9n] },
    ]);

    // Timelocked reveals are confirmed by the chain's event, per subnet (any mechanism).
    node.nextBlockEvents.push(['SubtensorModule', 'TimelockedWeightsRevealed', [4096 + 50, alice.address]]);
    node.nextBlockEvents.push(['SubtensorModule', 'TimelockedWeightsRevealed', [7, bob.address]]);
    const revealed = node.produceBlock();
    expect(await chain.timelockedWeightsRevealed(50, revealed.number)).toEqual([alice.address]);
    expect(await chain.timelockedWeightsRevealed(7, revealed.number)).toEqual([bob.address]);
    expect(await chain.timelockedWeightsRevealed(50, block.number)).toEqual([]);
  });

  it('serve_axon: hotkey-signed, IP as u128 with its type', async () => {
    const result = await chain.serveAxon(alice, { netuid: 50, ip: '198.51.100.20', port: 8091, version: 10002000 });
    expect(result).toMatchObject({ ok: true, blockNumber: 1 });
    expect(lastCall()).toMatchObject({
      section: 'subtensorModule',
      method: 'serveAxon',
      signer: alice.address,
      args: [50, 10002000, 3325256724, 8091, 4, 4, 0, 0],
    });
  });

  it('serve_axon with IPv6', async () => {
    await chain.serveAxon(alice, { netuid: 50, ip: '2001:db8::1', port: 8091, version: 1 });
    const args = lastCall().args;
    expect(BigInt(String(args[2]))).toBe(42540766411282592856903984951653826561n);
    expect(args[4]).toBe(6);
  });

  it('burned_register: coldkey-signed, names the hotkey', async () => {
    expect((await chain.burnedRegister(bob, 50, alice.address)).ok).toBe(true);
    expect(lastCall()).toMatchObject({ method: 'burnedRegister', signer: bob.address, args: [50, alice.address] });
  });

  it('set_mechanism_weights as Python 10.x sends it', async () => {
    await chain.setWeights(alice, { netuid: 50, uids: [0, 3, 7], weights: [65535, 100, 1], versionKey: 10002000n });
    expect(lastCall()).toMatchObject({
      method: 'setMechanismWeights',
      args: [50, 0, [0, 3, 7], [65535, 100, 1], 10002000],
    });
  });

  it('commit-reveal v2: commit the hash, reveal the values', async () => {
    const hash = new Uint8Array(32).fill(7);
    await chain.commitWeights(alice, 50, hash);
    expect(lastCall()).toMatchObject({ method: 'commitMechanismWeights', args: [50, 0, u8aToHex(hash)] });
    await chain.revealWeights(alice, {
      netuid: 50,
      uids: [1, 2],
      weights: [65535, 5],
      salt: [9, 8, 7],
      versionKey: 3n,
    });
    expect(lastCall()).toMatchObject({
      method: 'revealMechanismWeights',
      args: [50, 0, [1, 2], [65535, 5], [9, 8, 7], 3],
    });
  });

  it('timelocked commit (commit-reveal v4)', async () => {
    const commit = new Uint8Array([1, 2, 3, 4, 5]);
    await chain.commitTimelockedWeights(alice, { netuid: 50, commit, revealRound: 123456789n, commitRevealVersion: 4 });
    expect(lastCall()).toMatchObject({
      method: 'commitTimelockedMechanismWeights',
      args: [50, 0, '0x0102030405', 123456789, 4],
    });
  });

  it('gives back-to-back submissions consecutive explicit nonces', async () => {
    node.autoProduce = false;
    const pending = [
      chain.setWeights(alice, { netuid: 50, uids: [1], weights: [1], versionKey: 0n }),
      chain.setWeights(alice, { netuid: 50, uids: [2], weights: [1], versionKey: 0n }),
      chain.setWeights(alice, { netuid: 50, uids: [3], weights: [1], versionKey: 0n }),
    ];
    // One at a time per signer: produce a block whenever something waits in the pool.
    const timer = setInterval(() => node.pool.length > 0 && node.produceBlock(), 20);
    const results = await Promise.all(pending);
    clearInterval(timer);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(node.received.map((ex) => ex.nonce.toNumber())).toEqual([0, 1, 2]);
  });

  it('maps a module error to its name and a message for people', async () => {
    const pallet = node.metadata.asLatest.pallets.find((p) => p.name.toString() === 'SubtensorModule');
    node.outcome = () => ({ module: { index: pallet?.index.toNumber() ?? 7, error: 28 } });
    const result = await chain.setWeights(alice, { netuid: 50, uids: [1], weights: [1], versionKey: 0n });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.name).toBe('SettingWeightsTooFast');
      expect(result.error.message).toMatch(/rate limit|too recently/i);
    }
  });

  it('reconnects after a drop, says so, and keeps delivering new blocks', async () => {
    const states: ChainConnection['status'][] = [];
    chain.onConnection((s) => states.push(s.status));
    const blocks: number[] = [];
    chain.onNewBlock((b) => blocks.push(b));
    node.produceBlock();
    await expect.poll(() => blocks.includes(1)).toBe(true);
    node.dropConnections();
    await expect.poll(() => states.includes('disconnected')).toBe(true);
    await expect.poll(() => chain.connection.status, { timeout: 5000 }).toBe('connected');
    node.produceBlock();
    await expect.poll(() => blocks.includes(2), { timeout: 5000 }).toBe(true);
  });

  it('a submission made while the node is down waits and lands once', async () => {
    await node.pauseListening();
    await expect.poll(() => chain.connection.status).toBe('disconnected');
    const pending = chain.setWeights(alice, { netuid: 50, uids: [1], weights: [1], versionKey: 0n });
    await node.resumeListening();
    const result = await pending;
    expect(result.ok).toBe(true);
    expect(node.inclusions(result.txHash ?? '')).toBe(1);
  });

  it('a drop after the pool took the transaction: no resend, it lands once', async () => {
    node.dropAfterNextAccept = true;
    const pending = chain.setWeights(alice, { netuid: 50, uids: [4], weights: [1], versionKey: 0n });
    await expect.poll(() => chain.connection.status).toBe('disconnected');
    await expect.poll(() => chain.connection.status, { timeout: 5000 }).toBe('connected');
    node.produceBlock();
    const result = await pending;
    expect(result.ok).toBe(true);
    expect(node.received).toHaveLength(1);
    expect(node.inclusions(result.txHash ?? '')).toBe(1);
  });

  it('a drop after inclusion but before the news: found in the block, not sent again', async () => {
    node.dropAfterNextBlock = true;
    const result = await chain.setWeights(alice, { netuid: 50, uids: [5], weights: [1], versionKey: 0n });
    expect(result).toMatchObject({ ok: true, blockNumber: 1 });
    expect(node.received).toHaveLength(1);
    expect(node.inclusions(result.txHash ?? '')).toBe(1);
  });
});

describe.skipIf(!hasFixture)('SubtensorChain on an old runtime version', () => {
  it('reports that the runtime is older than the target, in the connection state and the log', async () => {
    await chain.close();
    await node.stop();
    node = await FakeSubtensorNode.start({ metadata: readFileSync(FIXTURE ?? ''), specVersion: 300 });
    const warnings: string[] = [];
    const log = { ...silentLog(), warn: (message: string) => warnings.push(message) };
    chain = await SubtensorChain.connect({ endpoint: node.url, log });
    expect(chain.connection).toMatchObject({ status: 'connected', specVersion: 300 });
    const warning = chain.connection.status === 'connected' ? chain.connection.warning : undefined;
    expect(warning).toMatch(/spec 300, older than 365/);
    expect(warnings).toEqual([warning]);
  });
});

describe('connecting', () => {
  it('says at once that a port with nothing listening refused the connection', async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const log = { ...silentLog(), warn: (message: string) => warnings.push(message) };
    const failure = await SubtensorChain.connect({ endpoint: `ws://127.0.0.1:${port}`, log }).catch((e: unknown) => e);
    // The refusal is the whole story: no "lost the connection" warning ahead of it.
    expect(warnings).toEqual([]);
    expect(failure).toBeInstanceOf(ChainError);
    expect(failure).toMatchObject({ kind: 'refused' });
    expect((failure as Error).message).toBe(
      `The chain endpoint ws://127.0.0.1:${port} refused the connection: nothing is listening there. Is the node running on that port?`,
    );
  });

  it('keeps the timeout for an endpoint that accepts and stays silent', async () => {
    const server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      const failure = await SubtensorChain.connect({ endpoint: `ws://127.0.0.1:${port}` }, 300).catch(
        (e: unknown) => e,
      );
      expect(failure).toMatchObject({ kind: 'timeout' });
      expect((failure as Error).message).toMatch(/No answer from the chain/);
    } finally {
      server.close();
    }
  });
});

describe('chain helpers', () => {
  it('explains pool rejections', () => {
    expect(poolRejection(new Error('1010: Invalid Transaction: Transaction is outdated')).message).toMatch(/outdated/);
    expect(poolRejection(new Error('1013: Transaction Already Imported')).message).toMatch(
      /already has this transaction/,
    );
  });
});

function silentLog(): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    child: () => log,
  };
  return log;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
