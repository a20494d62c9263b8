/**
 * Adding a wallet, on the Wallet page and in onboarding: create one (the mnemonic shown once and
 * confirmed by three of its words), regenerate one from a mnemonic, import a btcli folder that is
 * on the engine's machine, or — in a browser — use a Polkadot extension account as a watch-only
 * coldkey. Passwords go to the engine in the one command and are cleared from the form after it.
 */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useStore } from 'zustand';
import { ordinal, pickPositions, wrongAnswers } from './mnemonic-check.js';
import type { WalletStore } from './wallet-store.js';

type Mode = 'create' | 'regenerate' | 'import' | 'extension';

const MODES: readonly { id: Mode; label: string }[] = [
  { id: 'create', label: 'Create a new wallet' },
  { id: 'regenerate', label: 'Restore from a mnemonic' },
  { id: 'import', label: 'Import a btcli folder' },
  { id: 'extension', label: 'Use a browser extension' },
];

export function WalletSetup({
  store,
  extensionSigning,
  onDone,
}: {
  store: WalletStore;
  /** From the welcome's capabilities: false in Electron, which has no browser extensions. */
  extensionSigning: boolean;
  onDone?: (wallet: string) => void;
}): ReactNode {
  const [mode, setMode] = useState<Mode>('create');
  return (
    <section className="panel wallet-setup" aria-labelledby="wallet-setup-title">
      <h2 id="wallet-setup-title">Add a wallet</h2>
      <div className="segmented" role="radiogroup" aria-label="How to add a wallet">
        {MODES.map((m) => (
          <label key={m.id} className={`segmented__option${mode === m.id ? ' segmented__option--on' : ''}`}>
            <input
              type="radio"
              name="wallet-setup-mode"
              value={m.id}
              checked={mode === m.id}
              disabled={m.id === 'extension' && !extensionSigning}
              onChange={() => setMode(m.id)}
            />
            {m.label}
          </label>
        ))}
      </div>
      {!extensionSigning && (
        <p className="setting__help" data-testid="extension-hidden-reason">
          Browser extensions cannot reach the desktop window; open the app in a browser to sign with one.
        </p>
      )}
      {mode === 'create' && <CreateWallet store={store} onDone={onDone} />}
      {mode === 'regenerate' && <RegenerateWallet store={store} onDone={onDone} />}
      {mode === 'import' && <ImportWallet store={store} onDone={onDone} />}
      {mode === 'extension' && extensionSigning && <ExtensionWallet store={store} onDone={onDone} />}
      <ActionError store={store} />
    </section>
  );
}

function ActionError({ store }: { store: WalletStore }): ReactNode {
  const error = useStore(store, (s) => s.actionError);
  if (!error) return null;
  return (
    <p className="alert" role="alert">
      {error.message}
    </p>
  );
}

function Field({
  label,
  value,
  onChange,
  type = 'text',
  autoComplete,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'password';
  autoComplete?: string;
  testId?: string;
}): ReactNode {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <input
        className="field__input"
        type={type}
        value={value}
        autoComplete={autoComplete ?? 'off'}
        spellCheck={false}
        data-testid={testId}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}

function passwordProblem(password: string, repeat: string): string | null {
  if (password.length < 6) return 'The password needs at least 6 characters.';
  if (password !== repeat) return 'The two passwords differ.';
  return null;
}

