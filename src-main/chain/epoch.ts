/**
 * Epoch timing: the stateless schedule subtensor used up to spec 411 (chain §7), as
 * its Rust code computes it (`blocks_until_next_epoch` / `should_run_epoch` / `get_epoch_index` /
 * `get_reveal_blocks`).
 *
 * Note on an off-by-one: the Rust doc comment (and chain.md §7) says epochs fire when
 * `(block + netuid + 1) % (tempo + 1) == 0`, but the code runs the epoch when
 * `tempo - (block + netuid + 1) % (tempo + 1) == 0`, i.e. when the remainder equals `tempo`. The
 * block where the remainder is 0 is the block *after* the epoch ran: the first block of the next
 * epoch *index* (what commit-reveal counts). We follow the code:
 *
 * - the epoch (consensus + emission) runs in block E where `(E + netuid + 1) % (tempo + 1) == tempo`;
 * - `epochIndex(b) = floor((b + netuid + 1) / (tempo + 1))`, so E is the last block of its index;
 * - epochs are `tempo + 1` blocks apart; `tempo == 0` means the subnet never runs an epoch.
 */

/** Blocks from `block` until the epoch runs (0 when it runs in `block` itself); Infinity for tempo 0. */
export function blocksUntilNextEpoch(netuid: number, tempo: number, block: number): number {
  if (tempo <= 0) return Number.POSITIVE_INFINITY;
  return tempo - ((block + netuid + 1) % (tempo + 1));
}

/** True when the epoch of `netuid` runs in `block`. */
export function isEpochBlock(netuid: number, tempo: number, block: number): boolean {
  return blocksUntilNextEpoch(netuid, tempo, block) === 0;
}

/**
 * The next block strictly after `block` in which the epoch runs (its emissions show up in that
 * block). Same meaning as the runtime API `get_next_epoch_start_block` of spec ≥ 424 ("the block
 * at which the next epoch is expected to fire") and the Python SDK's helper of the same name.
 * Tempo 0: never, so `Number.MAX_SAFE_INTEGER`.
 */
export function nextEpochBlockAfter(netuid: number, tempo: number, block: number): number {
  if (tempo <= 0) return Number.MAX_SAFE_INTEGER;
  const until = blocksUntilNextEpoch(netuid, tempo, block);
  return until === 0 ? block + tempo + 1 : block + until;
}

/** The epoch counter commit-reveal uses: it increments in the block after an epoch ran. */
export function epochIndex(netuid: number, tempo: number, block: number): number {
  return Math.floor((block + netuid + 1) / (tempo + 1));
}

export interface RevealWindow {
  commitEpoch: number;
  revealEpoch: number;
  /** First block of the reveal epoch (a reveal before it fails with `RevealTooEarly`). */
  firstBlock: number;
  /** Last block of the reveal epoch (after it the commit has expired). */
  lastBlock: number;
}

/** Where a CR v2 commit made in `commitBlock` must be revealed (`get_reveal_blocks`). */
export function revealWindow(netuid: number, tempo: number, commitBlock: number, revealPeriod: number): RevealWindow {
  const commitEpoch = epochIndex(netuid, tempo, commitBlock);
  const revealEpoch = commitEpoch + revealPeriod;
  const firstBlock = revealEpoch * (tempo + 1) - netuid - 1;
  return { commitEpoch, revealEpoch, firstBlock, lastBlock: firstBlock + tempo };
}
