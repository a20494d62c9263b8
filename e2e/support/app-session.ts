/** The built daemon and a Chromium page for it, as the browser e2e suites use them. */
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
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
