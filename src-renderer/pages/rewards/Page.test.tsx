import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import type { RewardSnapshot } from '../../../src-shared/schemas/neuron.js';
import { reward } from '../../testing/miner-fixtures.js';
import { RUNNING_VALIDATOR } from '../../testing/validator-fixtures.js';
import { RangeToolbar, RewardsPanel, ValidatorRewardsPanel } from './Page.js';

function render(value: readonly RewardSnapshot[] | null, error: HostApiError | null = null): string {
  return renderToStaticMarkup(<RewardsPanel rewards={{ value, error }} connected />);
}

describe('Rewards panel', () => {
  it('says honestly that nothing is recorded yet, and when the first point comes', () => {
    const html = render([]);
    expect(html).toContain('No epoch recorded yet.');
    expect(html).toContain('recorded at each epoch while the miner runs');
    expect(html).not.toContain('<svg');
    expect(render(null)).toContain('Loading the rewards…');
  });

  it('shows why the rewards could not be loaded', () => {
    const html = render(null, new HostApiError('unavailable', 'rewards.list is not implemented yet'));
    expect(html).toMatch(/role="alert"/);
    expect(html).toContain('rewards.list is not implemented yet');
  });

  it('draws incentive and emission over the epochs, scaled to round axis tops, with a table', () => {
    const html = render([reward(100, 0, '0'), reward(200, 0.1, '250000000'), reward(300, 0.2, '400000000')]);
    expect(html).toContain('3 epochs recorded');
    const incentive = /data-testid="chart-incentive".*?<\/figure>/s.exec(html)?.[0] ?? '';
    // Plot 564 × 126 from (64, 10): blocks 100…300 across, 0…20 % up.
    expect(incentive).toContain('points="64,136 346,73 628,10"');
    expect(incentive).toContain('>20.00 %</text>');
    expect(incentive).toContain('aria-label="Incentive: 3 epochs, blocks 100 to 300"');
    const emission = /data-testid="chart-emission".*?<\/figure>/s.exec(html)?.[0] ?? '';
    expect(emission).toContain('>0.5 α</text>');
    expect(emission).toContain('points="64,136 346,73 628,35.2"');
    expect(html).toMatch(/<tr><td>300<\/td><td>[^<]+<\/td><td>20.00 %<\/td><td>0.4 α<\/td><td>1.5 α<\/td><\/tr>/);
  });

  it('charts stake, immunity left and the TAO value of the emission at the recorded price', () => {
    const html = render([
      { ...reward(100, 0.1, '2000000000'), immunityBlocksLeft: 300, alphaPrice: '50000000' },
      { ...reward(200, 0.2, '4000000000'), immunityBlocksLeft: 200, alphaPrice: '25000000' },
    ]);
    const tao = /data-testid="chart-emission-tao".*?<\/figure>/s.exec(html)?.[0] ?? '';
    // 2 α × 0.05 = 0.1 TAO, 4 α × 0.025 = 0.1 TAO: a flat line, labelled in TAO.
    expect(tao).toContain('Emission per epoch, TAO value');
    expect(tao).toMatch(/points="64,(\S+) 628,\1"/);
    expect(tao).toContain(' TAO</text>');
    expect(html).toContain('At block 200: 1 α = 0.025 TAO; that epoch&#x27;s emission 4 α = 0.1 TAO');
    expect(html).not.toContain('rewards-no-price');
    const immunity = /data-testid="chart-immunity".*?<\/figure>/s.exec(html)?.[0] ?? '';
    expect(immunity).toContain('aria-label="Immunity left (blocks): 2 epochs, blocks 100 to 200"');
    expect(html).toContain('data-testid="chart-stake"');
    // The chain gives no trust column here: no empty trust chart.
    expect(html).not.toContain('chart-trust');
  });

  it('says so when the chain gives no price and immunity was not recorded, and charts trust when present', () => {
    const html = render([
      { ...reward(100, 0.1, '2000000000'), trust: 0.5, alphaPrice: null },
      { ...reward(200, 0.2, '4000000000'), trust: 0.75 },
    ]);
    expect(html).not.toContain('chart-emission-tao');
    expect(html).toContain('the chain gives no alpha price for these epochs');
    expect(html).not.toContain('rewards-price');
    expect(html).toContain('Immunity left is not recorded in these snapshots.');
    const trust = /data-testid="chart-trust".*?<\/figure>/s.exec(html)?.[0] ?? '';
    expect(trust).toContain('aria-label="Trust: 2 epochs, blocks 100 to 200"');
  });

  it('draws a single epoch as one point, without a line', () => {
    const html = render([reward(100, 0.5, '1000000000')]);
    expect(html).toContain('1 epoch recorded');
    expect(html).toContain('<circle class="chart__dot" cx="346" cy="10" r="2.5"></circle>');
    expect(html).not.toContain('<polyline');
  });
});

describe('Rewards: the validator and the range', () => {
  it('draws a bar per miner scored, with scores and weight shares in a table', () => {
    const html = renderToStaticMarkup(<ValidatorRewardsPanel status={RUNNING_VALIDATOR} />);
    const bars = [
      ...html.matchAll(/<rect class="chart__bar" data-testid="validator-point" x="([\d.]+)" y="([\d.]+)"/g),
    ];
    // uid 1 (0.25) then uid 2 (0.75, the tallest: 90 high from the axis at 100).
    expect(bars.map((bar) => Number(bar[2]))).toEqual([70, 10]);
    expect(html).toContain('aria-label="Scores of 2 miners, highest 0.750"');
    expect(html).toContain('weights at block 140');
    expect(html).toContain('data-testid="validator-scores"');
  });

  it('offers the CSV of the epochs shown, and none when nothing is shown', () => {
    const html = renderToStaticMarkup(
      <RangeToolbar range="7d" onRange={() => undefined} items={[reward(100, 0, '0'), reward(200, 0.1, '5')]} />,
    );
    expect(html).toContain('Export CSV (2 epochs)');
    expect(html).toMatch(/<option value="7d" selected="">Last 7 days<\/option>/);
    expect(renderToStaticMarkup(<RangeToolbar range="all" onRange={() => undefined} items={[]} />)).toMatch(
      /disabled="" data-testid="rewards-csv"/,
    );
  });
});
