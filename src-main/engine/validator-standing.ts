/**
 * What the metagraph a round read says of our validator hotkey (issue #12): its validator permit
 * against the stake of the uids that hold one (the Overview's low-stake alert), and the reward
 * snapshot the validator's history keeps (dividends, stake, emission).
 *
 * The low-stake comparison uses `totalStake` (alpha plus weighted root TAO): the stake weight the
 * chain ranks permits by at each epoch (the top `MaxAllowedValidators`). The metagraph does not
 * say how many permits there are, so "below the lowest permitted validator" is the test.
 */
import type { RewardSnapshot } from '../../src-shared/schemas/neuron.js';
import type { ValidatorStatus } from '../../src-shared/schemas/validator.js';
import type { Metagraph } from '../chain/types.js';

export type ValidatorPermitView = NonNullable<ValidatorStatus['permit']>;

/** Our permit and stake against the lowest permitted stake; null when our hotkey is not on the subnet. */
export function permitStanding(metagraph: Metagraph, hotkey: string): ValidatorPermitView | null {
  const own = metagraph.neurons.find((neuron) => neuron.hotkey === hotkey);
  if (!own) return null;
  const permitted = metagraph.neurons.filter((neuron) => neuron.validatorPermit).map((neuron) => neuron.totalStake);
  const lowest = permitted.length === 0 ? null : permitted.reduce((min, stake) => (stake < min ? stake : min));
  return {
    block: metagraph.block,
    validatorPermit: own.validatorPermit,
    stake: own.totalStake.toString(),
    lowestPermittedStake: lowest === null ? null : lowest.toString(),
  };
}

/** Our uid's rewards as the validator's history keeps them; null when our hotkey is not on the subnet. */
export function validatorSnapshot(metagraph: Metagraph, hotkey: string, time: Date): RewardSnapshot | null {
  const own = metagraph.neurons.find((neuron) => neuron.hotkey === hotkey);
  if (!own) return null;
  return {
    time: time.toISOString(),
    block: metagraph.block,
    netuid: metagraph.netuid,
    uid: own.uid,
    hotkey,
    stake: own.alphaStake.toString(),
    incentive: clamp01(own.incentive),
    emission: own.emission.toString(),
    trust: null,
    dividends: clamp01(own.dividends),
    validatorPermit: own.validatorPermit,
  };
}

/**
 * Whether a snapshot says something the last one did not: the chain moves these figures only at
 * an epoch, so rounds inside one epoch add no rows (the miner records at epochs the same way).
 */
export function snapshotChanged(last: RewardSnapshot | null, next: RewardSnapshot): boolean {
  if (last === null) return true;
  return (
    last.uid !== next.uid ||
    last.stake !== next.stake ||
    last.emission !== next.emission ||
    last.incentive !== next.incentive ||
    last.dividends !== next.dividends ||
    last.validatorPermit !== next.validatorPermit
  );
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
