import { describe, expect, it } from 'vitest';
import { ValidatorAnswerSchema, ValidatorStatusSchema } from '../src-shared/schemas/validator.js';
import { reward } from './testing/miner-fixtures.js';
import { RUNNING_VALIDATOR, answer, weights } from './testing/validator-fixtures.js';
import {
  duplicateVerdict,
  inRange,
  metricRows,
  nextWeightsText,
  rejectionText,
  rewardsCsv,
  validatorAlerts,
} from './validator-text.js';

describe('validator text', () => {
  it('uses fixtures the engine could have sent', () => {
    expect(ValidatorStatusSchema.parse(RUNNING_VALIDATOR)).toEqual(RUNNING_VALIDATOR);
    expect(ValidatorAnswerSchema.parse(answer(1))).toEqual(answer(1));
  });

  it('raises no alert for a healthy validator', () => {
    expect(validatorAlerts(RUNNING_VALIDATOR)).toEqual([]);
  });

  it('alerts on failed weights, a missed reveal, a pending commit and a validator that failed', () => {
    const failedWeights = validatorAlerts({
      ...RUNNING_VALIDATOR,
      lastWeights: weights({ state: 'failed', error: 'SettingWeightsTooFast' }),
    });
    expect(failedWeights).toEqual([expect.objectContaining({ kind: 'weights_failed', severity: 'error' })]);
    expect(failedWeights[0]?.message).toContain('SettingWeightsTooFast');
    expect(
      validatorAlerts({ ...RUNNING_VALIDATOR, lastWeights: weights({ state: 'reveal_missing' }) }).map((a) => a.kind),
    ).toEqual(['reveal_missing']);
    expect(
      validatorAlerts({ ...RUNNING_VALIDATOR, lastWeights: weights({ state: 'committed' }) }).map((a) => a.severity),
    ).toEqual(['warning']);
    const failed = validatorAlerts({ ...RUNNING_VALIDATOR, state: 'failed', error: 'no validator permit' });
    expect(failed.map((a) => a.kind)).toEqual(['failed']);
    expect(failed[0]?.message).toContain('no validator permit');
  });

  it('warns when every moving average is still 0 after rounds were scored', () => {
    const zero = RUNNING_VALIDATOR.scores.map((score) => ({ ...score, score: 0 }));
    expect(validatorAlerts({ ...RUNNING_VALIDATOR, scores: zero }).map((a) => a.kind)).toEqual(['no_scores']);
  });

  it('alerts on low stake when our hotkey holds no validator permit, naming both stakes', () => {
    const permit = { block: 139, validatorPermit: false, stake: '400000000000', lowestPermittedStake: '1000000000000' };
    const low = validatorAlerts({ ...RUNNING_VALIDATOR, permit });
    expect(low).toEqual([expect.objectContaining({ kind: 'low_stake', severity: 'error' })]);
    expect(low[0]?.message).toMatch(/400(\.0+)? α is below the lowest permitted validator's 1,?000(\.0+)? α/);
    // Enough stake but the permits are handed out at the next epoch.
    const pending = validatorAlerts({ ...RUNNING_VALIDATOR, permit: { ...permit, stake: '2000000000000' } });
    expect(pending[0]?.message).toContain('permits are given at the next epoch');
    expect(
      validatorAlerts({ ...RUNNING_VALIDATOR, permit: { ...permit, lowestPermittedStake: null } })[0]?.message,
    ).toContain('no uid holds one yet');
    expect(validatorAlerts({ ...RUNNING_VALIDATOR, permit: { ...permit, validatorPermit: true } })).toEqual([]);
  });

  it('says when the next weights may go, from the status and the chain head', () => {
    expect(nextWeightsText(RUNNING_VALIDATOR, 200)).toBe('block 260 (in 60 blocks)');
    expect(nextWeightsText(RUNNING_VALIDATOR, 259)).toBe('block 260 (in 1 block)');
    expect(nextWeightsText(RUNNING_VALIDATOR, null)).toBe('block 260');
    expect(nextWeightsText(RUNNING_VALIDATOR, 270)).toBe('at the next block');
    expect(nextWeightsText({ ...RUNNING_VALIDATOR, nextWeightsBlock: 0 }, 5)).toBe('at the next block');
    expect(nextWeightsText({ ...RUNNING_VALIDATOR, nextWeightsBlock: null }, 5)).toBe(
      'once the last submission is confirmed on chain',
    );
    expect(nextWeightsText({ ...RUNNING_VALIDATOR, state: 'stopped', nextWeightsBlock: null }, 5)).toBe(
      'while running',
    );
  });

  it('flattens metrics into one row per leaf, whatever fields the scorer adds', () => {
    expect(metricRows({ raw: { kld: 1.23456, fad: 4 }, ok: true, list: [1, 2], nested: [{ a: null }] })).toEqual([
      { name: 'raw.kld', value: '1.235' },
      { name: 'raw.fad', value: '4' },
      { name: 'ok', value: 'yes' },
      { name: 'list', value: '1; 2' },
      { name: 'nested[0].a', value: '—' },
    ]);
    expect(metricRows(null)).toEqual([]);
  });

  it('says the duplicate verdict and the rejection in words', () => {
    expect(duplicateVerdict(answer(1).metrics)).toBe('original');
    expect(
      duplicateVerdict({
        duplicate: { exact: false, near: { matched: 'round1-uid1', similarity: 0.991 }, duplicate: true },
      }),
    ).toBe('near duplicate of round1-uid1 (similarity 0.991)');
    expect(duplicateVerdict({ duplicate: { exact: true, near: null, duplicate: true } })).toBe(
      'exact duplicate of an earlier answer',
    );
    expect(duplicateVerdict({ raw: null })).toBeNull();
    expect(rejectionText({ rejection: { kind: 'bad_signal', problems: ['silent', 'clipped'] } })).toBe(
      'bad signal: silent; clipped',
    );
    expect(rejectionText({ rejection: null })).toBeNull();
  });

  it('keeps the snapshots of the chosen range only', () => {
    const now = Date.parse('2026-12-10T00:00:00.000Z');
    const old = { ...reward(100, 0.1, '1'), time: '2026-11-01T00:00:00.000Z' };
    const recent = { ...reward(200, 0.2, '2'), time: '2026-12-09T12:00:00.000Z' };
    expect(inRange([old, recent], '24h', now)).toEqual([recent]);
    expect(inRange([old, recent], '30d', now)).toEqual([recent]);
    expect(inRange([old, recent], 'all', now)).toEqual([old, recent]);
  });

  it("exports immunity left, the alpha price and the emission's TAO value, empty where the chain gave none", () => {
    const csv = rewardsCsv([
      { ...reward(100, 0.25, '1500000000'), trust: 0.5, immunityBlocksLeft: 0, alphaPrice: '20000000' },
      { ...reward(200, 0.25, '1500000000'), immunityBlocksLeft: 12, alphaPrice: null },
    ]);
    const lines = csv.split('\r\n');
    // 1.5 α × 0.02 TAO = 0.03 TAO = 30 000 000 rao.
    expect(lines[1]).toMatch(/,1500000000,0\.5,0,20000000,30000000$/);
    expect(lines[2]).toMatch(/,1500000000,,12,,$/);
  });

  it('exports the snapshots as CSV with amounts in rao and RFC 4180 quoting', () => {
    const csv = rewardsCsv([{ ...reward(100, 0.25, '1500000000'), hotkey: 'a,"b"', trust: null }]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'time,block,netuid,uid,hotkey,stake_rao,incentive,emission_rao,trust,immunity_blocks_left,alpha_price_rao,emission_tao_rao',
    );
    expect(lines[1]).toMatch(/^[^,]+,100,\d+,\d+,"a,""b""",\d+,0\.25,1500000000,,,,$/);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });
});
