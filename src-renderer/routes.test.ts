import { describe, expect, it } from 'vitest';
import { PAGES, hrefFor, pageFromHash } from './routes.js';

describe('routes', () => {
  it('has exactly the seven pages in navigation order', () => {
    expect(PAGES.map((page) => page.title)).toEqual([
      'Overview',
      'Wallet',
      'GPU',
      'Generations',
      'Rewards',
      'Logs',
      'Settings',
    ]);
  });

  it('reads the page from the fragment, defaulting to the overview', () => {
    expect(pageFromHash('#/logs')).toBe('logs');
    expect(pageFromHash('#settings')).toBe('settings');
    expect(pageFromHash('#/gpu?x=1')).toBe('gpu');
    expect(pageFromHash('')).toBe('overview');
    expect(pageFromHash('#/nowhere')).toBe('overview');
    expect(pageFromHash('#token=abc')).toBe('overview');
  });

  it('round-trips every page through its href', () => {
    for (const page of PAGES) expect(pageFromHash(hrefFor(page.id))).toBe(page.id);
  });

  it('gives every page of the registry a unique route, a title, an icon and a component', () => {
    expect(new Set(PAGES.map((page) => page.id)).size).toBe(PAGES.length);
    for (const page of PAGES) {
      expect(page.id).toMatch(/^[a-z][a-z-]*$/);
      expect(page.title.length).toBeGreaterThan(0);
      expect(page.icon).toMatch(/^M[\d .,MLHVCSQTAZmlhvcsqtaz-]+$/);
      expect(typeof page.component).toBe('function');
    }
  });
});
