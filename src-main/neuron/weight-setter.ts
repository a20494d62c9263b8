/**
 * Weights on chain (issue #12): on the chain's `WeightsSetRateLimit` cadence (never below the
 * reference's ~120 blocks), the validator's scores become u16 weights (weight-math.ts) and reach
 * the chain the way the subnet requires (chain §5): plain `set_weights`, commit-reveal v2 (hash
 * commit, reveal in the commit's reveal epoch), or timelocked (drand, revealed by the chain and
 * confirmed by its `TimelockedWeightsRevealed` event).
 *
 * Restart safety: every submission is written to the store *before* it is sent and updated with
 * its outcome, so after a kill -9 the cadence, the salts of pending commits and the submissions
 * whose outcome was never recorded are all on disk. The latter are reconciled against the chain
 * (LastUpdate, pending commits) rather than sent again.
 */
import { randomBytes } from 'node:crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { Chain } from '../chain/chain.js';
import { commitHash, netuidIndex } from '../chain/commit-hash.js';
import type { Hyperparameters, Metagraph, Netuid, Submission } from '../chain/types.js';
import { buildTimelockedCommit, SUPPORTED_COMMIT_REVEAL_VERSION, TimelockError } from '../chain/timelock/index.js';
import type { Logger } from '../log/logger.js';
import type { WeightsRecord, WeightsStore } from '../store/weights-store.js';
import { weightsForChain } from './weight-math.js';
import type { WeightSetter, WeightsMode, WeightsStatus, WeightsSubmission } from './validator-ports.js';

/** The reference validator sets weights about every 120 blocks; never more often than that by default. */
export const DEFAULT_MIN_INTERVAL_BLOCKS = 120;
/** After a refused submission, try again this many blocks later (the chain kept nothing). */
export const DEFAULT_RETRY_AFTER_BLOCKS = 10;
/** Blocks after a timelocked commit's reveal epoch before its reveal is reported missing. */
export const DEFAULT_REVEAL_GRACE_BLOCKS = 3;
/** Event reads per call while looking for a timelocked reveal (a restart may leave a window to scan). */
const MAX_EVENT_READS_PER_BLOCK = 50;
const SALT_LENGTH = 8;
const MAX_ALERTS = 10;

export interface ChainWeightSetterOptions {
  chain: Chain;
  store: WeightsStore;
  /** Signs every weights call. */
  hotkey: KeyringPair;
  netuid: Netuid;
  /** Forces a mode; by default it follows `CommitRevealWeightsEnabled` and what the runtime can do. */
  mode?: WeightsMode;
  /** Sent with the weights; default the subnet's `WeightsVersionKey` (the least the chain accepts). */
  versionKey?: bigint;
  /** Floor of the cadence; the chain's `WeightsSetRateLimit` applies when larger. Default 120. */
  minIntervalBlocks?: number;
  retryAfterBlocks?: number;
  revealGraceBlocks?: number;
  /** For the drand reveal round. Default 12. */
  blockTimeSeconds?: number;
  /** Unix milliseconds; the drand reveal round depends on it. */
  now?: () => number;
  /** A local beacon's key for tests; drand quicknet otherwise. */
  beaconPublicKey?: Uint8Array;
  log?: Logger;
  /**
   * Test-only; unset in production, where nothing waits. Awaited at the two points where a crash
   * test kills the process (kill -9), so the kill lands exactly there rather than after a guessed
   * sleep: see `WeightsCrashPoint`. A harness that never resolves it holds the process at that
   * point until it is killed (weight-setter-kill.runtime.test.ts).
   */
  crashPoint?: (point: WeightsCrashPoint, row: WeightsRecord) => Promise<void>;
}

/**
 * `sent`: the chain answered a set_weights or commit, its outcome not yet written (the row is still
 * `submitted`). `recorded`: the outcome written; a commit now waits for its reveal window.
 */
export type WeightsCrashPoint = 'sent' | 'recorded';

