/**
 * The desktop shell, launched through Playwright's Electron driver. Needs an Electron binary
 * (downloaded by `npm ci` where GitHub is reachable) and a display (or xvfb-run) on Linux; where
 * either is missing the suite skips and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../scripts/electron-binary.mjs';
import { repoRoot } from './support/daemon.js';

const electron = findElectronBinary();
const display = process.platform !== 'linux' || Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']);
const skipReason =
  'missing' in electron
    ? `Electron e2e skipped: ${electron.missing}`
    : display
      ? undefined
      : 'Electron e2e skipped: no display; run under xvfb-run.';
if (skipReason) console.warn(skipReason);

describe.skipIf(skipReason !== undefined)('the desktop app (Electron)', () => {
  let app: ElectronApplication;
  let window: Page;
  let userData: string;

  beforeAll(async () => {
    userData = mkdtempSync(join(tmpdir(), 'bittaudio-electron-'));
    app = await _electron.launch({
      executablePath: 'path' in electron ? electron.path : '',
      args: [repoRoot, '--no-sandbox', `--user-data-dir=${userData}`],
      cwd: repoRoot,
    });
    window = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(userData, { recursive: true, force: true });
  });

  it('loads the app from app:// with an isolated, sandboxed renderer', async () => {
    expect(window.url()).toMatch(/^app:\/\/bittaudio\//);
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const win = BrowserWindow.getAllWindows()[0];
      const web = win?.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
      return web.getLastWebPreferences?.() ?? {};
    });
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  });

  it('connects over the preload bridge and shows the engine status', async () => {
    await expect.poll(() => window.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect.poll(() => window.getByTestId('status-host').textContent()).toMatch(/electron/i);
  });

  it('exposes only the narrow bridge, not ipcRenderer', async () => {
    const keys = await window.evaluate(() =>
      Object.keys((window as unknown as { bittaudio: object }).bittaudio).sort(),
    );
    expect(keys).toEqual(['commands', 'hello', 'onEvent', 'protocol']);
    expect(await window.evaluate(() => 'ipcRenderer' in window)).toBe(false);
  });

  it('refuses to navigate away from the app', async () => {
    await window.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(window.url()).toMatch(/^app:\/\/bittaudio\//);
  });

  it('runs with hardware acceleration off by default', async () => {
    const status = await app.evaluate(({ app: electronApp }) => electronApp.getGPUFeatureStatus());
    expect(JSON.stringify(status)).toMatch(/disabled|software/i);
  });
});
