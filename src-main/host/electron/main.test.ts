/**
 * The Electron main process, run against a double of the `electron` module (no Electron binary
 * can run here). The bundle under test is the real one, built with the real build options; only
 * the `electron` import is swapped for the double below.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronMainBuild } from '../../../scripts/build-options.mjs';
import { COMMAND_NAMES } from '../../../src-shared/api/contract.js';
import type { CallResult } from '../../../src-shared/api/envelope.js';
import { SettingsStore } from '../../store/settings-store.js';
import { openDatabase } from '../../store/database.js';
import { APP_ENTRY } from './policies.js';
import { IPC_HELLO, ipcCommandChannel } from '../ipc-channels.js';

type Listener = (...args: unknown[]) => unknown;

/** What the shell did to Electron, recorded by the double. */
interface ElectronDouble {
  userData: string;
  singleInstance: boolean;
  hardwareAccelerationDisabled: boolean;
  quitCalled: boolean;
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, (request: { url: string }) => Promise<Response>>;
  ipcHandlers: Map<string, Listener>;
  appListeners: Map<string, Listener[]>;
  windows: {
    options: { webPreferences: Record<string, unknown>; icon?: string };
    url?: string;
    sent: unknown[][];
    listeners: Map<string, Listener>;
    calls: string[];
  }[];
  permissionRequest?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
  opened: string[];
  trays: { image: string; tooltip?: string; menu?: MenuItem[]; listeners: Map<string, Listener>; destroyed: boolean }[];
  notifications: { title: string; body: string }[];
}

interface MenuItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

const electronModule = `
const d = globalThis.__electronDouble;
class BrowserWindow {
  constructor(options) { this.record = { options, sent: [], listeners: new Map(), calls: [] }; d.windows.push(this.record); this.webContents = { send: (...a) => this.record.sent.push(a) }; }
  static getAllWindows() { return d.windowObjects; }
  once(event, cb) { if (event === 'ready-to-show') cb(); }
  on(event, cb) { this.record.listeners.set(event, cb); }
  show() { this.record.calls.push('show'); }
  hide() { this.record.calls.push('hide'); }
  focus() { this.record.calls.push('focus'); }
  restore() { this.record.calls.push('restore'); }
  isMinimized() { return false; }
  isVisible() { return false; }
  isDestroyed() { return false; }
  loadURL(url) { this.record.url = url; d.windowObjects.push(this); return Promise.resolve(); }
}
export { BrowserWindow };
export class Tray {
  constructor(image) { this.record = { image, listeners: new Map(), destroyed: false }; d.trays.push(this.record); }
  on(event, cb) { this.record.listeners.set(event, cb); }
  setToolTip(text) { this.record.tooltip = text; }
  setContextMenu(menu) { this.record.menu = menu; }
  destroy() { this.record.destroyed = true; }
}
export const Menu = { buildFromTemplate: (template) => template };
export class Notification {
  static isSupported() { return true; }
  constructor(options) { this.options = options; }
  show() { d.notifications.push({ title: this.options.title, body: this.options.body }); }
}
export const app = {
  requestSingleInstanceLock: () => d.singleInstance,
  getPath: (name) => { if (name !== 'userData') throw new Error(name); return d.userData; },
  disableHardwareAcceleration: () => { d.hardwareAccelerationDisabled = true; },
  quit: () => { d.quitCalled = true; },
  getLoginItemSettings: () => ({ openAtLogin: false }),
  setLoginItemSettings: () => {},
  on: (event, cb) => { d.appListeners.set(event, [...(d.appListeners.get(event) ?? []), cb]); },
  whenReady: () => Promise.resolve(),
};
export const protocol = {
  registerSchemesAsPrivileged: (schemes) => d.privilegedSchemes.push(...schemes),
  handle: (scheme, handler) => d.protocolHandlers.set(scheme, handler),
};
export const ipcMain = { handle: (channel, handler) => d.ipcHandlers.set(channel, handler) };
export const session = { defaultSession: {
  setPermissionRequestHandler: (h) => { d.permissionRequest = h; },
  setPermissionCheckHandler: () => {},
} };
export const shell = { openExternal: (url) => { d.opened.push(url); return Promise.resolve(); } };
// Inference workers start only when the miner runs (electron-worker.test.ts covers the adapter).
export const utilityProcess = { fork: () => { throw new Error('the double starts no utility process'); } };
`;

