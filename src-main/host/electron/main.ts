/**
 * The desktop shell's entry: the engine runs inside Electron's main process and the renderer
 * reaches it through a narrow preload bridge. Each concern is a small module of this folder;
 * this file only runs them, in order.
 */
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
import { utilityProcessWorker } from '../electron-worker.js';
import { registerIpc } from './ipc.js';
import { loginItem, startedHidden } from './login.js';
import { startNotifications } from './notifications.js';
import { isAllowedNavigation } from './policies.js';
import { registerAppScheme, serveApp } from './protocol.js';
import { externalLinkHandler } from './shell.js';
import { startTray, type ShownTray } from './tray.js';
import { startConfiguredUpdates } from './updates.js';
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

    // An AppImage runs from a mount that changes each start; APPIMAGE is the file to start.
    const login = loginItem(app, { executable: process.env['APPIMAGE'] ?? process.execPath });
    tray = startTray({ Tray, Menu }, trayIcon, engine, log, {
      login,
      reveal: () => revealWindow(mainWindow),
      quit: () => app.quit(),
    });
    // The Electron e2e test reads the tray through this: Electron offers no way to read a tray back.
    if (process.env['BITTAUDIO_E2E_HOOKS'] === '1') Object.assign(globalThis, { bittaudioTray: tray ?? null });
    startNotifications(Notification, engine, log);
    mainWindow = openMainWindow(BrowserWindow, {
      preloadPath,
      icon: windowIcon,
      // Started at login: wait in the tray, unless there is no tray to open it from.
      show: !(startedHidden(process.argv) && tray),
      closeContext: () => ({ quitting, trayShown: tray !== undefined, neuronState: engine.neuron.status().state }),
      onHidden: () => log.info('The window is hidden; the miner keeps running (tray icon: open or quit)'),
    });
    mainWindow.on('closed', () => (mainWindow = undefined));
    void engine.network.start();
    await startConfiguredUpdates({
      env: process.env,
      packaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      log: log.child('updates'),
      onDownloaded: (version) => {
        if (!Notification.isSupported()) return;
        new Notification({
          title: 'BittAudio update ready',
          body: `Version ${version} installs when you quit.`,
        }).show();
      },
    });
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
