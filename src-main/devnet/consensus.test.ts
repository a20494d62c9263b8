import { describe, expect, it } from 'vitest';
import { splitEpochEmission, splitProportional, toU16, topKByStake, yumaConsensus } from './consensus.js';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const sumBig = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);
const row = (entries: Array<[number, number]>): Map<number, number> => new Map(entries);

describe('simplified Yuma: the worked example of consensus.ts', () => {
  // uids 0, 1: validators with stake 600 / 400; uids 2, 3, 4: miners.
  const input = {
    stake: [600n, 400n, 0n, 0n, 0n],
    validatorPermit: [true, true, false, false, false],
    active: [true, true, true, true, true],
    weights: [
      row([
        [2, 65535],
        [3, 65535],
      ]),
      // 0.2 / 0.2 / 0.6 once normalised.
      row([
        [2, 21845],
        [3, 21845],
        [4, 65535],
      ]),
      row([]),
      row([]),
      row([]),
    ],
  };
  const result = yumaConsensus(input);

  it('uses the normalised stake of the permitted validators', () => {
    expect(result.activeStake).toEqual([0.6, 0.4, 0, 0, 0]);
  });

  it('takes the stake-weighted median as consensus and clips to it', () => {
    expect(result.consensus[2]).toBeCloseTo(0.5, 12);
    expect(result.consensus[3]).toBeCloseTo(0.5, 12);
    expect(result.consensus[4]).toBe(0);
    expect(result.rank[2]).toBeCloseTo(0.38, 12);
    expect(result.rank[4]).toBe(0);
  });

  it('gives incentive (0.5, 0.5, 0) and dividends (0.6/0.76, 0.16/0.76)', () => {
    expect(result.incentive[2]).toBeCloseTo(0.5, 12);
    expect(result.incentive[3]).toBeCloseTo(0.5, 12);
    expect(result.incentive[4]).toBe(0);
    expect(result.validatorTrust[0]).toBeCloseTo(1, 12);
    expect(result.validatorTrust[1]).toBeCloseTo(0.4, 12);
    expect(result.dividends[0]).toBeCloseTo(0.6 / 0.76, 12);
    expect(result.dividends[1]).toBeCloseTo(0.16 / 0.76, 12);
    expect(result.dividends.slice(2)).toEqual([0, 0, 0]);
  });

  it('splits 1000 rao as owner 180, miners 205 + 205, validators 324 + 86', () => {
    const split = splitEpochEmission(1000n, 18, result.incentive, result.dividends);
    expect(split.toOwner).toBe(180n);
    expect(split.minerEmission).toEqual([0n, 0n, 205n, 205n, 0n]);
    expect(split.validatorEmission).toEqual([324n, 86n, 0n, 0n, 0n]);
    expect(split.recycled).toBe(0n);
  });
});

