// @vitest-environment jsdom
/** The validator's history on the Rewards page as a person uses it: a range, a miner, the CSV. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import { ValidatorHistorySchema, type ValidatorHistory } from '../../../src-shared/schemas/validator.js';
import { historyPointCount, validatorHistoryCsv, type ValidatorHistoryView } from '../../state/validator-history.js';
import { ValidatorHistoryPanel } from './ValidatorHistoryPanel.js';

afterEach(() => cleanup());

const at = (minute: number): string => new Date(Date.UTC(2026, 11, 3, 9, minute)).toISOString();

const HISTORY: ValidatorHistory = {
  hotkey: '5Validator',
  netuid: 50,
  range: '7d',
  since: '2026-11-26T09:00:00.000Z',
  miners: [
    {
      uid: 1,
      scores: [
        { time: at(0), block: 100, value: 0.2 },
        { time: at(1), block: 110, value: 0.4 },
      ],
      weights: [{ time: at(1), block: 105, value: 0.75 }],
    },
    { uid: 2, scores: [{ time: at(0), block: 100, value: 0 }], weights: [{ time: at(1), block: 105, value: 0.25 }] },
  ],
  dividends: [
    { time: at(0), block: 99, value: 0.5 },
    { time: at(2), block: 198, value: 0.6 },
  ],
};

const view = (patch: Partial<ValidatorHistoryView> = {}): ValidatorHistoryView => ({
  range: '7d',
  value: HISTORY,
  loading: false,
  error: null,
  ...patch,
});

describe('ValidatorHistoryPanel', () => {
  it('draws dividends and the first miner’s score and weight, and switches miner from the picker', () => {
    expect(ValidatorHistorySchema.parse(HISTORY)).toEqual(HISTORY);
    render(<ValidatorHistoryPanel view={view()} onRange={() => undefined} />);
    const dots = (testId: string) => screen.getByTestId(testId).querySelectorAll('circle').length;
    expect(dots('chart-validator-dividends')).toBe(2);
    expect(dots('chart-validator-score')).toBe(2);
    expect(dots('chart-validator-weight')).toBe(1);
    expect(screen.getByRole('img', { name: /uid 1: moving-average score: 2 rounds, blocks 100 to 110/ })).toBeTruthy();

    act(() => fireEvent.change(screen.getByTestId('validator-history-uid'), { target: { value: '2' } }));
    expect(screen.getByRole('img', { name: /uid 2: moving-average score: 1 round, blocks 100 to 100/ })).toBeTruthy();
    expect(screen.getByRole('img', { name: /uid 2: share of our weights: 1 submission/ })).toBeTruthy();
  });

  it('opens on a miner we scored, not one the uniform first weights merely named', () => {
    const weighedOnly = { uid: 0, scores: [], weights: [{ time: at(1), block: 105, value: 0.5 }] };
    render(
      <ValidatorHistoryPanel
        view={view({ value: { ...HISTORY, miners: [weighedOnly, ...HISTORY.miners] } })}
        onRange={() => undefined}
      />,
    );
    expect(screen.getByTestId('validator-history-uid')).toHaveProperty('value', '1');
    expect(screen.getByTestId('chart-validator-score').querySelectorAll('circle')).toHaveLength(2);
  });

  it('asks for another range and counts the points the CSV will hold', () => {
    const asked: string[] = [];
    render(<ValidatorHistoryPanel view={view()} onRange={(range) => asked.push(range)} />);
    act(() => fireEvent.change(screen.getByTestId('validator-history-range'), { target: { value: '24h' } }));
    expect(asked).toEqual(['24h']);
    const button = screen.getByTestId('validator-history-csv') as HTMLButtonElement;
    expect(button.textContent).toBe('Export CSV (7 points)');
    expect(button.disabled).toBe(false);
  });

  it('says when the range holds nothing, and shows why a load failed', () => {
    const empty = { ...HISTORY, miners: [], dividends: [] };
    render(
      <ValidatorHistoryPanel
        view={view({ value: empty, error: new HostApiError('unavailable', 'no validator service') })}
        onRange={() => undefined}
      />,
    );
    expect(screen.getByTestId('validator-history-empty').textContent).toMatch(/Nothing recorded in this range yet/);
    expect(screen.getByRole('alert').textContent).toContain('no validator service');
    expect((screen.getByTestId('validator-history-csv') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId('chart-validator-score')).toBeNull();
  });
});

describe('validatorHistoryCsv', () => {
  it('writes one row per point: scores and weights by uid, then dividends', () => {
    const csv = validatorHistoryCsv(HISTORY);
    expect(csv.split('\r\n')).toEqual([
      'series,uid,time,block,value',
      `score,1,${at(0)},100,0.2`,
      `score,1,${at(1)},110,0.4`,
      `weight,1,${at(1)},105,0.75`,
      `score,2,${at(0)},100,0`,
      `weight,2,${at(1)},105,0.25`,
      `dividends,,${at(0)},99,0.5`,
      `dividends,,${at(2)},198,0.6`,
      '',
    ]);
    expect(historyPointCount(HISTORY)).toBe(7);
  });
});