const swapElectron: Plugin = {
  name: 'electron-double',
  setup(b) {
    b.onResolve({ filter: /^electron$/ }, () => ({ path: 'electron', namespace: 'electron-double' }));
    b.onLoad({ filter: /.*/, namespace: 'electron-double' }, () => ({ contents: electronModule, loader: 'js' }));
  },
};

// The bundle must sit inside the repository so that its other imports (zod, better-sqlite3…)
// resolve from node_modules; it finds the renderer at ../renderer like the real build.
const work = resolve(import.meta.dirname, '..', '..', '..', '.tmp', 'electron-main-test');
let bundle: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  mkdirSync(join(work, 'main'), { recursive: true });
  mkdirSync(join(work, 'renderer'), { recursive: true });
  writeFileSync(join(work, 'renderer', 'index.html'), '<!doctype html><title>BittAudio</title>');
  const result = await build({
    ...electronMainBuild,
    write: false,
    sourcemap: false,
    outdir: join(work, 'main'),
    plugins: [swapElectron],
  });
  bundle = result.outputFiles?.[0]?.text ?? '';
});

afterAll(() => {
  for (const cleanup of cleanups) cleanup();
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
/** Loads a fresh copy of the main process against a fresh double. */
async function launch(
  options: { singleInstance?: boolean; prepare?: (userData: string) => void } = {},
): Promise<ElectronDouble> {
  const userData = mkdtempSync(join(tmpdir(), 'bittaudio-electron-double-'));
  options.prepare?.(userData);
  const double: ElectronDouble & { windowObjects: unknown[] } = {
    userData,
    singleInstance: options.singleInstance ?? true,
    hardwareAccelerationDisabled: false,
    quitCalled: false,
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    appListeners: new Map(),
    windows: [],
    windowObjects: [],
    opened: [],
    trays: [],
    notifications: [],
  };
  (globalThis as { __electronDouble?: unknown }).__electronDouble = double;
  const file = join(work, 'main', `electron-${++runs}.mjs`);
  writeFileSync(file, bundle);
  await import(pathToFileURL(file).href);
  await new Promise((r) => setTimeout(r, 20)); // let whenReady() callbacks run
  cleanups.push(() => {
    for (const listener of double.appListeners.get('will-quit') ?? []) listener();
    rmSync(userData, { recursive: true, force: true });
  });
  return double;
}

const appFrame = { senderFrame: { url: APP_ENTRY, parent: null } };

// Each launch bundles, imports and starts a whole engine: seconds on a busy machine.
describe('Electron main process', { timeout: 30_000 }, () => {
  it('registers app:// as a secure standard scheme and turns hardware acceleration off by default', async () => {
    const d = await launch();
    expect(d.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(d.hardwareAccelerationDisabled).toBe(true);
  });

  it('keeps hardware acceleration when the setting turns it on', async () => {
    const d = await launch({
      prepare: (userData) => {
        const db = openDatabase(userData);
        new SettingsStore(db).update({ hardwareAcceleration: true });
        db.close();
      },
    });
    expect(d.hardwareAccelerationDisabled).toBe(false);
  });

  it('opens one isolated, sandboxed window on the app entry with the preload', async () => {
    const d = await launch();
    expect(d.windows).toHaveLength(1);
    const [window] = d.windows;
    expect(window?.url).toBe(APP_ENTRY);
    expect(window?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(String(window?.options.webPreferences['preload'])).toMatch(/preload\.cjs$/);
  });

  it('serves the engine over IPC to the app frame and refuses other frames', async () => {
    const d = await launch();
    expect([...d.ipcHandlers.keys()].sort()).toEqual([IPC_HELLO, ...COMMAND_NAMES.map(ipcCommandChannel)].sort());
    const status = (await d.ipcHandlers.get(ipcCommandChannel('status.get'))?.(appFrame, {})) as CallResult;
    expect(status).toMatchObject({ ok: true, output: { host: 'electron', dataDir: d.userData } });
    const hello = (await d.ipcHandlers.get(IPC_HELLO)?.(appFrame)) as CallResult;
    expect(hello).toMatchObject({ ok: true, output: { protocol: 1 } });
    for (const frame of [{ url: 'https://evil.example/', parent: null }, { url: APP_ENTRY, parent: {} }, null]) {
      const refused = (await d.ipcHandlers.get(ipcCommandChannel('settings.get'))?.(
        { senderFrame: frame },
        {},
      )) as CallResult;
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const invalid = (await d.ipcHandlers.get(ipcCommandChannel('logs.list'))?.(appFrame, { limit: 0 })) as CallResult;
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('forwards engine events to the window', async () => {
    const d = await launch();
    await d.ipcHandlers.get(ipcCommandChannel('settings.update'))?.(appFrame, { theme: 'light' });
    expect(d.windows[0]?.sent).toContainEqual([
      'bittaudio:event',
      'settings',
      expect.objectContaining({ theme: 'light' }),
    ]);
  });

  it('serves renderer files over app:// with a CSP and nothing outside the folder', async () => {
    const d = await launch();
    const handler = d.protocolHandlers.get('app');
    const index = await handler?.({ url: 'app://bittaudio/index.html' });
    expect(index?.status).toBe(200);
    const csp = index?.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    // The page carries its nonce for wavesurfer's style, the same as in its CSP.
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    const page = (await index?.text()) ?? '';
    expect(page).toContain('BittAudio');
    expect(page).toContain(`<meta name="csp-nonce" content="${nonce}" />`);
    expect((await handler?.({ url: 'app://bittaudio/..%2f..%2fpackage.json' }))?.status).toBe(404);
    expect((await handler?.({ url: 'app://bittaudio/missing.js' }))?.status).toBe(404);
  });

  it('denies permission requests and blocks navigation and new windows', async () => {
    const d = await launch();
    const granted = await new Promise<boolean>((r) => d.permissionRequest?.({}, 'media', r));
    expect(granted).toBe(false);
    const handlers = new Map<string, Listener>();
    let windowOpen: ((details: { url: string }) => { action: string }) | undefined;
    const contents = {
      on: (event: string, cb: Listener) => handlers.set(event, cb),
      setWindowOpenHandler: (cb: typeof windowOpen) => (windowOpen = cb),
    };
    for (const listener of d.appListeners.get('web-contents-created') ?? []) listener({}, contents);
    let prevented = false;
    handlers.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, 'https://evil.example/');
    expect(prevented).toBe(true);
    prevented = false;
    handlers.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, 'app://bittaudio/index.html#/logs');
    expect(prevented).toBe(false);
    expect(windowOpen?.({ url: 'https://taostats.io/' })).toEqual({ action: 'deny' });
    expect(windowOpen?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    // https alone is not enough: only the allowlisted hosts reach the system browser.
    expect(windowOpen?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(d.opened).toEqual(['https://taostats.io/']);
  });

  it('shows the miner in a tray icon whose menu opens the window and quits', { timeout: 30_000 }, async () => {
    const d = await launch();
    const [tray] = d.trays;
    expect(tray?.image).toMatch(/tray\.png$/);
    expect(d.windows[0]?.options.icon).toMatch(/icon\.png$/);
    // The double runs no inference worker, so the local miner's start fails: the tray says so.
    await expect.poll(() => tray?.tooltip, { timeout: 20_000 }).toMatch(/^BittAudio: Miner failed: The model/);
    const item = (label: string): MenuItem | undefined => tray?.menu?.find((i) => i.label === label);
    expect(item('Start miner')).toMatchObject({ enabled: true });
    expect(item('Stop miner')).toMatchObject({ enabled: false });
    item('Open BittAudio')?.click?.();
    expect(d.windows[0]?.calls).toContain('focus');
    expect(d.quitCalled).toBe(false);
    item('Quit BittAudio')?.click?.();
    expect(d.quitCalled).toBe(true);
  });

  it('notifies the miner’s failure alert once', { timeout: 30_000 }, async () => {
    const d = await launch();
    await expect.poll(() => d.notifications.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(d.notifications).toEqual([
      { title: 'BittAudio: the miner has a problem', body: expect.stringMatching(/^The model .* could not be loaded/) },
    ]);
  });

  it('quits when the window closes with the miner at rest, and brings it back for a second instance', async () => {
    const d = await launch();
    const window = d.windows[0];
    // At rest once its start failed (the double runs no inference worker).
    await expect.poll(() => d.trays[0]?.tooltip, { timeout: 20_000 }).toMatch(/Miner failed/);
    let prevented = false;
    window?.listeners.get('close')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(false);
    expect(window?.calls).not.toContain('hide');
    for (const listener of d.appListeners.get('second-instance') ?? []) listener();
    expect(window?.calls.slice(-2)).toEqual(['show', 'focus']);
  });

  it('leaves at once when another instance already runs, starting no engine', async () => {
    const d = await launch({ singleInstance: false });
    expect(d.quitCalled).toBe(true);
    expect(d.windows).toHaveLength(0);
    expect(d.ipcHandlers.size).toBe(0);
  });
});
