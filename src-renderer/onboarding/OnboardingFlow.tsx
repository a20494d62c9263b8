/**
 * First-run setup (issue #13), offered on the Overview until finished or skipped and re-opened
 * from Settings: what to do (mine, validate, explore), which network (with a live connection
 * check), a wallet (not needed on the local network), a model that fits this GPU (downloaded with
 * progress, licence shown), then a summary and Start. Every choice is a setting saved as it is
 * made, so a closed window loses nothing.
 */
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import type { NetworkSettings } from '../../src-shared/schemas/settings.js';
import { formatBytes } from '../format.js';
import { hrefFor } from '../routes.js';
import { useEngine, useEngineStore } from '../state/engine-context.js';
import { modelKey } from '../state/engine-store.js';
import { useWalletStore } from '../wallet/wallet-context.js';
import { WalletSetup } from '../wallet/WalletSetup.js';
import { recommendModel } from './model-fit.js';
import './onboarding.css';

export type Role = 'mine' | 'validate' | 'explore';
type NetworkChoice = 'local' | 'test' | 'finney' | 'custom';
const STEPS = ['What to do', 'Network', 'Wallet', 'Model', 'Start'] as const;

export function OnboardingFlow({ onClose }: { onClose: () => void }): ReactNode {
  const [step, setStep] = useState(0);
  const [role, setRole] = useState<Role>('explore');
  const settings = useEngine((s) => s.settings);
  const updateSettings = useEngine((s) => s.updateSettings);
  if (!settings) return <p>Loading the settings…</p>;
  const local = settings.network.mode === 'local';
  // The local network brings its own tiny model; only a miner on a real network downloads one.
  const skip = (index: number): boolean => STEPS[index] === 'Model' && (local || role !== 'mine');
  const move = (direction: 1 | -1): void => {
    let next = step + direction;
    while (next > 0 && next < STEPS.length - 1 && skip(next)) next += direction;
    setStep(Math.max(0, Math.min(STEPS.length - 1, next)));
  };
  const finish = async (): Promise<void> => {
    await updateSettings({ onboarded: true });
    onClose();
  };

  return (
    <section className="panel onboarding" aria-labelledby="onboarding-title" data-testid="onboarding">
      <div className="panel__head">
        <h2 id="onboarding-title">Set up BittAudio</h2>
        <button type="button" className="button button--small button--secondary" onClick={() => void finish()}>
          Skip setup
        </button>
      </div>
      <ol className="onboarding__steps" aria-label="Steps">
        {STEPS.map((name, i) => (
          <li
            key={name}
            aria-current={i === step ? 'step' : undefined}
            className={skip(i) ? 'onboarding__step--skipped' : undefined}
          >
            {name}
          </li>
        ))}
      </ol>
      <div className="onboarding__body">
        {STEPS[step] === 'What to do' && <RoleStep role={role} onChange={setRole} />}
        {STEPS[step] === 'Network' && <NetworkStep network={settings.network} />}
        {STEPS[step] === 'Wallet' && <WalletStep local={local} onDone={() => move(1)} />}
        {STEPS[step] === 'Model' && <ModelStep />}
        {STEPS[step] === 'Start' && <StartStep role={role} onStarted={() => void finish()} />}
      </div>
      <div className="onboarding__nav">
        <button type="button" className="button button--secondary" disabled={step === 0} onClick={() => move(-1)}>
          Back
        </button>
        {step < STEPS.length - 1 && (
          <button type="button" className="button" onClick={() => move(1)} data-testid="onboarding-next">
            Next
          </button>
        )}
      </div>
    </section>
  );
}

function RoleStep({ role, onChange }: { role: Role; onChange: (role: Role) => void }): ReactNode {
  const options: { id: Role; title: string; text: string }[] = [
    { id: 'mine', title: 'Mine', text: 'Answer validators with music made on this GPU and earn emission.' },
    { id: 'validate', title: 'Validate', text: 'Ask miners for music, score it and set weights (needs stake).' },
    {
      id: 'explore',
      title: 'Just explore',
      text: 'Watch a complete local network — chain, miners, a validator — on this machine. Nothing leaves it.',
    },
  ];
  return (
    <fieldset className="choice-cards">
      <legend>What would you like to do?</legend>
      {options.map((o) => (
        <label key={o.id} className={`choice-card${role === o.id ? ' choice-card--on' : ''}`}>
          <input
            type="radio"
            name="onboarding-role"
            value={o.id}
            checked={role === o.id}
            onChange={() => onChange(o.id)}
            data-testid={`role-${o.id}`}
          />
          <strong>{o.title}</strong>
          <span>{o.text}</span>
        </label>
      ))}
    </fieldset>
  );
}

