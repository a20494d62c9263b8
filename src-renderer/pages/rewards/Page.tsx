/**
 * Rewards: what our uid earned epoch by epoch (incentive, emission in α and its TAO value where the
 * chain gives a price, stake, trust where present, immunity left), from the snapshots the
 * engine records at each epoch; live as `reward` events arrive.
 */
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { ValidatorStatus } from '../../../src-shared/schemas/validator.js';
import { ScoresTable } from '../../components/ValidatorPanels.js';
import { inRange, rewardsCsv, type RewardRange } from '../../validator-text.js';
import { alphaToTaoRao, formatRao, raoToNumber } from '../../../src-shared/format/rao.js';
import type { RewardSnapshot } from '../../../src-shared/schemas/neuron.js';
import { LineChart } from '../../components/LineChart.js';
import { RangeSelect } from './RangeSelect.js';
import { formatLocalDateTime } from '../../format.js';
import { formatFraction } from '../../miner-text.js';
import { useEngine } from '../../state/engine-context.js';
import { useNow } from '../../use-now.js';
import './rewards.css';
import type { Loaded } from '../../state/engine-store.js';
import { ValidatorHistoryPanel } from './ValidatorHistoryPanel.js';

/** Rows of the table under the charts, newest first. */
const TABLE_ROWS = 12;

export function RewardsPage(): ReactNode {
  const rewards = useEngine((state) => state.rewards);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const validator = useEngine((state) => state.validator.value);
  const [range, setRange] = useState<RewardRange>('all');
  // A range's window moves with the clock; a minute is finer than any epoch.
  const now = useNow(60_000, range !== 'all');
  const shown: Loaded<readonly RewardSnapshot[]> =
    rewards.value === null ? rewards : { ...rewards, value: inRange(rewards.value, range, now) };
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Rewards</h1>
      <RangeToolbar range={range} onRange={setRange} items={shown.value} />
      <RewardsPanel rewards={shown} connected={connected} />
      {validator !== null && <ValidatorRewardsPanel status={validator} />}
      {validator !== null && <ValidatorHistorySection connected={connected} />}
    </section>
  );
}

/** The validator's history, read when the page opens (and after each reconnect) for the range shown. */
function ValidatorHistorySection({ connected }: { connected: boolean }): ReactNode {
  const view = useEngine((state) => state.validatorHistory);
  const load = useEngine((state) => state.loadValidatorHistory);
  useEffect(() => {
    if (connected) void load();
  }, [connected, load]);
  return <ValidatorHistoryPanel view={view} onRange={(range) => void load(range)} />;
}

