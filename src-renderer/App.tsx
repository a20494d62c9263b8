import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { ConnectionBadge } from './components/ConnectionBadge.js';
import { NavBar } from './components/NavBar.js';
import { GenerationsPage } from './pages/GenerationsPage.js';
import { GpuPage } from './pages/GpuPage.js';
import { LogsPage } from './pages/LogsPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { RewardsPage } from './pages/RewardsPage.js';
import { SettingsPage } from './pages/SettingsPage.js';
import { WalletPage } from './wallet/WalletPage.js';
import type { PageId } from './routes.js';
import { useEngine } from './state/engine-context.js';
import { applyTheme } from './theme.js';
import { useHashRoute } from './use-hash-route.js';

const PAGE_COMPONENTS: Record<PageId, () => ReactNode> = {
  overview: OverviewPage,
  wallet: WalletPage,
  gpu: GpuPage,
  generations: GenerationsPage,
  rewards: RewardsPage,
  logs: LogsPage,
  settings: SettingsPage,
};

export function App(): ReactNode {
  const page = useHashRoute();
  const theme = useEngine((state) => state.settings?.theme ?? 'system');

  useEffect(() => applyTheme(theme), [theme]);

  const Page = PAGE_COMPONENTS[page];
  return (
    <div className="shell">
      <NavBar current={page} />
      <div className="shell__main">
        <header className="topbar">
          <ConnectionBadge />
        </header>
        <main className="content">
          <Page />
        </main>
      </div>
    </div>
  );
}
