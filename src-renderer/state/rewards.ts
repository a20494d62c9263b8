/** The rewards history as the renderer keeps it: epoch snapshots of our uid, oldest first. */
import type { RewardSnapshot } from '../../src-shared/schemas/neuron.js';

/** Snapshots kept (rewards.list's default): an epoch is ~72 min on a real chain, so weeks of them. */
export const MAX_REWARD_POINTS = 500;

/** A new snapshot: appended in block order; one for a block already held replaces it. */
export function appendReward(items: readonly RewardSnapshot[], snapshot: RewardSnapshot): readonly RewardSnapshot[] {
  const kept = items.filter((item) => !(item.block === snapshot.block && item.uid === snapshot.uid));
  const at = kept.findIndex((item) => item.block > snapshot.block);
  const next = at < 0 ? [...kept, snapshot] : [...kept.slice(0, at), snapshot, ...kept.slice(at)];
  return next.slice(-MAX_REWARD_POINTS);
}
