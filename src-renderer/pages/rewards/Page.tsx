/**
 * Rewards: what our uid earned epoch by epoch (incentive and emission), from the snapshots the
 * engine records at each epoch; live as `reward` events arrive.
 */
import type { ReactNode } from 'react';
import { formatRao, raoToNumber } from '../../../src-shared/format/rao.js';
import type { RewardSnapshot } from '../../../src-shared/schemas/neuron.js';
import { LineChart } from '../../components/LineChart.js';
import { formatLocalDateTime } from '../../format.js';
import { formatFraction } from '../../miner-text.js';
import { useEngine } from '../../state/engine-context.js';
import type { Loaded } from '../../state/engine-store.js';

/** Rows of the table under the charts, newest first. */
const TABLE_ROWS = 12;

export function RewardsPage(): ReactNode {
  const rewards = useEngine((state) => state.rewards);
  const connected = useEngine((state) => state.connection.status === 'connected');
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Rewards</h1>
      <RewardsPanel rewards={rewards} connected={connected} />
    </section>
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
