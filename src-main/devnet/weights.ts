/**
 * The chain-side weight checks of subtensor's `internal_set_weights` (chain §4.1, steps 4–12), in
 * the chain's order, so a request that breaks two rules gets the first one's error. Steps 1–3
 * (root netuid, equal lengths, subnet/mechanism exists) and `CommitRevealEnabled` are checked by
 * the caller because their place differs between set_weights and a reveal. The weight arithmetic
 * (max-upscale, max-weight limit) is the chain module's fixed-point port (chain/weights.ts); the
 * callers have already checked that every value is a u16.
 */
import type { ChainErrorInfo, Ss58, Uid } from '../chain/types.js';
import { chainMaxUpscale, chainMaxWeightWithinLimit } from '../chain/weights.js';
import { chainError } from './errors.js';
import type { SubnetState } from './state.js';

export interface WeightsRequest {
  hotkey: Ss58;
  uids: readonly number[];
  values: readonly number[];
  versionKey: bigint;
}

export interface WeightsContext {
  block: number;
  /** Global `StakeThreshold`, rao of stake weight. */
  stakeThreshold: bigint;
}

export type WeightsCheck = { ok: true; uid: Uid; stored: Map<Uid, number> } | { ok: false; error: ChainErrorInfo };

export function checkWeights(subnet: SubnetState, request: WeightsRequest, context: WeightsContext): WeightsCheck {
  const { config, neurons } = subnet;
  const n = neurons.length;
  const fail = (error: ChainErrorInfo): WeightsCheck => ({ ok: false, error });

  // 4. No more weights than uids.
  if (request.uids.length > n) {
    return fail(
      chainError(
        'UidsLengthExceedUidsInSubNet',
        `${request.uids.length} weights were sent but subnet ${subnet.netuid} has ${n} uids.`,
      ),
    );
  }

  // 5. Registered.
  const neuron = neurons.find((x) => x.hotkey === request.hotkey);
  if (!neuron) {
    return fail(chainError('HotKeyNotRegisteredInSubNet', `${request.hotkey} has no uid on subnet ${subnet.netuid}.`));
  }
  const uid = neuron.uid;
  const isOwner = config.owner?.hotkey === request.hotkey;

  // 6. Stake threshold (the owner hotkey is exempt).
  const stake = subnet.stake.get(request.hotkey) ?? 0n;
  if (!isOwner && stake < context.stakeThreshold) {
    return fail(
      chainError(
        'NotEnoughStakeToSetWeights',
        `uid ${uid} has a stake weight of ${stake} rao; ${context.stakeThreshold} rao are required.`,
      ),
    );
  }

  // 7. Version key.
  const key = config.weightsVersionKey;
  if (key !== 0n && request.versionKey < key) {
    return fail(
      chainError(
        'IncorrectWeightVersionKey',
        `Version key ${request.versionKey} was sent; the subnet requires ${key}.`,
      ),
    );
  }

  // 8. Rate limit, only when commit-reveal is off (a reveal is not rate-limited).
  if (!config.commitRevealEnabled && neuron.lastUpdate !== 0) {
    const since = context.block - neuron.lastUpdate;
    if (since < config.weightsRateLimit) {
      return fail(
        chainError(
          'SettingWeightsTooFast',
          `uid ${uid} was last updated in block ${neuron.lastUpdate} (weights or registration); the next try is possible in block ${neuron.lastUpdate + config.weightsRateLimit}.`,
        ),
      );
    }
  }

  // 9. Validator permit, unless a single self-weight or the owner.
  const selfWeight = request.values.length === 1 && request.uids[0] === uid;
  if (!neuron.validatorPermit && !selfWeight && !isOwner) {
    return fail(chainError('NeuronNoValidatorPermit', `uid ${uid} has no validator permit.`));
  }

  // 10. Unique uids that exist.
  if (new Set(request.uids).size !== request.uids.length) {
    return fail(chainError('DuplicateUids'));
  }
  const missing = request.uids.find((target) => target >= n);
  if (missing !== undefined) {
    return fail(chainError('UidVecContainInvalidOne', `uid ${missing} does not exist (the subnet has ${n} uids).`));
  }

  // 11. Enough weights.
  const minimum = Math.min(n, config.minAllowedWeights);
  if (!selfWeight && request.uids.length < minimum) {
    return fail(
      chainError('WeightVecLengthIsLow', `${request.uids.length} weights were sent; at least ${minimum} are required.`),
    );
  }

  // 12. Max-upscale, then the max-weight limit on the normalised vector.
  const upscaled = chainMaxUpscale(request.values);
  if (!selfWeight && !chainMaxWeightWithinLimit(upscaled, config.maxWeightsLimit)) {
    return fail(
      chainError(
        'MaxWeightExceeded',
        `The largest weight exceeds ${((config.maxWeightsLimit / 65535) * 100).toFixed(2)} % of the total.`,
      ),
    );
  }

  const stored = new Map<Uid, number>();
  request.uids.forEach((target, i) => {
    const value = upscaled[i] ?? 0;
    if (value > 0) stored.set(target, value);
  });
  return { ok: true, uid, stored };
}
