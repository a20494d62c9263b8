import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ThemeToggle, shownTheme } from './ThemeToggle.js';

const noop = () => Promise.resolve();

describe('ThemeToggle', () => {
  it('resolves `system` with the operating system’s preference', () => {
    expect(shownTheme('system', true)).toBe('light');
    expect(shownTheme('system', false)).toBe('dark');
    expect(shownTheme('dark', true)).toBe('dark');
    expect(shownTheme('light', false)).toBe('light');
  });

  it('is a pressed toggle while the dark theme shows, and waits, disabled, for the settings', () => {
    expect(renderToStaticMarkup(<ThemeToggle theme="dark" systemPrefersLight onChange={noop} />)).toMatch(
      /<button[^>]*aria-pressed="true"[^>]*>Dark theme<\/button>/,
    );
    expect(renderToStaticMarkup(<ThemeToggle theme="system" systemPrefersLight onChange={noop} />)).toMatch(
      /aria-pressed="false"/,
    );
    const loading = renderToStaticMarkup(<ThemeToggle theme={null} systemPrefersLight={false} onChange={noop} />);
    expect(loading).toMatch(/<button[^>]*disabled=""/);
  });
});
