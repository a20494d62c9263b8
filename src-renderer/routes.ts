/** The pages and their hash routes (`#/logs`). Hash routing needs no server support, which the
 * daemon's static server and Electron's app:// both lack. */
export const PAGES = [
  { id: 'overview', title: 'Overview' },
  { id: 'wallet', title: 'Wallet' },
  { id: 'gpu', title: 'GPU' },
  { id: 'generations', title: 'Generations' },
  { id: 'rewards', title: 'Rewards' },
  { id: 'logs', title: 'Logs' },
  { id: 'settings', title: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

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
