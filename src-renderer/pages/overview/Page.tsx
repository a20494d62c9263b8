import type { ReactNode } from 'react';
import type { EngineStatus } from '../../../src-shared/schemas/status.js';
import { currentUptime, formatDuration } from '../../format.js';
import { useEngine } from '../../state/engine-context.js';
import { useNow } from '../../use-now.js';
import { AlertsPanel, ChainPanel, NetworkPanel, NeuronPanel, QueuePanel } from '../../components/MinerPanels.js';
import { ValidatorPanel } from '../../components/ValidatorPanels.js';
import { OnboardingFlow } from '../../onboarding/OnboardingFlow.js';

const HOST_HINT: Record<EngineStatus['host'], string> = {
  electron: 'the desktop app runs the engine',
  daemon: 'the headless daemon runs the engine',
};

const ROLE_HINT: Record<EngineStatus['role'], string> = {
  idle: 'neither mining nor validating: start the miner below',
  miner: 'answering validators with generated music',
  validator: 'scoring miners',
};

export function OverviewPage(): ReactNode {
  const status = useEngine((state) => state.status);
  const receivedAt = useEngine((state) => state.statusReceivedAt);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const transport = useEngine((state) => state.transport);
  const loadErrors = useEngine((state) => state.loadErrors);
  const neuron = useEngine((state) => state.neuron);
  const network = useEngine((state) => state.network);
  const jobs = useEngine((state) => state.jobs);
  const startNeuron = useEngine((state) => state.startNeuron);
  const stopNeuron = useEngine((state) => state.stopNeuron);
  const validator = useEngine((state) => state.validator);
  const validatorAction = useEngine((state) => state.validatorAction);
  const startValidator = useEngine((state) => state.startValidator);
  const stopValidator = useEngine((state) => state.stopValidator);
  const onboarded = useEngine((state) => state.settings?.onboarded ?? true);

  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Overview</h1>
      {!onboarded && <OnboardingFlow onClose={() => undefined} />}
      {loadErrors.length > 0 && (
        <div className="alert" role="alert">
          {loadErrors.map((error) => (
            <p key={error}>{error}</p>
          ))}
        </div>
      )}
      <AlertsPanel alerts={neuron.value?.alerts ?? []} />
      <NeuronPanel
        neuron={neuron}
        connected={connected}
        onStart={() => void startNeuron()}
        onStop={() => void stopNeuron()}
      />
      <ValidatorPanel
        validator={validator}
        action={validatorAction}
        connected={connected}
        head={network.value?.block ?? null}
        onStart={() => void startValidator()}
        onStop={() => void stopValidator()}
      />
      <QueuePanel neuron={neuron.value} jobs={jobs} />
      <ChainPanel neuron={neuron.value} />
      <NetworkPanel network={network} />
      {status === null ? (
        <p className="panel muted">{connected ? 'Loading the engine status…' : 'Waiting for the engine…'}</p>
      ) : (
        <StatusPanel status={status} receivedAt={receivedAt ?? 0} live={connected} transport={transport} />
      )}
    </section>
  );
}

function StatusPanel({
  status,
  receivedAt,
  live,
  transport,
}: {
  status: EngineStatus;
  receivedAt: number;
  live: boolean;
  transport: 'electron' | 'websocket';
}): ReactNode {
  // Counted on locally every second; each status event (a heartbeat) re-synchronises it.
  const now = useNow(1000, live);
  const uptime = live ? currentUptime(status.uptimeSeconds, receivedAt, now) : status.uptimeSeconds;
  return (
    <div className="panel">
      <h2>Engine</h2>
      <dl className="facts">
        <dt>Version</dt>
        <dd>
          <span data-testid="status-version">{status.version}</span>
        </dd>
        <dt>Host</dt>
        <dd>
          <span data-testid="status-host">{status.host}</span>
          <span className="muted"> · {HOST_HINT[status.host]}</span>
        </dd>
        <dt>Role</dt>
        <dd>
          <span data-testid="status-role">{status.role}</span>
          <span className="muted"> · {ROLE_HINT[status.role]}</span>
        </dd>
        <dt>Uptime</dt>
        <dd>
          <time data-testid="status-uptime" dateTime={`PT${Math.floor(uptime)}S`} title={`Started ${status.startedAt}`}>
            {formatDuration(uptime)}
          </time>
          {!live && <span className="muted"> · last known</span>}
        </dd>
        <dt>Data folder</dt>
        <dd>
          <code data-testid="status-datadir">{status.dataDir}</code>
        </dd>
        <dt>Platform</dt>
        <dd>
          <span data-testid="status-platform">{status.platform}</span>
          <span className="muted"> · Node.js </span>
          <span data-testid="status-node">{status.nodeVersion}</span>
        </dd>
        <dt>Connected through</dt>
        <dd>{transport === 'electron' ? 'the desktop app (IPC)' : 'the daemon (WebSocket)'}</dd>
      </dl>
    </div>
  );
}
