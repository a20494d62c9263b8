/**
 * The Overview's miner panels as a person meets them: stopped, starting, refused (not
 * registered), running with chain stats and a queue, a failed network, alerts.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { Loaded, NeuronView } from '../state/engine-store.js';
import type { NetworkStatus } from '../../src-shared/schemas/network.js';
import { RUNNING_NEURON, job, networkStatus, neuronStatus } from '../testing/miner-fixtures.js';
import { AlertsPanel, ChainPanel, NetworkPanel, NeuronPanel, QueuePanel } from './MinerPanels.js';

const noop = (): void => undefined;

function neuronHtml(view: Partial<NeuronView>, connected = true): string {
  const neuron: NeuronView = { value: null, error: null, action: null, actionError: null, ...view };
  return renderToStaticMarkup(<NeuronPanel neuron={neuron} connected={connected} onStart={noop} onStop={noop} />);
}

/** The text of the element that carries `data-testid`, tags stripped. */
function textOf(html: string, testId: string): string {
  const match = new RegExp(`<(\\w+)[^>]*data-testid="${testId}"[^>]*>(.*?)</\\1>`, 's').exec(html);
  if (match?.[2] === undefined) throw new Error(`no ${testId} in ${html}`);
  return match[2].replace(/<[^>]+>/g, '');
}

function button(html: string, testId: string): string {
  const match = new RegExp(`<button[^>]*data-testid="${testId}"[^>]*>[^<]*</button>`).exec(html);
  if (!match) throw new Error(`no ${testId} button in ${html}`);
  return match[0];
}

describe('Miner panel', () => {
  it('offers Start for a stopped miner, and nothing to press before the engine answered', () => {
    const html = neuronHtml({ value: neuronStatus() });
    expect(button(html, 'neuron-start')).not.toContain('disabled');
    expect(textOf(html, 'neuron-start')).toBe('Start miner');
    expect(textOf(html, 'neuron-state')).toBe('stopped');
    expect(textOf(html, 'neuron-uid')).toBe('not registered on subnet 50 (or not checked yet)');
    expect(button(neuronHtml({}), 'neuron-start')).toContain('disabled=""');
    expect(button(neuronHtml({ value: neuronStatus() }, false), 'neuron-start')).toContain('disabled=""');
  });

  it('shows progress while starting, with the button held', () => {
    const html = neuronHtml({ value: neuronStatus(), action: 'starting' });
    expect(button(html, 'neuron-start')).toContain('disabled=""');
    expect(textOf(html, 'neuron-start')).toBe('Starting…');
    expect(html).toMatch(/role="status" data-testid="neuron-progress"/);
    // The engine's own state says so too (a start asked from another window).
    expect(textOf(neuronHtml({ value: neuronStatus({ state: 'starting' }) }), 'neuron-start')).toBe('Starting…');
  });

  it('shows why a start was refused and what to do, with commands as code', () => {
    const html = neuronHtml({
      value: neuronStatus(),
      actionError: new HostApiError(
        'unavailable',
        'Hotkey 5Grw… is not registered on subnet 50. Registering burns 0.5 TAO: `bittaudio wallet register --netuid 50`.',
      ),
    });
    expect(html).toMatch(/role="alert" data-testid="neuron-error"/);
    expect(textOf(html, 'neuron-error')).toContain('The miner did not start: Hotkey 5Grw… is not registered');
    expect(html).toContain('<code>bittaudio wallet register --netuid 50</code>');
    expect(textOf(html, 'neuron-error')).toContain('(unavailable)');
    expect(button(html, 'neuron-start')).not.toContain('disabled');
  });

  it('shows the failure the engine reports for a miner that failed', () => {
    const html = neuronHtml({
      value: neuronStatus({ state: 'failed', error: { code: 'model_failed', message: 'out of memory on cuda:0' } }),
    });
    expect(textOf(html, 'neuron-error')).toBe('The miner failed: out of memory on cuda:0 (model_failed)');
  });

  it('shows a running miner: Stop, uid, axon served, worker, device and model', () => {
    const html = neuronHtml({ value: RUNNING_NEURON });
    expect(textOf(html, 'neuron-stop')).toBe('Stop miner');
    expect(html).not.toContain('neuron-start');
    expect(textOf(html, 'neuron-uid')).toBe('uid 3 on subnet 50');
    expect(textOf(html, 'neuron-axon')).toBe('127.0.0.1:8091 served on chain · listening on 0.0.0.0:8091');
    expect(textOf(html, 'neuron-worker')).toBe('ready · restarted 1 time');
    expect(textOf(html, 'neuron-device')).toBe('cpu');
    expect(textOf(html, 'neuron-model')).toBe('musicgen-tiny');
    expect(textOf(html, 'neuron-requests')).toBe('12 answered · 1 failed');
    expect(textOf(neuronHtml({ value: RUNNING_NEURON, action: 'stopping' }), 'neuron-stop')).toBe('Stopping…');
  });

  it('says so when the engine has no miner service', () => {
    const html = neuronHtml({ error: new HostApiError('unavailable', 'neuron.status is not implemented yet') });
    expect(textOf(html, 'neuron-unavailable')).toBe(
      'This engine cannot run the miner: neuron.status is not implemented yet',
    );
  });
});