export class ChainWeightSetter implements WeightSetter {
  private readonly chain: Chain;
  private readonly store: WeightsStore;
  private readonly hotkey: KeyringPair;
  private readonly netuid: Netuid;
  private readonly minInterval: number;
  private readonly retryAfter: number;
  private readonly revealGrace: number;
  private readonly now: () => number;
  private readonly log: Logger | undefined;
  /** The larger of the floor and the last `WeightsSetRateLimit` read. */
  private interval: number;
  private mode: WeightsMode | null;
  /** Whether rows left `submitted` by a crash (or a thrown send) still need the chain's word. */
  private needsReconcile: boolean;
  /** Timelocked rows: the last block already searched for their reveal event. */
  private readonly scanned = new Map<number, number>();
  private readonly alerts: string[] = [];
  private busy = false;

  constructor(private readonly options: ChainWeightSetterOptions) {
    this.chain = options.chain;
    this.store = options.store;
    this.hotkey = options.hotkey;
    this.netuid = options.netuid;
    this.minInterval = positive(options.minIntervalBlocks ?? DEFAULT_MIN_INTERVAL_BLOCKS, 'minIntervalBlocks');
    this.retryAfter = positive(options.retryAfterBlocks ?? DEFAULT_RETRY_AFTER_BLOCKS, 'retryAfterBlocks');
    this.revealGrace = positive(options.revealGraceBlocks ?? DEFAULT_REVEAL_GRACE_BLOCKS, 'revealGraceBlocks', 0);
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.interval = this.minInterval;
    // What the store says survives a restart: the last weights, the open commits.
    const latest = this.store.latest(this.netuid, this.hotkey.address);
    this.mode = options.mode ?? latest?.mode ?? null;
    this.needsReconcile = this.openRows().some((row) => row.state === 'submitted');
  }

  status(): WeightsStatus {
    const latest = this.store.latest(this.netuid, this.hotkey.address);
    return {
      mode: this.mode,
      last: latest ? toSubmission(latest) : null,
      nextBlock: this.nextBlock(),
      pendingReveals: this.openRows().filter((row) => row.state === 'committed').length,
      alerts: [...this.alerts],
    };
  }