function CreateWallet({ store, onDone }: { store: WalletStore; onDone?: (wallet: string) => void }): ReactNode {
  const busy = useStore(store, (s) => s.busy);
  const [name, setName] = useState('default');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [created, setCreated] = useState<{ wallet: string; mnemonic: string; positions: number[] } | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const found = passwordProblem(password, repeat);
    setProblem(found);
    if (found) return;
    const result = await store.getState().create({ name, password });
    setPassword('');
    setRepeat('');
    if (result) {
      const words = result.coldkeyMnemonic.split(' ');
      setCreated({
        wallet: result.wallet.name,
        mnemonic: result.coldkeyMnemonic,
        positions: pickPositions(words.length),
      });
    }
  }

  if (created) {
    return (
      <MnemonicConfirm
        mnemonic={created.mnemonic}
        positions={created.positions}
        onConfirmed={() => {
          setCreated(null);
          onDone?.(created.wallet);
        }}
      />
    );
  }
  return (
    <form className="wallet-form" onSubmit={(e) => void submit(e)} data-testid="wallet-create-form">
      <Field label="Wallet name" value={name} onChange={setName} testId="wallet-name" />
      <Field
        label="Coldkey password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="new-password"
        testId="wallet-password"
      />
      <Field
        label="Repeat the password"
        type="password"
        value={repeat}
        onChange={setRepeat}
        autoComplete="new-password"
        testId="wallet-password-repeat"
      />
      <p className="setting__help">
        The password encrypts the coldkey file. It is asked each time the coldkey signs and is never stored.
      </p>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" className="button" disabled={busy !== null} data-testid="wallet-create-submit">
        {busy === 'create' ? 'Creating… (the key derivation takes a few seconds)' : 'Create the wallet'}
      </button>
    </form>
  );
}

/** The mnemonic, shown once, then three of its words asked back before it is gone. */
export function MnemonicConfirm({
  mnemonic,
  positions,
  onConfirmed,
}: {
  mnemonic: string;
  positions: readonly number[];
  onConfirmed: () => void;
}): ReactNode {
  const [step, setStep] = useState<'show' | 'check'>('show');
  const [answers, setAnswers] = useState<string[]>(positions.map(() => ''));
  const [wrong, setWrong] = useState<number[]>([]);
  const words = mnemonic.split(' ');

  if (step === 'show') {
    return (
      <div className="mnemonic" data-testid="mnemonic-show">
        <p>
          <strong>Write these {words.length} words down, in order, on paper.</strong> They are the only way to get the
          coldkey back. The app shows them now and never again.
        </p>
        <ol className="mnemonic__words" data-testid="mnemonic-words">
          {words.map((word, i) => (
            <li key={i}>{word}</li>
          ))}
        </ol>
        <button type="button" className="button" onClick={() => setStep('check')} data-testid="mnemonic-written">
          I wrote them down
        </button>
      </div>
    );
  }
  function check(event: FormEvent): void {
    event.preventDefault();
    const found = wrongAnswers(mnemonic, positions, answers);
    setWrong(found);
    if (found.length === 0) onConfirmed();
  }
  return (
    <form className="mnemonic" onSubmit={check} data-testid="mnemonic-check">
      <p>To be sure they are written down, type three of the words.</p>
      {positions.map((position, i) => (
        <label key={position} className="field">
          <span className="field__label">{ordinal(position)} word</span>
          <input
            className="field__input"
            value={answers[i] ?? ''}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={wrong.includes(position)}
            data-testid={`mnemonic-answer-${i}`}
            onChange={(event) => setAnswers(answers.map((a, j) => (j === i ? event.target.value : a)))}
          />
        </label>
      ))}
      {wrong.length > 0 && (
        <p className="alert" role="alert">
          The {wrong.map(ordinal).join(', ')} word{wrong.length > 1 ? 's are' : ' is'} not right. Check your paper.
        </p>
      )}
      <div className="wallet-form__actions">
        <button type="button" className="button button--secondary" onClick={() => setStep('show')}>
          Show the words again
        </button>
        <button type="submit" className="button" data-testid="mnemonic-confirm">
          Confirm
        </button>
      </div>
    </form>
  );
}

