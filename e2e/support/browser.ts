import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); Playwright's own browser download is never used. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Resolves to 127.0.0.1 inside the test browser only. */
export const REBINDING_NAME = 'rebind.test';

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Playwright gives every launch a fresh, throw-away --user-data-dir of its own.
      // A name that resolves to loopback, as an attacker's DNS would after a rebinding.
      `--host-resolver-rules=MAP ${REBINDING_NAME} 127.0.0.1`,
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