describe('simplified Yuma: rules', () => {
  it('makes incentive sum to 1 over the uids that received weight', () => {
    const result = yumaConsensus({
      stake: [5n, 0n, 0n, 0n],
      validatorPermit: [true, false, false, false],
      active: [true, true, true, true],
      weights: [
        row([
          [1, 10],
          [2, 30],
          [3, 60],
        ]),
        row([]),
        row([]),
        row([]),
      ],
    });
    expect(sum(result.incentive)).toBeCloseTo(1, 12);
    expect(result.incentive.slice(1).map((x) => +x.toFixed(6))).toEqual([0.1, 0.3, 0.6]);
    expect(result.dividends).toEqual([1, 0, 0, 0]);
  });

  it('ignores the stake and weights of validators without a permit or inactive', () => {
    const weights = [row([[3, 1]]), row([[4, 1]]), row([[4, 1]]), row([]), row([])];
    const result = yumaConsensus({
      stake: [100n, 1000n, 1000n, 0n, 0n],
      validatorPermit: [true, false, true, false, false],
      active: [true, true, false, true, true],
      weights,
    });
    expect(result.activeStake).toEqual([1, 0, 0, 0, 0]);
    expect(result.incentive).toEqual([0, 0, 0, 1, 0]);
    expect(result.dividends).toEqual([1, 0, 0, 0, 0]);
  });

  it('ignores self-weights', () => {
    const result = yumaConsensus({
      stake: [1n, 0n],
      validatorPermit: [true, false],
      active: [true, true],
      weights: [
        row([
          [0, 65535],
          [1, 1],
        ]),
        row([]),
      ],
    });
    expect(result.incentive).toEqual([0, 1]);
  });

  it('gives nothing when nobody set weights', () => {
    const result = yumaConsensus({
      stake: [1n, 0n],
      validatorPermit: [true, false],
      active: [true, true],
      weights: [row([]), row([])],
    });
    expect(result.incentive).toEqual([0, 0]);
    expect(result.dividends).toEqual([0, 0]);
  });

  it('lets a stake majority clip a minority validator that disagrees', () => {
    // Three equal validators: two weight miner 3 only, one weights miner 4 only.
    const result = yumaConsensus({
      stake: [1n, 1n, 1n, 0n, 0n],
      validatorPermit: [true, true, true, false, false],
      active: [true, true, true, true, true],
      weights: [row([[3, 1]]), row([[3, 1]]), row([[4, 1]]), row([]), row([])],
    });
    expect(result.consensus[3]).toBe(1);
    expect(result.consensus[4]).toBe(0);
    expect(result.incentive[3]).toBeCloseTo(1, 12);
    expect(result.dividends[2]).toBe(0);
    expect(result.dividends[0]).toBeCloseTo(0.5, 12);
  });
});

describe('emission split', () => {
  it('hands out every rao exactly once', () => {
    const split = splitEpochEmission(1_000_000_007n, 18, [0.2, 0.3, 0.5, 0], [0, 0, 0, 1]);
    expect(split.toOwner).toBe(180_000_001n);
    expect(split.toMiners + split.toValidators + split.toOwner + split.recycled).toBe(1_000_000_007n);
    expect(sumBig(split.minerEmission)).toBe(split.toMiners);
    expect(sumBig(split.validatorEmission)).toBe(split.toValidators);
    expect(split.toMiners).toBe((1_000_000_007n - 180_000_001n) / 2n);
    expect(split.recycled).toBe(0n);
  });

  it('recycles a half that nobody can receive', () => {
    const split = splitEpochEmission(1000n, 18, [0, 0], [0, 0]);
    expect(split.toMiners).toBe(0n);
    expect(split.toValidators).toBe(0n);
    expect(split.recycled).toBe(820n);
  });

  it('splits proportionally with the leftover rao to the largest remainders (ties: lower index)', () => {
    expect(splitProportional(10n, [1, 1, 1])).toEqual([4n, 3n, 3n]);
    expect(splitProportional(100n, [0.5, 0.25, 0.25])).toEqual([50n, 25n, 25n]);
    expect(splitProportional(7n, [0, 0])).toEqual([0n, 0n]);
    expect(splitProportional(0n, [1])).toEqual([0n]);
    const parts = splitProportional(123_456_789_012n, [0.1, 0.2, 0.3, 0.4, 1e-9]);
    expect(sumBig(parts)).toBe(123_456_789_012n);
  });
});

describe('validator permits', () => {
  it('go to the top k by stake, non-zero only, ties to the lower uid', () => {
    expect(topKByStake([5n, 9n, 0n, 9n, 1n], 2)).toEqual([false, true, false, true, false]);
    expect(topKByStake([5n, 0n, 0n], 3)).toEqual([true, false, false]);
    expect(topKByStake([5n, 5n, 5n], 2)).toEqual([true, true, false]);
  });

  it('stores ratios as u16', () => {
    expect(toU16(1)).toBe(65535);
    expect(toU16(0.5)).toBe(32768);
    expect(toU16(2)).toBe(65535);
  });
});
