/**
 * kill -9 of the validator's weights process mid-commit (issue #12 acceptance: "no weight
 * submission is duplicated or lost"), for real: the ChainWeightSetter runs in a child process
 * (testing/weights-crash-entry.ts) on a SQLite data folder, against raonet's spec-218 runtime under
 * chopsticks in a process of its own, so what reached the chain outlives the killed validator. The
 * in-process devnet chain cannot serve here: it lives and dies with the process that holds it.
 *
 * The harness stops at the exact point named by its crash hook (WeightsCrashPoint) and says so on
 * stdout; the test kills it with SIGKILL there, starts a new one on the same folder, steps the chain
 * block by block, and then reads the chain's blocks: one commit and one reveal inside the window
 * the chain stored (or one set_weights), never a second; one weights row with its outcome; the
 * moving averages untouched.
 * Needs ../shared/fixtures/subtensor-raonet-spec218.json (CI: required).
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { ValidatorScore } from '../../src-shared/schemas/validator.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SubtensorChain } from '../chain/subtensor.js';
import type { ChopsticksNode } from '../chain/testing/chopsticks.js';
import { RAONET_SPEC_218, sharedFixture } from '../chain/testing/shared-fixtures.js';
import { startSpec218Subnet } from '../chain/testing/spec218-subnet.js';
import { openDatabase } from '../store/database.js';
import { ValidatorStore } from '../store/validator-store.js';
import { WeightsStore, type WeightsRecord } from '../store/weights-store.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { validatorScope } from './testing/weights-crash-env.js';
import {
  bundleHarness,
  WeightsHarness,
  type HarnessBundle,
  type HarnessMessage,
} from './testing/weights-crash-process.js';
import type { WeightsCrashPoint } from './weight-setter.js';

const SPEC = sharedFixture(RAONET_SPEC_218, 'kill -9 of the weight setter against a real subtensor runtime (spec 218)');
const NETUID = 2;
const TEMPO = 10;

const tempDir = useTempDirs();

let node: ChopsticksNode;
let chain: SubtensorChain;
let bundle: HarnessBundle;
/** uid 0 (the subnet owner), then the three validators of the three tests. */
let keys: Record<'alice' | 'bob' | 'charlie' | 'dave' | 'eve', KeyringPair>;
const harnesses: WeightsHarness[] = [];

beforeAll(async () => {
  if (!SPEC) return;
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const pair = (name: string): KeyringPair => keyring.addFromUri(`//${name}`);
  keys = { alice: pair('Alice'), bob: pair('Bob'), charlie: pair('Charlie'), dave: pair('Dave'), eve: pair('Eve') };
  bundle = await bundleHarness();
  ({ node, chain } = await startSpec218Subnet({ spec: SPEC, funder: keys.alice, ownerHotkey: keys.bob.address }));
  await node.setStorage({
    SubtensorModule: {
      Tempo: [[[NETUID], TEMPO]],
      WeightsSetRateLimit: [[[NETUID], 1]],
      MaxWeightsLimit: [[[NETUID], 65535]],
      MinAllowedWeights: [[[NETUID], 1]],
      MaxRegistrationsPerBlock: [[[NETUID], 16]],
      TargetRegistrationsPerInterval: [[[NETUID], 16]],
    },
  });
  for (const hotkey of [keys.charlie, keys.dave, keys.eve]) {
    const registered = await chain.burnedRegister(keys.alice, NETUID, hotkey.address);
    if (!registered.ok) throw new Error(`registration failed: ${registered.error.name}`);
  }
  // Permits are handed out at epochs; give them now so each validator may weigh the others.
  await node.setStorage({ SubtensorModule: { ValidatorPermit: [[[NETUID], [true, true, true, true]]] } });
}, 180_000);

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.kill9();
});

afterAll(async () => {
  if (!SPEC) return;
  await chain?.close();
  await node?.stop();
  bundle?.remove();
});

type BlockMessage = Extract<HarnessMessage, { event: 'block' }>;
type PausedMessage = Extract<HarnessMessage, { event: 'paused' }>;

/** The moving averages a validator's earlier rounds left in its data folder. */
function seedScores(dataDir: string, validator: KeyringPair): Map<number, ValidatorScore> {
  const db = openDatabase(dataDir);
  try {
    const store = new ValidatorStore(db, dataDir);
    const scope = validatorScope(validator.address, NETUID);
    store.setScores(
      scope,
      [
        { uid: 0, hotkey: keys.bob.address, score: 0.125 },
        { uid: 1, hotkey: keys.charlie.address, score: 0.5 },
        { uid: 2, hotkey: keys.dave.address, score: 0.25 },
        { uid: 3, hotkey: keys.eve.address, score: 0.75 },
      ].filter((s) => s.hotkey !== validator.address),
      '2026-12-03T10:00:00.000Z',
    );
    return store.scores(scope);
  } finally {
    db.close();
  }
}