  async onBlock(block: number, scores: ReadonlyMap<number, number>): Promise<WeightsSubmission | null> {
    // Blocks arrive faster than a submission may take: one pass at a time, the next block retries.
    if (this.busy) return null;
    this.busy = true;
    try {
      if (this.needsReconcile) await this.reconcile();
      await this.followCommits(block);
      const next = this.nextBlock();
      if (next === null || block < next) return null;
      return await this.submit(block, scores);
    } catch (error) {
      // A chain read that failed (a dropped connection) or scores that cannot be weights: nothing
      // was sent, nothing is lost, and the next block tries again. The round loop keeps running.
      this.alert(`Weights: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    } finally {
      this.busy = false;
    }
  }

  // ---------------------------------------------------------------- cadence

  /** null while a submission's outcome is still unknown (it must be reconciled first). */
  private nextBlock(): number | null {
    const latest = this.store.latest(this.netuid, this.hotkey.address);
    if (!latest) return 0;
    if (latest.state === 'submitted') return null;
    return latest.block + (latest.state === 'failed' ? this.retryAfter : this.interval);
  }

  private openRows(): WeightsRecord[] {
    return this.store.open(this.netuid, this.hotkey.address);
  }

  // ---------------------------------------------------------------- submitting

  private async submit(block: number, scores: ReadonlyMap<number, number>): Promise<WeightsSubmission | null> {
    const [hyper, graph] = await Promise.all([
      this.chain.hyperparameters(this.netuid),
      this.chain.metagraph(this.netuid),
    ]);
    this.interval = Math.max(this.minInterval, hyper.weightsRateLimit);
    if (!graph.neurons.some((n) => n.hotkey === this.hotkey.address)) {
      this.alert(`The hotkey ${this.hotkey.address} is not registered on subnet ${this.netuid}; no weights are set.`);
      return null;
    }
    const mode = await this.chooseMode(hyper);
    this.mode = mode;
    const emit = weightsForChain({
      scores,
      numNeurons: graph.neurons.length,
      minAllowedWeights: hyper.minAllowedWeights,
      maxWeightsLimit: hyper.maxWeightsLimit,
      netuid: this.netuid,
    });
    if (emit.uids.length === 0) return null;
    const versionKey = this.options.versionKey ?? hyper.weightsVersionKey;
    const base = {
      time: new Date(this.now()).toISOString(),
      netuid: this.netuid,
      hotkey: this.hotkey.address,
      block,
      uids: emit.uids,
      weights: emit.weights,
      versionKey,
    };
    if (mode === 'plain') {
      const row = this.store.begin({ ...base, mode });
      return this.settle(row, () =>
        this.chain.setWeights(this.hotkey, { netuid: this.netuid, uids: emit.uids, weights: emit.weights, versionKey }),
      );
    }
    if (mode === 'commit-reveal') {
      const salt = randomSalt();
      const hash = commitHash({
        hotkey: this.hotkey.address,
        netuidIndex: netuidIndex(this.netuid),
        uids: emit.uids,
        values: emit.weights,
        salt,
        versionKey,
      });
      // The salt is on disk before the hash leaves: without it the commit could never be revealed.
      const row = this.store.begin({ ...base, mode, salt, commitHash: u8aToHex(hash) });
      return this.settle(row, () => this.chain.commitWeights(this.hotkey, this.netuid, hash));
    }
    return this.submitTimelocked(block, hyper, base);
  }

  private async submitTimelocked(
    block: number,
    hyper: Hyperparameters,
    base: Omit<Parameters<WeightsStore['begin']>[0], 'mode'>,
  ): Promise<WeightsSubmission | null> {
    const [version, nextEpochStartBlock, lastStoredRound] = await Promise.all([
      this.chain.commitRevealVersion(),
      this.chain.nextEpochBlock(this.netuid),
      this.chain.lastDrandRound(),
    ]);
    let built: ReturnType<typeof buildTimelockedCommit>;
    try {
      built = buildTimelockedCommit({
        hotkeyPublicKey: this.hotkey.publicKey,
        uids: base.uids,
        weights: base.weights,
        versionKey: base.versionKey,
        commitRevealVersion: version ?? 0,
        currentBlock: block,
        tempo: hyper.tempo,
        subnetRevealPeriodEpochs: hyper.revealPeriodEpochs,
        blockTimeSeconds: this.options.blockTimeSeconds ?? 12,
        nowSeconds: this.now() / 1000,
        netuid: this.netuid,
        // The reveal epoch follows the chain's own next epoch start (timelock §4.3).
        nextEpochStartBlock,
        ...(lastStoredRound === undefined ? {} : { lastStoredRound }),
        ...(this.options.beaconPublicKey ? { beaconPublicKey: this.options.beaconPublicKey } : {}),
      });
    } catch (error) {
      // Too close to an epoch start: the commit would count one epoch early. The next blocks are fine.
      if (error instanceof TimelockError && error.code === 'near-epoch-boundary') return null;
      const message = error instanceof Error ? error.message : String(error);
      const row = this.store.begin({ ...base, mode: 'timelocked' });
      this.alert(`Timelocked weights were not committed: ${message}`);
      return toSubmission(this.store.update(row.id, { state: 'failed', error: message }));
    }
    const row = this.store.begin({
      ...base,
      mode: 'timelocked',
      commitHash: blake2AsHex(built.commit, 256),
      revealRound: built.revealRound,
      firstRevealBlock: Number(built.plan.firstRevealBlock),
      lastRevealBlock: Number(built.plan.revealEpochEndBlock),
    });
    return this.settle(row, () =>
      this.chain.commitTimelockedWeights(this.hotkey, {
        netuid: this.netuid,
        commit: built.commit,
        revealRound: built.revealRound,
        commitRevealVersion: version ?? 0,
      }),
    );
  }

  /** Sends, then records the outcome. A send that throws leaves the row for the reconciliation. */
  private async settle(row: WeightsRecord, send: () => Promise<Submission>): Promise<WeightsSubmission> {
    let result: Submission;
    try {
      result = await send();
    } catch (error) {
      this.needsReconcile = true;
      this.alert(
        `Sending ${row.mode} weights failed before an outcome was known (${String(error)}); checking the chain.`,
      );
      return toSubmission(row);
    }
    await this.options.crashPoint?.('sent', row);
    const recorded = await this.record(row, result);
    await this.options.crashPoint?.('recorded', recorded);
    return toSubmission(recorded);
  }

  /** Writes the chain's answer to the row; a v2 commit also learns its reveal window. */
  private async record(row: WeightsRecord, result: Submission): Promise<WeightsRecord> {
    if (!result.ok) {
      this.alert(`The chain refused the ${row.mode} weights: ${result.error.name} (${result.error.message})`);
      return this.store.update(row.id, {
        state: 'failed',
        error: `${result.error.name}: ${result.error.message}`,
        extrinsic: result.txHash ?? null,
      });
    }
    const included = {
      extrinsic: result.txHash,
      ...(result.blockNumber === undefined ? {} : { includedBlock: result.blockNumber }),
    };
    if (row.mode === 'plain') return this.store.update(row.id, { ...included, state: 'included' });
    let updated = this.store.update(row.id, { ...included, state: 'committed' });
    if (row.mode === 'commit-reveal') updated = await this.learnRevealWindow(updated);
    this.log?.info(`weights committed (${row.mode})`, { id: row.id, block: result.blockNumber });
    return updated;
  }

  // ---------------------------------------------------------------- after a restart

  /**
   * Rows still `submitted` were written but their outcome never recorded (killed between send
   * and record, or the send threw). The chain tells which landed: LastUpdate moves on a
   * set_weights or a commit, and a v2 commit stays in `WeightCommits` until revealed.
   */
  private async reconcile(): Promise<void> {
    const rows = this.openRows().filter((row) => row.state === 'submitted');
    if (rows.length === 0) {
      this.needsReconcile = false;
      return;
    }
    const graph = await this.chain.metagraph(this.netuid);
    const lastUpdate = ownNeuron(graph, this.hotkey.address)?.lastUpdate ?? 0;
    for (const row of rows) {
      if (row.mode === 'commit-reveal') {
        const pending = await this.chain.pendingWeightCommits(this.netuid, this.hotkey.address);
        const found = pending.find((p) => p.hash === row.commitHash);
        if (found) {
          this.store.update(row.id, {
            state: 'committed',
            firstRevealBlock: found.firstRevealBlock,
            lastRevealBlock: found.lastRevealBlock,
          });
          continue;
        }
      } else if (lastUpdate >= row.block) {
        this.store.update(row.id, {
          state: row.mode === 'plain' ? 'included' : 'committed',
          includedBlock: lastUpdate,
        });
        continue;
      }
      const error = `not found on chain after a restart (LastUpdate ${lastUpdate}); not resent`;
      this.alert(`The ${row.mode} weights of block ${row.block} were ${error}.`);
      this.store.update(row.id, { state: 'failed', error });
    }
    this.needsReconcile = false;
  }

  // ---------------------------------------------------------------- reveals

  private async followCommits(block: number): Promise<void> {
    for (const row of this.openRows()) {
      if (row.state !== 'committed') continue;
      if (row.mode === 'commit-reveal') await this.revealV2(row, block);
      else if (row.mode === 'timelocked') await this.confirmTimelocked(row, block);
    }
  }

  /** Reads the reveal window the chain stored for a v2 commit. */
  private async learnRevealWindow(row: WeightsRecord): Promise<WeightsRecord> {
    const pending = await this.chain.pendingWeightCommits(this.netuid, this.hotkey.address);
    const found = pending.find((p) => p.hash === row.commitHash);
    if (!found) return row;
    return this.store.update(row.id, {
      firstRevealBlock: found.firstRevealBlock,
      lastRevealBlock: found.lastRevealBlock,
    });
  }

  private async revealV2(committed: WeightsRecord, block: number): Promise<void> {
    let row = committed;
    if (row.firstRevealBlock === null || row.lastRevealBlock === null) row = await this.learnRevealWindow(row);
    const { firstRevealBlock: first, lastRevealBlock: last } = row;
    if (first === null || last === null) {
      this.missing(row, 'the chain holds no such commit any more');
      return;
    }
    if (block < first) return;
    if (block > last) {
      this.missing(row, `its reveal window (blocks ${first}–${last}) passed without a reveal`);
      return;
    }
    const result = await this.chain.revealWeights(this.hotkey, {
      netuid: this.netuid,
      uids: row.uids,
      weights: row.weights,
      salt: row.salt ?? [],
      versionKey: row.versionKey,
    });
    if (result.ok) {
      this.store.update(row.id, {
        state: 'revealed',
        revealExtrinsic: result.txHash,
        ...(result.blockNumber === undefined ? {} : { revealBlock: result.blockNumber }),
      });
      this.log?.info('weights revealed', { id: row.id, block: result.blockNumber });
      return;
    }
    const { name, message } = result.error;
    // Early by a block (the node's head and ours differ): the next block tries again.
    if (name === 'RevealTooEarly') return;
    if (['ExpiredWeightCommit', 'NoWeightsCommitFound', 'InvalidRevealCommitHashNotMatch'].includes(name)) {
      this.missing(row, `the reveal was refused: ${name} (${message})`);
      return;
    }
    // Anything else may pass in a later block of the window; say so once per reason.
    this.alert(`Revealing the weights committed in block ${row.block} failed: ${name} (${message}); retrying.`);
  }

  private async confirmTimelocked(row: WeightsRecord, block: number): Promise<void> {
    const first = row.firstRevealBlock ?? row.block;
    const deadline = (row.lastRevealBlock ?? first) + this.revealGrace;
    const read = this.chain.timelockedWeightsRevealed?.bind(this.chain);
    if (read) {
      let from = Math.max(first, (this.scanned.get(row.id) ?? first - 1) + 1);
      const until = Math.min(block, deadline, from + MAX_EVENT_READS_PER_BLOCK - 1);
      for (; from <= until; from++) {
        if ((await read(this.netuid, from)).includes(this.hotkey.address)) {
          this.store.update(row.id, { state: 'revealed', revealBlock: from });
          this.scanned.delete(row.id);
          this.log?.info('timelocked weights revealed by the chain', { id: row.id, block: from });
          return;
        }
        this.scanned.set(row.id, from);
      }
      if ((this.scanned.get(row.id) ?? 0) < deadline) return;
      this.missing(row, `the chain did not reveal it by block ${deadline} (drand round ${row.revealRound})`);
      return;
    }
    if (block > deadline) this.missing(row, 'this chain connection cannot report reveals, so it is unconfirmed');
  }

  private missing(row: WeightsRecord, why: string): void {
    this.scanned.delete(row.id);
    this.store.update(row.id, { state: 'reveal_missing', error: why });
    this.alert(`The weights committed in block ${row.block} were not revealed: ${why}.`);
  }

  // ---------------------------------------------------------------- modes

  private async chooseMode(hyper: Hyperparameters): Promise<WeightsMode> {
    if (this.options.mode) return this.options.mode;
    if (!hyper.commitRevealEnabled) return 'plain';
    // The SDK commits timelocked whenever commit-reveal is on (chain §5); runtimes without it
    // (no CommitRevealWeightsVersion) or a version this client cannot build take v2.
    const version = await this.chain.commitRevealVersion();
    if (version === SUPPORTED_COMMIT_REVEAL_VERSION && this.chain.timelockedWeightsRevealed) return 'timelocked';
    return 'commit-reveal';
  }

  private alert(message: string): void {
    this.log?.warn(message);
    if (this.alerts.includes(message)) return;
    this.alerts.push(message);
    if (this.alerts.length > MAX_ALERTS) this.alerts.shift();
  }
}

function ownNeuron(graph: Metagraph, hotkey: string): Metagraph['neurons'][number] | undefined {
  return graph.neurons.find((n) => n.hotkey === hotkey);
}

function randomSalt(): number[] {
  const bytes = randomBytes(SALT_LENGTH * 2);
  return Array.from({ length: SALT_LENGTH }, (_, i) => bytes.readUInt16LE(i * 2));
}

function positive(value: number, name: string, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

function toSubmission(row: WeightsRecord): WeightsSubmission {
  return {
    id: row.id,
    mode: row.mode,
    block: row.block,
    uids: row.uids,
    weights: row.weights,
    extrinsic: row.extrinsic,
    state: row.state,
    error: row.error,
    time: row.time,
  };
}
