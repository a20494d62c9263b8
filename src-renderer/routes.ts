/** The pages' hash routes (`#/logs`). Hash routing needs no server support, which the
 * daemon's static server and Electron's app:// both lack. The pages themselves are listed once,
 * in pages/registry.ts. */
import { PAGE_REGISTRY, type PageId } from './pages/registry.js';

export type { PageId } from './pages/registry.js';

/** The registry, under the name the rest of the renderer has always used. */
export const PAGES = PAGE_REGISTRY;

export const DEFAULT_PAGE: PageId = 'overview';

export function isPageId(value: string): value is PageId {
  return PAGES.some((page) => page.id === value);
}

/** `#/logs`, `#logs` and `#/logs?x=1` all name the Logs page; anything unknown is the default. */
export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/, 1)[0] ?? '';
  return isPageId(id) ? id : DEFAULT_PAGE;
}

export function hrefFor(page: PageId): string {
  return `#/${page}`;
}

/** The page entry for an id (always one: ids come from the registry). */
export function pageEntry(id: PageId): (typeof PAGES)[number] {
  return PAGES.find((page) => page.id === id) ?? PAGES[0];
}
