/**
 * ChainWeightSetter against a real subtensor runtime (issue #12 acceptance): raonet's spec 218 under
 * chopsticks on loopback. Plain set_weights lands as processed; with commit-reveal switched on (a
 * dev storage override, as the owner's sudo call would) the setter commits, waits, and reveals in
 * the window the chain stored for the commit. Spec 218 has no CommitRevealWeightsVersion, so the
 * setter falls back from timelocked to commit-reveal v2 by itself.
 * Needs ../shared/fixtures/subtensor-raonet-spec218.json (CI: required).
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Codec } from '@polkadot/types/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubtensorChain } from '../chain/subtensor.js';
import type { ChopsticksNode } from '../chain/testing/chopsticks.js';
import { startSpec218Subnet } from '../chain/testing/spec218-subnet.js';
import { RAONET_SPEC_218, sharedFixture } from '../chain/testing/shared-fixtures.js';
import { openDatabase } from '../store/database.js';
import { WeightsStore } from '../store/weights-store.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { ChainWeightSetter } from './weight-setter.js';

const SPEC = sharedFixture(RAONET_SPEC_218, 'the weight setter against a real subtensor runtime (spec 218)');
const NETUID = 2;
const TEMPO = 10;

const tempDir = useTempDirs();

let node: ChopsticksNode;
let chain: SubtensorChain;
let coldkey: KeyringPair; // //Alice: funds, owns the subnet
let validator: KeyringPair; // //Charlie: uid 1, sets the weights

function query(item: string, ...keys: unknown[]): Promise<Codec> {
  const read = chain.api.query['subtensorModule']?.[item];
  if (!read) throw new Error(`no storage item ${item}`);
  return read(...keys);
}

beforeAll(async () => {
  if (!SPEC) return;
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const [alice, bob, charlie, dave] = ['//Alice', '//Bob', '//Charlie', '//Dave'].map((uri) =>
    keyring.addFromUri(uri),
  ) as [KeyringPair, KeyringPair, KeyringPair, KeyringPair];
  coldkey = alice;
  validator = charlie;
  ({ node, chain } = await startSpec218Subnet({ spec: SPEC, funder: coldkey, ownerHotkey: bob.address }));
  await node.setStorage({
    SubtensorModule: {
      Tempo: [[[NETUID], TEMPO]],
      WeightsSetRateLimit: [[[NETUID], 1]],
      MaxWeightsLimit: [[[NETUID], 65535]],
      // One weight is enough, so the scores take the SDK's normal (quantile) path.
      MinAllowedWeights: [[[NETUID], 1]],
      MaxRegistrationsPerBlock: [[[NETUID], 16]],
      TargetRegistrationsPerInterval: [[[NETUID], 16]],
    },
  });
  for (const hotkey of [charlie, dave]) {
    const registered = await chain.burnedRegister(coldkey, NETUID, hotkey.address);
    if (!registered.ok) throw new Error(`registration failed: ${registered.error.name}`);
  }
  // Permits are handed out at epochs; give them now so the validator may weigh other uids.
  await node.setStorage({ SubtensorModule: { ValidatorPermit: [[[NETUID], [true, true, true]]] } });
}, 180_000);

afterAll(async () => {
  if (!SPEC) return;
  await chain?.close();
  await node?.stop();
});

describe.skipIf(!SPEC)('ChainWeightSetter on the real spec-218 runtime (chopsticks)', () => {
  it('plain: set_weights lands with the processed u16 weights, and the next block waits the cadence', async () => {
    const setter = new ChainWeightSetter({
      chain,
      store: new WeightsStore(openDatabase(tempDir())),
      hotkey: validator,
      netuid: NETUID,
    });
    const scores = new Map([
      [0, 0.2],
      [2, 0.8],
    ]);
    const head = await chain.currentBlock();
    const submission = await setter.onBlock(head, scores);
    expect(submission).toMatchObject({ mode: 'plain', state: 'included', uids: [0, 2], weights: [16384, 65535] });
    expect(submission?.extrinsic).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await query('weights', NETUID, 1)).toJSON()).toEqual([
      [0, 16384],
      [2, 65535],
    ]);
    // The reference's 120-block floor applies above the subnet's rate limit of 1.
    expect(setter.status().nextBlock).toBe(head + 120);
    expect(await setter.onBlock(await chain.currentBlock(), scores)).toBeNull();
  }, 120_000);

  it('commit-reveal on: commits the hash, reveals inside the window the chain stored, weights applied', async () => {
    await node.setStorage({ SubtensorModule: { CommitRevealWeightsEnabled: [[[NETUID], true]] } });
    const store = new WeightsStore(openDatabase(tempDir()));
    const setter = new ChainWeightSetter({
      chain,
      store,
      hotkey: validator,
      netuid: NETUID,
    });
    const scores = new Map([
      [0, 0.5],
      [2, 0.5],
    ]);
    const committed = await setter.onBlock(await chain.currentBlock(), scores);
    expect(committed).toMatchObject({ mode: 'commit-reveal', state: 'committed', weights: [65535, 65535] });
    const [pending] = await chain.pendingWeightCommits(NETUID, validator.address);
    if (!pending) throw new Error('no pending commit on chain');
    expect(setter.status().pendingReveals).toBe(1);

    // Before the window nothing is revealed; then the setter reveals by itself, block by block.
    let head = await chain.currentBlock();
    while (head < pending.firstRevealBlock - 1) {
      expect(await setter.onBlock(head, scores)).toBeNull();
      await node.newBlocks(1);
      head = await chain.currentBlock();
    }
    expect(setter.status().pendingReveals).toBe(1);
    expect((await query('weights', NETUID, 1)).toJSON()).toEqual([
      [0, 16384],
      [2, 65535],
    ]);
    for (let tries = 0; setter.status().pendingReveals > 0 && tries < 3 * TEMPO; tries++) {
      await node.newBlocks(1);
      await setter.onBlock(await chain.currentBlock(), scores);
    }
    const row = setter.status().last;
    expect(row).toMatchObject({ id: committed?.id, state: 'revealed', error: null });
    expect((await query('weights', NETUID, 1)).toJSON()).toEqual([
      [0, 65535],
      [2, 65535],
    ]);
    expect(await chain.pendingWeightCommits(NETUID, validator.address)).toEqual([]);
    // The reveal landed inside the window the chain stored for the commit.
    const stored = store.get(committed?.id ?? -1);
    expect(stored.revealExtrinsic).toMatch(/^0x[0-9a-f]{64}$/);
    expect(stored.revealBlock).toBeGreaterThanOrEqual(pending.firstRevealBlock);
    expect(stored.revealBlock).toBeLessThanOrEqual(pending.lastRevealBlock);
  }, 180_000);
});
