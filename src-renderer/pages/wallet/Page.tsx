/** Pages whose screens are not built yet: each says what it will show and what works today. */
import type { ReactNode } from 'react';
import { PlaceholderPage } from '../../components/PlaceholderPage.js';

export function WalletPage(): ReactNode {
  return (
    <PlaceholderPage
      title="Wallet"
      purpose="This page will create or import the coldkey and hotkey that mine or validate, register them on subnet 50 and show their balances."
      today="Today the command line does it, with btcli's files and flags: `npm run build`, then `node dist/main/cli.js wallet create`, `wallet list`, `wallet show` and `wallet register --netuid 50`."
    />
  );
}
