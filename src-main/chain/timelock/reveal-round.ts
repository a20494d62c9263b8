import { toInteger, U64_RANGE } from './bytes.js';
import { type DrandTiming, QUICKNET_TIMING, roundPublishedAt } from './drand.js';
import { TimelockError } from './errors.js';

/** Blocks the SDK adds after the first block of the reveal epoch (`SECURITY_BLOCK_OFFSET`). */
export const SECURITY_BLOCK_OFFSET = 3n;
/** Default refusal margin: do not commit this close to the next epoch start (§4.3). */
export const DEFAULT_MIN_BLOCKS_BEFORE_EPOCH_BOUNDARY = 6;
/** Storage index stride of mechanisms: netuid_index = mecid·4096 + netuid. */
export const MECHANISM_STRIDE = 4096;

/** Plain chain values the reveal round depends on; the chain client reads them and passes them in. */
export interface RevealRoundInput {
  /** Best block number now. */
  currentBlock: bigint | number;
  /** `SubtensorModule.Tempo(netuid)`. */
  tempo: number;
  /** `SubtensorModule.RevealPeriodEpochs(netuid)` (hyperparameter `commit_reveal_period`). */
  subnetRevealPeriodEpochs: number;
  /** Seconds per block (12 on mainnet; the SDK's default). */
  blockTimeSeconds: number;
  /** Local wall clock, unix seconds (may be fractional), NTP-synced. */
  nowSeconds: number;
  netuid: number;
  /** Mechanism id (0 = main mechanism). */
  mecid?: number;
  /**
   * Runtimes with the stateful epoch schedule (spec ≥ 423): the result of
   * `SubnetInfoRuntimeApi.get_next_epoch_start_block(netuid)` (or min(LastEpochBlock + tempo, PendingEpochAt ≠ 0)).
   * When given, the reveal epoch is derived from it (§4.3); when absent the SDK's legacy formula is used (§4.1).
   */
  nextEpochStartBlock?: bigint | number;
  /**
   * Legacy formula only, mecid > 0: the Python SDK feeds the storage index (mecid·4096 + netuid) into the
   * netuid slot; `'storage-index'` copies that quirk, `'netuid'` (default) uses the subnet's own phase.
   */
  legacyEpochPhase?: 'netuid' | 'storage-index';
  /** `Drand.LastStoredRound`; when given, a round below it is an error (`InvalidRevealRound` at dispatch). */
  lastStoredRound?: bigint | number;
  /** Refuse to commit this close to the next epoch start (default 6 blocks). */
  minBlocksBeforeEpochBoundary?: number;
  /** drand genesis/period; defaults to quicknet (`pallet_drand::BeaconConfig` defaults). */
  drand?: DrandTiming;
}

export type RevealRoundIssueCode =
  'below-last-stored-round' | 'near-epoch-boundary' | 'published-after-reveal-epoch' | 'published-before-reveal-epoch';

export interface RevealRoundIssue {
  code: RevealRoundIssueCode;
  /** `error`: the weights would be rejected or lost; `warning`: they would become readable early. */
  severity: 'error' | 'warning';
  message: string;
}

export interface RevealRoundPlan {
  revealRound: bigint;
  schedule: 'legacy' | 'next-epoch-start';
  /** First block of the epoch after the current one (where a commit that lands late would be counted). */
  nextEpochStartBlock: bigint;
  /** First block of the reveal epoch. */
  firstRevealBlock: bigint;
  /** firstRevealBlock + 3: the moment the round is aimed at. */
  targetBlock: bigint;
  /** First block after the reveal epoch (estimated): the round's pulse must be on chain before it. */
  revealEpochEndBlock: bigint;
  /** Unix time at which drand publishes `revealRound`. */
  roundPublishedAt: number;
  /** Estimated unix times at which the reveal epoch starts and ends (at `blockTimeSeconds` per block). */
  revealEpochStartsAt: number;
  revealEpochEndsAt: number;
  issues: RevealRoundIssue[];
}

function integer(value: number | bigint, label: string, min = 0n, max = U64_RANGE.max): bigint {
  return toInteger(value, label, min, max);
}

function saturatingSub(a: bigint, b: bigint): bigint {
  return a > b ? a - b : 0n;
}

/**
 * Chooses `reveal_round` as bittensor-drand 1.2.0 `generate_commit` does (§4.1), with the reveal epoch taken
 * from `nextEpochStartBlock` on stateful-epoch runtimes (§4.3), and reports what the chain requires (§4.2):
 * the round must not be below `LastStoredRound`, its pulse must exist before the reveal epoch ends, and the
 * commit should not be sent within a few blocks of the next epoch start.
 */
