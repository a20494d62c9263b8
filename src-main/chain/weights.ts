/**
 * Weights math (chain §4): a bit-exact TypeScript port of the Python SDK's
 * `bittensor/utils/weight_utils.py` (`normalize_max_weight`, `process_weights(_for_netuid)`,
 * `convert_weights_and_uids_for_emit`) plus the pure, vector-only parts of the chain's
 * `internal_set_weights` validation (chain §4.1).
 *
 * Float semantics follow numpy 2.4 (the version the §4.2 vectors were produced with):
 * - numpy `float32` arithmetic is reproduced by rounding every operation with `Math.fround`
 *   (a float32 op computed in float64 and then rounded is the correctly rounded float32 result);
 * - a Python `float` meeting a float32 array is cast to float32 first (NEP 50 weak scalars);
 * - a numpy `float64` scalar meeting a float32 array promotes the operation to float64;
 * - `ndarray.sum()` uses numpy's pairwise summation (8 accumulators, blocks of 128), not a
 *   left-to-right loop, so sums are reproduced with the same order of additions.
 *
 * Arrays carry their dtype: a `Float32Array` is numpy float32, a `Float64Array` numpy float64.
 * A plain `number[]` is taken as float32 (chain §4.2: "Inputs are float32") unless
 * `{ dtype: 'float64' }` is given.
 */
import type { Netuid, Uid } from './types.js';

/** u16::MAX, the chain's integer weight scale (chain §4.2). */
export const U16_MAX = 65535;

export type FloatDtype = 'float32' | 'float64';
/** A float vector whose array type is its numpy dtype. */
export type FloatVector = Float32Array | Float64Array;
export type WeightsInput = FloatVector | readonly number[];

export interface DtypeOptions {
  /** How a plain `number[]` is read. Ignored for typed arrays. Default `'float32'`. */
  dtype?: FloatDtype;
}

export type WeightsErrorCode =
  | 'length-mismatch'
  | 'non-finite-weight'
  | 'negative-weight'
  | 'invalid-uid'
  | 'duplicate-uid'
  | 'invalid-parameter'
  | 'uid-position-mismatch';

/** Bad input to the weights functions; `code` says which rule it broke. */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
  readonly code: WeightsErrorCode;

  constructor(code: WeightsErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// u16 <-> float

/** SDK `u16_normalized_float`: `float(x) / 65535` (how `max_weight_limit` is read, chain §4.2). */
export function u16NormalizedFloat(value: number): number {
  assertU16(value, 'value');
  return value / U16_MAX;
}

/**
 * Inverse of {@link u16NormalizedFloat}: `round(x * 65535)` with Python's round-half-to-even,
 * the rounding `convert_weights_and_uids_for_emit` uses (chain §4.2 step 5).
 */
export function floatToU16(value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new WeightsError('invalid-parameter', `expected a float in [0, 1], got ${value}`);
  }
  return roundHalfEven(value * U16_MAX);
}

/**
 * Python 3 `round(x)` for a finite float: the nearest integer, ties to even
 * (chain §4.2 step 5: 32766.5 -> 32766, where `Math.round` gives 32767).
 */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) {
    throw new WeightsError('non-finite-weight', `cannot round ${x} to an integer`);
  }
  const floor = Math.floor(x);
  const diff = x - floor; // exact: the fractional part of a double is representable
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

// ---------------------------------------------------------------------------------------------
// numpy float helpers

type Rounder = (x: number) => number;
const identity: Rounder = (x) => x;

function rounderFor(x: FloatVector): Rounder {
  return x instanceof Float32Array ? Math.fround : identity;
}

function emptyLike(x: FloatVector, length: number): FloatVector {
  return x instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}

/**
 * numpy's `pairwise_sum` for one contiguous 1-D array (`ndarray.sum()`): below 8 elements a plain
 * loop, up to 128 eight interleaved accumulators combined as ((0+1)+(2+3))+((4+5)+(6+7)) and then
 * the remainder, above that the two halves (split at a multiple of 8) summed recursively.
 */
