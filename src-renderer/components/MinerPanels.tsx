/**
 * The Overview's miner panels: the neuron with Start / Stop, the network, the queue, what the
 * chain says of our uid, and the alerts to act on. Views take plain props so that tests render
 * them to static markup; OverviewPage feeds them from the store.
 */
import type { ReactNode } from 'react';
import type { HostApiError } from '../../src-shared/api/errors.js';
import { formatRao } from '../../src-shared/format/rao.js';
import type { GenerationEvent } from '../../src-shared/schemas/generation.js';
import type { NetworkStatus } from '../../src-shared/schemas/network.js';
import type { Alert, NeuronStatus } from '../../src-shared/schemas/neuron.js';
import { InlineCode } from './InlineCode.js';
import { formatLocalDateTime } from '../format.js';
import { epochCountdownText, formatFraction, jobProgressText, shortAddress } from '../miner-text.js';
import type { Loaded, NeuronView } from '../state/engine-store.js';
import { NeuronControls } from './NeuronControls.js';
import { Tag } from './Tag.js';

const SEVERITY_TONE: Record<Alert['severity'], 'neutral' | 'warn' | 'error'> = {
  info: 'neutral',
  warning: 'warn',
  error: 'error',
};

/** Codes by which an engine says it has no such service (yet). */
function isMissingService(error: HostApiError): boolean {
  return error.code === 'unavailable' || error.code === 'unknown_command';
}

export interface NeuronActions {
  onStart(): void;
  onStop(): void;
}

export function NeuronPanel({
  neuron,
  connected,
  onStart,
  onStop,
}: { neuron: NeuronView; connected: boolean } & NeuronActions): ReactNode {
  const status = neuron.value;
  const state = status?.state ?? null;
  const starting = neuron.action === 'starting' || state === 'starting';
  const failure = neuron.actionError ?? (state === 'failed' ? status?.error : null) ?? null;
  return (
    <section className="panel" aria-labelledby="neuron-title" data-testid="neuron">
      <div className="panel__head">
        <h2 id="neuron-title">Miner</h2>
        <NeuronControls
          state={state}
          action={neuron.action}
          noun="miner"
          testIdPrefix="neuron"
          connected={connected}
          canStart={status !== null}
          onStart={onStart}
          onStop={onStop}
        />
      </div>
      {starting && (
        <p className="gpu-waiting" role="status" data-testid="neuron-progress">
          Starting: checking the registration, loading the model into the worker, opening and serving the axon…
        </p>
      )}
      {failure !== null && (
        <div className="alert" role="alert" data-testid="neuron-error">
          <p>
            {neuron.actionError !== null ? 'The miner did not start: ' : 'The miner failed: '}
            <InlineCode text={failure.message} /> <span className="muted">({failure.code})</span>
          </p>
        </div>
      )}
      {status === null ? (
        <p className="muted" data-testid="neuron-unavailable">
          {neuron.error === null
            ? connected
              ? 'Asking the engine about its miner…'
              : 'The miner shows once the engine is connected.'
            : isMissingService(neuron.error)
              ? `This engine cannot run the miner: ${neuron.error.message}`
              : `Could not read the miner's state: ${neuron.error.message}`}
        </p>
      ) : (
        <NeuronFacts status={status} />
      )}
    </section>
  );
}

function NeuronFacts({ status }: { status: NeuronStatus }): ReactNode {
  const { axon, worker } = status;
  return (
    <dl className="facts">
      <dt>Hotkey</dt>
      <dd>{status.hotkey === null ? <span className="muted">none chosen</span> : <code>{status.hotkey}</code>}</dd>
      <dt>Registration</dt>
      <dd data-testid="neuron-uid">
        {status.uid === null ? (
          <span className="muted">not registered on subnet {status.netuid} (or not checked yet)</span>
        ) : (
          `uid ${status.uid} on subnet ${status.netuid}`
        )}
      </dd>
      <dt>Axon</dt>
      <dd data-testid="neuron-axon">
        {axon === null ? (
          <span className="muted">not open</span>
        ) : (
          <>
            {axon.externalIp}:{axon.externalPort}{' '}
            <Tag tone={axon.servedOnChain ? 'ok' : 'warn'}>
              {axon.servedOnChain ? 'served on chain' : 'not served on chain'}
            </Tag>
            <span className="muted">
              {' '}
              · listening on {axon.host}:{axon.port}
            </span>
          </>
        )}
      </dd>
      <dt>Worker</dt>
      <dd data-testid="neuron-worker">
        {worker.state}
        {worker.restarts > 0 && (
          <span className="muted">
            {' '}
            · restarted {worker.restarts} time{worker.restarts === 1 ? '' : 's'}
          </span>
        )}
        {worker.lastError !== null && <span className="muted"> · last error: {worker.lastError}</span>}
      </dd>
      <dt>Device</dt>
      <dd data-testid="neuron-device">{status.device ?? <span className="muted">not chosen yet</span>}</dd>
      <dt>Model</dt>
      <dd data-testid="neuron-model">{status.model ?? <span className="muted">not loaded</span>}</dd>
      <dt>Requests</dt>
      <dd data-testid="neuron-requests">
        {status.answered} answered · {status.failed} failed
      </dd>
    </dl>
  );
}

