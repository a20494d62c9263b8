import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { ValidatorStatus } from '../../src-shared/schemas/validator.js';
import type { ActionState } from '../state/engine-store.js';
import { RUNNING_VALIDATOR, validatorStatus, weights } from '../testing/validator-fixtures.js';
import { ValidatorPanel, weightShares } from './ValidatorPanels.js';

const IDLE: ActionState = { action: null, error: null };

function render(
  value: ValidatorStatus | null,
  {
    error = null,
    action = IDLE,
    connected = true,
    head = null,
  }: { error?: HostApiError | null; action?: ActionState; connected?: boolean; head?: number | null } = {},
): string {
  return renderToStaticMarkup(
    <ValidatorPanel
      validator={{ value, error }}
      action={action}
      connected={connected}
      head={head}
      onStart={() => undefined}
      onStop={() => undefined}
    />,
  );
}

describe('Validator panel', () => {
  it('offers Start for a stopped validator and says nothing has run yet', () => {
    const html = render(validatorStatus());
    expect(html).toContain('data-testid="validator-start"');
    expect(html).toContain('Start validator');
    expect(html).not.toContain('validator-stop');
    expect(html).toContain('>stopped<');
    expect(html).toContain('No scores yet');
    expect(html).toMatch(/data-testid="validator-weights"><span class="muted">none set yet/);
  });

  it('disables Start while disconnected or before the status arrives', () => {
    expect(render(validatorStatus(), { connected: false })).toMatch(/disabled="" data-testid="validator-start"/);
    const unknown = render(null);
    expect(unknown).toMatch(/disabled="" data-testid="validator-start"/);
    expect(unknown).toContain('Asking the engine about its validator…');
  });

  it('shows the round under way with its prompt and queried uids, the last round and the weights', () => {
    const html = render(RUNNING_VALIDATOR);
    expect(html).toContain('Stop validator');
    const current = /data-testid="validator-current">(.*?)<\/dd>/s.exec(html)?.[1] ?? '';
    expect(current).toContain('round 4');
    expect(current).toContain('querying');
    expect(current).toContain('“lofi beat number 4”');
    expect(current).toContain('uids 1, 2, 7');
    expect(/data-testid="validator-last">(.*?)<\/dd>/s.exec(html)?.[1]).toContain('round 3');
    const weightsText = /data-testid="validator-weights">(.*?)<\/dd>/s.exec(html)?.[1] ?? '';
    expect(weightsText).toContain('block 140');
    expect(weightsText).toContain('included');
    expect(weightsText).toContain('title="0xabcdef0123456789abcdef"');
    expect(html).toContain('3 done since start');
  });

  it('lists the moving averages highest first with the share of the last weights each got', () => {
    const html = render(RUNNING_VALIDATOR);
    const rows = [
      ...html.matchAll(/<tr data-testid="validator-score"><td>(\d+)<\/td>.*?<td>([\d.]+)<\/td><td>([^<]+)<\/td>/g),
    ];
    expect(rows.map((row) => [row[1], row[2], row[3]])).toEqual([
      ['2', '0.75', '25.00 %'],
      ['1', '0.25', '75.00 %'],
    ]);
  });

  it('shows the alerts derived from the status', () => {
    const html = render({ ...RUNNING_VALIDATOR, lastWeights: weights({ state: 'reveal_missing' }) });
    expect(html).toContain('data-testid="validator-alert-reveal_missing"');
    expect(html).toContain('never revealed');
  });

  it('shows a refused start and an engine without a validator in words', () => {
    const refused = render(validatorStatus(), {
      action: { action: null, error: new HostApiError('bad_request', 'the miner is running') },
    });
    expect(refused).toMatch(/role="alert" data-testid="validator-error"/);
    expect(refused).toContain('the miner is running');
    expect(render(null, { error: new HostApiError('unavailable', 'no validator service') })).toContain(
      'This engine cannot run the validator: no validator service',
    );
  });

  it('shares weights by their sum, and no weights as no shares', () => {
    expect([...weightShares(weights({ uids: [3, 4], weights: [1, 3] }))]).toEqual([
      [3, 0.25],
      [4, 0.75],
    ]);
    expect(weightShares(weights({ uids: [3], weights: [0] })).get(3)).toBe(0);
    expect(weightShares(null).size).toBe(0);
  });

  it('shows the next weights block and a low-stake alert from the status', () => {
    const html = render(
      {
        ...RUNNING_VALIDATOR,
        permit: { block: 139, validatorPermit: false, stake: '5', lowestPermittedStake: '1000000000' },
      },
      { head: 250 },
    );
    expect(/data-testid="validator-next-weights">(.*?)<\/dd>/s.exec(html)?.[1]).toBe('block 260 (in 10 blocks)');
    expect(html).toContain('data-testid="validator-alert-low_stake"');
    expect(html).toContain('below the lowest permitted validator');
  });
});
