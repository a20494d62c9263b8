/**
 * Rewards → the validator over time (issue #12): our dividends at each epoch, and for one miner
 * (picked by uid) the moving-average score we kept and the share of our weights it got, from
 * `validator.history` for the chosen range; the same series as CSV. Charts are the hand-drawn SVG
 * LineChart (CSP-safe, no chart library).
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { ValidatorHistoryRange } from '../../../src-shared/schemas/validator.js';
import { LineChart } from '../../components/LineChart.js';
import { formatFraction } from '../../miner-text.js';
import { historyPointCount, validatorHistoryCsv, type ValidatorHistoryView } from '../../state/validator-history.js';
import { RangeSelect } from './RangeSelect.js';

/** Starts a download of the CSV (no round trip: the series shown are the data). */
function downloadCsv(text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `bittaudio-validator-history-${new Date().toISOString().slice(0, 10)}.csv`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function ValidatorHistoryPanel({
  view,
  onRange,
  initialUid = null,
}: {
  view: ValidatorHistoryView;
  onRange: (range: ValidatorHistoryRange) => void;
  /** The miner shown first (tests); by default the first one with scores. */
  initialUid?: number | null;
}): ReactNode {
  const [picked, setPicked] = useState<number | null>(initialUid);
  const history = view.value;
  const miners = history?.miners ?? [];
  // By default a miner we scored (weights, uniform at first, also name uids never asked).
  const miner =
    miners.find((entry) => entry.uid === picked) ??
    miners.find((entry) => entry.scores.length > 0) ??
    miners[0] ??
    null;
  const points = historyPointCount(history);
  return (
    <div className="panel" data-testid="validator-history">
      <div className="panel__head">
        <h2>Validator over time</h2>
        <span className="muted">
          {history === null
            ? view.loading
              ? 'loading…'
              : ''
            : `${miners.length} miner${miners.length === 1 ? '' : 's'} · ${history.dividends.length} epoch${history.dividends.length === 1 ? '' : 's'} of dividends`}
        </span>
      </div>
      <div className="toolbar">
        <RangeSelect value={view.range} onChange={onRange} testId="validator-history-range" />
        <label className="field field--inline">
          <span>Miner</span>
          <select
            value={miner === null ? '' : String(miner.uid)}
            disabled={miners.length === 0}
            onChange={(event) => setPicked(Number(event.target.value))}
            data-testid="validator-history-uid"
          >
            {miners.map((entry) => (
              <option key={entry.uid} value={entry.uid}>
                uid {entry.uid}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button button--small"
          disabled={history === null || points === 0}
          onClick={() => history && downloadCsv(validatorHistoryCsv(history))}
          data-testid="validator-history-csv"
        >
          Export CSV ({points} point{points === 1 ? '' : 's'})
        </button>
      </div>
      {view.error !== null && (
        <div className="alert" role="alert">
          <p>
            Could not load the validator's history: {view.error.message}{' '}
            <span className="muted">({view.error.code})</span>
          </p>
        </div>
      )}
      {history !== null && points === 0 && (
        <p className="muted" data-testid="validator-history-empty">
          Nothing recorded in this range yet: each scored round adds a score per miner, each weights submission a
          weight, and each epoch our dividends.
        </p>
      )}
      {history !== null && history.dividends.length > 0 && (
        <LineChart
          title="Our dividends"
          series={history.dividends.map((point) => ({ x: point.block, y: point.value }))}
          formatY={(value) => formatFraction(value)}
          testId="chart-validator-dividends"
        />
      )}
      {miner !== null && (
        <>
          <LineChart
            title={`uid ${miner.uid}: moving-average score`}
            series={miner.scores.map((point) => ({ x: point.block, y: point.value }))}
            formatY={(value) => String(Number(value.toPrecision(3)))}
            testId="chart-validator-score"
            noun="round"
          />
          <LineChart
            title={`uid ${miner.uid}: share of our weights`}
            series={miner.weights.map((point) => ({ x: point.block, y: point.value }))}
            formatY={(value) => formatFraction(value)}
            testId="chart-validator-weight"
            noun="submission"
          />
        </>
      )}
    </div>
  );
}
