/**
 * The desktop shell, launched through Playwright's Electron driver. Needs an Electron binary
 * (downloaded by `npm ci` where GitHub is reachable) and a display: on Linux without one the suite
 * starts its own Xvfb when it is installed. Where either is missing the suite skips and says why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../scripts/electron-binary.mjs';
import { COMMAND_NAMES } from '../src-shared/api/contract.js';
import { repoRoot } from './support/daemon.js';

const electron = findElectronBinary();
const hasDisplay = process.platform !== 'linux' || Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']);
const hasXvfb = spawnSync('sh', ['-c', 'command -v Xvfb'], { stdio: 'ignore' }).status === 0;
const skipReason =
  'missing' in electron
    ? `Electron e2e skipped: ${electron.missing}`
    : hasDisplay || hasXvfb
      ? undefined
      : 'Electron e2e skipped: no display and no Xvfb; install xvfb or run under xvfb-run.';
if (skipReason) console.warn(skipReason);

/** Starts Xvfb on a free display number; resolves once its socket exists. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  for (let number = 90; number < 140; number++) {
    if (existsSync(`/tmp/.X11-unix/X${number}`) || existsSync(`/tmp/.X${number}-lock`)) continue;
    const child = spawn('Xvfb', [`:${number}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: 'ignore',
    });
    await expect
      .poll(() => existsSync(`/tmp/.X11-unix/X${number}`) || child.exitCode !== null, { timeout: 10_000 })
      .toBe(true);
    if (child.exitCode === null) return { display: `:${number}`, process: child };
  }
  throw new Error('Xvfb found no free display between :90 and :139');
}

/** What main.ts exposes to this test under BITTAUDIO_E2E_HOOKS=1 (the tray's current model). */
interface TrayHook {
  model(): { tooltip: string; items: { kind: string; label?: string; action?: string; enabled?: boolean }[] } | null;
}

describe.skipIf(skipReason !== undefined)('the desktop app (Electron)', () => {
  let app: ElectronApplication;
  let window: Page;
  let userData: string;
  let xvfb: ChildProcess | undefined;

  beforeAll(async () => {
    userData = mkdtempSync(join(tmpdir(), 'bittaudio-electron-'));
    const env: Record<string, string> = { ...(process.env as Record<string, string>), BITTAUDIO_E2E_HOOKS: '1' };
    if (!hasDisplay) {
      const started = await startXvfb();
      xvfb = started.process;
      env['DISPLAY'] = started.display;
    }
    app = await _electron.launch({
      executablePath: 'path' in electron ? electron.path : '',
      args: [repoRoot, '--no-sandbox', `--user-data-dir=${userData}`],
      cwd: repoRoot,
      env,
    });
    window = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
    xvfb?.kill();
    rmSync(userData, { recursive: true, force: true });
  });

  it('loads the app from app:// with an isolated, sandboxed renderer', async () => {
    expect(window.url()).toMatch(/^app:\/\/bittaudio\//);
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const win = BrowserWindow.getAllWindows()[0];
      const web = win?.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
      return web.getLastWebPreferences?.() ?? {};
    });
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  });

  it('connects over the preload bridge and shows the engine status', async () => {
    await expect.poll(() => window.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect.poll(() => window.getByTestId('status-host').textContent()).toMatch(/electron/i);
  });

  it('exposes only the narrow bridge: one function per command, hello with the app’s capabilities', async () => {
    const surface = await window.evaluate(() => {
      const bridge = (window as unknown as { bittaudio: { commands: object } }).bittaudio;
      return { keys: Object.keys(bridge).sort(), commands: Object.keys(bridge.commands).sort() };
    });
    expect(surface).toEqual({
      keys: ['commands', 'hello', 'onEvent', 'protocol'],
      commands: [...COMMAND_NAMES].sort(),
    });
    expect(await window.evaluate(() => 'ipcRenderer' in window)).toBe(false);
    const hello = await window.evaluate(() =>
      (window as unknown as { bittaudio: { hello(): Promise<unknown> } }).bittaudio.hello(),
    );
    expect(hello).toMatchObject({ ok: true, output: { capabilities: { tray: true, extensionSigning: false } } });
  });

  it('refuses to navigate away from the app', async () => {
    // Wait for the navigation attempt itself (not for a fixed time) and read whether the shell stopped it.
    await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]?.webContents;
      (globalThis as { navigation?: Promise<unknown> }).navigation = new Promise((resolve) => {
        contents?.once('will-navigate', (event, url) =>
          setImmediate(() => resolve({ url, prevented: event.defaultPrevented })),
        );
      });
    });
    await window.evaluate(() => {
      location.href = 'https://example.com/';
    });
    const attempt = await app.evaluate(() => (globalThis as { navigation?: Promise<unknown> }).navigation);
    expect(attempt).toEqual({ url: 'https://example.com/', prevented: true });
    expect(window.url()).toMatch(/^app:\/\/bittaudio\//);
  });

  it('runs with hardware acceleration off by default', async () => {
    const gpu = await app.evaluate(({ app: electronApp }) => ({
      enabled: electronApp.isHardwareAccelerationEnabled(),
      compositing: (electronApp.getGPUFeatureStatus() as unknown as Record<string, string>)['gpu_compositing'],
    }));
    expect(gpu.enabled).toBe(false);
    expect(gpu.compositing).toMatch(/^disabled/);
  });

  it('shows the miner in a tray icon with open, start/stop and quit', async () => {
    const tray = (): Promise<ReturnType<TrayHook['model']>> =>
      app.evaluate(() => (globalThis as { bittaudioTray?: TrayHook | null }).bittaudioTray?.model() ?? null);
    await expect.poll(async () => (await tray())?.tooltip, { timeout: 30_000 }).toMatch(/^BittAudio: Miner /);
    const actions = (await tray())?.items.flatMap((item) => (item.action ? [item.action] : []));
    expect(actions).toEqual(expect.arrayContaining(['open', 'start', 'stop', 'quit']));
  });
});
