/** The Wallet page: the wallet store from the context, capabilities from the engine's welcome. */
import './wallet.css';
import type { ReactNode } from 'react';
import { useEngine } from '../../state/engine-context.js';
import { useWalletStore } from '../../wallet/wallet-context.js';
import { WalletView } from '../../wallet/WalletView.js';

export function WalletPage(): ReactNode {
  const store = useWalletStore();
  // Until the welcome arrives nothing can be signed anyway; assume a browser, as the daemon serves.
  const extensionSigning = useEngine((s) =>
    s.connection.status === 'connected' ? s.connection.welcome.capabilities.extensionSigning : true,
  );
  return <WalletView store={store} extensionSigning={extensionSigning} />;
}
