/** Pages whose features arrive with later issues. */
import type { ReactNode } from 'react';
import { PlaceholderPage } from '../components/PlaceholderPage.js';

export function WalletPage(): ReactNode {
  return (
    <PlaceholderPage
      title="Wallet"
      purpose="Create or import the coldkey and hotkey that mine or validate, register them on subnet 50 and see their balances."
      arrives="Arrives with issue #3 (wallets and the chain)."
    />
  );
}

export function GenerationsPage(): ReactNode {
  return (
    <PlaceholderPage
      title="Generations"
      purpose="List the music this machine generated: the prompt, the audio to play, how long it took and how it scored."
      arrives="Arrives with issue #5 (inference)."
    />
  );
}

export function RewardsPage(): ReactNode {
  return (
    <PlaceholderPage
      title="Rewards"
      purpose="Follow what your neuron earns on subnet 50: emissions, incentive and rank over time."
      arrives="Arrives with issue #3 (wallets and the chain), together with the neuron work."
    />
  );
}
