import { describe, expect, it } from 'vitest';
import { chainMaxWeightWithinLimit, checkWeightsForChain } from '../chain/weights.js';
import { ScoresError, weightsForChain } from './weight-math.js';

const scores = (entries: Array<[number, number]>): Map<number, number> => new Map(entries);

describe('weightsForChain (scores → normalised → process_weights_for_netuid → u16)', () => {
  it('chain §4.2 vectors: quantile path keeps the positive uids, u16 values max-upscaled', () => {
    // process_weights(uids 0..4, [0,.1,.2,.3,.4], n=5, min=2, limit=1.0) -> uids[1,2,3,4] w[.1,.2,.3,.4],
    // and emit w[0.1,0.2,0.3,0.4] -> vals[16384,32768,49151,65535].
    const result = weightsForChain({
      scores: scores([
        [1, 0.1],
        [2, 0.2],
        [3, 0.3],
        [4, 0.4],
      ]),
      numNeurons: 5,
      minAllowedWeights: 2,
      maxWeightsLimit: 65535,
    });
    expect(result).toEqual({ uids: [1, 2, 3, 4], weights: [16384, 32768, 49151, 65535], branch: 'quantile' });
  });

  it('only the ratios of the scores matter (the EMA scale is irrelevant)', () => {
    const base = { numNeurons: 4, minAllowedWeights: 1, maxWeightsLimit: 65535 };
    const a = weightsForChain({
      ...base,
      scores: scores([
        [0, 0.01],
        [1, 0.03],
        [3, 0.02],
      ]),
    });
    const b = weightsForChain({
      ...base,
      scores: scores([
        [0, 10],
        [1, 30],
        [3, 20],
      ]),
    });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ uids: [0, 1, 3], weights: [21845, 65535, 43690] });
  });

  it('pads every uid when fewer than MinAllowedWeights are positive, and honours MaxWeightsLimit', () => {
    const result = weightsForChain({
      scores: scores([[2, 5]]),
      numNeurons: 3,
      minAllowedWeights: 2,
      maxWeightsLimit: 32768,
    });
    expect(result.branch).toBe('padded');
    expect(result.uids).toEqual([0, 1, 2]);
    expect(result.weights[2]).toBe(65535);
    expect(result.weights[0]).toBe(result.weights[1]);
    expect(chainMaxWeightWithinLimit(result.weights, 32768)).toBe(true);
    expect(
      checkWeightsForChain({
        ...result,
        values: result.weights,
        callerUid: 0,
        subnetworkN: 3,
        minAllowedWeights: 2,
        maxWeightsLimit: 32768,
      }),
    ).toBeNull();
  });

  it('clips a dominant uid to the limit the chain checks', () => {
    const result = weightsForChain({
      scores: scores([
        [0, 3],
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 30],
      ]),
      numNeurons: 5,
      minAllowedWeights: 1,
      maxWeightsLimit: 19661, // 0.3
    });
    expect(chainMaxWeightWithinLimit(result.weights, 19661)).toBe(true);
    expect(result.uids).toEqual([0, 1, 2, 3, 4]);
  });

  it('all-zero (or no) scores give uniform weights over every uid; unknown uids are ignored', () => {
    expect(
      weightsForChain({ scores: scores([[7, 1]]), numNeurons: 3, minAllowedWeights: 1, maxWeightsLimit: 65535 }),
    ).toEqual({ uids: [0, 1, 2], weights: [65535, 65535, 65535], branch: 'uniform' });
  });

  it('refuses NaN, infinite and negative scores by uid', () => {
    const base = { numNeurons: 3, minAllowedWeights: 1, maxWeightsLimit: 65535 };
    expect(() => weightsForChain({ ...base, scores: scores([[1, Number.NaN]]) })).toThrow(ScoresError);
    expect(() => weightsForChain({ ...base, scores: scores([[2, -0.5]]) })).toThrow(/uid 2 is -0.5/);
    expect(() => weightsForChain({ ...base, scores: scores([[0, Infinity]]) })).toThrow(/finite/);
  });
});
