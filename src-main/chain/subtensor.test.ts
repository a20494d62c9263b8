/**
 * The real @polkadot/api path, offline: SubtensorChain talks over a real WebSocket to a fake node
 * that carries finney's spec-393 metadata, so every call is built, signed and decoded exactly as
 * for finney. Needs ../shared/fixtures/finney-metadata-v16-spec393.scale; skips without it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SubtensorChain, poolRejection } from './subtensor.js';
import { FakeSubtensorNode } from './testing/fake-node.js';
import { answerMetagraph } from './testing/metagraph-answer.js';
import type { ChainConnection } from './types.js';

const FIXTURE = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
  'finney-metadata-v16-spec393.scale',
);
const hasFixture = existsSync(FIXTURE);
if (!hasFixture) console.warn(`Skipping the @polkadot/api chain tests: no finney metadata at ${FIXTURE}`);

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
  node = await FakeSubtensorNode.start({ metadata: readFileSync(FIXTURE) });
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

  it('says clearly when a subnet does not exist', async () => {
    node.runtimeCalls.set('SubnetInfoRuntimeApi_get_metagraph', () => new Uint8Array([0]));
    await expect(chain.metagraph(99)).rejects.toThrow(/Subnet 99 does not exist/);
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

describe('chain helpers', () => {
  it('explains pool rejections', () => {
    expect(poolRejection(new Error('1010: Invalid Transaction: Transaction is outdated')).message).toMatch(/outdated/);
    expect(poolRejection(new Error('1013: Transaction Already Imported')).message).toMatch(
      /already has this transaction/,
    );
  });
});
