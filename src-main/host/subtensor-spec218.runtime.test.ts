/**
 * SubtensorChain against a real subtensor runtime: raonet's chain spec (spec 218, its wasm runtime)
 * run by chopsticks on loopback. Spec 218 predates the metagraph runtime API, typed runtime APIs
 * and mechanism calls, so this exercises every fallback path for real. Each write is confirmed by
 * reading storage directly. Needs ../shared/fixtures/subtensor-raonet-spec218.json (CI: required).
 *
 * The tests share one chain and run in order: later ones build on the registrations of earlier ones.
 */
import { Command } from 'commander';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Codec } from '@polkadot/types/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerChainCommands, terminalChainLog } from './commands/chain.js';
import { registerWalletCommands } from './commands/wallet.js';
import type { Logger } from '../log/logger.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { WalletStore } from '../wallet/store.js';
import { cachedNaclKdf } from '../wallet/test-kdf.js';
import { TV10, TV9 } from '../wallet/wire-protocol-vectors.js';
import { commitHash } from '../chain/commit-hash.js';
import { blocksUntilNextEpoch, revealWindow } from '../chain/epoch.js';
import { ChainError } from '../chain/errors.js';
import { SubtensorChain } from '../chain/subtensor.js';
import type { ChopsticksNode } from '../chain/testing/chopsticks.js';
import { startSpec218Subnet } from '../chain/testing/spec218-subnet.js';
import { RAONET_SPEC_218, sharedFixture } from '../chain/testing/shared-fixtures.js';
import type { ChainConnection } from '../chain/types.js';

const SPEC = sharedFixture(RAONET_SPEC_218, 'the tests against a real subtensor runtime (spec 218)');
const NETUID = 2;
/** Long enough that a commit and the next block can share an epoch, short enough to wait out. */
const TEMPO = 10;
const TAO = 1_000_000_000n;

const tempDir = useTempDirs();
const kdf = cachedNaclKdf();

let node: ChopsticksNode;
let chain: SubtensorChain;
const warnings: string[] = [];
let coldkey: KeyringPair; // //Alice: funds, owns the subnet
let owner: KeyringPair; // //Bob: the subnet owner's hotkey, uid 0
let miner: KeyringPair; // //Charlie: registered through SubtensorChain
let walletHotkey = ''; // registered through `bittaudio wallet register`

function query(item: string, ...keys: unknown[]): Promise<Codec> {
  const read = chain.api.query['subtensorModule']?.[item];
  if (!read) throw new Error(`no storage item ${item}`);
  return read(...keys);
}

function captureLog(): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
    child: () => log,
  };
  return log;
}

beforeAll(async () => {
  if (!SPEC) return;
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  [coldkey, owner, miner] = ['//Alice', '//Bob', '//Charlie'].map((uri) => keyring.addFromUri(uri)) as [
    KeyringPair,
    KeyringPair,
    KeyringPair,
  ];
  // Subnet 2 with //Bob as the owner's hotkey (uid 0), then quick, predictable parameters.
  ({ node, chain } = await startSpec218Subnet({
    spec: SPEC,
    funder: coldkey,
    ownerHotkey: owner.address,
    log: captureLog(),
  }));
  await node.setStorage({
    SubtensorModule: {
      Tempo: [[[NETUID], TEMPO]],
      WeightsSetRateLimit: [[[NETUID], 1]],
      MaxWeightsLimit: [[[NETUID], 65535]],
      MaxRegistrationsPerBlock: [[[NETUID], 16]],
      TargetRegistrationsPerInterval: [[[NETUID], 16]],
      ServingRateLimit: [[[NETUID], 50]],
    },
  });
}, 120_000);

afterAll(async () => {
  if (!SPEC) return;
  await chain?.close();
  await node?.stop();
});

