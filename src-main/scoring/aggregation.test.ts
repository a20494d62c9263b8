import { describe, expect, it } from 'vitest';
import {
  SCORING_PROFILES,
  ScoringProfileSchema,
  ScoringProfileSettingSchema,
} from '../../src-shared/schemas/scoring.js';
import {
  applyJudgement,
  durationMultiplier,
  emaUpdate,
  geometricMean,
  judgeResponse,
  normalizeFad,
  normalizeKld,
  punishScore,
  type ResponseFacts,
} from './aggregation.js';
import { kldBoth, softmax } from './kl-divergence.js';

const REF = 'bittaudio-1.1.3' as const;
const FIXED = 'fixed' as const;
const tiny = 1e-9;

describe('scoring profile setting', () => {
  it('defaults to the reference-compatible profile and rejects unknown names', () => {
    expect(ScoringProfileSettingSchema.parse(undefined)).toBe(REF);
    expect(SCORING_PROFILES).toEqual([REF, FIXED]);
    expect(ScoringProfileSchema.safeParse('bittaudio-1.1.4').success).toBe(false);
  });
});

describe('normalizeKld', () => {
  it('bittaudio-1.1.3: 1 − k on [0, 1], 0.5·(2 − k) on (1, 2], else 0 — with the jump at 1', () => {
    const cases: [number | null, number][] = [
      [0, 1],
      [0.25, 0.75],
      [1 - tiny, tiny],
      [1, 0],
      [1 + tiny, 0.5],
      [1.2, 0.4],
      [2, 0],
      [2 + tiny, 0],
      [7, 0],
      [-1e-6, 0], // identical clips: the epsilon makes kld_both slightly negative
      [null, 0],
      [Number.NaN, 0],
    ];
    for (const [k, v] of cases) expect(normalizeKld(REF, k)).toBeCloseTo(v, 8);
  });

  it('fixed: 1 − k/2 on [0, 2], continuous and monotonic, negative k counts as 0', () => {
    const cases: [number | null, number][] = [
      [0, 1],
      [0.5, 0.75],
      [1, 0.5],
      [1 + tiny, 0.5],
      [1.2, 0.4],
      [2, 0],
      [3, 0],
      [-1e-6, 1],
      [null, 0],
    ];
    for (const [k, v] of cases) expect(normalizeKld(FIXED, k)).toBeCloseTo(v, 8);
    for (let k = -0.5; k < 3; k += 0.01) {
      expect(normalizeKld(FIXED, k + 0.01)).toBeLessThanOrEqual(normalizeKld(FIXED, k));
    }
  });
});

describe('normalizeFad', () => {
  it('bittaudio-1.1.3: (5 − f)/5 on [0, 5], 0.5·(10 − f)/5 on (5, 10], else 0 — with the jump at 5', () => {
    const cases: [number | null, number][] = [
      [0, 1],
      [2.5, 0.5],
      [5 - tiny, 0],
      [5, 0],
      [5 + tiny, 0.5],
      [7.5, 0.25],
      [10, 0],
      [10 + tiny, 0],
      [-3, 1], // calculate_fad clamps with max(0, f) first
      [Number.NaN, 1], // …and Python's max(0, nan) is 0
      [null, 0],
    ];
    for (const [f, v] of cases) expect(normalizeFad(REF, f)).toBeCloseTo(v, 8);
  });

  it('fixed: 1 − f/10 on [0, 10], monotonic; NaN counts as a failure (0)', () => {
    const cases: [number | null, number][] = [
      [0, 1],
      [5, 0.5],
      [5 + tiny, 0.5],
      [7.5, 0.25],
      [10, 0],
      [12, 0],
      [Number.NaN, 0],
    ];
    for (const [f, v] of cases) expect(normalizeFad(FIXED, f)).toBeCloseTo(v, 8);
    for (let f = -1; f < 12; f += 0.05) {
      expect(normalizeFad(FIXED, f + 0.05)).toBeLessThanOrEqual(normalizeFad(FIXED, f));
    }
  });
});

describe('geometricMean', () => {
  it('is Π max(v, 1e-4)^(1/n)', () => {
    expect(geometricMean([0.25, 1])).toBeCloseTo(0.5, 15);
    expect(geometricMean([0, 1])).toBeCloseTo(0.01, 15);
    expect(geometricMean([0, -3])).toBeCloseTo(1e-4, 15);
    expect(geometricMean([0.5, 0.32])).toBeCloseTo(0.4, 15);
  });
});

describe('durationMultiplier (ttm.py score_adjustment)', () => {
  const table: [number, number, number][] = [
    // seconds, bittaudio-1.1.3, fixed
    [30, 1, 1],
    [15, 1, 1],
    [14.999, 0.9, 0.9],
    [14.5, 0.9, 0.9],
    [14.499, 0.8, 0.8],
    [14, 0.8, 0.8],
    [13.999, 0.7, 0.7],
    [13.5, 0.7, 0.7],
    [13.499, 0.6, 0.6],
    [13, 0.6, 0.6],
    [12.999, 0, 0],
    [12.5, 0, 0],
    [12.499, 1, 0], // the reference's hole: shorter than its table, no penalty
    [3, 1, 0],
    [0, 1, 0],
  ];
  it.each(table)('%s s → %s (reference), %s (fixed)', (seconds, reference, fixed) => {
    expect(durationMultiplier(REF, seconds)).toBe(reference);
    expect(durationMultiplier(FIXED, seconds)).toBe(fixed);
  });

  it('names an impossible duration', () => {
    expect(() => durationMultiplier(REF, Number.NaN)).toThrow(/duration/);
    expect(() => durationMultiplier(FIXED, -1)).toThrow(/duration/);
  });
});

