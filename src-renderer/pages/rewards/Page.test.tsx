import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import type { RewardSnapshot } from '../../../src-shared/schemas/neuron.js';
import { reward } from '../../testing/miner-fixtures.js';
import { RewardsPanel } from './Page.js';

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

  it('draws a single epoch as one point, without a line', () => {
    const html = render([reward(100, 0.5, '1000000000')]);
    expect(html).toContain('1 epoch recorded');
    expect(html).toContain('<circle class="chart__dot" cx="346" cy="10" r="2.5"></circle>');
    expect(html).not.toContain('<polyline');
  });
});
