/**
 * The devnet's simplified Yuma consensus and emission split. Pure functions, no chain state.
 *
 * ## Simplified Yuma (one epoch)
 *
 * Inputs per uid i: stake S_i (alpha, rao), validator permit, active flag, and the weight row W_i
 * (raw u16 values by target uid; the caller has already dropped self-weights, weights to uids that
 * registered after i last set weights, and uids that do not exist).
 *
 * 1. Stake: s_i = S_i / Σ S over uids that hold a permit **and** are active; 0 for everyone else.
 * 2. Weights: each row with s_i > 0 is normalised to sum 1: w_ij = W_ij / Σ_j W_ij.
 * 3. Consensus: C_j = the largest w such that the validators giving j at least w hold ≥ κ of the
 *    stake (the stake-weighted κ-quantile of column j; κ = 0.5 by default, a stake-weighted median).
 * 4. Clipping: w̄_ij = min(w_ij, C_j) — weight above what the stake majority agrees on is discarded.
 * 5. Rank R_j = Σ_i s_i·w̄_ij; incentive I_j = R_j / Σ_k R_k (sums to 1 when anyone set weights).
 * 6. Validator trust T_i = Σ_j w̄_ij (the part of i's weight that survived clipping); dividends
 *    D_i = s_i·T_i / Σ_k s_k·T_k (sums to 1 over validators whose weights count).
 *
 * Step 6 is Yuma's dividend rule Σ_j B_ij·I_j with *instant* bonds B_ij = s_i·w̄_ij / R_j (no bond
 * EMA): B_ij·I_j = s_i·w̄_ij / Σ R, summed over j gives s_i·T_i / Σ R.
 *
 * What is left out compared with subtensor: bonds and their moving average (so no reward for
 * having been early), liquid alpha, Yuma 3, the u16/I32F32 fixed-point arithmetic, root (TAO)
 * stake weight, child hotkeys and delegate take.
 *
 * ### Worked example (also a test in consensus.test.ts)
 *
 * uids 0 and 1 are validators with stake 600 and 400 (s = 0.6, 0.4); uids 2, 3, 4 are miners.
 * uid 0 weights 2 and 3 equally: w_0 = (0.5, 0.5, 0). uid 1 weights (2, 3, 4) as (0.2, 0.2, 0.6).
 * - C_2 = C_3 = 0.5 (uid 0, with 0.6 ≥ κ of the stake, gives 0.5); C_4 = 0 (only 0.4 of the stake
 *   supports any weight on 4).
 * - Clipped: w̄_0 = (0.5, 0.5, 0), w̄_1 = (0.2, 0.2, 0): uid 1's 0.6 on uid 4 is discarded.
 * - R = (0.38, 0.38, 0), so I = (0.5, 0.5, 0).
 * - T = (1.0, 0.4); s·T = (0.6, 0.16), so D = (0.6/0.76, 0.16/0.76) ≈ (0.7895, 0.2105).
 * - Epoch emission 1000 rao with an 18 % owner cut: owner 180, miners 410 (uids 2, 3: 205 each),
 *   validators 410 (uid 0: 324, uid 1: 86; the rounding rao goes to the largest remainder).
 *
 * ## Emission split
 *
 * The alpha accrued since the last epoch is split like dTAO does at the top level: the owner cut
 * (18 % by default) to the subnet owner, the rest half to miners by incentive and half to
 * validators by dividends (so 41 / 41 / 18). The simplification is below that level: validators'
 * half is not divided between alpha and root (TAO) stakers, nothing is swapped through the pool,
 * and a half with nobody to receive it (no incentive, or no dividends) is recycled (not minted).
 * Rewards are staked: they add to the receiving hotkey's alpha stake.
 */

export interface YumaInput {
  /** Alpha stake per uid, rao. */
  stake: readonly bigint[];
  validatorPermit: readonly boolean[];
  active: readonly boolean[];
  /** Row per uid: target uid → raw u16 weight (already masked by the caller, see above). */
  weights: readonly ReadonlyMap<number, number>[];
  /** Consensus quantile, default 0.5. */
  kappa?: number;
}

export interface YumaResult {
  /** s_i: normalised stake of the active permitted validators. */
  activeStake: number[];
  consensus: number[];
  rank: number[];
  incentive: number[];
  validatorTrust: number[];
  dividends: number[];
}

/** Float slack for the κ comparison (stake shares such as 0.3 + 0.2 are not exact in binary). */
const EPSILON = 1e-12;

