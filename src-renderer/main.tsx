/** The composition root: the only place that picks a transport and builds the store. */
import './zod-csp.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { selectClient } from './host/select-client.js';
import { NoTokenScreen } from './pages/no-token/NoTokenScreen.js';
import { EngineProvider } from './state/engine-context.js';
import { createEngineStore } from './state/engine-store.js';
import { polkadotExtensions } from './wallet/extension.js';
import { WalletProvider } from './wallet/wallet-context.js';
import { createWalletStore } from './wallet/wallet-store.js';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html lacks the #root element');
const root = createRoot(container);

// The token is read once, at load. A link pasted into a tab that already shows this app changes
// only the fragment, which loads nothing: start again with the new token.
window.addEventListener('hashchange', () => {
  if (/(^#|&)token=/.test(window.location.hash)) window.location.reload();
});

const selection = selectClient(window);
if (selection.kind === 'no-token') {
  root.render(
    <StrictMode>
      <NoTokenScreen origin={window.location.origin} reason={selection.reason} />
    </StrictMode>,
  );
} else {
  const { client } = selection;
  // Built outside React so that StrictMode's double effects cannot subscribe twice.
  const { store } = createEngineStore(client);
  const walletStore = createWalletStore(client, { extension: polkadotExtensions() });
  window.addEventListener('pagehide', (event) => {
    // A page kept in the back/forward cache may come back; only a real unload closes.
    if (!event.persisted) client.close();
  });
  root.render(
    <StrictMode>
      <EngineProvider store={store}>
        <WalletProvider store={walletStore}>
          <App />
        </WalletProvider>
      </EngineProvider>
    </StrictMode>,
  );
}
