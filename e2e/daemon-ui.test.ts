/**
 * The renderer in real Chromium against a real `bittaudio daemon` process on loopback: what a
 * person on a headless GPU box does, and what a hostile web page must not be able to do.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REBINDING_NAME, type TestBrowser } from './support/browser.js';
import type { RunningDaemon } from './support/daemon.js';
import { SCREENSHOTS, startAppSession, type AppSession } from './support/app-session.js';
import { startForeignSite, type ForeignSite } from './support/foreign-site.js';

let session: AppSession;
let daemon: RunningDaemon;
let chrome: TestBrowser;
let page: Page;
const screenshots = SCREENSHOTS;

beforeAll(async () => {
  session = await startAppSession();
  ({ daemon, chrome, page } = session);
}, 60_000);

afterAll(async () => {
  await session?.close();
});

describe('the app in a browser, served by the daemon', () => {
  it('connects with the printed link and drops the token from the address bar', async () => {
    await page.goto(daemon.url);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    expect(page.url()).not.toContain(daemon.token);
  });

  it('shows the live engine status on the Overview', async () => {
    await expect.poll(() => page.getByTestId('status-version').textContent()).toContain('0.1.0');
    expect(await page.getByTestId('status-host').textContent()).toMatch(/daemon/i);
    expect(await page.getByTestId('status-role').textContent()).toMatch(/idle/i);
    expect(await page.getByTestId('status-datadir').textContent()).toContain(daemon.dataDir);
    const first = await page.getByTestId('status-uptime').textContent();
    await expect.poll(() => page.getByTestId('status-uptime').textContent(), { timeout: 5_000 }).not.toBe(first);
    await page.screenshot({ path: join(screenshots, 'overview.png') });
  });

  it('has every page in the navigation, with honest placeholders', async () => {
    for (const name of ['Overview', 'Wallet', 'GPU', 'Generations', 'Rewards', 'Logs', 'Settings']) {
      await expect.poll(() => page.getByRole('link', { name, exact: true }).count()).toBe(1);
    }
    await page.getByRole('link', { name: 'Generations', exact: true }).click();
    // No miner has run on this fresh data folder: the library says how clips arrive.
    await expect.poll(() => page.locator('main').textContent()).toMatch(/No clips yet|Could not list the clips/);
    expect(await page.locator('main').textContent()).not.toMatch(/issue #\d/);
  });

  it('shows the GPU report on the GPU page', async () => {
    await page.getByRole('link', { name: 'GPU', exact: true }).click();
    // The first check probes every execution provider; this machine has no GPU, so the CPU it is.
    await expect.poll(() => page.getByTestId('gpu-device').textContent(), { timeout: 60_000 }).toMatch(/CPU/i);
    expect(await page.getByTestId('gpu-nvidia-status').isVisible()).toBe(true);
    await page.screenshot({ path: join(screenshots, 'gpu.png') });
  }, 90_000);

  it('shows stored and live log lines on the Logs page', async () => {
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('log-line').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining('engine started')]));
    // A change made elsewhere (here: over the HTTP API) shows up live, without a reload.
    const reply = await fetch(`${daemon.origin}/api/v1/commands/settings.update`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${daemon.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ theme: 'dark' }),
    });
    expect(reply.status).toBe(200);
    await expect
      .poll(() => page.getByTestId('log-line').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining('Settings changed')]));
    await page.screenshot({ path: join(screenshots, 'logs.png') });
  });

  it('saves a setting from the Settings page', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const level = page.getByLabel('Log level');
    await level.selectOption('debug');
    await expect
      .poll(async () => {
        const reply = await fetch(`${daemon.origin}/api/v1/commands/settings.get`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${daemon.token}`, 'Content-Type': 'application/json' },
          body: '{}',
        });
        return ((await reply.json()) as { output: { logLevel: string } }).output.logLevel;
      })
      .toBe('debug');
    expect(await page.getByLabel('Hardware acceleration').isChecked()).toBe(false);
  });

  it('lists the models with their state and licence on the Settings page', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const small = page.getByTestId('model-musicgen-small');
    // A fresh data dir: nothing downloaded. (No Download click: this machine has no network.)
    await expect
      .poll(() => small.getByTestId('model-musicgen-small-q8').getByTestId('model-state').textContent(), {
        timeout: 30_000,
      })
      .toBe('missing');
    expect(await small.getByRole('heading', { name: 'MusicGen small (300M)' }).isVisible()).toBe(true);
    const license = small.getByTestId('model-license');
    expect(await license.isVisible()).toBe(true);
    expect(await license.textContent()).toContain('Weights licensed CC-BY-NC-4.0 (non-commercial use only)');
    expect(await small.getByRole('button', { name: 'Download' }).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('model-musicgen-medium').getByTestId('model-import').textContent()).toMatch(
      /Not downloadable/,
    );
    await page.screenshot({ path: join(screenshots, 'settings.png'), fullPage: true });
  });

  it('tells the user when the link’s token is wrong, with no literal backticks', async () => {
    const other = await chrome.browser.newPage();
    await other.goto(`${daemon.origin}/#token=not-the-token`);
    await expect.poll(() => other.getByTestId('connection').textContent(), { timeout: 15_000 }).toMatch(/token/i);
    expect(await other.getByTestId('connection').textContent()).not.toContain('`');
    await other.close();
  });

  it('connects when the link is opened in a tab that already shows the no-token page', async () => {
    const context = await chrome.browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${daemon.origin}/`);
    await expect.poll(() => tab.getByRole('heading', { level: 1 }).textContent()).toMatch(/daemon.s link/);
    // Only the fragment changes: no new document is requested, so the app must notice it itself.
    await tab.goto(daemon.url);
    await expect.poll(() => tab.getByTestId('connection').textContent(), { timeout: 15_000 }).toMatch(/connected/i);
    expect(tab.url()).not.toContain('token=');
    await context.close();
  });
});

describe('the local API refuses what it must', () => {
  const call = (command: string, init: { token?: string; headers?: Record<string, string>; body?: string } = {}) =>
    fetch(`${daemon.origin}/api/v1/commands/${command}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(init.token === undefined ? {} : { Authorization: `Bearer ${init.token}` }),
        ...init.headers,
      },
      body: init.body ?? '{}',
    });

  it('401 without a token and with a wrong one', async () => {
    expect((await call('status.get')).status).toBe(401);
    expect((await call('status.get', { token: 'wrong' })).status).toBe(401);
  });

  it('403 for a foreign Origin, even with the right token', async () => {
    const reply = await call('status.get', { token: daemon.token, headers: { Origin: 'https://attacker.example' } });
    expect(reply.status).toBe(403);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('403 for a foreign Host header (DNS rebinding), even with the right token', async () => {
    // The browser believes it talks to rebind.test, but the name points at the daemon.
    const rebound = await chrome.browser.newPage();
    const page = await rebound.goto(`http://${REBINDING_NAME}:${daemon.port}/`);
    expect(page?.status()).toBe(403);
    const api = await rebound.evaluate(async (token) => {
      const r = await fetch('/api/v1/hello', { headers: { Authorization: `Bearer ${token}` } });
      return r.status;
    }, daemon.token);
    expect(api).toBe(403);
    await rebound.close();
    // And a program that forges the header directly.
    const raw = await rawStatus(daemon.port, `${REBINDING_NAME}:${daemon.port}`, daemon.token);
    expect(raw).toBe(403);
  });

  it('a page on another origin cannot open the WebSocket or call the API', async () => {
    const site: ForeignSite = await startForeignSite();
    try {
      const attacker = await chrome.browser.newPage();
      await attacker.goto(site.url);
      const outcome = await attacker.evaluate(
        async ({ port, token }) => {
          const ws = await new Promise<string>((resolve) => {
            const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, [
              'bittaudio.v1',
              `bittaudio-token.${token}`,
            ]);
            socket.onopen = () => resolve('open');
            socket.onerror = () => resolve('refused');
          });
          const http = await fetch(`http://127.0.0.1:${port}/api/v1/commands/status.get`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: '{}',
          })
            .then((r) => `status ${r.status}`)
            .catch(() => 'blocked');
          return { ws, http };
        },
        { port: daemon.port, token: daemon.token },
      );
      // Even holding the token, another site gets nothing: the upgrade is refused, and the CORS
      // preflight fails because the daemon never sends CORS headers.
      expect(outcome).toEqual({ ws: 'refused', http: 'blocked' });
      await attacker.close();
    } finally {
      await site.close();
    }
  });

  it('answers a malformed command with a clear error and stays up', async () => {
    const garbage = await call('status.get', { token: daemon.token, body: '{"not json' });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    const unknown = await call('does.not.exist', { token: daemon.token });
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_command');
    const invalid = await call('logs.list', { token: daemon.token, body: '{"limit":"many"}' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { issues: string[] } }).error.issues.join()).toMatch(/limit/);
    expect(daemon.process.exitCode).toBeNull();
    expect((await call('status.get', { token: daemon.token })).status).toBe(200);
    await expect.poll(() => page.getByTestId('connection').textContent()).toContain('Connected');
  });
});

/** A request with a forged Host header, which fetch() will not send. */
async function rawStatus(port: number, host: string, token: string): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/v1/hello', headers: { Host: host, Authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