export function revealRoundFor(input: RevealRoundInput): RevealRoundPlan {
  const currentBlock = integer(input.currentBlock, 'currentBlock');
  const tempo = integer(input.tempo, 'tempo', 1n, 0xffffn);
  const period = integer(input.subnetRevealPeriodEpochs, 'subnetRevealPeriodEpochs', 0n, 0xffff_ffff_ffffn);
  const netuid = integer(input.netuid, 'netuid', 0n, 0xffffn);
  const mecid = integer(input.mecid ?? 0, 'mecid', 0n, 0xffn);
  const timing = input.drand ?? QUICKNET_TIMING;
  const { blockTimeSeconds, nowSeconds } = input;
  if (!Number.isFinite(blockTimeSeconds) || blockTimeSeconds <= 0) {
    throw new TimelockError('invalid-input', `blockTimeSeconds must be a positive number, got ${blockTimeSeconds}`);
  }
  if (!Number.isFinite(nowSeconds) || nowSeconds < 0) {
    throw new TimelockError('invalid-input', `nowSeconds must be a non-negative number, got ${nowSeconds}`);
  }
  if (nowSeconds > 1e11) {
    throw new TimelockError('invalid-input', `nowSeconds ${nowSeconds} looks like milliseconds; pass unix seconds`);
  }
  if (!Number.isFinite(timing.genesisTime) || !(timing.periodSeconds > 0)) {
    throw new TimelockError('invalid-input', 'drand timing: genesisTime and a positive periodSeconds are required');
  }
  const margin = integer(
    input.minBlocksBeforeEpochBoundary ?? DEFAULT_MIN_BLOCKS_BEFORE_EPOCH_BOUNDARY,
    'minBlocksBeforeEpochBoundary',
  );

  let schedule: RevealRoundPlan['schedule'];
  let nextEpochStartBlock: bigint;
  let firstRevealBlock: bigint;
  let revealEpochEndBlock: bigint;
  if (input.nextEpochStartBlock === undefined) {
    schedule = 'legacy';
    const phaseNetuid = input.legacyEpochPhase === 'storage-index' ? mecid * BigInt(MECHANISM_STRIDE) + netuid : netuid;
    const tempo1 = tempo + 1n;
    const net1 = phaseNetuid + 1n;
    const currentEpoch = (currentBlock + net1) / tempo1;
    firstRevealBlock = saturatingSub((currentEpoch + period) * tempo1, net1);
    nextEpochStartBlock = saturatingSub((currentEpoch + 1n) * tempo1, net1);
    revealEpochEndBlock = firstRevealBlock + tempo1;
  } else {
    schedule = 'next-epoch-start';
    nextEpochStartBlock = integer(input.nextEpochStartBlock, 'nextEpochStartBlock');
    if (nextEpochStartBlock < currentBlock) {
      throw new TimelockError(
        'invalid-input',
        `nextEpochStartBlock ${nextEpochStartBlock} is before currentBlock ${currentBlock}`,
      );
    }
    firstRevealBlock = saturatingSub(nextEpochStartBlock + period * tempo, tempo);
    revealEpochEndBlock = firstRevealBlock + tempo;
  }

  const targetBlock = firstRevealBlock + SECURITY_BLOCK_OFFSET;
  const blocks = saturatingSub(targetBlock, currentBlock);
  const seconds = Number(blocks) * blockTimeSeconds;
  let round = Math.floor((nowSeconds + seconds - timing.genesisTime) / timing.periodSeconds);
  if (!(round >= 1)) round = 1;
  const revealRound = BigInt(round);

  const at = (block: bigint): number => nowSeconds + Number(block - currentBlock) * blockTimeSeconds;
  const plan: RevealRoundPlan = {
    revealRound,
    schedule,
    nextEpochStartBlock,
    firstRevealBlock,
    targetBlock,
    revealEpochEndBlock,
    roundPublishedAt: roundPublishedAt(revealRound, timing),
    revealEpochStartsAt: at(firstRevealBlock),
    revealEpochEndsAt: at(revealEpochEndBlock),
    issues: [],
  };

  if (input.lastStoredRound !== undefined) {
    const last = integer(input.lastStoredRound, 'lastStoredRound');
    if (revealRound < last) {
      plan.issues.push({
        code: 'below-last-stored-round',
        severity: 'error',
        message: `reveal round ${revealRound} is below Drand.LastStoredRound ${last}: the chain rejects it (InvalidRevealRound); check the clock`,
      });
    }
  }
  const blocksToBoundary = nextEpochStartBlock - currentBlock;
  if (blocksToBoundary < margin) {
    plan.issues.push({
      code: 'near-epoch-boundary',
      severity: 'error',
      message: `only ${blocksToBoundary} block(s) before the next epoch starts at ${nextEpochStartBlock}: a commit landing there belongs to the next epoch and its round would be public one epoch early; wait for the new epoch`,
    });
  }
  if (plan.roundPublishedAt >= plan.revealEpochEndsAt) {
    plan.issues.push({
      code: 'published-after-reveal-epoch',
      severity: 'error',
      message: `round ${revealRound} is published after the reveal epoch is expected to end (block ${revealEpochEndBlock}): the weights would be dropped`,
    });
  }
  if (plan.roundPublishedAt < plan.revealEpochStartsAt) {
    plan.issues.push({
      code: 'published-before-reveal-epoch',
      severity: 'warning',
      message: `round ${revealRound} is published ${(plan.revealEpochStartsAt - plan.roundPublishedAt).toFixed(1)} s before the reveal epoch starts: the weights become readable early`,
    });
  }
  return plan;
}

/** Throws `reveal-round-rejected` / `near-epoch-boundary` for the plan's error-severity issues. */
export function assertRevealRoundUsable(plan: RevealRoundPlan): void {
  const error = plan.issues.find((issue) => issue.severity === 'error');
  if (!error) return;
  throw new TimelockError(
    error.code === 'near-epoch-boundary' ? 'near-epoch-boundary' : 'reveal-round-rejected',
    error.message,
  );
}
