/**
 * The one app window. Closing it while a neuron works only hides it (the tray brings it back):
 * a miner that stops because someone tidied their desktop loses its place in the validators'
 * scores. Quitting (tray menu, Cmd+Q, the system shutting down) still quits.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { NeuronState } from '../../../src-shared/schemas/neuron.js';
import { APP_ENTRY, secureWebPreferences } from './policies.js';

export type CloseAction = 'hide' | 'close';

export interface CloseContext {
  /** The app is quitting (tray Quit, Cmd+Q, log-out): windows close for real. */
  quitting: boolean;
  /** A tray icon is up, so a hidden window can be found again. */
  trayShown: boolean;
  neuronState: NeuronState;
}

/** Hide while the neuron works and there is a tray to come back through; close otherwise. */
export function closeAction(context: CloseContext): CloseAction {
  if (context.quitting || !context.trayShown) return 'close';
  const working =
    context.neuronState === 'running' || context.neuronState === 'starting' || context.neuronState === 'stopping';
  return working ? 'hide' : 'close';
}

export function mainWindowOptions(preloadPath: string, icon: string | undefined): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#111418',
    title: 'BittAudio',
    ...(icon ? { icon } : {}),
    webPreferences: secureWebPreferences(preloadPath),
  };
}

export type WindowConstructor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

/** Opens the window on the app entry; `closeContext` is read at each close. */
export function openMainWindow(
  Window: WindowConstructor,
  options: {
    preloadPath: string;
    icon?: string;
    /** False for a start at login: the app waits in the tray. */
    show?: boolean;
    closeContext: () => CloseContext;
    onHidden?: () => void;
  },
): BrowserWindow {
  const window = new Window(mainWindowOptions(options.preloadPath, options.icon));
  if (options.show !== false) window.once('ready-to-show', () => window.show());
  window.on('close', (event) => {
    if (closeAction(options.closeContext()) === 'hide') {
      event.preventDefault();
      window.hide();
      options.onHidden?.();
    }
  });
  void window.loadURL(APP_ENTRY);
  return window;
}

/** Brings the window back from hidden or minimised and gives it focus. */
export function revealWindow(window: BrowserWindow | undefined): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  window.focus();
}