describe('Chain, network, queue and alerts panels', () => {
  it('formats stake and emission from rao as alpha, incentive as a percentage', () => {
    const html = renderToStaticMarkup(<ChainPanel neuron={RUNNING_NEURON} />);
    expect(textOf(html, 'chain-stake')).toBe('1.5 α');
    expect(textOf(html, 'chain-incentive')).toBe('25.00 %');
    expect(textOf(html, 'chain-emission')).toBe('0.123456 α per epoch');
    expect(html).toContain('4000 blocks left');
    expect(renderToStaticMarkup(<ChainPanel neuron={neuronStatus()} />)).toContain('once the hotkey holds a uid');
  });

  it('shows the local network with its block and epoch countdown, and a failed one with its reason', () => {
    const loaded = (value: NetworkStatus): Loaded<NetworkStatus> => ({ value, error: null });
    const html = renderToStaticMarkup(<NetworkPanel network={loaded(networkStatus())} />);
    expect(textOf(html, 'network-kind')).toBe('the local network (built in) running');
    expect(textOf(html, 'network-block')).toBe('120');
    expect(textOf(html, 'network-epoch')).toBe('in 30 blocks (~30s) · tempo 99');
    expect(html).toContain('38 of 40 queries answered · weights set at block 100');
    const remote = renderToStaticMarkup(
      <NetworkPanel
        network={loaded(
          networkStatus({ kind: 'remote', endpoint: 'wss://entrypoint-finney.opentensor.ai:443', state: 'failed' }),
        )}
      />,
    );
    expect(textOf(remote, 'network-kind')).toBe('wss://entrypoint-finney.opentensor.ai:443 failed');
    expect(remote).toMatch(/role="alert"/);
    expect(remote).not.toContain('Test validator');
  });

  it('lists the jobs in progress with their progress', () => {
    const html = renderToStaticMarkup(
      <QueuePanel neuron={RUNNING_NEURON} jobs={[job('a'), job('b', { state: 'queued', step: 0, prompt: 'jazz' })]} />,
    );
    expect(textOf(html, 'queue-counts')).toBe('1 running · 2 waiting');
    expect(html).toMatch(/<meter class="meter__bar" min="0" max="253" value="10"/);
    expect(html).toMatch(
      /<meter class="meter__bar" min="0" max="253" value="0" aria-label="Generation of &quot;jazz&quot;"/,
    );
    expect(html).toContain('step 10 of 253 · 50.0 steps/s · ~5s left');
    expect(renderToStaticMarkup(<QueuePanel neuron={null} jobs={[]} />)).toContain('No generation in progress');
  });

  it('shows each alert with its severity, and nothing when there is none', () => {
    const html = renderToStaticMarkup(
      <AlertsPanel
        alerts={[
          {
            kind: 'axon_not_served',
            severity: 'warning',
            message: 'The axon is not served: run `bittaudio miner --axon.external_ip 1.2.3.4`',
            since: '2026-12-02T16:00:00.000Z',
          },
        ]}
      />,
    );
    expect(textOf(html, 'alert-axon_not_served')).toContain('warning The axon is not served');
    expect(html).toContain('<code>bittaudio miner --axon.external_ip 1.2.3.4</code>');
    expect(textOf(html, 'alert-axon_not_served')).toMatch(/ · since \d{4}-12-02 \d\d:\d\d:00$/);
    expect(renderToStaticMarkup(<AlertsPanel alerts={[]} />)).toBe('');
  });
});
