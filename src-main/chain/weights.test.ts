import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  U16_MAX,
  WeightsError,
  chainMaxUpscale,
  chainMaxWeightWithinLimit,
  checkWeightsForChain,
  convertWeightsAndUidsForEmit,
  floatToU16,
  normalizeMaxWeight,
  processWeights,
  processWeightsForNetuid,
  roundHalfEven,
  u16NormalizedFloat,
} from './weights.js';
import type { WeightsErrorCode } from './weights.js';

/** Runs `fn` and returns the WeightsError code it throws (fails the test if it does not throw one). */
function errorCode(fn: () => unknown): WeightsErrorCode {
  try {
    fn();
  } catch (e) {
    if (e instanceof WeightsError) return e.code;
    throw e;
  }
  throw new Error('expected a WeightsError');
}

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] as number;
  return s;
}

function max(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i] as number);
  return m;
}

/** Deterministic inputs shared with the numpy oracle script: ((i*7919) % 1009 + 1) / 1009. */
function det(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (((i * 7919) % 1009) + 1) / 1009);
}

/** det(n) with every 50th value multiplied by 40 (forces the clipping path). */
function spiky(n: number): number[] {
  return det(n).map((v, i) => (i % 50 === 0 ? v * 40 : v));
}

describe('chain §4.2 test vectors (SDK + numpy 2.4)', () => {
  it('emit uids[0,1,2] w[0.5,0.25,0.25] -> uids[0,1,2] vals[65535,32768,32768]', () => {
    expect(convertWeightsAndUidsForEmit([0, 1, 2], [0.5, 0.25, 0.25])).toEqual({
      uids: [0, 1, 2],
      weights: [65535, 32768, 32768],
    });
  });

  it('emit uids[3,7,9,12] w[0.1,0.2,0.3,0.4] -> uids[3,7,9,12] vals[16384,32768,49151,65535]', () => {
    expect(convertWeightsAndUidsForEmit([3, 7, 9, 12], [0.1, 0.2, 0.3, 0.4])).toEqual({
      uids: [3, 7, 9, 12],
      weights: [16384, 32768, 49151, 65535],
    });
  });

  it('emit uids[0,1,2] w[1e-6,0.5,0.5] -> uids[1,2] vals[65535,65535] (zero dropped with its uid)', () => {
    expect(convertWeightsAndUidsForEmit([0, 1, 2], [1e-6, 0.5, 0.5])).toEqual({
      uids: [1, 2],
      weights: [65535, 65535],
    });
  });

  it('emit uids[0,1,2,3] w[0,0,0.3,0.7] -> uids[2,3] vals[28086,65535]', () => {
    expect(convertWeightsAndUidsForEmit([0, 1, 2, 3], [0, 0, 0.3, 0.7])).toEqual({
      uids: [2, 3],
      weights: [28086, 65535],
    });
  });

  it('normalize_max_weight([1,1,1,1,10],0.3) -> [0.1750001 x4, 0.2999998]', () => {
    const y = normalizeMaxWeight([1, 1, 1, 1, 10], 0.3);
    expect(y).toBeInstanceOf(Float32Array);
    const expected = [0.1750001, 0.1750001, 0.1750001, 0.1750001, 0.2999998];
    expected.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 7));
  });

  it('normalize_max_weight([0.1,0.2,0.3,0.4],0.35) -> [0.1083333,0.2166667,0.325,0.3499999] (float32 input)', () => {
    const y = normalizeMaxWeight([0.1, 0.2, 0.3, 0.4], 0.35);
    [0.1083333, 0.2166667, 0.325, 0.3499999].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 7));
    // The vector pins the dtype: read as float64 the first value is 0.10833335139 -> 0.1083334.
    const y64 = normalizeMaxWeight([0.1, 0.2, 0.3, 0.4], 0.35, { dtype: 'float64' });
    expect(Math.abs((y64[0] as number) - 0.1083333)).toBeGreaterThan(5e-8);
  });

  it('process_weights(uids 0..4, [0,.1,.2,.3,.4], n=5, min=2, limit=1.0) -> uids[1,2,3,4] w[.1,.2,.3,.4]', () => {
    const r = processWeights({
      uids: [0, 1, 2, 3, 4],
      weights: [0, 0.1, 0.2, 0.3, 0.4],
      numNeurons: 5,
      minAllowedWeights: 2,
      maxWeightLimit: 1.0,
    });
    expect(r.uids).toEqual([1, 2, 3, 4]);
    expect(r.branch).toBe('quantile');
    [0.1, 0.2, 0.3, 0.4].forEach((v, i) => expect(r.weights[i]).toBeCloseTo(v, 7));
  });

  it('process_weights(uids 0..2, [0,0,1], n=3, min=2, limit=0.5) -> uids[0,1,2] w[0.2512563,0.2512563,0.4974874]', () => {
    const r = processWeights({
      uids: [0, 1, 2],
      weights: [0, 0, 1],
      numNeurons: 3,
      minAllowedWeights: 2,
      maxWeightLimit: 0.5,
    });
    expect(r.uids).toEqual([0, 1, 2]);
    expect(r.branch).toBe('padded');
    [0.2512563, 0.2512563, 0.4974874].forEach((v, i) => expect(r.weights[i]).toBeCloseTo(v, 7));
  });

  it('§4.2 step 5: Python round is half-to-even (32766.5 -> 32766, where Math.round gives 32767)', () => {
    expect(roundHalfEven(32766.5)).toBe(32766);
    expect(Math.round(32766.5)).toBe(32767);
    expect(roundHalfEven(32767.5)).toBe(32768);
  });
});