describe.skipIf(!SPEC)(
  'SubtensorChain against subtensor spec 218 (raonet, under chopsticks)',
  { timeout: 60_000 },
  () => {
    it('connects, and says the runtime is older than the target and what degrades', () => {
      expect(chain.connection).toMatchObject({ status: 'connected', specVersion: 218 });
      const warning = (chain.connection as Extract<ChainConnection, { status: 'connected' }>).warning;
      expect(warning).toMatch(/spec 218, older than 365/);
      expect(warnings).toContain(warning);
    });

    it('reads the metagraph of an existing subnet without get_metagraph (get_neurons_lite + storage)', async () => {
      const graph = await chain.metagraph(NETUID);
      expect(graph.netuid).toBe(NETUID);
      expect(graph.tempo).toBe(TEMPO);
      expect(graph.neurons).toHaveLength(Number((await query('subnetworkN', NETUID)).toString()));
      expect(graph.neurons[0]).toMatchObject({ uid: 0, hotkey: owner.address, coldkey: coldkey.address });
      expect((await query('keys', NETUID, 0)).toString()).toBe(owner.address);
    });

    it('reads hyperparameters from storage, as stored', async () => {
      const hyper = await chain.hyperparameters(NETUID);
      expect(hyper).toMatchObject({ tempo: TEMPO, weightsRateLimit: 1, servingRateLimit: 50, maxWeightsLimit: 65535 });
      expect(hyper.burn).toBe(BigInt((await query('burn', NETUID)).toString()));
      expect(hyper.registrationAllowed).toBe((await query('networkRegistrationAllowed', NETUID)).toJSON());
      expect(await chain.registrationCost(NETUID)).toBe(hyper.burn);
    });

    it('tells a missing subnet from a runtime that lacks a call, in different words', async () => {
      const missing = await chain.metagraph(7).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(ChainError);
      expect(missing).toMatchObject({ kind: 'subnet-missing', message: 'Subnet 7 does not exist on this chain.' });
      await expect(chain.hyperparameters(7)).rejects.toMatchObject({ kind: 'subnet-missing' });

      const refused = await chain.commitTimelockedWeights(miner, {
        netuid: NETUID,
        commit: new Uint8Array([1, 2, 3]),
        revealRound: 1n,
        commitRevealVersion: 4,
      });
      expect(refused).toEqual({
        ok: false,
        error: {
          name: 'UnsupportedByRuntime',
          message:
            "This node's runtime (spec 218) cannot serve timelocked weight commits: it has no " +
            'SubtensorModule.commit_timelocked_mechanism_weights or commit_timelocked_weights. ' +
            'Connect to a node with a newer subtensor runtime.',
        },
      });
      const mechanism = await chain.setWeights(miner, {
        netuid: NETUID,
        mechanismId: 1,
        uids: [0],
        weights: [1],
        versionKey: 0n,
      });
      expect(mechanism).toMatchObject({ ok: false, error: { name: 'UnsupportedByRuntime' } });
    });

    it('burned_register: the coldkey pays the burn and the hotkey gets the next uid', async () => {
      const burn = await chain.registrationCost(NETUID);
      const before = await chain.freeBalance(coldkey.address);
      const result = await chain.burnedRegister(coldkey, NETUID, miner.address);
      expect(result).toMatchObject({ ok: true });
      expect((await query('uids', NETUID, miner.address)).toJSON()).toBe(1);
      expect((await query('owner', miner.address)).toString()).toBe(coldkey.address);
      const after = await chain.freeBalance(coldkey.address);
      // The burn plus a transaction fee.
      expect(before - after).toBeGreaterThanOrEqual(burn);
      expect(before - after).toBeLessThan(burn + TAO);
      expect(await chain.uidOf(NETUID, miner.address)).toBe(1);
    });

    it('names the module errors of a second registration and of a missing subnet', async () => {
      expect(await chain.burnedRegister(coldkey, NETUID, miner.address)).toMatchObject({
        ok: false,
        error: { name: 'HotKeyAlreadyRegisteredInSubNet' },
      });
      expect(await chain.burnedRegister(coldkey, 7, miner.address)).toMatchObject({
        ok: false,
        error: { name: 'SubNetworkDoesNotExist' },
      });
    });

    it('`bittaudio wallet register` registers a btcli wallet’s hotkey end to end', async () => {
      const root = tempDir();
      const store = new WalletStore({ root, env: {}, home: root, kdf });
      await store.regenerateColdkey('w', { mnemonic: TV9.mnemonic }, { password: TV10.password });
      walletHotkey = (await store.createHotkey('w', 'h', {})).ss58Address;
      const walletColdkey = await store.coldkeyAddress('w');
      await node.setStorage({
        System: { Account: [[[walletColdkey], { providers: 1, data: { free: (100n * TAO).toString() } }]] },
      });
      let out = '';
      const program = new Command('bittaudio').exitOverride();
      registerWalletCommands(program, {
        out: (text) => (out += text),
        err: () => undefined,
        promptSecret: async () => TV10.password,
        confirm: null,
        env: {},
        home: root,
        kdf,
      });
      const walletFlags = ['--wallet.path', root, '--wallet.name', 'w', '--wallet.hotkey', 'h'];
      const chainFlags = ['--netuid', String(NETUID), '--yes', '--subtensor.chain_endpoint', node.url];
      await program.parseAsync(['node', 'bittaudio', 'wallet', 'register', ...walletFlags, ...chainFlags]);
      expect(out).toMatch(new RegExp(`Registering hotkey ${walletHotkey} on subnet ${NETUID} burns [\\d.]+ TAO`));
      expect(out).toContain(`Registered: uid 2 on subnet ${NETUID}.`);
      expect((await query('uids', NETUID, walletHotkey)).toJSON()).toBe(2);
      expect((await query('owner', walletHotkey)).toString()).toBe(walletColdkey);
    });

    it('`bittaudio chain metagraph` and `chain hyperparameters` answer for the subnet', async () => {
      let out = '';
      const program = new Command('bittaudio').exitOverride();
      registerChainCommands(program, {
        out: (text) => (out += `${text}\n`),
        open: (endpoint) => SubtensorChain.connect({ endpoint, log: terminalChainLog((t) => (out += t)) }),
      });
      const endpoint = ['--subtensor.chain_endpoint', node.url];
      await program.parseAsync(['node', 'bittaudio', 'chain', 'metagraph', '--netuid', String(NETUID), ...endpoint]);
      await program.parseAsync([
        'node',
        'bittaudio',
        'chain',
        'hyperparameters',
        '--netuid',
        String(NETUID),
        ...endpoint,
      ]);
      expect(out).toMatch(/^Warning: The chain runs subtensor spec 218, older than 365/m);
      expect(out).toMatch(new RegExp(`^Subnet ${NETUID} at block \\d+ \\(tempo ${TEMPO}\\): 3 uids$`, 'm'));
      expect(out).toContain(walletHotkey);
      expect(out).toMatch(/^servingRateLimit\s+50$/m);
    });

    it('serve_axon over IPv4, its rate limit, a refused address, and IPv6', async () => {
      const v4 = await chain.serveAxon(miner, { netuid: NETUID, ip: '198.51.100.20', port: 8091, version: 10002000 });
      expect(v4).toMatchObject({ ok: true });
      expect((await query('axons', NETUID, miner.address)).toJSON()).toMatchObject({
        ip: 3325256724,
        port: 8091,
        ipType: 4,
        version: 10002000,
      });
      expect(
        await chain.serveAxon(miner, { netuid: NETUID, ip: '198.51.100.21', port: 8091, version: 1 }),
      ).toMatchObject({ ok: false, error: { name: 'ServingRateLimitExceeded' } });
      expect(await chain.serveAxon(owner, { netuid: NETUID, ip: '127.0.0.1', port: 8091, version: 1 })).toMatchObject({
        ok: false,
        error: { name: 'InvalidIpAddress' },
      });
      const v6 = await chain.serveAxon(owner, { netuid: NETUID, ip: '2001:db8::7', port: 9000, version: 1 });
      expect(v6).toMatchObject({ ok: true });
      const stored = (await query('axons', NETUID, owner.address)).toJSON() as { ip: string | number; ipType: number };
      expect(stored.ipType).toBe(6);
      expect(BigInt(stored.ip)).toBe(0x20010db8000000000000000000000007n);
      const graph = await chain.metagraph(NETUID);
      expect(graph.neurons[0]?.axon).toMatchObject({ ip: '2001:db8::7', port: 9000, ipType: 6 });
      expect(graph.neurons[1]?.axon).toMatchObject({ ip: '198.51.100.20', port: 8091, ipType: 4 });
    });

    it('set_weights: the plain call where the mechanism call does not exist; stored as sent', async () => {
      // Permits are handed out at epochs; set them so a non-self weight vector is allowed now.
      await node.setStorage({ SubtensorModule: { ValidatorPermit: [[[NETUID], [true, true, true]]] } });
      const result = await chain.setWeights(miner, {
        netuid: NETUID,
        uids: [0, 1, 2],
        weights: [1000, 2000, 65535],
        versionKey: 0n,
      });
      expect(result).toMatchObject({ ok: true });
      expect((await query('weights', NETUID, 1)).toJSON()).toEqual([
        [0, 1000],
        [1, 2000],
        [2, 65535],
      ]);
    });

    it('commit-reveal v2: commit with our hash, RevealTooEarly before the window, reveal inside it', async () => {
      await node.setStorage({ SubtensorModule: { CommitRevealWeightsEnabled: [[[NETUID], true]] } });
      expect(await chain.commitRevealEnabled(NETUID)).toBe(true);
      const reveal = {
        netuid: NETUID,
        uids: [0, 1, 2],
        weights: [65535, 30000, 10000],
        salt: [7, 8, 9],
        versionKey: 0n,
      };
      const hash = commitHash({ hotkey: miner.address, netuidIndex: NETUID, ...reveal, values: reveal.weights });
      // Commit where the next block is still in the commit's epoch, so an early reveal can be tried.
      const head = await chain.currentBlock();
      const until = blocksUntilNextEpoch(NETUID, TEMPO, head + 1);
      if (until < 2) await node.newBlocks(until + 1);
      const commitBlock = (await chain.currentBlock()) + 1;
      expect(await chain.commitWeights(miner, NETUID, hash)).toMatchObject({ ok: true, blockNumber: commitBlock });
      const [pending] = await chain.pendingWeightCommits(NETUID, miner.address);
      if (!pending) throw new Error('no pending commit');
      expect(pending.hash).toBe(u8aToHex(hash));
      // The runtime's reveal window is the one epoch.ts computes for the stateless schedule.
      const window = revealWindow(NETUID, TEMPO, commitBlock, 1);
      expect(pending).toMatchObject({ committedAt: commitBlock, firstRevealBlock: window.firstBlock });

      expect(await chain.revealWeights(miner, reveal)).toMatchObject({ ok: false, error: { name: 'RevealTooEarly' } });
      // The next transaction lands in the block after the head.
      const now = await chain.currentBlock();
      if (pending.firstRevealBlock > now + 1) await node.newBlocks(pending.firstRevealBlock - now - 1);
      expect(await chain.revealWeights(miner, reveal)).toMatchObject({ ok: true });
      expect((await query('weights', NETUID, 1)).toJSON()).toEqual([
        [0, 65535],
        [1, 30000],
        [2, 10000],
      ]);
      expect(await chain.pendingWeightCommits(NETUID, miner.address)).toEqual([]);
    });

    it('the reads the neuron loops use answer on this runtime', async () => {
      expect(await chain.weightsSetRateLimit(NETUID)).toBe(1);
      expect(await chain.stakeThreshold()).toBe(BigInt((await query('weightsMinStake')).toString()));
      expect(await chain.commitRevealVersion()).toBeUndefined();
      expect(await chain.lastDrandRound()).toBeUndefined();
      const stake = await chain.hotkeyStake(miner.address, NETUID);
      expect(stake.onSubnet).toBe(BigInt((await query('totalHotkeyAlpha', miner.address, NETUID)).toString()));
      expect(stake.total).toBeGreaterThanOrEqual(stake.onSubnet);
      expect(await chain.nextEpochBlock(NETUID)).toBeGreaterThan(await chain.currentBlock());
      await expect(chain.minerRewardEvents(1)).rejects.toMatchObject({ kind: 'unsupported' });
    });

    it('survives a node restart mid-subscription: reconnects and delivers new blocks again', async () => {
      const states: string[] = [];
      const offState = chain.onConnection((state) => states.push(state.status));
      const blocks: number[] = [];
      const offBlocks = chain.onNewBlock((block) => blocks.push(block));
      try {
        await node.restart();
        await waitFor(() => states.includes('disconnected') && chain.connection.status === 'connected');
        // The restarted node begins again from genesis: a new block must still reach the listener.
        blocks.length = 0;
        await node.newBlocks(1);
        await waitFor(() => blocks.length > 0);
        // The head may move on again before the subscription delivers it: the listener catches up.
        const head = await chain.currentBlock();
        await waitFor(() => (blocks.at(-1) ?? -1) >= head);
        expect(blocks.at(-1)).toBeGreaterThanOrEqual(head);
      } finally {
        offState();
        offBlocks();
      }
    });
  },
);

async function waitFor(condition: () => boolean, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