/** What the data folder holds, read after the harness is gone. */
function readFolder(
  dataDir: string,
  validator: KeyringPair,
): { rows: WeightsRecord[]; scores: Map<number, ValidatorScore> } {
  const db = openDatabase(dataDir);
  try {
    return {
      rows: new WeightsStore(db).list({ limit: 100 }),
      scores: new ValidatorStore(db, dataDir).scores(validatorScope(validator.address, NETUID)),
    };
  } finally {
    db.close();
  }
}

/** Every weights call the hotkey signed in blocks after `from`, by call name, with its block. */
async function weightCallsSince(from: number, signer: string): Promise<{ call: string; block: number }[]> {
  const head = await chain.currentBlock();
  const calls: { call: string; block: number }[] = [];
  for (let block = from + 1; block <= head; block++) {
    const { block: body } = await chain.api.rpc.chain.getBlock(await chain.api.rpc.chain.getBlockHash(block));
    for (const ex of body.extrinsics) {
      if (!ex.isSigned || ex.signer.toString() !== signer) continue;
      if (ex.method.section === 'subtensorModule' && /weights/i.test(ex.method.method))
        calls.push({ call: ex.method.method, block });
    }
  }
  return calls;
}

async function chainWeightsOf(uid: number): Promise<unknown> {
  const read = chain.api.query['subtensorModule']?.['weights'];
  if (!read) throw new Error('no Weights storage');
  return (await read(NETUID, uid)).toJSON();
}

function start(dataDir: string, validator: string, pauseAt?: WeightsCrashPoint): WeightsHarness {
  const harness = WeightsHarness.start({
    entry: bundle.entry,
    endpoint: node.url,
    dataDir,
    netuid: NETUID,
    hotkeyUri: validator,
    ...(pauseAt ? { pauseAt } : {}),
  });
  harnesses.push(harness);
  return harness;
}

/** Steps the chain a block at a time, waiting for the harness's pass over each, until `done`. */
async function stepUntil(
  harness: WeightsHarness,
  done: (message: BlockMessage) => boolean,
  maxBlocks: number,
): Promise<BlockMessage> {
  let last: BlockMessage | undefined;
  for (let step = 0; step < maxBlocks; step++) {
    await node.newBlocks(1);
    last = await harness.afterBlock(await chain.currentBlock());
    if (done(last)) return last;
  }
  throw new Error(`not done after ${maxBlocks} blocks; last status ${JSON.stringify(last?.status)}`);
}

const isPaused = (m: HarnessMessage): m is PausedMessage => m.event === 'paused';
const isReady = (m: HarnessMessage): m is Extract<HarnessMessage, { event: 'ready' }> => m.event === 'ready';

/**
 * Commit-reveal on: the first harness commits and is killed at `point`; the second reveals the
 * commit in its window, once.
 */
