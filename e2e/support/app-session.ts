/** The built daemon and a Chromium page for it, as the browser e2e suites use them. */
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, type TestBrowser } from './browser.js';
import { repoRoot, startBuiltDaemon, type RunningDaemon } from './daemon.js';

/** `npm run screenshots` points this at docs/screenshots to refresh the README's pictures. */
export const SCREENSHOTS = resolve(
  repoRoot,
  process.env['BITTAUDIO_SCREENSHOTS_DIR'] ?? join('test-results', 'screenshots'),
);

export interface AppSession {
  daemon: RunningDaemon;
  chrome: TestBrowser;
  page: Page;
  close(): Promise<void>;
}

export async function startAppSession(
  viewport = { width: 1280, height: 800 },
  daemonOptions: Parameters<typeof startBuiltDaemon>[0] = {},
): Promise<AppSession> {
  const daemon = await startBuiltDaemon(daemonOptions);
  const chrome = await launchChromium().catch(async (error: unknown) => {
    await daemon.stop();
    throw error;
  });
  const context = await chrome.browser.newContext({ viewport, colorScheme: 'dark' });
  const page = await context.newPage();
  return {
    daemon,
    chrome,
    page,
    close: async () => {
      await chrome.close();
      await daemon.stop();
    },
  };
}

/**
 * One app session for a whole test file: started before its tests (handed to `started`, which
 * keeps what the file uses) and closed after them.
 */
export function useAppSession(
  viewport: { width: number; height: number },
  started: (session: AppSession) => void,
): void {
  let session: AppSession | undefined;
  beforeAll(async () => {
    session = await startAppSession(viewport);
    started(session);
  }, 60_000);
  afterAll(async () => {
    await session?.close();
  });
}

/** The text of a test id on the page, or '' while it is not there. */
export async function testIdText(page: Page, testId: string): Promise<string> {
  const locator = page.getByTestId(testId);
  return (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '') : '';
}
