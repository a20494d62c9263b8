/**
 * The desktop shell's entry: the engine runs inside Electron's main process and the renderer
 * reaches it through a narrow preload bridge. Each concern is a small module of this folder;
 * this file only runs them, in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  Notification,
  protocol,
  session,
  shell,
  Tray,
  utilityProcess,
} from 'electron';
import { Engine } from '../../engine/engine.js';
import { slotEnv } from '../../inference/worker/worker-pool.js';
import { formatLogLine, type Logger } from '../../log/logger.js';
import { dispatch } from '../dispatch.js';
import { utilityProcessWorker } from '../electron-worker.js';
import { registerIpc } from './ipc.js';
import { loginItem, startedHidden } from './login.js';
import { alertNotifier } from './notifications.js';
import { isAllowedNavigation } from './policies.js';
import { registerAppScheme, serveApp } from './protocol.js';
import { externalLinkHandler } from './shell.js';
import { showTray, type ShownTray, type TrayAction } from './tray.js';
import { packagedFeedUrl, startAutoUpdates, updateFeedUrl } from './updates.js';
import { openMainWindow, revealWindow } from './window.js';

// Paths relative to the bundle (dist/main/electron.js).
const file = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const rendererDir = file('../renderer');
const preloadPath = file('./preload.cjs');
const probeScript = file('./probe-child.mjs');
const workerEntry = file('./inference-worker.js');
const windowIcon = file('./icon.png');
const trayIcon = file('./tray.png');

registerAppScheme(protocol);

if (!app.requestSingleInstanceLock()) {
  // Another instance already runs the engine: it shows its window (second-instance below), we leave.
  app.quit();
} else {
  start();
}

function start(): void {
  const engine = new Engine({
    dataDir: app.getPath('userData'),
    host: 'electron',
    onLogLine: (line) => process.stderr.write(`${formatLogLine(line)}\n`),
    // Probes run under Electron's own binary as Node (the gpu module sets ELECTRON_RUN_AS_NODE).
    gpu: { probe: { script: probeScript } },
    // MusicGen runs in a utilityProcess per GPU: a crash there leaves the window and the engine up.
    spawnWorker: (slot) => utilityProcessWorker(utilityProcess.fork, workerEntry, { env: slotEnv(slot) }),
    // A first run shows a working miner on the local network; a user's Stop is remembered.
    neuron: { autoStartOnLocal: true },
  });
  const log = engine.logger('host.electron');
  let mainWindow: BrowserWindow | undefined;
  let tray: ShownTray | undefined;
  let quitting = false;

  // The GPU belongs to MusicGen; Chromium's compositing is opt-in (a setting, next start).
  if (!engine.settings.get().hardwareAcceleration) {
    app.disableHardwareAcceleration();
    log.info('Hardware acceleration is off for the window (Settings turns it on)');
  }

  app.on('second-instance', () => revealWindow(mainWindow));
  app.on('activate', () => revealWindow(mainWindow));
  guardContents(log);

  void app.whenReady().then(async () => {
    serveApp(protocol, { rendererDir, mediaDir: () => engine.mediaDir });
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
      log.debug('Denied a permission request', { permission });
      callback(false);
    });
    session.defaultSession.setPermissionCheckHandler(() => false);
    registerIpc(ipcMain, () => BrowserWindow.getAllWindows(), engine);

    const login = loginItem(app, { executable: process.env['APPIMAGE'] ?? process.execPath });
    tray = startTray(engine, log, {
      openAtLogin: login.get,
      reveal: () => revealWindow(mainWindow),
      setLogin: (enabled) => login.set(enabled),
    });
    // The Electron e2e test reads the tray through this: Electron offers no way to read a tray back.
    if (process.env['BITTAUDIO_E2E_HOOKS'] === '1') Object.assign(globalThis, { bittaudioTray: tray ?? null });
    startNotifications(engine, log);
    mainWindow = openMainWindow(BrowserWindow, {
      preloadPath,
      icon: windowIcon,
      show: !startedHidden(process.argv),
      closeContext: () => ({ quitting, trayShown: tray !== undefined, neuronState: engine.neuron.status().state }),
      onHidden: () => log.info('The window is hidden; the miner keeps running (tray icon: open or quit)'),
    });
    mainWindow.on('closed', () => (mainWindow = undefined));
    void engine.network.start();
    await startUpdates(log);
  });

  app.on('before-quit', () => (quitting = true));
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    tray?.destroy();
    engine.close();
  });
}

/** Navigation stays in the app, no webviews, links out only to allowed hosts. */
function guardContents(log: Logger): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) {
        event.preventDefault();
        log.warn('Blocked a navigation away from the app', { url });
      }
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(externalLinkHandler((url) => shell.openExternal(url), log));
  });
}

function startTray(
  engine: Engine,
  log: Logger,
  options: { openAtLogin: () => boolean | null; reveal: () => void; setLogin: (enabled: boolean) => void },
): ShownTray | undefined {
  const run = (command: 'neuron.start' | 'neuron.stop'): void => {
    void dispatch(engine.handlers, command, {}, log).then((result) => {
      if (!result.ok) log.warn(`${command} from the tray failed`, { error: result.error.message });
    });
  };
  const act = (action: TrayAction): void => {
    if (action === 'open') options.reveal();
    else if (action === 'start') run('neuron.start');
    else if (action === 'stop') run('neuron.stop');
    else if (action === 'quit') app.quit();
    else options.setLogin(!options.openAtLogin());
    if (action === 'login') shown?.update(engine.neuron.status());
  };
  let shown: ShownTray | undefined;
  try {
    shown = showTray({ Tray, Menu }, trayIcon, { openAtLogin: options.openAtLogin, act, onClick: options.reveal });
  } catch (error) {
    // Some Linux desktops have no status area; the app then quits when its window closes.
    log.warn('No tray icon on this desktop', { error: String(error) });
    return undefined;
  }
  shown.update(engine.neuron.status());
  engine.events.subscribe((message) => {
    if (message.event === 'neuron') shown?.update(message.payload);
  });
  return shown;
}

function startNotifications(engine: Engine, log: Logger): void {
  if (!Notification.isSupported()) {
    log.info('This desktop shows no notifications; alerts stay in the app');
    return;
  }
  const notifier = alertNotifier();
  notifier(engine.neuron.status()); // alerts already up at start are in the window, not news
  engine.events.subscribe((message) => {
    if (message.event !== 'neuron') return;
    for (const options of notifier(message.payload)) new Notification(options).show();
  });
}

async function startUpdates(log: Logger): Promise<void> {
  let feedUrl: string | null;
  try {
    // The environment wins over the feed the package was built with (a test feed, a mirror).
    feedUrl = updateFeedUrl() ?? (app.isPackaged ? packagedFeedUrl(readAppUpdateConfig()) : null);
  } catch (error) {
    log.error('Automatic updates are off: the feed setting is wrong', { error: String(error) });
    return;
  }
  if (!feedUrl) return;
  try {
    await startAutoUpdates({
      feedUrl,
      log: log.child('updates'),
      onDownloaded: (version) => {
        if (Notification.isSupported()) {
          new Notification({
            title: 'BittAudio update ready',
            body: `Version ${version} installs when you quit.`,
          }).show();
        }
      },
    });
  } catch (error) {
    log.error('Automatic updates could not start', { error: String(error) });
  }
}

/** electron-builder's app-update.yml in the package's resources, or null when it wrote none. */
function readAppUpdateConfig(): string | null {
  try {
    return readFileSync(join(process.resourcesPath, 'app-update.yml'), 'utf8');
  } catch {
    return null;
  }
}