async function killMidCommit(validator: KeyringPair, uri: string, point: WeightsCrashPoint): Promise<void> {
  await node.setStorage({ SubtensorModule: { CommitRevealWeightsEnabled: [[[NETUID], true]] } });
  const uid = await chain.uidOf(NETUID, validator.address);
  if (uid === undefined) throw new Error('validator not registered');
  const dataDir = tempDir();
  const scoresBefore = seedScores(dataDir, validator);
  const startBlock = await chain.currentBlock();

  const first = start(dataDir, uri, point);
  await first.waitFor(isReady, 'ready');
  await node.newBlocks(1); // the setter's first block: the cadence allows a commit at once
  const paused = await first.waitFor(isPaused, `the ${point} crash point`);
  expect(paused).toMatchObject({ point, state: point === 'sent' ? 'submitted' : 'committed' });
  // The commit is on chain; the process is held at the crash point. kill -9 there.
  const [pending, ...more] = await chain.pendingWeightCommits(NETUID, validator.address);
  if (!pending) throw new Error('no pending commit on chain');
  expect(more).toEqual([]);
  await first.kill9();
  const killed = readFolder(dataDir, validator);
  expect(killed.rows).toHaveLength(1);
  expect(killed.rows[0]).toMatchObject({
    id: paused.row,
    mode: 'commit-reveal',
    state: point === 'sent' ? 'submitted' : 'committed',
    commitHash: pending.hash,
  });

  const second = start(dataDir, uri);
  const ready = await second.waitFor(isReady, 'ready');
  // The new process weighs with the moving averages on disk, as the first one did.
  expect(new Map(ready.scores)).toEqual(new Map([...scoresBefore.values()].map((s) => [s.uid, s.score])));
  await stepUntil(second, (m) => m.status.last?.state === 'revealed', 3 * TEMPO);
  // On to the end of the window: nothing more is sent for these weights.
  const end = await stepUntil(second, (m) => m.block > pending.lastRevealBlock, 3 * TEMPO);
  expect(end.status).toMatchObject({ pendingReveals: 0, alerts: [], last: { id: paused.row, state: 'revealed' } });
  await second.kill9();

  const calls = await weightCallsSince(startBlock, validator.address);
  expect(calls.map((c) => c.call)).toEqual(['commitWeights', 'revealWeights']);
  const reveal = calls[1]?.block ?? -1;
  expect(reveal).toBeGreaterThanOrEqual(pending.firstRevealBlock);
  expect(reveal).toBeLessThanOrEqual(pending.lastRevealBlock);
  expect(await chain.pendingWeightCommits(NETUID, validator.address)).toEqual([]);

  const after = readFolder(dataDir, validator);
  expect(after.rows).toHaveLength(1);
  const row = after.rows[0] as WeightsRecord;
  expect(row).toMatchObject({ id: paused.row, state: 'revealed', error: null, revealBlock: reveal });
  expect(row.revealExtrinsic).toMatch(/^0x[0-9a-f]{64}$/);
  expect(await chainWeightsOf(uid)).toEqual(row.uids.map((u, i) => [u, row.weights[i]]));
  expect(after.scores).toEqual(scoresBefore);
}

describe.skipIf(!SPEC)('kill -9 of the weights process mid-commit (spec-218 runtime under chopsticks)', () => {
  it('plain set_weights killed after sending, before its outcome is written: found by LastUpdate, never resent', async () => {
    await node.setStorage({ SubtensorModule: { CommitRevealWeightsEnabled: [[[NETUID], false]] } });
    const validator = keys.eve;
    const uid = await chain.uidOf(NETUID, validator.address);
    if (uid === undefined) throw new Error('validator not registered');
    const dataDir = tempDir();
    const scoresBefore = seedScores(dataDir, validator);
    const startBlock = await chain.currentBlock();

    const first = start(dataDir, '//Eve', 'sent');
    await first.waitFor(isReady, 'ready');
    await node.newBlocks(1);
    const paused = await first.waitFor(isPaused, 'the sent crash point');
    expect(paused).toMatchObject({ point: 'sent', state: 'submitted' });
    await first.kill9();
    expect(readFolder(dataDir, validator).rows).toMatchObject([{ id: paused.row, mode: 'plain', state: 'submitted' }]);

    const second = start(dataDir, '//Eve');
    await second.waitFor(isReady, 'ready');
    const settled = await stepUntil(second, (m) => m.status.last?.state !== 'submitted', TEMPO);
    // Five blocks more: the cadence (120 blocks) holds, nothing is sent again.
    const end = await stepUntil(second, (m) => m.block >= settled.block + 5, 10);
    expect(end.status).toMatchObject({ alerts: [], last: { id: paused.row, state: 'included' } });
    await second.kill9();

    const calls = await weightCallsSince(startBlock, validator.address);
    expect(calls.map((c) => c.call)).toEqual(['setWeights']);
    const after = readFolder(dataDir, validator);
    expect(after.rows).toHaveLength(1);
    const row = after.rows[0] as WeightsRecord;
    expect(row).toMatchObject({ id: paused.row, state: 'included', error: null, includedBlock: calls[0]?.block });
    expect(await chainWeightsOf(uid)).toEqual(row.uids.map((u, i) => [u, row.weights[i]]));
    expect(after.scores).toEqual(scoresBefore);
  }, 180_000);

  it('commit-reveal killed after the commit was sent, before its outcome is written: found in WeightCommits, revealed once in its window', async () => {
    await killMidCommit(keys.charlie, '//Charlie', 'sent');
  }, 180_000);

  it('commit-reveal killed after the commit was recorded, before its reveal: revealed once in its window, never committed again', async () => {
    await killMidCommit(keys.dave, '//Dave', 'recorded');
  }, 180_000);
});