function pairwiseSum(a: FloatVector, start: number, n: number, r: Rounder): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = r(res + (a[start + i] as number));
    return res;
  }
  if (n <= 128) {
    const acc = new Array<number>(8);
    for (let j = 0; j < 8; j++) acc[j] = a[start + j] as number;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) acc[j] = r((acc[j] as number) + (a[start + i + j] as number));
    }
    const [a0, a1, a2, a3, a4, a5, a6, a7] = acc as [number, number, number, number, number, number, number, number];
    let res = r(r(r(a0 + a1) + r(a2 + a3)) + r(r(a4 + a5) + r(a6 + a7)));
    for (; i < n; i++) res = r(res + (a[start + i] as number));
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return r(pairwiseSum(a, start, n2, r) + pairwiseSum(a, start + n2, n - n2, r));
}

/** `x.sum()` in x's dtype. The reduction starts from the identity 0, so -0 sums to +0. */
function npSum(x: FloatVector): number {
  const r = rounderFor(x);
  return r(0 + pairwiseSum(x, 0, x.length, r));
}

/** `x / s` elementwise in x's dtype. */
function divideAll(x: FloatVector, s: number): FloatVector {
  const out = emptyLike(x, x.length);
  const r = rounderFor(x);
  for (let i = 0; i < x.length; i++) out[i] = r((x[i] as number) / s);
  return out;
}

/**
 * `np.quantile(sorted, q)` with the default `'linear'` method as numpy 2.4 runs it for a Python
 * float `q`: the virtual index `(n-1)*q` and gamma are float64, the interpolation is done in
 * the array's dtype (`_lerp`: `a + (b-a)*t`, or `b - (b-a)*(1-t)` when `t >= 0.5`).
 * `sorted` must be ascending and non-empty.
 */
function npQuantileLinear(sorted: FloatVector, q: number): number {
  const r = rounderFor(sorted);
  const n = sorted.length;
  const virtual = (n - 1) * q;
  let previous: number;
  let next: number;
  let previousForGamma: number;
  if (virtual >= n - 1) {
    previous = next = n - 1;
    previousForGamma = -1; // numpy stores index -1 (the last element) here
  } else if (virtual < 0) {
    previous = next = previousForGamma = 0;
  } else {
    previous = previousForGamma = Math.floor(virtual);
    next = previous + 1;
  }
  const gamma = virtual - previousForGamma;
  const a = sorted[previous] as number;
  const b = sorted[next] as number;
  const diff = r(b - a);
  if (gamma >= 0.5) return r(b - r(diff * r(1 - gamma)));
  return r(a + r(diff * r(gamma)));
}

// ---------------------------------------------------------------------------------------------
// input validation

function assertU16(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > U16_MAX) {
    throw new WeightsError('invalid-parameter', `${what} must be an integer in [0, ${U16_MAX}], got ${value}`);
  }
}

function assertCount(value: number, what: string, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new WeightsError('invalid-parameter', `${what} must be an integer in [0, ${max}], got ${value}`);
  }
}

/**
 * Copies `x` into a typed array of its dtype (or of `castTo`, like numpy's `astype`) and rejects
 * NaN, infinities, negatives and values that overflow float32.
 */
function toFloatVector(x: WeightsInput, options: DtypeOptions | undefined, castTo?: FloatDtype): FloatVector {
  const what = 'weight';
  const source: ArrayLike<number> = x;
  for (let i = 0; i < source.length; i++) {
    const v = source[i] as number;
    if (!Number.isFinite(v)) {
      throw new WeightsError('non-finite-weight', `${what} at index ${i} is ${v}; weights must be finite numbers`);
    }
    if (v < 0) {
      throw new WeightsError(
        'negative-weight',
        `${what} at index ${i} is negative (${v}); weights cannot be negative on chain`,
      );
    }
  }
  const ownDtype: FloatDtype =
    x instanceof Float32Array ? 'float32' : x instanceof Float64Array ? 'float64' : (options?.dtype ?? 'float32');
  const out: FloatVector = (castTo ?? ownDtype) === 'float32' ? Float32Array.from(x) : Float64Array.from(x);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i] as number)) {
      throw new WeightsError('non-finite-weight', `${what} at index ${i} (${source[i]}) overflows float32`);
    }
  }
  return out;
}

