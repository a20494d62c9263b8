/**
 * Scores → weights to emit, in one place (issue #12): the validator's moving-average scores by
 * uid are L1-normalised (the reference's `normalize(scores, p=1)` in float32), run through the
 * SDK's `process_weights_for_netuid` and converted to u16 with `convert_weights_and_uids_for_emit`
 * (chain §4.2). The SDK math itself lives in chain/weights.ts; this only feeds it.
 */
import {
  convertWeightsAndUidsForEmit,
  type EmitWeights,
  processWeightsForNetuid,
  type ProcessWeightsBranch,
} from '../chain/weights.js';

export interface WeightsForChainInput {
  /** Moving-average scores by uid; uids the map lacks score 0. */
  scores: ReadonlyMap<number, number>;
  /** `metagraph.n`: uids 0..n-1 exist. */
  numNeurons: number;
  /** `MinAllowedWeights(netuid)` as stored. */
  minAllowedWeights: number;
  /** `MaxWeightsLimit(netuid)` as stored, u16. */
  maxWeightsLimit: number;
  netuid?: number;
}

export interface WeightsForChain extends EmitWeights {
  /** Which path of `process_weights` gave them (uniform when every score is 0). */
  branch: ProcessWeightsBranch;
}

export class ScoresError extends Error {
  override readonly name = 'ScoresError';
}

/**
 * The u16 weights the validator sends for `scores`. Scores of uids that no longer exist (the
 * subnet shrank) are ignored; a NaN, infinite or negative score is refused by name rather than
 * silently zeroed, since it means the scoring went wrong.
 */
export function weightsForChain(input: WeightsForChainInput): WeightsForChain {
  const n = input.numNeurons;
  if (!Number.isInteger(n) || n < 0 || n > 65536) {
    throw new ScoresError(`numNeurons must be an integer in [0, 65536], got ${n}`);
  }
  for (const [uid, score] of input.scores) {
    if (!Number.isFinite(score) || score < 0) {
      throw new ScoresError(`the score of uid ${uid} is ${score}; scores must be finite and >= 0`);
    }
  }
  // Dense float32 vector over uids 0..n-1: process_weights pads by position, so uid == position.
  const scores = new Float32Array(n);
  for (const [uid, score] of input.scores) if (Number.isInteger(uid) && uid >= 0 && uid < n) scores[uid] = score;
  // L1 normalisation in float32 (torch's normalize(p=1) divides by max(sum, 1e-12)).
  let sum = 0;
  for (const s of scores) sum = Math.fround(sum + s);
  const normalised = new Float32Array(n);
  const denominator = Math.max(sum, 1e-12);
  for (let i = 0; i < n; i++) normalised[i] = Math.fround((scores[i] as number) / denominator);

  const processed = processWeightsForNetuid({
    uids: Array.from({ length: n }, (_, uid) => uid),
    weights: normalised,
    numNeurons: n,
    minAllowedWeights: input.minAllowedWeights,
    maxWeightsLimit: input.maxWeightsLimit,
    ...(input.netuid === undefined ? {} : { netuid: input.netuid }),
  });
  const emit = convertWeightsAndUidsForEmit(processed.uids, processed.weights);
  return { ...emit, branch: processed.branch };
}
