import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimelockError } from './errors.js';
import { type RevealRoundInput, assertRevealRoundUsable, revealRoundFor } from './reveal-round.js';

const mainnet = { blockTimeSeconds: 12, subnetRevealPeriodEpochs: 1, tempo: 360 } as const;

describe('revealRoundFor — legacy SDK formula (§4.1)', () => {
  it('reproduces the worked example', () => {
    const plan = revealRoundFor({ ...mainnet, netuid: 1, currentBlock: 5_000_000, nowSeconds: 1_790_000_000 });
    expect(plan.schedule).toBe('legacy');
    expect(plan.firstRevealBlock).toBe(5_000_209n);
    expect(plan.targetBlock).toBe(5_000_212n);
    expect(plan.nextEpochStartBlock).toBe(5_000_209n);
    expect(plan.revealEpochEndBlock).toBe(5_000_570n);
    expect(plan.revealRound).toBe(32_399_725n);
    expect(plan.issues).toEqual([]);
  });

  // Rows computed independently with the §4.1 pseudo-code (integer division, float seconds, floor).
  const table: [Partial<RevealRoundInput>, first: bigint, round: bigint][] = [
    [{ netuid: 50, currentBlock: 7_000_123, nowSeconds: 1_780_000_000.25 }, 7_000_461n, 29_066_908n],
    [
      { netuid: 50, tempo: 99, subnetRevealPeriodEpochs: 2, currentBlock: 6_543_210, nowSeconds: 1_760_000_000.9 },
      6_543_349n,
      22_399_445n,
    ],
    // SDK quirk for mecid > 0: the storage index 4096·mecid + netuid takes the netuid slot.
    [
      {
        netuid: 50,
        mecid: 1,
        legacyEpochPhase: 'storage-index',
        currentBlock: 7_000_123,
        nowSeconds: 1_780_000_000.25,
      },
      7_000_336n,
      29_066_408n,
    ],
    // By default mecid does not shift the phase: mechanisms share the subnet's epochs.
    [{ netuid: 50, mecid: 1, currentBlock: 7_000_123, nowSeconds: 1_780_000_000.25 }, 7_000_461n, 29_066_908n],
    [{ netuid: 50, currentBlock: 0, nowSeconds: 1_692_803_000 }, 310n, 1_129n],
    // Before genesis the round is clamped to 1.
    [{ netuid: 1, currentBlock: 5_000_000, nowSeconds: 1_600_000_000 }, 5_000_209n, 1n],
  ];
  it.each(table)('table row %#', (patch, first, round) => {
    const plan = revealRoundFor({ ...mainnet, netuid: 0, currentBlock: 0, nowSeconds: 0, ...patch });
    expect(plan.firstRevealBlock).toBe(first);
    expect(plan.revealRound).toBe(round);
  });

  it('on mainnet timing the round is published inside the reveal epoch, 30–33 s after it starts (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 5000 }),
        fc.integer({ min: 1, max: 4095 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 20_000_000 }),
        fc.double({ min: 1_700_000_000, max: 2_000_000_000, noNaN: true }),
        (tempo, netuid, period, currentBlock, nowSeconds) => {
          const plan = revealRoundFor({
            ...mainnet,
            tempo,
            netuid,
            subnetRevealPeriodEpochs: period,
            currentBlock,
            nowSeconds,
          });
          const offset = plan.roundPublishedAt - plan.revealEpochStartsAt;
          expect(offset).toBeGreaterThan(30 - 1e-6);
          expect(offset).toBeLessThanOrEqual(33 + 1e-6);
          expect(plan.firstRevealBlock).toBeGreaterThan(BigInt(currentBlock));
          expect(plan.issues.filter((i) => i.code !== 'near-epoch-boundary')).toEqual([]);
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe('revealRoundFor — stateful epochs (§4.3)', () => {
  const base = { ...mainnet, netuid: 50, currentBlock: 7_000_123, nowSeconds: 1_780_000_000.25 };

  it('derives the reveal epoch from the next epoch start block', () => {
    const plan = revealRoundFor({ ...base, nextEpochStartBlock: 7_000_300 });
    expect(plan.schedule).toBe('next-epoch-start');
    expect(plan.firstRevealBlock).toBe(7_000_300n);
    expect(plan.revealEpochEndBlock).toBe(7_000_660n);
    expect(plan.revealRound).toBe(29_066_264n);
    const later = revealRoundFor({ ...base, nextEpochStartBlock: 7_000_300, subnetRevealPeriodEpochs: 3 });
    expect(later.firstRevealBlock).toBe(7_001_020n);
    expect(later.revealRound).toBe(29_069_144n);
  });

  it('refuses a next epoch start in the past', () => {
    expect(() => revealRoundFor({ ...base, nextEpochStartBlock: 7_000_000 })).toThrow(/before currentBlock/);
  });
});

describe('what the chain requires (§4.2)', () => {
  const base = { ...mainnet, netuid: 1, currentBlock: 5_000_000, nowSeconds: 1_790_000_000 };

  it('flags a round below Drand.LastStoredRound (InvalidRevealRound)', () => {
    const plan = revealRoundFor({ ...base, lastStoredRound: 32_399_726n });
    expect(plan.issues.map((i) => i.code)).toEqual(['below-last-stored-round']);
    expect(() => assertRevealRoundUsable(plan)).toThrow(/InvalidRevealRound/);
    expect(revealRoundFor({ ...base, lastStoredRound: 32_399_725n }).issues).toEqual([]);
  });

  it('refuses to commit within the margin before the next epoch', () => {
    const plan = revealRoundFor({ ...base, currentBlock: 5_000_204 });
    expect(plan.issues.map((i) => i.code)).toEqual(['near-epoch-boundary']);
    let thrown: unknown;
    try {
      assertRevealRoundUsable(plan);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TimelockError);
    expect((thrown as TimelockError).code).toBe('near-epoch-boundary');
    expect(revealRoundFor({ ...base, currentBlock: 5_000_203 }).issues).toEqual([]);
    expect(revealRoundFor({ ...base, currentBlock: 5_000_204, minBlocksBeforeEpochBoundary: 0 }).issues).toEqual([]);
  });

  it('warns when fast blocks make the round public before the reveal epoch (localnet)', () => {
    const plan = revealRoundFor({ ...base, tempo: 10, currentBlock: 100, blockTimeSeconds: 0.25, nowSeconds: 1.7e9 });
    expect(plan.firstRevealBlock).toBe(108n);
    expect(plan.revealRound).toBe(2_398_878n);
    expect(plan.issues.map((i) => [i.code, i.severity])).toEqual([['published-before-reveal-epoch', 'warning']]);
    expect(() => assertRevealRoundUsable(plan)).not.toThrow();
  });

  it('flags a round that would be published after the reveal epoch ends', () => {
    // Tempo 1 (2-block legacy epochs): the target (first + 3 blocks) lies beyond the reveal epoch.
    const plan = revealRoundFor({ ...base, tempo: 1, minBlocksBeforeEpochBoundary: 0 });
    expect(plan.issues.map((i) => i.code)).toContain('published-after-reveal-epoch');
    expect(() => assertRevealRoundUsable(plan)).toThrow(/would be dropped/);
  });

  it('rejects nonsensical inputs with clear errors', () => {
    expect(() => revealRoundFor({ ...base, tempo: 0 })).toThrow(/tempo/);
    expect(() => revealRoundFor({ ...base, blockTimeSeconds: 0 })).toThrow(/blockTimeSeconds/);
    expect(() => revealRoundFor({ ...base, nowSeconds: Number.NaN })).toThrow(/nowSeconds/);
    expect(() => revealRoundFor({ ...base, nowSeconds: 1_790_000_000_000 })).toThrow(/milliseconds/);
    expect(() => revealRoundFor({ ...base, currentBlock: -1 })).toThrow(/currentBlock/);
    expect(() => revealRoundFor({ ...base, netuid: 70_000 })).toThrow(/netuid/);
  });
});