/** Starts a download of a CSV built here (no round trip: the snapshots shown are the data). */
function downloadCsv(items: readonly RewardSnapshot[]): void {
  const url = URL.createObjectURL(new Blob([rewardsCsv(items)], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `bittaudio-rewards-${new Date().toISOString().slice(0, 10)}.csv`;
  link.click();
  // The click has handed the Blob to the download; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function RangeToolbar({
  range,
  onRange,
  items,
}: {
  range: RewardRange;
  onRange: (range: RewardRange) => void;
  items: readonly RewardSnapshot[] | null;
}): ReactNode {
  return (
    <div className="toolbar">
      <RangeSelect value={range} onChange={onRange} testId="rewards-range" />
      <button
        type="button"
        className="button button--small"
        disabled={items === null || items.length === 0}
        onClick={() => downloadCsv(items ?? [])}
        data-testid="rewards-csv"
      >
        Export CSV{items === null ? '' : ` (${items.length} epoch${items.length === 1 ? '' : 's'})`}
      </button>
    </div>
  );
}

/**
 * The validator's side: the moving-average score it keeps for each miner and the share of the
 * last weights each got, as a bar per uid (hand-drawn SVG, CSP-safe) and a table.
 */
export function ValidatorRewardsPanel({ status }: { status: ValidatorStatus }): ReactNode {
  const sorted = [...status.scores].sort((a, b) => a.uid - b.uid);
  const top = Math.max(...sorted.map((score) => score.score), 0);
  const barWidth = 640 / Math.max(sorted.length, 1);
  // A few miners would otherwise make slabs; bars stay bar-like.
  const barFill = Math.min(barWidth * 0.7, 40);
  return (
    <div className="panel" data-testid="validator-rewards">
      <div className="panel__head">
        <h2>Validator: scores and weights by miner</h2>
        <span className="muted">
          {status.roundsDone} round{status.roundsDone === 1 ? '' : 's'} since start
          {status.lastWeights === null ? '' : ` · weights at block ${status.lastWeights.block}`}
        </span>
      </div>
      {sorted.length > 0 && (
        <figure className="chart" data-testid="chart-validator-scores">
          <figcaption className="subhead">Moving-average score by uid</figcaption>
          <svg
            className="chart__svg"
            viewBox="0 0 640 120"
            role="img"
            aria-label={`Scores of ${sorted.length} miner${sorted.length === 1 ? '' : 's'}, highest ${top.toPrecision(3)}`}
          >
            <line className="chart__axis" x1={0} y1={100} x2={640} y2={100} />
            {sorted.map((score, index) => {
              const height = top > 0 ? (score.score / top) * 90 : 0;
              return (
                <g key={score.uid}>
                  <rect
                    className="chart__bar"
                    data-testid="validator-point"
                    x={index * barWidth + (barWidth - barFill) / 2}
                    y={100 - height}
                    width={barFill}
                    height={height}
                  />
                  <text className="chart__label" x={index * barWidth + barWidth / 2} y={114} textAnchor="middle">
                    {score.uid}
                  </text>
                </g>
              );
            })}
          </svg>
        </figure>
      )}
      <ScoresTable scores={status.scores} weights={status.lastWeights} />
    </div>
  );
}

export function RewardsPanel({
  rewards,
  connected,
}: {
  rewards: Loaded<readonly RewardSnapshot[]>;
  connected: boolean;
}): ReactNode {
  const items = rewards.value;
  if (items === null || items.length === 0) {
    return (
      <div className="panel" data-testid="rewards-empty">
        {rewards.error !== null && (
          <div className="alert" role="alert">
            <p>
              Could not load the rewards: {rewards.error.message} <span className="muted">({rewards.error.code})</span>
            </p>
          </div>
        )}
        <p>
          {items === null && rewards.error === null
            ? connected
              ? 'Loading the rewards…'
              : 'The rewards show once the engine is connected.'
            : 'No epoch recorded yet.'}
        </p>
        <p className="muted">
          A snapshot of your uid (stake, incentive, emission) is recorded at each epoch while the miner runs with a
          registered hotkey: about every 100 seconds on the local network, every 72 minutes on subnet 50. The chart
          appears with the first one.
        </p>
      </div>
    );
  }
  const incentive = items.map((item) => ({ x: item.block, y: item.incentive }));
  const emission = items.map((item) => ({ x: item.block, y: raoToNumber(item.emission) }));
  const stake = items.map((item) => ({ x: item.block, y: raoToNumber(item.stake) }));
  // Trust, immunity and the price only where the chain gave them (older snapshots lack the last two).
  const trust = items.flatMap((item) => (item.trust === null ? [] : [{ x: item.block, y: item.trust }]));
  const immunity = items.flatMap((item) =>
    item.immunityBlocksLeft === undefined || item.immunityBlocksLeft === null
      ? []
      : [{ x: item.block, y: item.immunityBlocksLeft }],
  );
  const emissionTao = items.flatMap((item) =>
    item.alphaPrice === undefined || item.alphaPrice === null
      ? []
      : [{ x: item.block, y: raoToNumber(alphaToTaoRao(item.emission, item.alphaPrice)) }],
  );
  const newest = items.at(-1);
  const latest = [...items].reverse().slice(0, TABLE_ROWS);
  return (
    <div className="panel" data-testid="rewards">
      <div className="panel__head">
        <h2>
          uid {items.at(-1)?.uid} on subnet {items.at(-1)?.netuid}
        </h2>
        <span className="muted">
          {items.length} epoch{items.length === 1 ? '' : 's'} recorded
        </span>
      </div>
      <LineChart
        title="Incentive"
        series={incentive}
        formatY={(value) => formatFraction(value)}
        testId="chart-incentive"
      />
      <LineChart
        title="Emission per epoch (α)"
        series={emission}
        formatY={(value) => `${Number(value.toPrecision(3))} α`}
        testId="chart-emission"
      />
      {emissionTao.length > 0 ? (
        <LineChart
          title="Emission per epoch, TAO value (α × the subnet's alpha price)"
          series={emissionTao}
          formatY={(value) => `${Number(value.toPrecision(3))} TAO`}
          testId="chart-emission-tao"
        />
      ) : (
        <p className="muted" data-testid="rewards-no-price">
          No TAO value: the chain gives no alpha price for these epochs (a runtime without dynamic TAO, or snapshots
          recorded before prices were).
        </p>
      )}
      {newest?.alphaPrice !== undefined && newest.alphaPrice !== null && (
        <p className="muted" data-testid="rewards-price">
          At block {newest.block}: 1 α = {formatRao(newest.alphaPrice, { unit: 'TAO', maxDecimals: 6 })}; that epoch's
          emission {formatRao(newest.emission, { unit: 'alpha', maxDecimals: 6 })} ={' '}
          {formatRao(alphaToTaoRao(newest.emission, newest.alphaPrice), { unit: 'TAO', maxDecimals: 6 })}
        </p>
      )}
      <LineChart
        title="Stake (α)"
        series={stake}
        formatY={(value) => `${Number(value.toPrecision(3))} α`}
        testId="chart-stake"
      />
      {trust.length > 0 && (
        <LineChart title="Trust" series={trust} formatY={(value) => formatFraction(value)} testId="chart-trust" />
      )}
      {immunity.length > 0 ? (
        <LineChart
          title="Immunity left (blocks)"
          series={immunity}
          formatY={(value) => String(Math.round(value))}
          testId="chart-immunity"
        />
      ) : (
        <p className="muted" data-testid="rewards-no-immunity">
          Immunity left is not recorded in these snapshots.
        </p>
      )}
      <table className="table" aria-label="Latest epochs">
        <thead>
          <tr>
            <th scope="col">Block</th>
            <th scope="col">Time</th>
            <th scope="col">Incentive</th>
            <th scope="col">Emission</th>
            <th scope="col">Stake</th>
          </tr>
        </thead>
        <tbody>
          {latest.map((item) => (
            <tr key={`${item.uid}-${item.block}`}>
              <td>{item.block}</td>
              <td>{formatLocalDateTime(item.time)}</td>
              <td>{formatFraction(item.incentive)}</td>
              <td>{formatRao(item.emission, { unit: 'alpha', maxDecimals: 6 })}</td>
              <td>{formatRao(item.stake, { unit: 'alpha' })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