export function yumaConsensus(input: YumaInput): YumaResult {
  const n = input.stake.length;
  const kappa = input.kappa ?? 0.5;
  const zeros = (): number[] => new Array<number>(n).fill(0);

  // 1. Active permitted stake, normalised.
  const rawStake = input.stake.map((s, i) => (input.validatorPermit[i] && input.active[i] ? Number(s) : 0));
  const totalStake = sum(rawStake);
  const s = totalStake > 0 ? rawStake.map((x) => x / totalStake) : zeros();

  // 2. Row-normalised weights of the validators that count.
  const w: number[][] = Array.from({ length: n }, zeros);
  for (let i = 0; i < n; i++) {
    const row = input.weights[i];
    if (!row || (s[i] ?? 0) <= 0) continue;
    let rowSum = 0;
    for (const [j, v] of row) if (j >= 0 && j < n && j !== i && v > 0) rowSum += v;
    if (rowSum <= 0) continue;
    const target = w[i] as number[];
    for (const [j, v] of row) if (j >= 0 && j < n && j !== i && v > 0) target[j] = v / rowSum;
  }

  // 3. Consensus: stake-weighted κ-quantile per column.
  const consensus = zeros();
  const validators = s.flatMap((si, i) => (si > 0 ? [i] : []));
  for (let j = 0; j < n; j++) {
    const column = validators
      .map((i) => ({ weight: w[i]?.[j] ?? 0, stake: s[i] ?? 0 }))
      .sort((a, b) => b.weight - a.weight);
    let support = 0;
    for (const entry of column) {
      support += entry.stake;
      if (support >= kappa - EPSILON) {
        consensus[j] = entry.weight;
        break;
      }
    }
  }

  // 4–5. Clip, rank, incentive.
  const clipped = w.map((row) => row.map((x, j) => Math.min(x, consensus[j] ?? 0)));
  const rank = zeros();
  for (const i of validators) {
    const row = clipped[i] as number[];
    for (let j = 0; j < n; j++) rank[j] = (rank[j] ?? 0) + (s[i] ?? 0) * (row[j] ?? 0);
  }
  const rankSum = sum(rank);
  const incentive = rankSum > 0 ? rank.map((r) => r / rankSum) : zeros();

  // 6. Validator trust and dividends.
  const validatorTrust = clipped.map((row, i) => ((s[i] ?? 0) > 0 ? sum(row) : 0));
  const bonded = validatorTrust.map((t, i) => t * (s[i] ?? 0));
  const bondedSum = sum(bonded);
  const dividends = bondedSum > 0 && rankSum > 0 ? bonded.map((b) => b / bondedSum) : zeros();

  return { activeStake: s, consensus, rank, incentive, validatorTrust, dividends };
}

export interface EmissionSplit {
  total: bigint;
  toOwner: bigint;
  toMiners: bigint;
  toValidators: bigint;
  /** The half (or both) that had nobody to go to. */
  recycled: bigint;
  /** Per uid, rao. */
  minerEmission: bigint[];
  validatorEmission: bigint[];
}

/**
 * Splits one epoch's alpha: `ownerCutPercent` to the owner (rounded down), the rest half to miners
 * by incentive (rounded down) and the remainder to validators by dividends. Exact: every rao of
 * `total` ends up in exactly one of toOwner / toMiners / toValidators / recycled.
 */
export function splitEpochEmission(
  total: bigint,
  ownerCutPercent: number,
  incentive: readonly number[],
  dividends: readonly number[],
): EmissionSplit {
  const basisPoints = BigInt(Math.round(Math.min(100, Math.max(0, ownerCutPercent)) * 100));
  const toOwner = (total * basisPoints) / 10_000n;
  const minerHalf = (total - toOwner) / 2n;
  const validatorHalf = total - toOwner - minerHalf;
  const minerEmission = splitProportional(minerHalf, incentive);
  const validatorEmission = splitProportional(validatorHalf, dividends);
  const toMiners = sumBig(minerEmission);
  const toValidators = sumBig(validatorEmission);
  return {
    total,
    toOwner,
    toMiners,
    toValidators,
    recycled: total - toOwner - toMiners - toValidators,
    minerEmission,
    validatorEmission,
  };
}

const SHARE_SCALE = 2 ** 48;

/**
 * Splits `total` rao in proportion to `shares` (non-negative), exactly: each part is rounded down
 * and the rao left over go one each to the largest remainders (ties: lower index). All shares 0:
 * every part is 0 (nothing is handed out).
 */
export function splitProportional(total: bigint, shares: readonly number[]): bigint[] {
  const clean = shares.map((x) => (Number.isFinite(x) && x > 0 ? x : 0));
  const shareSum = sum(clean);
  if (shareSum <= 0 || total <= 0n) return clean.map(() => 0n);
  const weights = clean.map((x) => BigInt(Math.round((x / shareSum) * SHARE_SCALE)));
  const weightSum = sumBig(weights);
  if (weightSum === 0n) return clean.map(() => 0n);
  const parts = weights.map((wi) => (total * wi) / weightSum);
  const remainders = weights.map((wi, i) => ({ i, r: (total * wi) % weightSum }));
  let leftover = total - sumBig(parts);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (leftover <= 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return parts;
}

/** Validator permits: the `k` uids with the most stake (non-zero only; ties: lower uid). */
export function topKByStake(stake: readonly bigint[], k: number): boolean[] {
  const ranked = stake
    .map((s, uid) => ({ s, uid }))
    .filter((x) => x.s > 0n)
    .sort((a, b) => (a.s === b.s ? a.uid - b.uid : a.s > b.s ? -1 : 1))
    .slice(0, Math.max(0, k));
  const permits = stake.map(() => false);
  for (const { uid } of ranked) permits[uid] = true;
  return permits;
}

/** A ratio as the chain stores it: u16 parts of 65535, rounded. */
export function toU16(ratio: number): number {
  return Math.min(65535, Math.max(0, Math.round(ratio * 65535)));
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function sumBig(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}
