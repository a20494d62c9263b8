/**
 * Every page of the app, once: its route (`#/<id>`), its title, its navigation icon and its
 * component. App renders from it and the navigation lists it, so a new page (the wallet, the
 * validator's views) is one entry here and a folder `pages/<id>/` with `Page.tsx` and `<id>.css`.
 */
import type { ReactNode } from 'react';
import { GenerationsPage } from './generations/Page.js';
import { GpuPage } from './gpu/Page.js';
import { LogsPage } from './logs/Page.js';
import { OverviewPage } from './overview/Page.js';
import { RewardsPage } from './rewards/Page.js';
import { SettingsPage } from './settings/Page.js';
import { WalletPage } from './wallet/Page.js';

export interface PageEntry<Id extends string = string> {
  /** The route: `#/<id>`. Lower case, stable (people bookmark it). */
  readonly id: Id;
  readonly title: string;
  /** SVG path data on a 24×24 grid, drawn with the text colour (decorative: the title is the name). */
  readonly icon: string;
  readonly component: () => ReactNode;
}

/** In navigation order. */
export const PAGE_REGISTRY = [
  { id: 'overview', title: 'Overview', icon: 'M3 12l9-8 9 8M5 10v10h5v-6h4v6h5V10', component: OverviewPage },
  { id: 'wallet', title: 'Wallet', icon: 'M3 7h16v12H3zM3 7l13-3v3M15 13h2', component: WalletPage },
  {
    id: 'gpu',
    title: 'GPU',
    icon: 'M6 6h12v12H6zM9 9h6v6H9zM9 2v4M15 2v4M9 18v4M15 18v4M2 9h4M2 15h4M18 9h4M18 15h4',
    component: GpuPage,
  },
  {
    id: 'generations',
    title: 'Generations',
    icon: 'M9 18V5l12-2v13M9 18a3 3 0 1 1-3-3 3 3 0 0 1 3 3zM21 16a3 3 0 1 1-3-3 3 3 0 0 1 3 3z',
    component: GenerationsPage,
  },
  { id: 'rewards', title: 'Rewards', icon: 'M3 20h18M6 16v-5M11 16V8M16 16v-9M21 16V4', component: RewardsPage },
  { id: 'logs', title: 'Logs', icon: 'M4 5h16M4 10h16M4 15h10M4 20h7', component: LogsPage },
  {
    id: 'settings',
    title: 'Settings',
    icon: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1',
    component: SettingsPage,
  },
] as const satisfies readonly PageEntry[];

export type PageId = (typeof PAGE_REGISTRY)[number]['id'];
