/**
 * The Wallet page's body: the wallets the engine sees, the chosen one's coldkey (address, free
 * balance, the local faucet), its hotkeys with their registration on the current subnet and the
 * burn, and Register — signed by the local coldkey (password asked now, never kept) or by the
 * browser extension that holds the coldkey. Amounts arrive as rao strings and are formatted by
 * `formatRao` only.
 */
import { useEffect, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useStore } from 'zustand';
import { formatRao } from '../../src-shared/format/rao.js';
import type { WalletSummary } from '../../src-shared/schemas/wallet.js';
import { CopyButton } from '../components/CopyButton.js';
import { WalletSetup } from './WalletSetup.js';
import type { WalletStore } from './wallet-store.js';

export function WalletView({ store, extensionSigning }: { store: WalletStore; extensionSigning: boolean }): ReactNode {
  const list = useStore(store, (s) => s.list);
  const listError = useStore(store, (s) => s.listError);
  const selected = useStore(store, (s) => s.selected);
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    void store.getState().refresh();
  }, [store]);

  const wallet = list?.wallets.find((w) => w.name === selected) ?? null;
  return (
    <div className="page wallet-page" data-testid="wallet-page">
      <header className="page__head">
        <h1>Wallet</h1>
        {list && list.wallets.length > 0 && (
          <label className="field field--inline">
            <span className="field__label">Wallet</span>
            <select
              value={selected ?? ''}
              onChange={(event) => void store.getState().select(event.target.value)}
              data-testid="wallet-select"
            >
              {list.wallets.map((w) => (
                <option key={w.name} value={w.name}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      {listError && (
        <p className="alert" role="alert">
          {listError.message}
        </p>
      )}
      {list && (
        <p className="muted">
          Wallets folder: <code>{list.root}</code>
        </p>
      )}
      {wallet && <WalletDetails store={store} wallet={wallet} extensionSigning={extensionSigning} />}
      {list && (list.wallets.length === 0 || adding) ? (
        <WalletSetup store={store} extensionSigning={extensionSigning} onDone={() => setAdding(false)} />
      ) : (
        list && (
          <button type="button" className="button button--secondary" onClick={() => setAdding(true)}>
            Add another wallet
          </button>
        )
      )}
      <SigningNotice store={store} />
    </div>
  );
}

function SigningNotice({ store }: { store: WalletStore }): ReactNode {
  const signing = useStore(store, (s) => s.signing);
  if (!signing || signing.state !== 'asking') return null;
  return (
    <p className="alert alert--info" role="status" data-testid="signing-notice">
      Approve the request in your browser extension: {signing.request.description}
    </p>
  );
}

function WalletDetails({
  store,
  wallet,
  extensionSigning,
}: {
  store: WalletStore;
  wallet: WalletSummary;
  extensionSigning: boolean;
}): ReactNode {
  const overview = useStore(store, (s) => s.overview);
  const overviewError = useStore(store, (s) => s.overviewError);
  const busy = useStore(store, (s) => s.busy);
  const actionError = useStore(store, (s) => s.actionError);
  const [registering, setRegistering] = useState<string | null>(null);
  const coldkey = wallet.coldkey.address;
  const local = overview?.network.kind === 'local';

  return (
    <>
      <section className="panel" aria-labelledby="coldkey-title" data-testid="coldkey-panel">
        <div className="panel__head">
          <h2 id="coldkey-title">Coldkey</h2>
          <span className="tag tag--neutral">
            {wallet.coldkey.encrypted === null
              ? 'watch-only (signs elsewhere)'
              : wallet.coldkey.encrypted
                ? 'encrypted'
                : 'not encrypted'}
          </span>
        </div>
        {wallet.coldkey.problem && <p className="alert">{wallet.coldkey.problem}</p>}
        <dl className="facts">
          <dt>Address</dt>
          <dd>
            {coldkey ? (
              <>
                <code data-testid="coldkey-address">{coldkey}</code> <CopyButton text={coldkey} />
              </>
            ) : (
              'unknown'
            )}
          </dd>
          <dt>Free balance</dt>
          <dd data-testid="coldkey-free">{overview?.coldkey.free ? formatRao(overview.coldkey.free) : '…'}</dd>
          {overview && (
            <>
              <dt>Subnet {overview.network.netuid} registration burn</dt>
              <dd data-testid="register-burn">{formatRao(overview.network.burn)}</dd>
            </>
          )}
        </dl>
        {local && coldkey && (
          <button
            type="button"
            className="button button--secondary"
            disabled={busy !== null}
            onClick={() => void store.getState().faucet(coldkey)}
            data-testid="faucet"
          >
            {busy === 'faucet' ? 'Asking the faucet…' : 'Get test TAO (local network)'}
          </button>
        )}
        {overviewError && (
          <p className="alert" role="alert">
            {overviewError.message}
          </p>
        )}
      </section>
      <section className="panel" aria-labelledby="hotkeys-title" data-testid="hotkeys-panel">
        <h2 id="hotkeys-title">Hotkeys</h2>
        {wallet.hotkeys.length === 0 && <p>No hotkeys in this wallet.</p>}
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">Subnet {overview?.network.netuid ?? ''}</th>
              <th scope="col">Stake</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {wallet.hotkeys.map((hotkey) => {
              const seen = overview?.hotkeys.find((h) => h.name === hotkey.name);
              return (
                <tr key={hotkey.name} data-testid={`hotkey-${hotkey.name}`}>
                  <td>{hotkey.name}</td>
                  <td>
                    {hotkey.address ? (
                      <>
                        <code>{hotkey.address}</code> <CopyButton text={hotkey.address} />
                      </>
                    ) : (
                      (hotkey.problem ?? 'unknown')
                    )}
                  </td>
                  <td data-testid="hotkey-registration">
                    {seen === undefined ? '…' : seen.uid === null ? 'not registered' : `uid ${seen.uid}`}
                  </td>
                  <td>{seen?.stake ? formatRao(seen.stake, { unit: 'alpha' }) : '—'}</td>
                  <td>
                    {seen && seen.uid === null && hotkey.address && (
                      <button
                        type="button"
                        className="button button--small"
                        onClick={() => setRegistering(hotkey.address)}
                        data-testid="register-open"
                      >
                        Register
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {registering && (
          <RegisterForm
            store={store}
            wallet={wallet}
            hotkeyAddress={registering}
            burn={overview?.network.burn ?? null}
            extensionSigning={extensionSigning}
            onClose={() => setRegistering(null)}
          />
        )}
        {actionError && !registering && (
          <p className="alert" role="alert">
            {actionError.message}
          </p>
        )}
      </section>
    </>
  );
}

function RegisterForm({
  store,
  wallet,
  hotkeyAddress,
  burn,
  extensionSigning,
  onClose,
}: {
  store: WalletStore;
  wallet: WalletSummary;
  hotkeyAddress: string;
  burn: string | null;
  extensionSigning: boolean;
  onClose: () => void;
}): ReactNode {
  const busy = useStore(store, (s) => s.busy);
  const extension = useStore(store, (s) => s.extension);
  const actionError = useStore(store, (s) => s.actionError);
  const hasLocalKey = wallet.coldkey.encrypted !== null;
  const [signer, setSigner] = useState<'local' | 'extension'>(hasLocalKey ? 'local' : 'extension');
  const [password, setPassword] = useState('');
  const coldkey = wallet.coldkey.address;
  const extensionHolds = extension.accounts?.some((a) => a.address === coldkey) ?? false;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (signer === 'extension' && !extensionHolds) {
      await store.getState().connectExtension();
      if (!store.getState().extension.accounts?.some((a) => a.address === coldkey)) return;
    }
    const result = await store.getState().register({
      hotkeyAddress,
      signer:
        signer === 'local'
          ? { kind: 'local', wallet: wallet.name, password }
          : { kind: 'extension', address: coldkey ?? '' },
    });
    setPassword('');
    if (result?.ok) onClose();
  }

  return (
    <form className="wallet-form register-form" onSubmit={(e) => void submit(e)} data-testid="register-form">
      <h3>Register {hotkeyAddress.slice(0, 8)}…</h3>
      <p>
        Registering burns {burn ? formatRao(burn) : 'the current registration cost'} from the coldkey. The cost changes
        with demand; the engine checks it again when it submits.
      </p>
      <fieldset>
        <legend>Sign with</legend>
        <label>
          <input
            type="radio"
            name="register-signer"
            checked={signer === 'local'}
            disabled={!hasLocalKey}
            onChange={() => setSigner('local')}
          />{' '}
          The wallet&apos;s coldkey on this machine
          {!hasLocalKey && <span className="muted"> (this wallet has no coldkey file)</span>}
        </label>
        <label>
          <input
            type="radio"
            name="register-signer"
            checked={signer === 'extension'}
            disabled={!extensionSigning}
            onChange={() => setSigner('extension')}
            data-testid="register-with-extension"
          />{' '}
          A browser extension that holds the coldkey
          {!extensionSigning && <span className="muted"> (not in the desktop window: open the app in a browser)</span>}
        </label>
      </fieldset>
      {signer === 'local' && (
        <label className="field">
          <span className="field__label">Coldkey password</span>
          <input
            className="field__input"
            type="password"
            value={password}
            autoComplete="current-password"
            onChange={(event) => setPassword(event.target.value)}
            data-testid="register-password"
          />
        </label>
      )}
      {actionError && (
        <p className="alert" role="alert">
          {actionError.message}
        </p>
      )}
      <div className="wallet-form__actions">
        <button type="button" className="button button--secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button"
          disabled={busy !== null || (signer === 'local' && password === '')}
          data-testid="register-submit"
        >
          {busy === 'register' ? (signer === 'extension' ? 'Waiting for the extension…' : 'Registering…') : 'Register'}
        </button>
      </div>
    </form>
  );
}