const facts = (patch: Partial<ResponseFacts> = {}): ResponseFacts => ({
  kld: 0.5,
  fad: 2.5,
  clap: 0.32,
  durationSeconds: 15,
  duplicate: false,
  ...patch,
});

describe('judgeResponse', () => {
  it('scores gm(gm(KLDn, FADn), clap): KLD 0.5, FAD 2.5, CLAP 0.32 → gm(0.5, 0.32) = 0.4 (reference)', () => {
    const j = judgeResponse(REF, facts());
    expect(j.quality).toBeCloseTo(0.5, 15);
    expect(j.update).toBeCloseTo(0.4, 15);
    expect(j.punish).toBe(false);
    // fixed: KLDn 0.75, FADn 0.75 → quality 0.75 → √(0.75·0.32) = √0.24
    expect(judgeResponse(FIXED, facts()).update).toBeCloseTo(Math.sqrt(0.24), 15);
  });

  it('closes the CLAP gate at 0.1 exactly, opens it just above', () => {
    for (const profile of [REF, FIXED]) {
      expect(judgeResponse(profile, facts({ clap: 0.1 })).update).toBe(0);
      expect(judgeResponse(profile, facts({ clap: -0.4 })).update).toBe(0);
      expect(judgeResponse(REF, facts({ clap: 0.1 + tiny })).update).toBeCloseTo(Math.sqrt(0.05), 7);
    }
    expect(judgeResponse(REF, facts({ clap: Number.NaN })).update).toBe(0);
  });

  it('applies the duration multiplier after the gate: 14.2 s → 0.8 × 0.4', () => {
    expect(judgeResponse(REF, facts({ durationSeconds: 14.2 })).update).toBeCloseTo(0.32, 15);
    expect(judgeResponse(REF, facts({ durationSeconds: 10 })).update).toBeCloseTo(0.4, 15);
    expect(judgeResponse(FIXED, facts({ durationSeconds: 10 })).update).toBe(0);
  });

  it('reference: a KLD failure zeroes only its term; a FAD or CLAP failure means no update', () => {
    // KLDn 0 → floor 1e-4: quality √(1e-4·0.5), score √(quality·0.32)
    const quality = Math.sqrt(1e-4 * 0.5);
    expect(judgeResponse(REF, facts({ kld: null })).update).toBeCloseTo(Math.sqrt(quality * 0.32), 15);
    expect(judgeResponse(REF, facts({ fad: null })).update).toBeNull();
    expect(judgeResponse(REF, facts({ clap: null })).update).toBeNull();
  });

  it('fixed: any metric failure scores 0', () => {
    for (const patch of [{ kld: null }, { fad: null }, { clap: null }, { fad: Number.NaN }]) {
      const j = judgeResponse(FIXED, facts(patch));
      expect(j.update).toBe(0);
      expect(j.note).toBe('metric_failed_zero');
    }
  });

  it('a duplicate is punished and still scored by the reference, only punished by fixed', () => {
    const ref = judgeResponse(REF, facts({ duplicate: true }));
    expect(ref.punish).toBe(true);
    expect(ref.update).toBeCloseTo(0.4, 15);
    const fixed = judgeResponse(FIXED, facts({ duplicate: true }));
    expect([fixed.punish, fixed.update, fixed.note]).toEqual([true, null, 'duplicate_not_scored']);
  });
});

describe('moving score: EMA α = 0.1 and punish −0.0075 floored at 0', () => {
  it('EMA weighs the newest score 0.9: 0 → 0.9 → 0.99 for two perfect scores; 0.5 then 0.2 → 0.23', () => {
    expect(emaUpdate(0, 1)).toBeCloseTo(0.9, 15);
    expect(emaUpdate(emaUpdate(0, 1), 1)).toBeCloseTo(0.99, 15);
    expect(emaUpdate(0.5, 0.2)).toBeCloseTo(0.23, 15);
  });

  it('punish: 0.5 → 0.04325 → 0 (0.004325 − 0.00675 < 0) → 0', () => {
    const once = punishScore(0.5);
    expect(once).toBeCloseTo(0.05 - 0.00675, 15);
    expect(punishScore(once)).toBe(0);
    expect(punishScore(0)).toBe(0);
  });

  it('a duplicate sequence from 0.5: reference punishes then averages in 0.4; fixed only punishes', () => {
    const ref = applyJudgement(0.5, judgeResponse(REF, facts({ duplicate: true })));
    expect(ref).toBeCloseTo(0.004325 + 0.36, 12);
    const fixed = applyJudgement(0.5, judgeResponse(FIXED, facts({ duplicate: true })));
    expect(fixed).toBeCloseTo(0.04325, 12);
  });

  it('a FAD failure leaves the reference score untouched, and pulls the fixed one towards 0', () => {
    expect(applyJudgement(0.5, judgeResponse(REF, facts({ fad: null })))).toBe(0.5);
    expect(applyJudgement(0.5, judgeResponse(FIXED, facts({ fad: null })))).toBeCloseTo(0.05, 15);
  });
});

describe('the identical-clip quirk, end to end', () => {
  it('identical 527-class windows give kld_both ≈ −2·527·1e-6 < 0: the reference normalises that to 0, fixed to 1', () => {
    const logits = Array.from({ length: 527 }, (_, c) => Math.sin(c) * 3);
    const windows = [softmax(logits), softmax(logits.map((v) => -v))];
    const { kldBoth: k } = kldBoth(windows, windows);
    // Each class contributes p·ln(p/(p + ε)) ≈ −ε while p ≫ ε, in each direction.
    expect(k).toBeLessThan(0);
    expect(k).toBeGreaterThan(-2 * 527 * 1e-6);
    expect(normalizeKld(REF, k)).toBe(0);
    expect(normalizeKld(FIXED, k)).toBe(1);
  });
});
