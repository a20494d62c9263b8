import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import { ConnectionBadge } from './components/ConnectionBadge.js';
import { NavBar } from './components/NavBar.js';
import { ThemeToggle } from './components/ThemeToggle.js';
import { pageEntry } from './routes.js';
import { useEngine } from './state/engine-context.js';
import { applyTheme } from './theme.js';
import { useHashRoute } from './use-hash-route.js';

export function App(): ReactNode {
  const page = useHashRoute();
  const settingsTheme = useEngine((state) => state.settings?.theme ?? null);
  const updateSettings = useEngine((state) => state.updateSettings);
  const systemPrefersLight = useSystemPrefersLight();
  const theme = settingsTheme ?? 'system';
  const main = useRef<HTMLElement>(null);
  const entry = pageEntry(page);

  useEffect(() => applyTheme(theme), [theme]);
  useEffect(() => {
    document.title = `${entry.title} · BittAudio`;
  }, [entry.title]);

  const Page = entry.component;
  return (
    <div className="shell">
      {/* A button, not a `#main` link: the fragment is the route here. */}
      <button type="button" className="skip-link button" onClick={() => main.current?.focus()} data-testid="skip-link">
        Skip to content
      </button>
      <NavBar current={page} />
      <div className="shell__main">
        <header className="topbar">
          <div className="topbar__actions">
            <ThemeToggle
              theme={settingsTheme}
              systemPrefersLight={systemPrefersLight}
              onChange={(next) => updateSettings({ theme: next })}
            />
            <ConnectionBadge />
          </div>
        </header>
        <main className="content" id="main" tabIndex={-1} ref={main}>
          <Page />
        </main>
      </div>
    </div>
  );
}

const LIGHT_QUERY = '(prefers-color-scheme: light)';

function subscribeToScheme(onChange: () => void): () => void {
  const query = window.matchMedia(LIGHT_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** Whether the operating system asks for light colours now (what `system` shows). */
function useSystemPrefersLight(): boolean {
  return useSyncExternalStore(
    subscribeToScheme,
    () => window.matchMedia(LIGHT_QUERY).matches,
    () => false,
  );
}
