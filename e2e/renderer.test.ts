/**
 * The renderer's structure in real Chromium against a real daemon: every page reached with the
 * keyboard alone, the theme and a setting surviving a reload, and the GPU page's live readings.
 * The daemon finds a stand-in `nvidia-smi` first on its PATH (a shell script printing one GPU row
 * in nvidia-smi's CSV format, utilisation changing per call): the test machine has no GPU, and
 * the sampler, the engine's watch, the event and the page are all real.
 * With BITTAUDIO_SCREENSHOTS_DIR set, it also writes a screenshot of every page there.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppSession, type AppSession } from './support/app-session.js';
import { repoRoot } from './support/daemon.js';

/** The registry's pages, in navigation order, as a person sees them. */
const PAGES = [
  { id: 'overview', title: 'Overview' },
  { id: 'wallet', title: 'Wallet' },
  { id: 'gpu', title: 'GPU' },
  { id: 'generations', title: 'Generations' },
  { id: 'rewards', title: 'Rewards' },
  { id: 'logs', title: 'Logs' },
  { id: 'settings', title: 'Settings' },
] as const;

const screenshotsDir = process.env['BITTAUDIO_SCREENSHOTS_DIR'];
const SCREENSHOTS = screenshotsDir === undefined ? null : resolve(repoRoot, screenshotsDir);

let session: AppSession;
let page: Page;
let toolsDir: string;

beforeAll(async () => {
  toolsDir = mkdtempSync(join(tmpdir(), 'bittaudio-fake-smi-'));
  const smi = join(toolsDir, 'nvidia-smi');
  writeFileSync(
    smi,
    [
      '#!/bin/sh',
      // index, name, driver, memory.total, memory.used, temperature, power.draw, power.limit, utilization, compute_cap, uuid
      'echo "0, NVIDIA Stand-in GPU, 550.54.15, 81559, $((2000 + $$ % 500)), 47, 123.45, 700.00, $(($$ % 100)), 9.0, GPU-00000000-0000-0000-0000-000000000000"',
      '',
    ].join('\n'),
  );
  chmodSync(smi, 0o755);
  session = await startAppSession(undefined, { env: { PATH: `${toolsDir}${delimiter}${process.env['PATH'] ?? ''}` } });
  page = session.page;
  if (SCREENSHOTS !== null) mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await session?.close();
  if (toolsDir) rmSync(toolsDir, { recursive: true, force: true });
});

function pageTitle(): Promise<string | null> {
  return page.locator('main h1').first().textContent();
}

/** Presses Tab until the element with this test id has the focus (at most `limit` presses). */
async function tabTo(testId: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
    if (focused === testId) return;
  }
  throw new Error(`${testId} was not reached with ${limit} presses of Tab`);
}

describe('the renderer, with the keyboard only', () => {
  it('connects with the printed link', async () => {
    await page.goto(session.daemon.url);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
  });

  it('starts the tab order with a skip link that moves the focus to the page', async () => {
    await page.goto(`${session.daemon.origin}/#/overview`);
    await expect.poll(pageTitle).toBe('Overview');
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('skip-link');
    expect(await page.getByTestId('skip-link').isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('reaches every page from the navigation with Tab and Enter, each with a visible focus ring', async () => {
    await page.locator('body').focus();
    for (const { id, title } of PAGES) {
      await tabTo(`nav-${id}`);
      const outline = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement as Element);
        return { style: style.outlineStyle, width: style.outlineWidth };
      });
      expect(outline.style).not.toBe('none');
      expect(outline.width).not.toBe('0px');
      await page.keyboard.press('Enter');
      await expect.poll(pageTitle).toBe(title);
      expect(new URL(page.url()).hash).toBe(`#/${id}`);
      expect(await page.getByTestId(`nav-${id}`).getAttribute('aria-current')).toBe('page');
      if (SCREENSHOTS !== null) await page.screenshot({ path: join(SCREENSHOTS, `page-${id}.png`), fullPage: true });
    }
  }, 60_000);

  it('labels every form control of every page', async () => {
    for (const { id } of PAGES) {
      await page.goto(`${session.daemon.origin}/#/${id}`);
      await expect.poll(pageTitle).not.toBeNull();
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea, button')]
          .filter((element) => {
            const labelled = element as HTMLInputElement;
            const name =
              element.getAttribute('aria-label') ??
              element.getAttribute('aria-labelledby') ??
              (labelled.labels && labelled.labels.length > 0 ? 'label' : null) ??
              (element.tagName === 'BUTTON' ? element.textContent?.trim() || null : null);
            return name === null;
          })
          .map((element) => element.outerHTML.slice(0, 120)),
      );
      expect(unlabelled, `unlabelled controls on ${id}`).toEqual([]);
    }
  });
});

describe('the renderer across a reload', () => {
  it('keeps the theme chosen with the toggle', async () => {
    await page.goto(`${session.daemon.origin}/#/overview`);
    const toggle = page.getByTestId('theme-toggle');
    await expect.poll(() => toggle.isEnabled()).toBe(true);
    const before = await page.evaluate(() => document.documentElement.dataset['theme']);
    const wasDark = (await toggle.getAttribute('aria-pressed')) === 'true';
    await toggle.focus();
    await page.keyboard.press('Enter');
    const expected = wasDark ? 'light' : 'dark';
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe(expected);
    expect(expected).not.toBe(before);
    if (SCREENSHOTS !== null) await page.screenshot({ path: join(SCREENSHOTS, `theme-${expected}.png`) });
    await page.reload();
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe(expected);
    expect(await page.getByTestId('theme-toggle').getAttribute('aria-pressed')).toBe(String(expected === 'dark'));
  });

  it('keeps a setting changed on the Settings page', async () => {
    await page.goto(`${session.daemon.origin}/#/settings`);
    const level = page.getByLabel('Log level');
    await expect.poll(() => level.isEnabled()).toBe(true);
    await level.selectOption('warn');
    await expect.poll(() => page.getByTestId('settings-status').textContent()).toBe('Saved.');
    await page.reload();
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect.poll(() => page.getByLabel('Log level').inputValue()).toBe('warn');
  });
});

describe('the GPU page, live', () => {
  it('shows readings from the engine’s sampler that keep coming while the page is open', async () => {
    await page.goto(`${session.daemon.origin}/#/gpu`);
    const card = page.getByTestId('gpu-live-0');
    await expect.poll(() => card.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await card.textContent()).toContain('NVIDIA Stand-in GPU');
    expect(await card.getByTestId('gpu-live-power').textContent()).toContain('123 W of 700 W');
    expect(await card.getByTestId('gpu-live-temperature').textContent()).toBe('47 °C');
    expect(await card.getByTestId('gpu-live-utilisation').textContent()).toMatch(/\d+ %/);
    // Each reading is a new nvidia-smi run: the sparkline grows.
    const points = () =>
      page.evaluate(() => document.querySelector('.sparkline__line')?.getAttribute('points')?.split(' ').length ?? 0);
    const first = await points();
    await expect.poll(points, { timeout: 10_000 }).toBeGreaterThan(first);
    // The benchmark is offered next to the report (no model is installed here, so it is not run).
    await expect.poll(() => page.getByTestId('gpu-benchmark-run').isVisible(), { timeout: 60_000 }).toBe(true);
    if (SCREENSHOTS !== null) await page.screenshot({ path: join(SCREENSHOTS, 'gpu-live.png'), fullPage: true });
  }, 90_000);
});
