/** The theme lives on <html data-theme>, where the style sheet picks colours from it. */
import type { Settings } from '../src-shared/schemas/settings.js';

export type Theme = Settings['theme'];

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
}