function choiceOf(network: NetworkSettings): NetworkChoice {
  if (network.mode === 'local') return 'local';
  return network.endpoint === 'test' || network.endpoint === 'finney' ? network.endpoint : 'custom';
}

function NetworkStep({ network }: { network: NetworkSettings }): ReactNode {
  const updateSettings = useEngine((s) => s.updateSettings);
  const status = useEngine((s) => s.network);
  const [choice, setChoice] = useState<NetworkChoice>(choiceOf(network));
  const [endpoint, setEndpoint] = useState(choiceOf(network) === 'custom' ? network.endpoint : 'ws://127.0.0.1:9944');
  const [error, setError] = useState<string | null>(null);

  async function apply(next: NetworkChoice, url = endpoint): Promise<void> {
    setChoice(next);
    setError(null);
    const patch: NetworkSettings =
      next === 'local'
        ? { ...network, mode: 'local' }
        : { ...network, mode: 'remote', endpoint: next === 'custom' ? url : next };
    try {
      await updateSettings({ network: patch });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  const live = status.value;
  return (
    <div>
      <fieldset className="choice-cards">
        <legend>Which network?</legend>
        {(
          [
            ['local', 'Local (on this machine)', 'A private test network with its own chain and miners. The default.'],
            ['test', 'Bittensor testnet', 'Test TAO, real chain.'],
            ['finney', 'Finney (main network)', 'Real TAO.'],
            ['custom', 'Custom endpoint', 'Your own subtensor node.'],
          ] as const
        ).map(([id, title, text]) => (
          <label key={id} className={`choice-card${choice === id ? ' choice-card--on' : ''}`}>
            <input
              type="radio"
              name="onboarding-network"
              value={id}
              checked={choice === id}
              onChange={() => void apply(id)}
              data-testid={`network-${id}`}
            />
            <strong>{title}</strong>
            <span>{text}</span>
          </label>
        ))}
      </fieldset>
      {choice === 'custom' && (
        <form
          className="wallet-form"
          onSubmit={(event) => {
            event.preventDefault();
            void apply('custom', endpoint);
          }}
        >
          <label className="field">
            <span className="field__label">Endpoint (ws:// or wss://)</span>
            <input className="field__input" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} />
          </label>
          <button type="submit" className="button button--small">
            Connect
          </button>
        </form>
      )}
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      <p role="status" data-testid="network-check">
        {live === null
          ? 'Checking the connection…'
          : live.state === 'running'
            ? `Connected to ${live.endpoint}: block ${live.block ?? '…'}, subnet ${live.netuid}.`
            : live.state === 'failed'
              ? `Could not connect to ${live.endpoint}.`
              : `Connecting to ${live.endpoint}…`}
      </p>
    </div>
  );
}

function WalletStep({ local, onDone }: { local: boolean; onDone: () => void }): ReactNode {
  const store = useWalletStore();
  const list = useStore(store, (s) => s.list);
  const updateSettings = useEngine((s) => s.updateSettings);
  const extensionSigning = useEngine((s) =>
    s.connection.status === 'connected' ? s.connection.welcome.capabilities.extensionSigning : true,
  );
  useEffect(() => {
    void store.getState().refresh();
  }, [store]);
  const chooseWallet = async (name: string): Promise<void> => {
    await updateSettings({ walletName: name });
    onDone();
  };
  return (
    <div>
      {local && (
        <p className="setting__help">
          The local network runs with development keys, so a wallet is optional here: press Next to skip. A wallet made
          now can register on the local chain (with test TAO from its faucet) and is kept for a real network later.
        </p>
      )}
      {list && list.wallets.length > 0 && (
        <div className="wallet-form">
          <p>Wallets found in {list.root}:</p>
          <ul className="plain-list">
            {list.wallets.map((w) => (
              <li key={w.name}>
                <button type="button" className="button button--small" onClick={() => void chooseWallet(w.name)}>
                  Use {w.name}
                </button>{' '}
                <code>{w.coldkey.address ?? 'no coldkey address'}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      <WalletSetup store={store} extensionSigning={extensionSigning} onDone={(name) => void chooseWallet(name)} />
    </div>
  );
}

function ModelStep(): ReactNode {
  const models = useEngine((s) => s.models);
  const gpu = useEngine((s) => s.gpu);
  const loadModels = useEngine((s) => s.loadModels);
  const checkGpu = useEngine((s) => s.checkGpu);
  const downloadModel = useEngine((s) => s.downloadModel);
  const updateSettings = useEngine((s) => s.updateSettings);
  useEffect(() => {
    void loadModels();
    void checkGpu(false);
  }, [loadModels, checkGpu]);
  const fit = recommendModel(models.entries ?? [], gpu.report);
  const entry = fit.entry;
  const progress = entry ? models.downloads[modelKey(entry.id, entry.dtype)] : undefined;
  return (
    <div data-testid="model-step">
      <p>{gpu.report ? gpu.report.device.summary : 'Checking the GPU… (the first check takes up to a minute)'}</p>
      {entry ? (
        <div className="wallet-form">
          <p>
            Recommended: <strong>{entry.displayName}</strong> ({entry.dtype},{' '}
            {formatBytes(entry.bytesTotal ?? entry.approxBytes ?? 0)}
            ). {fit.reason}
          </p>
          <p className="muted" data-testid="model-licence">
            Licence {entry.license.spdx}: {entry.license.summary}
            {entry.license.nonCommercial ? ' Not for commercial use.' : ''} <a href={entry.license.url}>Read it</a>
          </p>
          {entry.state === 'ready' ? (
            <p className="tag tag--ok">Installed</p>
          ) : (
            <button
              type="button"
              className="button"
              disabled={progress?.state === 'running'}
              onClick={() => {
                void updateSettings({ minerModel: entry.id, minerDtype: entry.dtype });
                void downloadModel(entry.id, entry.dtype);
              }}
            >
              Download and use it
            </button>
          )}
          {progress && progress.total > 0 && (
            <progress max={progress.total} value={progress.bytes} aria-label={`Downloading ${entry.displayName}`} />
          )}
          {progress?.error && <p className="alert">{progress.error.message}</p>}
        </div>
      ) : (
        <p>{fit.reason}</p>
      )}
    </div>
  );
}

function StartStep({ role, onStarted }: { role: Role; onStarted: () => void }): ReactNode {
  const settings = useEngine((s) => s.settings);
  const startNeuron = useEngine((s) => s.startNeuron);
  const neuron = useEngine((s) => s.neuron);
  const validator = useEngine((s) => s.validator);
  const startValidator = useEngine((s) => s.startValidator);
  const engineStore = useEngineStore();
  const [starting, setStarting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (!settings) return null;
  async function start(): Promise<void> {
    setStarting(true);
    if (role === 'mine' && neuron.value?.state !== 'running') await startNeuron();
    if (role === 'validate' && validator.value?.state !== 'running') {
      await startValidator();
      // The store keeps a refusal instead of throwing it.
      const refused = engineStore.getState().validatorAction.error;
      if (refused) {
        setProblem(refused.message);
        setStarting(false);
        return;
      }
    }
    setStarting(false);
    window.location.hash = hrefFor('overview');
    onStarted();
  }
  return (
    <div data-testid="start-step">
      <dl className="facts">
        <dt>Doing</dt>
        <dd>{role === 'mine' ? 'Mining' : role === 'validate' ? 'Validating' : 'Exploring'}</dd>
        <dt>Network</dt>
        <dd>{settings.network.mode === 'local' ? 'Local (this machine)' : settings.network.endpoint}</dd>
        <dt>Subnet</dt>
        <dd>{settings.network.netuid}</dd>
        {settings.network.mode === 'remote' && (
          <>
            <dt>Wallet</dt>
            <dd>
              {settings.walletName} / {settings.walletHotkey}
            </dd>
            <dt>Model</dt>
            <dd>
              {settings.minerModel} ({settings.minerDtype})
            </dd>
          </>
        )}
      </dl>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {neuron.actionError && (
        <p className="alert" role="alert">
          {neuron.actionError.message}
        </p>
      )}
      <button
        type="button"
        className="button"
        disabled={starting}
        onClick={() => void start()}
        data-testid="onboarding-start"
      >
        {role === 'mine' ? 'Start mining' : role === 'validate' ? 'Start validating' : 'Open the Overview'}
      </button>
    </div>
  );
}
