/**
 * The desktop shell: the engine runs inside Electron's main process and the renderer reaches it
 * through a narrow preload bridge generated from the Host API contract.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  shell,
  utilityProcess,
  type IpcMainInvokeEvent,
} from 'electron';
import { COMMAND_NAMES } from '../../src-shared/api/contract.js';
import type { CallResult } from '../../src-shared/api/envelope.js';
import { Engine } from '../engine/engine.js';
import { slotEnv } from '../inference/worker/worker-pool.js';
import { formatLogLine } from '../log/logger.js';
import { dispatch } from './dispatch.js';
import { utilityProcessWorker } from './electron-worker.js';
import {
  APP_ENTRY,
  APP_SCHEME,
  appAssetHeaders,
  appMediaPath,
  appMediaResponse,
  isAllowedNavigation,
  isAppSender,
  isSafeExternalUrl,
  resolveAppAsset,
  secureWebPreferences,
} from './electron-policy.js';
import { IPC_EVENT, IPC_HELLO, ipcCommandChannel } from './ipc-channels.js';
import { createNonce, pageWithNonce } from './security.js';
import { welcome } from './server.js';
import { ELECTRON_CAPABILITIES } from './capabilities.js';

const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const probeScript = fileURLToPath(new URL('./probe-child.mjs', import.meta.url));
const workerEntry = fileURLToPath(new URL('./inference-worker.js', import.meta.url));

// Must happen before `ready`: app:// behaves like a secure, standard origin.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
]);

if (!app.requestSingleInstanceLock()) {
  // Another window already runs the engine: it gets focus (second-instance below), we leave.
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

  // The GPU belongs to MusicGen; Chromium's compositing is opt-in (a setting, next start).
  if (!engine.settings.get().hardwareAcceleration) {
    app.disableHardwareAcceleration();
    log.info('Hardware acceleration is off for the window (Settings turns it on)');
  }

  let mainWindow: BrowserWindow | undefined;

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) {
        event.preventDefault();
        log.warn('Blocked a navigation away from the app', { url });
      }
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  void app.whenReady().then(() => {
    protocol.handle(APP_SCHEME, async (request) => {
      if (appMediaPath(request.url) !== null) return appMediaResponse(engine.mediaDir, request);
      const file = resolveAppAsset(rendererDir, request.url);
      if (!file) return new Response('Not found', { status: 404 });
      try {
        if (basename(file) === 'index.html') {
          // A fresh nonce per page load, in the CSP and where the renderer reads it (wavesurfer's style).
          const nonce = createNonce();
          const page = pageWithNonce(await readFile(file, 'utf8'), nonce);
          return new Response(page, { headers: appAssetHeaders(file, { styleNonce: nonce }) });
        }
        return new Response(await readFile(file), { headers: appAssetHeaders(file) });
      } catch {
        return new Response('Not found', { status: 404 });
      }
    });
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
      log.debug('Denied a permission request', { permission });
      callback(false);
    });
    session.defaultSession.setPermissionCheckHandler(() => false);

    registerIpc(engine);
    mainWindow = createWindow();
    mainWindow.on('closed', () => (mainWindow = undefined));
    void engine.network.start();
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => engine.close());
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#111418',
    title: 'BittAudio',
    webPreferences: secureWebPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY);
  return window;
}

function registerIpc(engine: Engine): void {
  const log = engine.logger('host.ipc');
  const guard = (event: IpcMainInvokeEvent): CallResult | undefined => {
    if (isAppSender(event.senderFrame)) return undefined;
    log.warn('Refused IPC from a frame that is not the app', { url: event.senderFrame?.url ?? null });
    return { ok: false, error: { code: 'forbidden', message: 'Forbidden: this frame may not use the engine' } };
  };
  ipcMain.handle(IPC_HELLO, (event) => guard(event) ?? { ok: true, output: welcome(ELECTRON_CAPABILITIES) });
  for (const command of COMMAND_NAMES) {
    ipcMain.handle(ipcCommandChannel(command), async (event, input: unknown) => {
      return guard(event) ?? (await dispatch(engine.handlers, command, input, log));
    });
  }
  engine.events.subscribe(({ event, payload }) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(IPC_EVENT, event, payload);
    }
  });
}
