/**
 * The tray icon: what the miner is doing at a glance, start/stop without opening the window, and
 * the way back to the window once closing it has hidden it (window.ts). The menu is a plain model
 * computed from the neuron's status (tested without Electron); `showTray` turns it into Electron's
 * Tray and Menu, which main.ts passes in.
 */
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { NeuronStatus } from '../../../src-shared/schemas/neuron.js';
import type { Engine } from '../../engine/engine.js';
import type { Logger } from '../../log/logger.js';
import { dispatch } from '../dispatch.js';

export type TrayAction = 'open' | 'start' | 'stop' | 'login' | 'quit';

export type TrayItem =
  | { kind: 'label'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'checkbox'; action: TrayAction; label: string; checked: boolean };

export interface TrayModel {
  /** The icon's hover text (one line; some desktops cut it at 127 characters). */
  tooltip: string;
  items: TrayItem[];
}

export interface TrayOptions {
  /** Whether the app starts at login (null where this desktop offers no way to set it). */
  openAtLogin: boolean | null;
}

/** One line for the tooltip and the menu's first row. */
export function neuronSummary(status: NeuronStatus | null): string {
  if (!status) return 'Miner: starting up…';
  const alerts =
    status.alerts.length > 0 ? ` · ${status.alerts.length} alert${status.alerts.length > 1 ? 's' : ''}` : '';
  switch (status.state) {
    case 'running': {
      const uid = status.uid === null ? '' : ` as uid ${status.uid}`;
      return `Miner running${uid} on subnet ${status.netuid} · ${status.answered} answered${alerts}`;
    }
    case 'starting':
      return `Miner starting on subnet ${status.netuid}…${alerts}`;
    case 'stopping':
      return 'Miner stopping…';
    case 'failed':
      return `Miner failed: ${status.error?.message ?? 'see the log'}`;
    case 'stopped':
      return `Miner stopped${alerts}`;
  }
}

/** Start is offered when the miner is at rest, stop while it runs or starts. */
export function trayModel(status: NeuronStatus | null, options: TrayOptions): TrayModel {
  const state = status?.state ?? 'stopped';
  const atRest = status !== null && (state === 'stopped' || state === 'failed');
  const active = state === 'running' || state === 'starting';
  const summary = neuronSummary(status);
  const items: TrayItem[] = [
    { kind: 'label', label: summary },
    { kind: 'separator' },
    { kind: 'action', action: 'open', label: 'Open BittAudio', enabled: true },
    { kind: 'action', action: 'start', label: 'Start miner', enabled: atRest },
    { kind: 'action', action: 'stop', label: 'Stop miner', enabled: active },
    { kind: 'separator' },
  ];
  if (options.openAtLogin !== null) {
    items.push({ kind: 'checkbox', action: 'login', label: 'Start at login', checked: options.openAtLogin });
  }
  items.push({ kind: 'action', action: 'quit', label: 'Quit BittAudio', enabled: true });
  return { tooltip: `BittAudio: ${summary}`.slice(0, 127), items };
}

/** Electron's menu template for a model; `act` runs an item's action. */
export function trayTemplate(model: TrayModel, act: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return model.items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'label':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => act(item.action) };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: () => act(item.action) };
    }
  });
}

/** The parts of Electron the tray uses, passed in by main.ts. */
export interface TrayElectron {
  Tray: new (image: NativeImage | string) => Tray;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Menu };
}

export interface ShownTray {
  /** Rebuilds the menu and tooltip (on every neuron event). */
  update(status: NeuronStatus | null): void;
  /** What the tray shows now (Electron cannot read a tray's menu back; the e2e test reads this). */
  model(): TrayModel | null;
  destroy(): void;
}

export function showTray(
  electron: TrayElectron,
  icon: NativeImage | string,
  options: { openAtLogin: () => boolean | null; act: (action: TrayAction) => void; onClick: () => void },
): ShownTray {
  const tray = new electron.Tray(icon);
  // On Windows and most Linux desktops a click on the icon itself should bring the window back.
  tray.on('click', options.onClick);
  let shown: TrayModel | null = null;
  const update = (status: NeuronStatus | null): void => {
    const model = trayModel(status, { openAtLogin: options.openAtLogin() });
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(electron.Menu.buildFromTemplate(trayTemplate(model, options.act)));
    shown = model;
  };
  return { update, model: () => shown, destroy: () => tray.destroy() };
}

/**
 * The app's tray: follows the neuron's events, runs start/stop through the same dispatch as the
 * window's buttons. Undefined where the desktop has no status area (the caller then never hides
 * the window, since nothing could bring it back).
 */
export function startTray(
  electron: TrayElectron,
  icon: string,
  engine: Pick<Engine, 'handlers' | 'events' | 'neuron'>,
  log: Logger,
  options: { login: { get(): boolean | null; set(enabled: boolean): void }; reveal: () => void; quit: () => void },
): ShownTray | undefined {
  const run = (command: 'neuron.start' | 'neuron.stop'): void => {
    void dispatch(engine.handlers, command, {}, log).then((result) => {
      if (!result.ok) log.warn(`${command} from the tray failed`, { error: result.error.message });
    });
  };
  let shown: ShownTray | undefined;
  const act = (action: TrayAction): void => {
    if (action === 'open') options.reveal();
    else if (action === 'start') run('neuron.start');
    else if (action === 'stop') run('neuron.stop');
    else if (action === 'quit') options.quit();
    else {
      options.login.set(!options.login.get());
      shown?.update(engine.neuron.status());
    }
  };
  try {
    shown = showTray(electron, icon, { openAtLogin: () => options.login.get(), act, onClick: options.reveal });
  } catch (error) {
    log.warn('No tray icon on this desktop', { error: String(error) });
    return undefined;
  }
  shown.update(engine.neuron.status());
  engine.events.subscribe((message) => {
    if (message.event === 'neuron') shown?.update(message.payload);
  });
  return shown;
}
