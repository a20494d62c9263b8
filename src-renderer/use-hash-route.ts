import { useSyncExternalStore } from 'react';
import { pageFromHash } from './routes.js';
import type { PageId } from './routes.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The page named by the URL fragment, updated on back/forward and link clicks. */
export function useHashRoute(): PageId {
  return useSyncExternalStore(subscribe, () => pageFromHash(window.location.hash));
}