function toUids(uids: ArrayLike<Uid>, expectedLength: number, upperExclusive: number, context: string): Uid[] {
  if (uids.length !== expectedLength) {
    throw new WeightsError(
      'length-mismatch',
      `${context}uids and weights must have the same length, got ${uids.length} and ${expectedLength}`,
    );
  }
  const out: Uid[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < uids.length; i++) {
    const uid = uids[i] as number;
    if (!Number.isInteger(uid) || uid < 0 || uid >= upperExclusive) {
      throw new WeightsError(
        'invalid-uid',
        `${context}uid at index ${i} is ${uid}; uids must be integers in [0, ${upperExclusive - 1}]`,
      );
    }
    if (seen.has(uid)) {
      throw new WeightsError(
        'duplicate-uid',
        `${context}uid ${uid} appears more than once (the chain rejects DuplicateUids)`,
      );
    }
    seen.add(uid);
    out.push(uid);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// normalize_max_weight (chain §4.2)

/**
 * SDK `normalize_max_weight(x, limit)`: scales `x` to sum 1 and clips so that no element is
 * above `limit` (when `len(x) * limit > 1`; otherwise returns uniform `1/len`). Computed in the
 * input's dtype, exactly as numpy does. Empty input gives an empty vector.
 *
 * Like the SDK, the limit is only approximate when the weights span more than ~1e7 (its absolute
 * epsilon of 1e-7 on normalised values then dominates), and denormal-scale inputs can make the
 * cutoff underflow and return NaN; `convertWeightsAndUidsForEmit` rejects such output.
 */
export function normalizeMaxWeight(x: WeightsInput, limit: number, options?: DtypeOptions): FloatVector {
  if (!Number.isFinite(limit) || limit < 0) {
    throw new WeightsError('invalid-parameter', `limit must be a finite number >= 0, got ${limit}`);
  }
  return normalizeCore(toFloatVector(x, options), limit);
}

/** The algorithm of chain §4.2 `normalize_max_weight`, on an already validated vector. */
function normalizeCore(x: FloatVector, limit: number): FloatVector {
  const r = rounderFor(x);
  const n = x.length;
  const epsilon = r(1e-7); // a Python float meeting the array: cast to its dtype
  const limitD = r(limit); // ditto, for every comparison / product with an array value

  // chain §4.2: if sum(x) == 0 or len(x)*limit <= 1, return uniform 1/len (`ones_like(x) / n`).
  if (npSum(x) === 0 || n * limit <= 1) {
    const out = emptyLike(x, n);
    out.fill(r(1 / n));
    return out;
  }

  // values = sort(x); est = values / sum(values)
  const values = x.slice().sort();
  const valuesSum = npSum(values);
  const est = divideAll(values, valuesSum);
  let estMax = -Infinity;
  for (const e of est) if (e > estMax) estMax = e;
  // chain §4.2: if max(est) <= limit, return x / sum(x)
  if (estMax <= limitD) return divideAll(x, npSum(x));

  // cumsum (sequential, in dtype); est_sum[i] = (len-i-1)*est[i];
  // n_values = count(est / (est_sum + cumsum + 1e-7) < limit)
  const cumsum = emptyLike(x, n);
  let running = 0;
  let nValues = 0;
  for (let i = 0; i < n; i++) {
    const e = est[i] as number;
    running = i === 0 ? e : r(running + e);
    cumsum[i] = running;
    const estSum = r((n - i - 1) * e);
    if (r(e / r(r(estSum + running) + epsilon)) < limitD) nValues++;
  }

  // cutoff_scale = (limit*cumsum[n_values-1] - 1e-7) / (1 - limit*(len - n_values)).
  // The numerator is a dtype value; the denominator is float64 (Python float times numpy int),
  // so the division and `cutoff = cutoff_scale * sum(values)` are float64.
  const k = nValues - 1 < 0 ? n + nValues - 1 : nValues - 1; // Python index -1 is the last element
  const numerator = r(r(limitD * (cumsum[k] as number)) - epsilon);
  const denominator = 1 - limit * (n - nValues);
  const cutoff = (numerator / denominator) * valuesSum;

  // Clip every x > cutoff (a float64 comparison) to cutoff (stored in dtype), then x / sum(x).
  const clipped = x.slice();
  const cutoffStored = r(cutoff);
  for (let i = 0; i < n; i++) if ((clipped[i] as number) > cutoff) clipped[i] = cutoffStored;
  return divideAll(clipped, npSum(clipped));
}

// ---------------------------------------------------------------------------------------------
// process_weights / process_weights_for_netuid (chain §4.2)

export interface ProcessWeightsInput {
  uids: ArrayLike<Uid>;
  /** Raw scores, aligned with `uids`; cast to float32 like the SDK does (chain §4.2 step 1). */
  weights: WeightsInput;
  /** `metagraph.n`: the number of uids on the subnet. */
  numNeurons: number;
  /** `MinAllowedWeights(netuid)` as stored (the SDK does not clamp it to `numNeurons`). */
  minAllowedWeights: number;
  /** The SDK's `max_weight_limit`: `MaxWeightsLimit / 65535`, a float in [0, 1]. */
  maxWeightLimit: number;
  /** u16 quantile of the lowest non-zero weights to drop (the SDK's `exclude_quantile`). Default 0. */
  excludeQuantile?: number;
}

export interface ProcessWeightsForNetuidInput extends Omit<ProcessWeightsInput, 'maxWeightLimit'> {
  /** Only used to label errors. */
  netuid?: Netuid;
  /** `MaxWeightsLimit(netuid)` as stored, u16 (65535 = no limit). */
  maxWeightsLimit: number;
}

/**
 * Which path of chain §4.2 `process_weights` produced the result:
 * - `uniform`: no positive weight, or `numNeurons < minAllowedWeights` (step 3);
 * - `padded`: fewer positive weights than `minAllowedWeights`; every uid gets 1e-5 plus its
 *   weight (step 4, float64);
 * - `quantile`: the normal path, lowest quantile excluded, float32 (step 5).
 */
export type ProcessWeightsBranch = 'uniform' | 'padded' | 'quantile';

export interface ProcessedWeights {
  uids: Uid[];
  /** Float weights, in the dtype the SDK returns (float64 for `uniform`/`padded`, else float32). */
  weights: FloatVector;
  branch: ProcessWeightsBranch;
}

/**
 * SDK `process_weights` (chain §4.2): quantile exclusion then `normalize_max_weight`.
 *
 * Input rules beyond the SDK's (it would otherwise emit something the chain rejects or silently
 * mis-assign): uids are unique integers below `numNeurons`; weights are finite and >= 0; and on
 * the `padded` path, where the SDK places each weight at its *array position* and returns
 * `arange(numNeurons)` as uids, every positive weight must sit at the position equal to its uid
 * (otherwise `uid-position-mismatch`).
 */
export function processWeights(input: ProcessWeightsInput): ProcessedWeights {
  return processWeightsWithContext(input, '');
}

/**
 * SDK `process_weights_for_netuid` (chain §4.2): `process_weights` with the subnet's stored
 * hyperparameters, `max_weight_limit = MaxWeightsLimit / 65535`.
 */
export function processWeightsForNetuid(input: ProcessWeightsForNetuidInput): ProcessedWeights {
  const { netuid, maxWeightsLimit, ...rest } = input;
  const context = netuid === undefined ? '' : `netuid ${netuid}: `;
  assertU16(maxWeightsLimit, `${context}maxWeightsLimit`);
  return processWeightsWithContext({ ...rest, maxWeightLimit: u16NormalizedFloat(maxWeightsLimit) }, context);
}

function processWeightsWithContext(input: ProcessWeightsInput, context: string): ProcessedWeights {
  const { numNeurons, minAllowedWeights, maxWeightLimit } = input;
  const excludeQuantile = input.excludeQuantile ?? 0;
  assertCount(numNeurons, `${context}numNeurons`, U16_MAX + 1);
  assertU16(minAllowedWeights, `${context}minAllowedWeights`);
  assertU16(excludeQuantile, `${context}excludeQuantile`);
  if (!Number.isFinite(maxWeightLimit) || maxWeightLimit < 0 || maxWeightLimit > 1) {
    throw new WeightsError(
      'invalid-parameter',
      `${context}maxWeightLimit must be a float in [0, 1] (MaxWeightsLimit / 65535, see u16NormalizedFloat), got ${maxWeightLimit}`,
    );
  }
  // chain §4.2 step 1: cast the weights to float32.
  const f32 = toFloatVector(input.weights, undefined, 'float32');
  const uids = toUids(input.uids, f32.length, numNeurons, context);
  const quantile = excludeQuantile / U16_MAX;

  // chain §4.2 step 2: keep the non-zero entries (weights > 0), remembering their positions.
  const nzPositions: number[] = [];
  for (let i = 0; i < f32.length; i++) if ((f32[i] as number) > 0) nzPositions.push(i);
  const nzCount = nzPositions.length;
  const arange = (): Uid[] => Array.from({ length: numNeurons }, (_, i) => i);

  // chain §4.2 step 3: none, or num_neurons < min_allowed_weights -> uniform over all neurons.
  if (nzCount === 0 || numNeurons < minAllowedWeights) {
    // `np.ones(n, dtype=int64) / n` is float64.
    return { uids: arange(), weights: new Float64Array(numNeurons).fill(1 / numNeurons), branch: 'uniform' };
  }

  // chain §4.2 step 4: too few non-zero weights -> 1e-5 everywhere plus the weights (float64).
  if (nzCount < minAllowedWeights) {
    const padded = new Float64Array(numNeurons).fill(1e-5);
    for (const position of nzPositions) {
      if (uids[position] !== position) {
        throw new WeightsError(
          'uid-position-mismatch',
          `${context}only ${nzCount} positive weights (< minAllowedWeights ${minAllowedWeights}): the SDK then ` +
            `pads by array position and returns uids 0..${numNeurons - 1}, but uid ${uids[position]} is at ` +
            `position ${position}; pass weights for uids 0..n-1 in uid order`,
        );
      }
      padded[position] = (padded[position] as number) + (f32[position] as number);
    }
    return { uids: arange(), weights: normalizeCore(padded, maxWeightLimit), branch: 'padded' };
  }

  // chain §4.2 step 5: drop the lowest quantile, never leaving fewer than min_allowed_weights.
  const nzWeights = new Float32Array(nzCount);
  for (let j = 0; j < nzCount; j++) nzWeights[j] = f32[nzPositions[j] as number] as number;
  const maxExclude = Math.max(0, nzCount - minAllowedWeights) / nzCount;
  const q = Math.min(quantile, maxExclude);
  const lowest = npQuantileLinear(nzWeights.slice().sort(), q);
  const keptUids: Uid[] = [];
  const keptWeights: number[] = [];
  for (let j = 0; j < nzCount; j++) {
    const w = nzWeights[j] as number;
    if (lowest <= w) {
      keptUids.push(uids[nzPositions[j] as number] as Uid);
      keptWeights.push(w);
    }
  }
  return {
    uids: keptUids,
    weights: normalizeCore(Float32Array.from(keptWeights), maxWeightLimit),
    branch: 'quantile',
  };
}

// ---------------------------------------------------------------------------------------------
// convert_weights_and_uids_for_emit (chain §4.2)

/** What `set_weights` / the commit payloads take: uids and u16 values, aligned. */
export interface EmitWeights {
  uids: Uid[];
  /** u16 values in [1, 65535]; the largest is 65535. */
  weights: number[];
}

/**
 * SDK `convert_weights_and_uids_for_emit` (chain §4.2): max-upscale to 1, `round(w * 65535)`
 * with round-half-to-even in float64, drop the zeros with their uids. All-zero (or empty) input
 * gives empty lists ("nothing to set on chain").
 *
 * Weights are read in their dtype (a `number[]` as float32 unless `{ dtype: 'float64' }`), so
 * the float64 output of {@link processWeights}' uniform/padded paths stays float64, as in Python.
 * Beyond the SDK, uids must be unique u16 integers.
 */
export function convertWeightsAndUidsForEmit(
  uids: ArrayLike<Uid>,
  weights: WeightsInput,
  options?: DtypeOptions,
): EmitWeights {
  // chain §4.2 step 2: no negative weight or uid, equal lengths.
  const w = toFloatVector(weights, options);
  const checkedUids = toUids(uids, w.length, U16_MAX + 1, '');
  // chain §4.2 step 3: sum == 0 -> nothing to set. (Weights are >= 0, so: all zero.)
  let max = 0;
  for (const v of w) if (v > max) max = v;
  if (max === 0) return { uids: [], weights: [] };

  const out: EmitWeights = { uids: [], weights: [] };
  for (let i = 0; i < w.length; i++) {
    // chain §4.2 steps 4-5: float(value) / max_weight, then round(x * 65535), all float64.
    const value = roundHalfEven(((w[i] as number) / max) * U16_MAX);
    // chain §4.2 step 6: drop zeros together with their uid.
    if (value !== 0) {
      out.uids.push(checkedUids[i] as Uid);
      out.weights.push(value);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Chain-side checks (chain §4.1), fixed-point I32F32 as in subtensor's epoch/math.rs

const FRAC = 32n;
const ONE = 1n << FRAC;
const HALF = 1n << (FRAC - 1n);
const I32F32_MAX_BITS = (1n << 63n) - 1n;

/**
 * The chain's `vec_u16_max_upscale_to_u16` (chain §4.1 step 12): rescales u16 values so the
 * largest becomes 65535, in I32F32 fixed point (truncating mul/div, `round()` half away from
 * zero). An all-zero vector stays zero. Values the SDK emits (max already 65535) are unchanged.
 */
export function chainMaxUpscale(values: ArrayLike<number>): number[] {
  const vals = toU16Array(values, 'value');
  let max = 0n;
  for (const v of vals) if (BigInt(v) > max) max = BigInt(v);
  if (max === 0n) return vals.map(() => 0);
  const u16Max = BigInt(U16_MAX);
  if (max > 32768n) {
    // e * (u16_max / max): the quotient is truncated to 32 fraction bits first.
    const ratioBits = (u16Max * ONE * ONE) / (max * ONE);
    return vals.map((e) => Number(fixedRoundToU16(BigInt(e) * ratioBits)));
  }
  // (e * u16_max) / max
  return vals.map((e) => Number(fixedRoundToU16((BigInt(e) * u16Max * ONE * ONE) / (max * ONE))));
}

/** `round()` (ties away from zero; inputs are >= 0) then `saturating_to_num::<u16>()`. */
function fixedRoundToU16(bits: bigint): bigint {
  const rounded = (bits + HALF) >> FRAC;
  return rounded > BigInt(U16_MAX) ? BigInt(U16_MAX) : rounded;
}

/**
 * The chain's `check_vec_max_limited(values, maxLimit)` (chain §4.1 step 12): true when the
 * sum-normalized largest value, in I32F32, is <= `maxLimit / 65535`. The chain skips the check
 * when the limit is 65535 (and subtensor HEAD hardcodes `get_max_weight_limit` to 65535).
 */
export function chainMaxWeightWithinLimit(values: ArrayLike<number>, maxWeightsLimit: number): boolean {
  assertU16(maxWeightsLimit, 'maxWeightsLimit');
  const vals = toU16Array(values, 'value');
  if (maxWeightsLimit === U16_MAX) return true;
  const limitBits = (BigInt(maxWeightsLimit) * ONE * ONE) / (BigInt(U16_MAX) * ONE);
  let sum = 0n;
  let max = 0n;
  for (const v of vals) {
    sum += BigInt(v);
    if (BigInt(v) > max) max = BigInt(v);
  }
  if (sum === 0n) return true; // empty or all zero: inplace_normalize leaves zeros, 0 <= limit
  if (sum * ONE > I32F32_MAX_BITS) {
    throw new WeightsError('invalid-parameter', `sum of values ${sum} overflows the chain's I32F32`);
  }
  return (max * ONE * ONE) / (sum * ONE) <= limitBits;
}

function toU16Array(values: ArrayLike<number>, what: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    assertU16(v, `${what} at index ${i}`);
    out.push(v);
  }
  return out;
}

/** Errors of chain §4.1 that depend only on the vectors and subnet sizes. */
export type ChainWeightsError =
  | 'WeightVecNotEqualSize'
  | 'UidsLengthExceedUidsInSubNet'
  | 'DuplicateUids'
  | 'UidVecContainInvalidOne'
  | 'WeightVecLengthIsLow'
  | 'MaxWeightExceeded';

export interface ChainWeightsCheckInput {
  uids: ArrayLike<Uid>;
  /** u16 values as they would be sent. */
  values: ArrayLike<number>;
  /** The caller's own uid (a single weight on it is a self-weight, exempt from steps 11-12). */
  callerUid: Uid;
  /** `SubnetworkN(netuid)`; uids exist iff they are below it. */
  subnetworkN: number;
  /** `MinAllowedWeights(netuid)` as stored; the chain uses min(subnetworkN, this). */
  minAllowedWeights: number;
  /** u16 limit for step 12. Default 65535, what subtensor HEAD uses whatever is stored. */
  maxWeightsLimit?: number;
}

/**
 * Runs, in chain order, the vector-only checks of `internal_set_weights` (chain §4.1 steps 2, 4,
 * 10, 11, 12) and returns the first error the chain would raise, or `null`. Stake, version key,
 * rate limit and validator permit (steps 5-9) need chain state and are not checked here.
 */
export function checkWeightsForChain(input: ChainWeightsCheckInput): ChainWeightsError | null {
  const { uids, values, callerUid, subnetworkN, minAllowedWeights } = input;
  const maxWeightsLimit = input.maxWeightsLimit ?? U16_MAX;
  assertU16(callerUid, 'callerUid');
  assertCount(subnetworkN, 'subnetworkN', U16_MAX + 1);
  assertU16(minAllowedWeights, 'minAllowedWeights');
  assertU16(maxWeightsLimit, 'maxWeightsLimit');
  const uidList = toU16Array(uids, 'uid');
  const valueList = toU16Array(values, 'value');

  // step 2
  if (uidList.length !== valueList.length) return 'WeightVecNotEqualSize';
  // step 4
  if (uidList.length > subnetworkN) return 'UidsLengthExceedUidsInSubNet';
  // step 10: duplicates first, then existence
  if (new Set(uidList).size !== uidList.length) return 'DuplicateUids';
  if (uidList.some((uid) => uid >= subnetworkN)) return 'UidVecContainInvalidOne';
  const selfWeight = valueList.length === 1 && uidList[0] === callerUid;
  // step 11: len >= min(SubnetworkN, MinAllowedWeights) unless a self-weight
  if (!selfWeight && valueList.length < Math.min(subnetworkN, minAllowedWeights)) return 'WeightVecLengthIsLow';
  // step 12: max-upscale, then the max-weight limit (self-weights exempt)
  if (!selfWeight && !chainMaxWeightWithinLimit(chainMaxUpscale(valueList), maxWeightsLimit)) {
    return 'MaxWeightExceeded';
  }
  return null;
}