function RegenerateWallet({ store, onDone }: { store: WalletStore; onDone?: (wallet: string) => void }): ReactNode {
  const busy = useStore(store, (s) => s.busy);
  const [name, setName] = useState('default');
  const [mnemonic, setMnemonic] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const found =
      mnemonic.trim().split(/\s+/).length < 12 ? 'A mnemonic has 12 or 24 words.' : passwordProblem(password, repeat);
    setProblem(found);
    if (found) return;
    const ok = await store.getState().regenerate({ key: 'coldkey', name, mnemonic: mnemonic.trim(), password });
    setPassword('');
    setRepeat('');
    if (ok) {
      setMnemonic('');
      onDone?.(name);
    }
  }
  return (
    <form className="wallet-form" onSubmit={(e) => void submit(e)} data-testid="wallet-regenerate-form">
      <Field label="Wallet name" value={name} onChange={setName} />
      <label className="field">
        <span className="field__label">Mnemonic (12 or 24 words)</span>
        <textarea
          className="field__input"
          rows={3}
          value={mnemonic}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setMnemonic(event.target.value)}
        />
      </label>
      <Field
        label="New coldkey password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="new-password"
      />
      <Field
        label="Repeat the password"
        type="password"
        value={repeat}
        onChange={setRepeat}
        autoComplete="new-password"
      />
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" className="button" disabled={busy !== null}>
        {busy === 'regenerate' ? 'Restoring…' : 'Restore the coldkey'}
      </button>
    </form>
  );
}

function ImportWallet({ store, onDone }: { store: WalletStore; onDone?: (wallet: string) => void }): ReactNode {
  const busy = useStore(store, (s) => s.busy);
  const [path, setPath] = useState('');
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (path.trim() === '') return;
    if (await store.getState().importFolder({ path: path.trim() })) {
      const name = path.trim().split(/[\\/]/).filter(Boolean).pop() ?? path;
      setPath('');
      onDone?.(name);
    }
  }
  return (
    <form className="wallet-form" onSubmit={(e) => void submit(e)} data-testid="wallet-import-form">
      <Field label="Wallet folder on the engine's machine" value={path} onChange={setPath} />
      <p className="setting__help">
        A btcli wallet folder, e.g. <code>~/.bittensor/wallets/mywallet</code> (absolute path). Its files are copied
        unchanged.
      </p>
      <button type="submit" className="button" disabled={busy !== null || path.trim() === ''}>
        {busy === 'import' ? 'Importing…' : 'Import'}
      </button>
    </form>
  );
}

function ExtensionWallet({ store, onDone }: { store: WalletStore; onDone?: (wallet: string) => void }): ReactNode {
  const extension = useStore(store, (s) => s.extension);
  const busy = useStore(store, (s) => s.busy);
  const [name, setName] = useState('extension');
  const [address, setAddress] = useState<string | null>(null);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!address) return;
    if (await store.getState().regenerate({ key: 'coldkeypub', name, address })) onDone?.(name);
  }
  return (
    <form className="wallet-form" onSubmit={(e) => void submit(e)} data-testid="wallet-extension-form">
      <p className="setting__help">
        The extension keeps the key; the app keeps only its address (a watch-only coldkey) and asks the extension to
        sign each coldkey action.
      </p>
      <button
        type="button"
        className="button button--secondary"
        disabled={extension.loading}
        onClick={() => void store.getState().connectExtension()}
        data-testid="extension-connect"
      >
        {extension.loading ? 'Asking the extension…' : 'Connect to the extension'}
      </button>
      {extension.error && (
        <p className="alert" role="alert">
          {extension.error}
        </p>
      )}
      {extension.accounts && extension.accounts.length === 0 && <p>The extension shares no accounts with this page.</p>}
      {extension.accounts && extension.accounts.length > 0 && (
        <fieldset className="account-list">
          <legend>Account</legend>
          {extension.accounts.map((account) => (
            <label key={account.address} className="account-list__item">
              <input
                type="radio"
                name="extension-account"
                value={account.address}
                checked={address === account.address}
                onChange={() => setAddress(account.address)}
              />
              <span>{account.name ?? 'unnamed'}</span> <code>{account.address}</code>{' '}
              <span className="muted">({account.source})</span>
            </label>
          ))}
        </fieldset>
      )}
      <Field label="Wallet name" value={name} onChange={setName} />
      <button type="submit" className="button" disabled={busy !== null || !address} data-testid="extension-use">
        Use this account as the coldkey
      </button>
    </form>
  );
}
