/** Hands the wallet store to the Wallet page and onboarding (built once in main.tsx). */
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import type { WalletStore } from './wallet-store.js';

const WalletStoreContext = createContext<WalletStore | null>(null);

export function WalletProvider({ store, children }: { store: WalletStore; children: ReactNode }): ReactNode {
  return <WalletStoreContext value={store}>{children}</WalletStoreContext>;
}

export function useWalletStore(): WalletStore {
  const store = useContext(WalletStoreContext);
  if (store === null) throw new Error('useWalletStore needs a <WalletProvider> above it');
  return store;
}
