/**
 * The validator's history as the Rewards page draws it: one `validator.history` answer for the
 * chosen range (fetched when the page asks and again when a round ends or weights go out while it
 * is shown), and its CSV, built here for a Blob download from the very series on screen.
 */
import type { HostApiError } from '../../src-shared/api/errors.js';
import type { ValidatorHistory, ValidatorHistoryRange } from '../../src-shared/schemas/validator.js';
import { csvField } from '../validator-text.js';

export interface ValidatorHistoryView {
  readonly range: ValidatorHistoryRange;
  /** null before the first answer. */
  readonly value: ValidatorHistory | null;
  readonly loading: boolean;
  readonly error: HostApiError | null;
}

export const EMPTY_VALIDATOR_HISTORY: ValidatorHistoryView = { range: '7d', value: null, loading: false, error: null };

const CSV_COLUMNS = ['series', 'uid', 'time', 'block', 'value'];

/**
 * Every point as a row (header first, CRLF lines): `score` and `weight` rows per miner uid, then
 * `dividends` rows without a uid. Weights are the uid's share of its submission, 0 … 1.
 */
export function validatorHistoryCsv(history: ValidatorHistory): string {
  const rows: string[][] = [];
  for (const miner of history.miners) {
    for (const point of miner.scores)
      rows.push(['score', String(miner.uid), point.time, String(point.block), String(point.value)]);
    for (const point of miner.weights)
      rows.push(['weight', String(miner.uid), point.time, String(point.block), String(point.value)]);
  }
  for (const point of history.dividends)
    rows.push(['dividends', '', point.time, String(point.block), String(point.value)]);
  return [CSV_COLUMNS.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\r\n') + '\r\n';
}

/** Points in the CSV: what the export button counts. */
export function historyPointCount(history: ValidatorHistory | null): number {
  if (history === null) return 0;
  return (
    history.dividends.length +
    history.miners.reduce((sum, miner) => sum + miner.scores.length + miner.weights.length, 0)
  );
}