// Exact values from running the SDK's own weight_utils.py functions (bittensor v10.2.0) under
// numpy 2.4.6. Compared with toBe: bit-for-bit parity, not closeness.
describe('bit-exact against the SDK under numpy 2.4.6', () => {
  it('the §4.2 normalize vectors, full precision, float32 and float64', () => {
    expect(Array.from(normalizeMaxWeight(Float32Array.from([1, 1, 1, 1, 10]), 0.3))).toEqual([
      0.17500005662441254, 0.17500005662441254, 0.17500005662441254, 0.17500005662441254, 0.29999977350234985,
    ]);
    expect(Array.from(normalizeMaxWeight(Float64Array.from([1, 1, 1, 1, 10]), 0.3))).toEqual([
      0.17500006125002143, 0.17500006125002143, 0.17500006125002143, 0.17500006125002143, 0.2999997549999142,
    ]);
    expect(Array.from(normalizeMaxWeight([0.1, 0.2, 0.3, 0.4], 0.35))).toEqual([
      0.10833334922790527, 0.21666669845581055, 0.3250000476837158, 0.34999990463256836,
    ]);
    expect(Array.from(normalizeMaxWeight(Float64Array.from([0.1, 0.2, 0.3, 0.4]), 0.35))).toEqual([
      0.1083333513888919, 0.2166667027777838, 0.32500005416667566, 0.3499998916666486,
    ]);
  });

  it('the §4.2 process vectors, full precision and dtype', () => {
    const a = processWeights({
      uids: [0, 1, 2, 3, 4],
      weights: [0, 0.1, 0.2, 0.3, 0.4],
      numNeurons: 5,
      minAllowedWeights: 2,
      maxWeightLimit: 1,
    });
    expect(a.weights).toBeInstanceOf(Float32Array);
    expect(Array.from(a.weights)).toEqual([
      0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645,
    ]);
    const b = processWeights({
      uids: [0, 1, 2],
      weights: [0, 0, 1],
      numNeurons: 3,
      minAllowedWeights: 2,
      maxWeightLimit: 0.5,
    });
    expect(b.weights).toBeInstanceOf(Float64Array);
    expect(Array.from(b.weights)).toEqual([0.25125631928487224, 0.25125631928487224, 0.4974873614302554]);
  });

  it('sum() is numpy pairwise summation: det(1000), limit 1 -> x / x.sum()', () => {
    const y32 = normalizeMaxWeight(Float32Array.from(det(1000)), 1.0);
    expect([y32[0], y32[500], y32[999]]).toEqual([1.977543206521659e-6, 0.00036584545159712434, 0.001032277476042509]);
    const y64 = normalizeMaxWeight(Float64Array.from(det(1000)), 1.0);
    expect([y64[0], y64[500], y64[999]]).toEqual([
      1.9775430214484317e-6, 0.00036584545896795983, 0.0010322774571960812,
    ]);
  });

  it('clipping path: spiky(300), limit 0.01', () => {
    const y32 = normalizeMaxWeight(Float32Array.from(spiky(300)), 0.01);
    expect([y32[0], y32[1], y32[50], y32[299]]).toEqual([
      0.0002540975110605359, 0.005444039590656757, 0.00999984797090292, 0.004243428353220224,
    ]);
    expect(max(y32)).toBe(0.00999984797090292);
    expect(Array.from(y32).filter((v) => v === max(y32))).toHaveLength(5);
    const y64 = normalizeMaxWeight(Float64Array.from(spiky(300)), 0.01);
    expect([y64[0], y64[1], y64[50], y64[299]]).toEqual([
      0.0002540975244462987, 0.005444039461261948, 0.009999846582902424, 0.004243428658253188,
    ]);
  });

  it('max(est) <= limit compares in float32 (limit a float64 just below the float32 estimate)', () => {
    expect(
      Array.from(
        normalizeMaxWeight(
          [0.6482295393943787, 1.376996397972107, 2.97029447555542, 0.9291704893112183],
          0.5013417005538939,
        ),
      ),
    ).toEqual([0.10941153019666672, 0.232416570186615, 0.5013416409492493, 0.15683019161224365]);
    expect(
      Array.from(
        normalizeMaxWeight(
          [
            0.5131383538246155, 0.6504791378974915, 3.033881425857544, 3.35442852973938, 0.45470020174980164,
            0.07010185718536377,
          ],
          0.4153201282024383,
        ),
      ),
    ).toEqual([
      0.06353293359279633, 0.08053743839263916, 0.3756324052810669, 0.41532012820243835, 0.05629756301641464,
      0.008679484948515892,
    ]);
  });

  it('quantile exclusion: det(200) with zeros, min 8, limit 0.05, exclude_quantile 6553', () => {
    const w = Float32Array.from(det(200).map((v, i) => (i % 7 === 0 ? 0 : v)));
    const uids = Array.from({ length: 200 }, (_, i) => i);
    const r = processWeights({
      uids,
      weights: w,
      numNeurons: 200,
      minAllowedWeights: 8,
      maxWeightLimit: 0.05,
      excludeQuantile: 6553,
    });
    expect(r.branch).toBe('quantile');
    expect(r.uids).toHaveLength(154);
    expect(r.uids.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(r.uids.slice(-3)).toEqual([197, 198, 199]);
    expect([r.weights[0], r.weights[1], r.weights[153]]).toEqual([
      0.010030900128185749, 0.008240086026489735, 0.009749988093972206,
    ]);
    expect(max(r.weights)).toBe(0.011774895712733269);

    // exclude_quantile 65535 is capped by max_exclude so that min_allowed_weights (8) remain.
    const all = processWeights({
      uids,
      weights: w,
      numNeurons: 200,
      minAllowedWeights: 8,
      maxWeightLimit: 0.05,
      excludeQuantile: 65535,
    });
    expect(all.uids).toEqual([20, 33, 53, 66, 99, 132, 165, 198]);
    expect(Array.from(all.weights)).toEqual(new Array<number>(8).fill(0.125));
  });

  it('quantile exclusion on a small array with ties, uids != positions', () => {
    const weights = [0.3, 0.1, 0.2, 0.1, 0.4, 0.25];
    const run = (excludeQuantile: number) =>
      processWeights({
        uids: [10, 11, 12, 13, 14, 15],
        weights,
        numNeurons: 16,
        minAllowedWeights: 2,
        maxWeightLimit: 1,
        excludeQuantile,
      });
    const full = [
      0.2222222238779068, 0.07407407462596893, 0.14814814925193787, 0.07407407462596893, 0.29629629850387573,
      0.18518517911434174,
    ];
    expect(run(0)).toEqual({ uids: [10, 11, 12, 13, 14, 15], weights: Float32Array.from(full), branch: 'quantile' });
    expect(run(13107).uids).toEqual([10, 11, 12, 13, 14, 15]);
    const q3 = run(19661);
    expect(q3.uids).toEqual([10, 12, 14, 15]);
    expect(Array.from(q3.weights)).toEqual([
      0.2608695924282074, 0.17391304671764374, 0.3478260934352875, 0.21739131212234497,
    ]);
    const q5 = run(32768);
    expect(q5.uids).toEqual([10, 14, 15]);
    expect(Array.from(q5.weights)).toEqual([0.31578946113586426, 0.42105260491371155, 0.2631578743457794]);
    const capped = run(65535);
    expect(capped.uids).toEqual([10, 14]);
    expect(Array.from(capped.weights)).toEqual([0.4285714030265808, 0.5714285373687744]);
  });

  it('padded path (fewer positive weights than min_allowed_weights) is float64 over all neurons', () => {
    const w = new Float32Array(20);
    w[3] = 0.5;
    w[7] = 0.25;
    w[11] = 1.0;
    const uids = Array.from({ length: 20 }, (_, i) => i);
    const r = processWeights({ uids, weights: w, numNeurons: 20, minAllowedWeights: 8, maxWeightLimit: 0.2 });
    expect(r.branch).toBe('padded');
    expect(r.uids).toEqual(uids);
    expect(r.weights).toBeInstanceOf(Float64Array);
    const low = 0.023602309580401666;
    const high = 0.1995869123777238;
    expect(Array.from(r.weights)).toEqual(uids.map((i) => (i === 3 || i === 7 || i === 11 ? high : low)));

    const r1 = processWeights({ uids, weights: w, numNeurons: 20, minAllowedWeights: 8, maxWeightLimit: 1 });
    expect([r1.weights[0], r1.weights[3], r1.weights[7], r1.weights[11]]).toEqual([
      5.713632727688263e-6, 0.2856873500171408, 0.14284653182493426, 0.571368986401554,
    ]);
  });

  it('convert rounds exact .5 products half-to-even', () => {
    expect(
      convertWeightsAndUidsForEmit([0, 1, 2], [0.47553491592407227, 0.593137800693512, 0.6213140487670898]),
    ).toEqual({
      uids: [0, 1, 2],
      weights: [50158, 62563, 65535], // 50158.5 -> 50158
    });
    expect(convertWeightsAndUidsForEmit([0, 1], [0.711123526096344, 0.8452996015548706]).weights).toEqual([
      55132, 65535,
    ]);
    expect(
      convertWeightsAndUidsForEmit(
        [0, 1, 2, 3],
        [0.8890795707702637, 0.7261393070220947, 0.5869374871253967, 0.29138365387916565],
      ).weights,
    ).toEqual([65535, 53524, 43264, 21478]);
  });

  it('convert reads a number[] as float32 unless told float64 (the two differ here)', () => {
    expect(convertWeightsAndUidsForEmit([0, 1], [0.6191, 0.9524]).weights).toEqual([42600, 65535]);
    expect(convertWeightsAndUidsForEmit([0, 1], [0.6191, 0.9524], { dtype: 'float64' }).weights).toEqual([
      42601, 65535,
    ]);
    expect(convertWeightsAndUidsForEmit([0, 1], Float64Array.from([0.6191, 0.9524])).weights).toEqual([42601, 65535]);
  });

  it('a tiny kept weight rounds to 0 in convert, so the SDK pipeline can fall below MinAllowedWeights', () => {
    const r = processWeights({
      uids: [0, 1, 2],
      weights: [1e-6, 0.5, 0.5],
      numNeurons: 3,
      minAllowedWeights: 3,
      maxWeightLimit: 1,
    });
    expect(r.uids).toEqual([0, 1, 2]);
    expect(Array.from(r.weights)).toEqual([9.99999087980541e-7, 0.4999995231628418, 0.4999995231628418]);
    const emit = convertWeightsAndUidsForEmit(r.uids, r.weights);
    expect(emit).toEqual({ uids: [1, 2], weights: [65535, 65535] });
    expect(
      checkWeightsForChain({
        uids: emit.uids,
        values: emit.weights,
        callerUid: 0,
        subnetworkN: 3,
        minAllowedWeights: 3,
      }),
    ).toBe('WeightVecLengthIsLow');
  });
});

describe('processWeights branches and processWeightsForNetuid', () => {
  it('all zero weights -> uniform over all neurons (float64, uids 0..n-1)', () => {
    const r = processWeights({
      uids: [0, 1, 2, 3],
      weights: [0, 0, 0, 0],
      numNeurons: 4,
      minAllowedWeights: 1,
      maxWeightLimit: 1,
    });
    expect(r).toEqual({ uids: [0, 1, 2, 3], weights: Float64Array.from([0.25, 0.25, 0.25, 0.25]), branch: 'uniform' });
  });

  it('numNeurons < minAllowedWeights -> uniform, whatever the weights (the SDK does not clamp to n)', () => {
    const r = processWeights({
      uids: [0, 1, 2],
      weights: [0.9, 0.1, 0],
      numNeurons: 3,
      minAllowedWeights: 1024,
      maxWeightLimit: 1,
    });
    expect(r.branch).toBe('uniform');
    expect(r.uids).toEqual([0, 1, 2]);
    expect(Array.from(r.weights)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('empty input with numNeurons 0 gives empty output; with numNeurons 3 gives uniform', () => {
    expect(processWeights({ uids: [], weights: [], numNeurons: 0, minAllowedWeights: 0, maxWeightLimit: 1 })).toEqual({
      uids: [],
      weights: new Float64Array(0),
      branch: 'uniform',
    });
    expect(
      processWeights({ uids: [], weights: [], numNeurons: 3, minAllowedWeights: 0, maxWeightLimit: 1 }).uids,
    ).toEqual([0, 1, 2]);
  });

  it('single uid -> weight 1', () => {
    const r = processWeights({ uids: [7], weights: [0.2], numNeurons: 8, minAllowedWeights: 1, maxWeightLimit: 1 });
    expect(r).toEqual({ uids: [7], weights: Float32Array.from([1]), branch: 'quantile' });
  });

  it('padded path refuses uids that are not their array positions (the SDK would mis-assign them)', () => {
    expect(
      errorCode(() =>
        processWeights({ uids: [5, 9], weights: [0.3, 0.7], numNeurons: 10, minAllowedWeights: 4, maxWeightLimit: 1 }),
      ),
    ).toBe('uid-position-mismatch');
    // Zero weights at mismatched positions are fine: only positive ones are placed.
    const ok = processWeights({
      uids: [0, 1, 9],
      weights: [0.3, 0.7, 0],
      numNeurons: 10,
      minAllowedWeights: 4,
      maxWeightLimit: 1,
    });
    expect(ok.branch).toBe('padded');
    expect(ok.uids).toHaveLength(10);
  });

  it('processWeightsForNetuid reads MaxWeightsLimit as u16 / 65535', () => {
    const input = { uids: [0, 1, 2, 3, 4], weights: [1, 1, 1, 1, 10], numNeurons: 5, minAllowedWeights: 1 };
    const viaNetuid = processWeightsForNetuid({ ...input, netuid: 50, maxWeightsLimit: 19661 });
    const direct = processWeights({ ...input, maxWeightLimit: 19661 / 65535 });
    expect(viaNetuid).toEqual(direct);
    expect(max(viaNetuid.weights)).toBeLessThanOrEqual(19661 / 65535 + 1e-7);
    // 65535 = no limit: plain normalisation.
    const free = processWeightsForNetuid({ ...input, maxWeightsLimit: 65535 });
    expect(free.weights[4]).toBeCloseTo(10 / 14, 6);
  });

  it('processWeightsForNetuid labels its errors with the netuid', () => {
    expect(() =>
      processWeightsForNetuid({
        netuid: 50,
        uids: [0, 70],
        weights: [1, 1],
        numNeurons: 64,
        minAllowedWeights: 1,
        maxWeightsLimit: 65535,
      }),
    ).toThrow(/^netuid 50: uid at index 1 is 70/);
  });
});

describe('input validation', () => {
  it('length mismatch', () => {
    expect(errorCode(() => convertWeightsAndUidsForEmit([0, 1], [0.5]))).toBe('length-mismatch');
    expect(
      errorCode(() =>
        processWeights({ uids: [0], weights: [0.5, 0.5], numNeurons: 2, minAllowedWeights: 1, maxWeightLimit: 1 }),
      ),
    ).toBe('length-mismatch');
  });

  it('NaN and infinities', () => {
    expect(errorCode(() => convertWeightsAndUidsForEmit([0, 1], [NaN, 1]))).toBe('non-finite-weight');
    expect(errorCode(() => convertWeightsAndUidsForEmit([0, 1], Float32Array.from([1, Infinity])))).toBe(
      'non-finite-weight',
    );
    expect(errorCode(() => normalizeMaxWeight([1, NaN], 0.5))).toBe('non-finite-weight');
    expect(
      errorCode(() =>
        processWeights({ uids: [0, 1], weights: [NaN, 1], numNeurons: 2, minAllowedWeights: 1, maxWeightLimit: 1 }),
      ),
    ).toBe('non-finite-weight');
    // A finite float64 that overflows the float32 cast.
    expect(errorCode(() => convertWeightsAndUidsForEmit([0], [1e39]))).toBe('non-finite-weight');
    expect(convertWeightsAndUidsForEmit([0], [1e39], { dtype: 'float64' })).toEqual({ uids: [0], weights: [65535] });
    expect(
      errorCode(() =>
        processWeights({
          uids: [0],
          weights: Float64Array.from([1e39]),
          numNeurons: 1,
          minAllowedWeights: 1,
          maxWeightLimit: 1,
        }),
      ),
    ).toBe('non-finite-weight');
  });

  it('negative weights', () => {
    expect(errorCode(() => convertWeightsAndUidsForEmit([0, 1], [-0.1, 1]))).toBe('negative-weight');
    expect(errorCode(() => normalizeMaxWeight([-1, 2], 0.9))).toBe('negative-weight');
    expect(
      errorCode(() =>
        processWeights({ uids: [0, 1], weights: [1, -1], numNeurons: 2, minAllowedWeights: 1, maxWeightLimit: 1 }),
      ),
    ).toBe('negative-weight');
    // -0 is not negative (Python: -0.0 < 0 is False) and is dropped like a zero.
    expect(convertWeightsAndUidsForEmit([0, 1], [-0, 1])).toEqual({ uids: [1], weights: [65535] });
  });

  it('uids out of range, not integers, or duplicated', () => {
    expect(errorCode(() => convertWeightsAndUidsForEmit([-1, 1], [1, 1]))).toBe('invalid-uid');
    expect(errorCode(() => convertWeightsAndUidsForEmit([65536], [1]))).toBe('invalid-uid');
    expect(errorCode(() => convertWeightsAndUidsForEmit([1.5], [1]))).toBe('invalid-uid');
    expect(errorCode(() => convertWeightsAndUidsForEmit([3, 3], [1, 1]))).toBe('duplicate-uid');
    expect(
      errorCode(() =>
        processWeights({ uids: [0, 5], weights: [1, 1], numNeurons: 5, minAllowedWeights: 1, maxWeightLimit: 1 }),
      ),
    ).toBe('invalid-uid');
    expect(
      errorCode(() =>
        processWeights({ uids: [1, 1], weights: [1, 1], numNeurons: 5, minAllowedWeights: 1, maxWeightLimit: 1 }),
      ),
    ).toBe('duplicate-uid');
    expect(convertWeightsAndUidsForEmit([65535], [1])).toEqual({ uids: [65535], weights: [65535] });
  });

  it('bad parameters', () => {
    const base = { uids: [0], weights: [1], numNeurons: 1, minAllowedWeights: 1, maxWeightLimit: 1 };
    // A raw u16 passed where the float limit belongs.
    expect(errorCode(() => processWeights({ ...base, maxWeightLimit: 65535 }))).toBe('invalid-parameter');
    expect(errorCode(() => processWeights({ ...base, maxWeightLimit: NaN }))).toBe('invalid-parameter');
    expect(errorCode(() => processWeights({ ...base, numNeurons: -1 }))).toBe('invalid-parameter');
    expect(errorCode(() => processWeights({ ...base, minAllowedWeights: 1.5 }))).toBe('invalid-parameter');
    expect(errorCode(() => processWeights({ ...base, excludeQuantile: 70000 }))).toBe('invalid-parameter');
    const { maxWeightLimit: _unused, ...rest } = base;
    expect(errorCode(() => processWeightsForNetuid({ ...rest, maxWeightsLimit: 0.5 }))).toBe('invalid-parameter');
    expect(errorCode(() => normalizeMaxWeight([1], -0.1))).toBe('invalid-parameter');
    expect(errorCode(() => normalizeMaxWeight([1], Infinity))).toBe('invalid-parameter');
    expect(errorCode(() => u16NormalizedFloat(65536))).toBe('invalid-parameter');
    expect(errorCode(() => floatToU16(1.01))).toBe('invalid-parameter');
    expect(errorCode(() => roundHalfEven(NaN))).toBe('non-finite-weight');
  });
});

describe('edge cases', () => {
  it('convert: all zeros and empty input give nothing to set', () => {
    expect(convertWeightsAndUidsForEmit([0, 1, 2], [0, 0, 0])).toEqual({ uids: [], weights: [] });
    expect(convertWeightsAndUidsForEmit([], [])).toEqual({ uids: [], weights: [] });
  });

  it('convert: a single uid gets 65535', () => {
    expect(convertWeightsAndUidsForEmit([42], [1e-30], { dtype: 'float64' })).toEqual({ uids: [42], weights: [65535] });
    // 1e-46 underflows to 0 as float32, so there is nothing to set.
    expect(convertWeightsAndUidsForEmit([42], [1e-46])).toEqual({ uids: [], weights: [] });
  });

  it('normalize: empty, single, all zeros, and len*limit <= 1 give uniform', () => {
    expect(normalizeMaxWeight([], 0.5)).toEqual(new Float32Array(0));
    expect(Array.from(normalizeMaxWeight([3], 1))).toEqual([1]);
    expect(Array.from(normalizeMaxWeight([0, 0, 0, 0], 0.5))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(normalizeMaxWeight([1, 2, 3, 4], 0.25))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(normalizeMaxWeight([1, 2, 3], 0.1))).toEqual(new Array<number>(3).fill(Math.fround(1 / 3)));
    expect(Array.from(normalizeMaxWeight(Float64Array.from([1, 2, 3]), 0.1))).toEqual(new Array<number>(3).fill(1 / 3));
  });

  it('normalize: like the SDK, a denormal-scale input makes the cutoff underflow to -0 and gives NaN', () => {
    // numpy 2.4.6 on the SDK code: normalize_max_weight(float32([0, 1.4e-45]), 0.5000076) -> [nan, nan].
    const y = normalizeMaxWeight([0, 1.401298464324817e-45], 0.5000076295109483);
    expect(Array.from(y).every(Number.isNaN)).toBe(true);
    // ...which convert then refuses instead of emitting garbage.
    expect(errorCode(() => convertWeightsAndUidsForEmit([0, 1], y))).toBe('non-finite-weight');
    // At 1e-30 the same shape is fine: [0.5, 0.5] (numpy agrees).
    expect(Array.from(normalizeMaxWeight([0, 1e-30], 0.6))).toEqual([0.5, 0.5]);
  });

  it('normalize: like the SDK, the limit is approximate when weights span > 1e7 (epsilon 1e-7)', () => {
    // numpy 2.4.6 on the SDK code gives exactly this: max 0.49999994 against a limit of 0.4195.
    const y = normalizeMaxWeight(
      [0, 6.67046651594438e-16, 0, 1.6957279550161417e-22, 1.7709546499657868e-30],
      0.41945525291828795,
    );
    expect(Array.from(y)).toEqual([0, 0.4999999403953552, 0, 0.4999999403953552, 1.1621049367249725e-7]);
  });

  it('normalize does not modify its input', () => {
    const x = Float32Array.from([1, 1, 10]);
    normalizeMaxWeight(x, 0.4);
    expect(Array.from(x)).toEqual([1, 1, 10]);
  });
});

describe('u16 helpers', () => {
  it('u16NormalizedFloat and floatToU16 round-trip every u16', () => {
    for (let v = 0; v <= U16_MAX; v++) {
      if (floatToU16(u16NormalizedFloat(v)) !== v) throw new Error(`round trip failed at ${v}`);
    }
    expect(u16NormalizedFloat(65535)).toBe(1);
    expect(u16NormalizedFloat(6553)).toBe(6553 / 65535);
    expect(floatToU16(0.5)).toBe(32768); // 32767.5 -> even
  });

  it('roundHalfEven: nearest integer, exact ties to even', () => {
    expect([0.5, 1.5, 2.5, 2.4999999, 2.5000001, 0, 7].map(roundHalfEven)).toEqual([0, 2, 2, 2, 3, 0, 7]);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (x) => {
        const r = roundHalfEven(x);
        expect(Number.isInteger(r)).toBe(true);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5);
        if (Math.abs(r - x) === 0.5) expect(r % 2).toBe(0);
      }),
    );
  });
});

describe('chain-side checks (chain §4.1)', () => {
  it('chainMaxUpscale (vec_u16_max_upscale_to_u16): I32F32, round half away from zero', () => {
    expect(chainMaxUpscale([1, 2])).toEqual([32768, 65535]); // 32767.5 -> 32768 (away from zero)
    expect(chainMaxUpscale([65535, 1, 0])).toEqual([65535, 1, 0]);
    expect(chainMaxUpscale([0, 0])).toEqual([0, 0]);
    expect(chainMaxUpscale([])).toEqual([]);
    expect(chainMaxUpscale([100, 40000])).toEqual([164, 65535]); // > 32768 path: 100 * (65535/40000)
    expect(chainMaxUpscale([3, 32768])).toEqual([6, 65535]);
    expect(() => chainMaxUpscale([65536])).toThrow(WeightsError);
  });

  it('chainMaxWeightWithinLimit (check_vec_max_limited): sum-normalised max vs limit / 65535', () => {
    expect(chainMaxWeightWithinLimit([1, 1], 32768)).toBe(true); // 0.5 <= 0.500007
    expect(chainMaxWeightWithinLimit([1, 1], 32767)).toBe(false); // 0.5 > 0.499992
    // 43690/65535 is exactly 2/3: both sides are floor(2^33 / 3) in I32F32, so <= holds.
    expect(chainMaxWeightWithinLimit([1, 2], 43689)).toBe(false);
    expect(chainMaxWeightWithinLimit([1, 2], 43690)).toBe(true);
    expect(chainMaxWeightWithinLimit([65535], 0)).toBe(false);
    expect(chainMaxWeightWithinLimit([65535], 65535)).toBe(true); // 65535 = check skipped
    expect(chainMaxWeightWithinLimit([0, 0], 0)).toBe(true);
    expect(chainMaxWeightWithinLimit([], 0)).toBe(true);
  });

  it('checkWeightsForChain returns the first error in chain order', () => {
    const base = { callerUid: 0, subnetworkN: 4, minAllowedWeights: 2 };
    expect(checkWeightsForChain({ ...base, uids: [1, 2], values: [1] })).toBe('WeightVecNotEqualSize');
    expect(checkWeightsForChain({ ...base, uids: [0, 1, 2, 3, 3], values: [1, 1, 1, 1, 1] })).toBe(
      'UidsLengthExceedUidsInSubNet',
    );
    // Duplicates are checked before existence.
    expect(checkWeightsForChain({ ...base, uids: [9, 9], values: [1, 1] })).toBe('DuplicateUids');
    expect(checkWeightsForChain({ ...base, uids: [1, 4], values: [1, 1] })).toBe('UidVecContainInvalidOne');
    expect(checkWeightsForChain({ ...base, uids: [1], values: [1] })).toBe('WeightVecLengthIsLow');
    expect(checkWeightsForChain({ ...base, uids: [1, 2], values: [65535, 1], maxWeightsLimit: 32768 })).toBe(
      'MaxWeightExceeded',
    );
    expect(checkWeightsForChain({ ...base, uids: [1, 2], values: [65535, 65535], maxWeightsLimit: 32768 })).toBeNull();
    expect(checkWeightsForChain({ ...base, uids: [1, 2], values: [65535, 1] })).toBeNull(); // default limit 65535
  });

  it('self-weight is exempt from the length and max-weight checks; min length is min(N, MinAllowedWeights)', () => {
    expect(
      checkWeightsForChain({
        callerUid: 2,
        subnetworkN: 4,
        minAllowedWeights: 3,
        uids: [2],
        values: [5],
        maxWeightsLimit: 0,
      }),
    ).toBeNull();
    expect(checkWeightsForChain({ callerUid: 1, subnetworkN: 4, minAllowedWeights: 3, uids: [2], values: [5] })).toBe(
      'WeightVecLengthIsLow',
    );
    expect(
      checkWeightsForChain({ callerUid: 1, subnetworkN: 2, minAllowedWeights: 1024, uids: [0, 1], values: [1, 2] }),
    ).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

// Zero or a positive float32 in [1e-30, 1e6]. Below ~1e-38 the SDK's own cutoff underflows
// float32 and it returns NaN (pinned in 'edge cases'), so the properties stay above that.
const f32Weight = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.float({ min: Math.fround(1e-30), max: Math.fround(1e6), noNaN: true }) },
);

const uidsAndWeights = fc
  .uniqueArray(fc.integer({ min: 0, max: U16_MAX }), { maxLength: 64 })
  .chain((uids) =>
    fc.tuple(fc.constant(uids), fc.array(f32Weight, { minLength: uids.length, maxLength: uids.length })),
  );

describe('properties: convertWeightsAndUidsForEmit', () => {
  it('u16 outputs, max 65535, zeros dropped, uids aligned and in input order', () => {
    fc.assert(
      fc.property(uidsAndWeights, ([uids, weights]) => {
        const out = convertWeightsAndUidsForEmit(uids, weights);
        const w32 = weights.map(Math.fround);
        const wMax = Math.max(0, ...w32);
        expect(out.uids).toHaveLength(out.weights.length);
        if (wMax === 0) {
          expect(out).toEqual({ uids: [], weights: [] });
          return;
        }
        for (const v of out.weights) {
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(1);
          expect(v).toBeLessThanOrEqual(65535);
        }
        expect(Math.max(...out.weights)).toBe(65535);
        // Output uids are a subsequence of the input uids, each value within 0.5 of w/max*65535.
        let cursor = 0;
        out.uids.forEach((uid, k) => {
          const j = uids.indexOf(uid, cursor);
          expect(j).toBeGreaterThanOrEqual(cursor);
          const exact = ((w32[j] as number) / wMax) * 65535;
          expect(Math.abs((out.weights[k] as number) - exact)).toBeLessThanOrEqual(0.5);
          cursor = j + 1;
        });
        // Everything dropped would have rounded to 0.
        uids.forEach((uid, j) => {
          if (!out.uids.includes(uid)) expect(((w32[j] as number) / wMax) * 65535).toBeLessThanOrEqual(0.5);
        });
      }),
    );
  });

  it('ordering: a larger input weight never gets a smaller output', () => {
    fc.assert(
      fc.property(uidsAndWeights, ([uids, weights]) => {
        const out = convertWeightsAndUidsForEmit(uids, weights);
        const valueOf = (uid: number) => {
          const k = out.uids.indexOf(uid);
          return k < 0 ? 0 : (out.weights[k] as number);
        };
        const w32 = weights.map(Math.fround);
        for (let i = 0; i < uids.length; i++) {
          for (let j = 0; j < uids.length; j++) {
            if ((w32[i] as number) > (w32[j] as number)) {
              expect(valueOf(uids[i] as number)).toBeGreaterThanOrEqual(valueOf(uids[j] as number));
            }
          }
        }
      }),
    );
  });

  it('the chain max-upscale leaves SDK output unchanged and accepts it against its default limit', () => {
    fc.assert(
      fc.property(uidsAndWeights, ([uids, weights]) => {
        const out = convertWeightsAndUidsForEmit(uids, weights);
        expect(chainMaxUpscale(out.weights)).toEqual(out.weights);
        expect(chainMaxWeightWithinLimit(out.weights, 65535)).toBe(true);
      }),
    );
  });
});

describe('properties: normalizeMaxWeight', () => {
  const input = fc.tuple(
    fc.array(f32Weight, { minLength: 1, maxLength: 64 }),
    fc.integer({ min: 1, max: U16_MAX }).map((v) => v / U16_MAX),
  );

  it('sums to 1, keeps order and dtype; uniform when len*limit <= 1 or all zero', () => {
    fc.assert(
      fc.property(input, ([x, limit]) => {
        const y = normalizeMaxWeight(x, limit);
        const n = x.length;
        expect(y).toBeInstanceOf(Float32Array);
        expect(y).toHaveLength(n);
        expect(Math.abs(sum(y) - 1)).toBeLessThanOrEqual(1e-5);
        if (n * limit <= 1 || max(x) === 0) {
          expect(Array.from(y)).toEqual(new Array<number>(n).fill(Math.fround(1 / n)));
        }
        const x32 = x.map(Math.fround);
        for (let i = 0; i < n; i++) {
          expect(y[i] as number).toBeGreaterThanOrEqual(0);
          for (let j = 0; j < n; j++) {
            if ((x32[i] as number) > (x32[j] as number)) expect(y[i] as number).toBeGreaterThanOrEqual(y[j] as number);
          }
        }
      }),
    );
  });

  // The SDK's absolute epsilon (1e-7 on normalised values) makes the limit approximate when
  // the positive weights span many orders of magnitude (pinned in 'edge cases'). Within a 1e3
  // range, and when the positive entries alone can satisfy the limit, it holds.
  it('max <= limit when the positive weights can meet it (weights within a 1e3 range)', () => {
    const bounded = fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 4, arbitrary: fc.float({ min: 1, max: 1000, noNaN: true }) },
    );
    fc.assert(
      fc.property(
        fc.array(bounded, { minLength: 1, maxLength: 64 }),
        fc.integer({ min: 1, max: U16_MAX }),
        (x, u16) => {
          const limit = u16 / U16_MAX;
          const positive = x.filter((v) => v > 0).length;
          fc.pre(positive * limit > 1);
          const y = normalizeMaxWeight(x, limit);
          expect(max(y)).toBeLessThanOrEqual(limit * (1 + 1e-6));
          expect(Math.abs(sum(y) - 1)).toBeLessThanOrEqual(1e-5);
        },
      ),
    );
  });

  it('float64 input stays float64 and sums to 1 more tightly', () => {
    fc.assert(
      fc.property(input, ([x, limit]) => {
        const y = normalizeMaxWeight(Float64Array.from(x), limit);
        expect(y).toBeInstanceOf(Float64Array);
        expect(Math.abs(sum(y) - 1)).toBeLessThanOrEqual(1e-12);
      }),
    );
  });
});

describe('properties: processWeights', () => {
  const input = fc.array(f32Weight, { maxLength: 48 }).chain((weights) =>
    fc.record({
      weights: fc.constant(weights),
      extraNeurons: fc.integer({ min: 0, max: 4 }),
      minAllowedWeights: fc.integer({ min: 0, max: weights.length + 2 }),
      maxWeightLimit: fc.integer({ min: 0, max: U16_MAX }).map((v) => v / U16_MAX),
      excludeQuantile: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: U16_MAX })),
    }),
  );

  it('follows the §4.2 branch rules; kept uids are positive, in order, at least min_allowed_weights', () => {
    fc.assert(
      fc.property(input, ({ weights, extraNeurons, minAllowedWeights, maxWeightLimit, excludeQuantile }) => {
        const numNeurons = weights.length + extraNeurons;
        const uids = weights.map((_, i) => i);
        const r = processWeights({ uids, weights, numNeurons, minAllowedWeights, maxWeightLimit, excludeQuantile });
        const w32 = weights.map(Math.fround);
        const positive = uids.filter((i) => (w32[i] as number) > 0);
        expect(r.uids).toHaveLength(r.weights.length);
        if (positive.length === 0 || numNeurons < minAllowedWeights) {
          expect(r.branch).toBe('uniform');
          expect(r.uids).toEqual(Array.from({ length: numNeurons }, (_, i) => i));
          expect(Array.from(r.weights)).toEqual(new Array<number>(numNeurons).fill(1 / numNeurons));
          return;
        }
        if (positive.length < minAllowedWeights) {
          expect(r.branch).toBe('padded');
          expect(r.uids).toEqual(Array.from({ length: numNeurons }, (_, i) => i));
          expect(r.weights).toBeInstanceOf(Float64Array);
        } else {
          expect(r.branch).toBe('quantile');
          expect(r.weights).toBeInstanceOf(Float32Array);
          expect(r.uids.length).toBeGreaterThanOrEqual(Math.max(1, minAllowedWeights));
          // A subsequence of the positive uids, and everything dropped is below everything kept.
          let cursor = 0;
          for (const uid of r.uids) {
            const j = positive.indexOf(uid, cursor);
            expect(j).toBeGreaterThanOrEqual(cursor);
            cursor = j + 1;
          }
          const keptMin = Math.min(...r.uids.map((u) => w32[u] as number));
          for (const u of positive) if (!r.uids.includes(u)) expect(w32[u] as number).toBeLessThan(keptMin);
          if (excludeQuantile === 0) expect(r.uids).toEqual(positive);
        }
        expect(Math.abs(sum(r.weights) - 1)).toBeLessThanOrEqual(1e-5);
        if (r.branch === 'quantile' && r.uids.length * maxWeightLimit > 1) {
          const kept = r.uids.map((u) => w32[u] as number);
          // See the normalizeMaxWeight limit property for why the range matters.
          if (max(kept) <= 1000 * Math.min(...kept)) {
            expect(max(r.weights)).toBeLessThanOrEqual(maxWeightLimit * (1 + 1e-6));
          }
        }
      }),
    );
  });
});
