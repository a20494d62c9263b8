import { useState } from 'react';
import type { ReactNode } from 'react';
import type { Theme } from '../theme.js';
import { Button } from './Button.js';

/**
 * Light or dark in one click, saved in the engine's settings (so it survives a reload and is the
 * same in the desktop window and the browser). "System" stays a choice in Settings; from it the
 * toggle goes to the opposite of what the system shows now.
 */
export function ThemeToggle({
  theme,
  systemPrefersLight,
  onChange,
}: {
  /** Null before the settings load: the toggle then waits, disabled. */
  theme: Theme | null;
  systemPrefersLight: boolean;
  onChange: (theme: Theme) => Promise<unknown>;
}): ReactNode {
  const [saving, setSaving] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const shown = shownTheme(theme ?? 'system', systemPrefersLight);
  const next: Theme = shown === 'dark' ? 'light' : 'dark';
  return (
    <>
      <Button
        small
        disabled={theme === null || saving}
        aria-pressed={shown === 'dark'}
        testId="theme-toggle"
        title={failed ?? undefined}
        onClick={() => {
          setSaving(true);
          setFailed(null);
          onChange(next)
            .catch((error: unknown) => setFailed(`Could not save the theme: ${String(error)}`))
            .finally(() => setSaving(false));
        }}
      >
        Dark theme
      </Button>
      {failed !== null && (
        <span className="connection--error" role="alert">
          {failed}
        </span>
      )}
    </>
  );
}

/** The theme on screen: `system` resolved with the operating system's preference. */
export function shownTheme(theme: Theme, systemPrefersLight: boolean): 'light' | 'dark' {
  if (theme === 'system') return systemPrefersLight ? 'light' : 'dark';
  return theme;
}