export function NetworkPanel({ network }: { network: Loaded<NetworkStatus> }): ReactNode {
  const status = network.value;
  return (
    <section className="panel" aria-labelledby="network-title" data-testid="network">
      <h2 id="network-title">Network</h2>
      {status === null ? (
        <p className="muted">
          {network.error === null ? 'Asking the engine which network it uses…' : `Unknown: ${network.error.message}`}
        </p>
      ) : (
        <>
          {status.state === 'failed' && (
            <div className="alert" role="alert">
              <p>The network failed: {status.error ?? 'no reason given'}</p>
            </div>
          )}
          <dl className="facts">
            <dt>Network</dt>
            <dd data-testid="network-kind">
              {status.kind === 'local' ? 'the local network (built in)' : <code>{status.endpoint}</code>}{' '}
              <Tag tone="neutral">{status.state}</Tag>
            </dd>
            <dt>Subnet</dt>
            <dd>{status.netuid}</dd>
            <dt>Block</dt>
            <dd data-testid="network-block">{status.block ?? <span className="muted">none yet</span>}</dd>
            <dt>Next epoch</dt>
            <dd data-testid="network-epoch">
              {epochCountdownText(status)}
              {status.tempo !== null && <span className="muted"> · tempo {status.tempo}</span>}
            </dd>
            {status.kind === 'local' && (
              <>
                <dt>Local miners</dt>
                <dd>{status.localMiners} besides yours</dd>
                <dt>Test validator</dt>
                <dd>
                  {status.testValidator === null ? (
                    <span className="muted">not running</span>
                  ) : (
                    <>
                      {status.testValidator.answered} of {status.testValidator.queries} queries answered ·{' '}
                      {status.testValidator.lastWeightsBlock === null
                        ? 'no weights set yet'
                        : `weights set at block ${status.testValidator.lastWeightsBlock}`}
                    </>
                  )}
                </dd>
              </>
            )}
          </dl>
        </>
      )}
    </section>
  );
}

export function QueuePanel({
  neuron,
  jobs,
}: {
  neuron: NeuronStatus | null;
  jobs: readonly GenerationEvent[];
}): ReactNode {
  return (
    <section className="panel" aria-labelledby="queue-title" data-testid="queue">
      <div className="panel__head">
        <h2 id="queue-title">Queue</h2>
        {neuron !== null && (
          <span className="muted" data-testid="queue-counts">
            {neuron.queue.running} running · {neuron.queue.queued} waiting
          </span>
        )}
      </div>
      {jobs.length === 0 ? (
        <p className="muted">No generation in progress. Requests from validators show here while they are generated.</p>
      ) : (
        <ul className="plain-list" aria-label="Jobs in progress">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function JobRow({ job }: { job: GenerationEvent }): ReactNode {
  return (
    <li className="meter" data-testid="job">
      <div className="meter__head">
        <span className="job__prompt" title={job.prompt}>
          {job.prompt || '(no prompt)'} · {job.durationSeconds} s
          {job.caller !== undefined && ` · from ${shortAddress(job.caller)}`}
        </span>
        <span className="meter__text">{jobProgressText(job)}</span>
      </div>
      <meter
        className="meter__bar"
        min={0}
        max={Math.max(job.steps, 1)}
        value={job.state === 'queued' ? 0 : job.step}
        aria-label={`Generation of "${job.prompt}"`}
      />
    </li>
  );
}

export function ChainPanel({ neuron }: { neuron: NeuronStatus | null }): ReactNode {
  const chain = neuron?.chain ?? null;
  return (
    <section className="panel" aria-labelledby="chain-title" data-testid="chain">
      <div className="panel__head">
        <h2 id="chain-title">On chain</h2>
        <a href="#/rewards">Rewards over time</a>
      </div>
      {chain === null ? (
        <p className="muted">
          {neuron?.uid === null || neuron === null
            ? 'Nothing yet: the chain reports stake, incentive and emission once the hotkey holds a uid.'
            : 'Waiting for the first metagraph read.'}
        </p>
      ) : (
        <dl className="facts">
          <dt>Stake</dt>
          <dd data-testid="chain-stake">{formatRao(chain.stake, { unit: 'alpha' })}</dd>
          <dt>Incentive</dt>
          <dd data-testid="chain-incentive">{formatFraction(chain.incentive)}</dd>
          <dt>Emission</dt>
          <dd data-testid="chain-emission">
            {formatRao(chain.emission, { unit: 'alpha', maxDecimals: 6 })}
            <span className="muted"> per epoch</span>
          </dd>
          {chain.trust !== null && (
            <>
              <dt>Trust</dt>
              <dd>{formatFraction(chain.trust)}</dd>
            </>
          )}
          <dt>Immunity</dt>
          <dd>
            {chain.immunityBlocksLeft > 0 ? `${chain.immunityBlocksLeft} blocks left` : 'over'}
            <span className="muted"> · as of block {chain.block}</span>
          </dd>
        </dl>
      )}
    </section>
  );
}

export function AlertsPanel({ alerts }: { alerts: readonly Alert[] }): ReactNode {
  if (alerts.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="alerts-title" data-testid="alerts">
      <h2 id="alerts-title">Alerts</h2>
      <ul className="plain-list alerts">
        {alerts.map((alert) => (
          <li key={alert.kind} className="alerts__item" data-testid={`alert-${alert.kind}`}>
            <Tag tone={SEVERITY_TONE[alert.severity]}>{alert.severity}</Tag> <InlineCode text={alert.message} />
            <span className="muted"> · since {formatLocalDateTime(alert.since)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
