/**
 * A first-time user in Chromium against a real daemon on the local network: the first-run setup
 * (keyboard only for its first step), a wallet made with its mnemonic confirmed, mining started;
 * then the Wallet page funds the coldkey from the local faucet and registers the hotkey with the
 * coldkey's password; and a Polkadot browser extension injected into the page (`injectedWeb3`,
 * an sr25519 key that really signs) lends its account as a coldkey and signs a registration that
 * lands on the local chain.
 */
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDaemon } from './support/api.js';
import { SCREENSHOTS, startAppSession, type AppSession } from './support/app-session.js';
import type { RunningDaemon } from './support/daemon.js';

let session: AppSession;
let daemon: RunningDaemon;
let page: Page;
let extensionAddress = '';
const signed: string[] = [];

beforeAll(async () => {
  await cryptoWaitReady();
  session = await startAppSession({ width: 1280, height: 900 });
  ({ daemon, page } = session);
  // Never btcli's real folder: this daemon's wallets live in its throw-away data folder.
  await callDaemon(daemon, 'settings.update', { walletPath: join(daemon.dataDir, 'wallets') });

  // A Polkadot extension as Polkadot.js injects it; the key signs in the test process (the page
  // cannot load the keyring) through a binding the injected signer calls.
  const key = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//BrowserExtensionUser');
  extensionAddress = key.address;
  const context = page.context();
  await context.exposeBinding('__extensionSign', (_source, data: string) => {
    signed.push(data);
    return u8aToHex(key.sign(u8aWrapBytes(hexToU8a(data))));
  });
  await context.addInitScript(
    ({ address }) => {
      const sign = (window as unknown as { __extensionSign: (data: string) => Promise<string> }).__extensionSign;
      const account = { address, name: 'Extension account', type: 'sr25519' };
      (window as unknown as { injectedWeb3: unknown }).injectedWeb3 = {
        'polkadot-js': {
          version: '0.63.1-test',
          enable: () =>
            Promise.resolve({
              accounts: {
                get: () => Promise.resolve([account]),
                subscribe: (cb: (a: unknown[]) => void) => {
                  cb([account]);
                  return () => undefined;
                },
              },
              signer: {
                signRaw: async ({ data }: { data: string }) => ({ id: 1, signature: await sign(data) }),
              },
            }),
        },
      };
    },
    { address: extensionAddress },
  );
}, 90_000);

afterAll(async () => {
  await session?.close();
});

async function text(testId: string): Promise<string> {
  const locator = page.getByTestId(testId);
  return (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '') : '';
}

describe('first run, wallet and extension signing on the local network', () => {
  it('offers the setup on a fresh install and its first step works from the keyboard alone', async () => {
    await page.goto(daemon.url);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect.poll(() => page.getByTestId('onboarding').count(), { timeout: 15_000 }).toBe(1);
    // Tab until the "Just explore" choice has the focus, move to "Mine" with the arrow keys.
    let focused = '';
    for (let i = 0; i < 40 && focused !== 'role-explore'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    }
    expect(focused).toBe('role-explore');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByTestId('role-mine').isChecked()).toBe(true);
    // A visible focus ring on the focused control.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe('none');
    for (let i = 0; i < 10 && focused !== 'onboarding-next'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    }
    expect(focused).toBe('onboarding-next');
    await page.keyboard.press('Enter');
    await expect.poll(() => text('network-check'), { timeout: 30_000 }).toMatch(/Connected to local/);
    await page.screenshot({ path: join(SCREENSHOTS, 'onboarding-network.png') });
  }, 60_000);

  it('creates a wallet whose mnemonic is confirmed by three of its words, then starts mining', async () => {
    await page.getByTestId('onboarding-next').click();
    await page.getByTestId('wallet-name').fill('e2e');
    await page.getByTestId('wallet-password').fill('correct horse battery');
    await page.getByTestId('wallet-password-repeat').fill('correct horse battery');
    await page.getByTestId('wallet-create-submit').click();
    // Argon2i over 512 MiB: seconds on a quiet machine, minutes on a crowded one.
    await expect.poll(() => page.getByTestId('mnemonic-words').count(), { timeout: 240_000 }).toBe(1);
    const words = await page.getByTestId('mnemonic-words').locator('li').allTextContents();
    expect(words).toHaveLength(12);
    await page.screenshot({ path: join(SCREENSHOTS, 'onboarding-mnemonic.png') });
    await page.getByTestId('mnemonic-written').click();
    // The labels name the positions asked ("3rd word").
    const labels = await page.getByTestId('mnemonic-check').locator('.field__label').allTextContents();
    const positions = labels.map((label) => Number(/^(\d+)/.exec(label)?.[1]) - 1);
    await page.getByTestId('mnemonic-answer-0').fill('wrong');
    await page.getByTestId('mnemonic-confirm').click();
    await expect.poll(() => page.getByTestId('mnemonic-check').getByRole('alert').textContent()).toMatch(/not right/);
    for (const [i, position] of positions.entries()) {
      await page.getByTestId(`mnemonic-answer-${i}`).fill(words[position] ?? '');
    }
    await page.getByTestId('mnemonic-confirm').click();
    // The wallet step ends by itself; on the local network the model step is skipped.
    await expect.poll(() => page.getByTestId('start-step').count(), { timeout: 15_000 }).toBe(1);
    await page.getByTestId('onboarding-start').click();
    await expect.poll(() => page.getByTestId('onboarding').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => text('neuron-state'), { timeout: 90_000 }).toBe('running');
    const settings = await callDaemon(daemon, 'settings.get', {});
    expect(settings).toMatchObject({ onboarded: true, walletName: 'e2e' });
    // The mnemonic never reached the engine's log.
    const { entries } = await callDaemon(daemon, 'logs.list', { limit: 1000 });
    expect(JSON.stringify(entries)).not.toContain(words.join(' '));
  }, 400_000);

  it('funds the coldkey from the local faucet and registers the hotkey with its password', async () => {
    await page.getByRole('link', { name: 'Wallet', exact: true }).click();
    await expect.poll(() => text('coldkey-address'), { timeout: 15_000 }).toMatch(/^5/);
    await expect.poll(() => text('hotkey-registration'), { timeout: 15_000 }).toBe('not registered');
    await page.getByTestId('faucet').click();
    await expect.poll(() => text('coldkey-free'), { timeout: 15_000 }).toMatch(/^1,000 TAO$/);
    await page.getByTestId('register-open').click();
    await page.getByTestId('register-password').fill('correct horse battery');
    await page.getByTestId('register-submit').click();
    await expect.poll(() => text('hotkey-registration'), { timeout: 240_000 }).toMatch(/^uid \d+$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet.png') });
  }, 300_000);

  it('uses a browser-extension account as the coldkey and registers with its signature', async () => {
    await page.getByRole('button', { name: 'Add another wallet' }).click();
    await page.getByLabel('Use a browser extension').check();
    await page.getByTestId('extension-connect').click();
    await expect.poll(() => page.getByText(extensionAddress).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByRole('radio', { name: new RegExp(extensionAddress) }).check();
    await page.getByTestId('wallet-extension-form').getByLabel('Wallet name').fill('ext');
    await page.getByTestId('extension-use').click();
    await expect.poll(() => text('coldkey-address'), { timeout: 15_000 }).toBe(extensionAddress);
    await page.getByTestId('faucet').click();
    await expect.poll(() => text('coldkey-free'), { timeout: 15_000 }).toMatch(/^1,000 TAO$/);
    await page.getByTestId('register-open').click();
    expect(await page.getByTestId('register-with-extension').isChecked()).toBe(true);
    await page.getByTestId('register-submit').click();
    await expect.poll(() => text('hotkey-registration'), { timeout: 60_000 }).toMatch(/^uid \d+$/);
    expect(signed).toHaveLength(1);
    expect(Buffer.from(hexToU8a(signed[0])).toString()).toContain('burned_register');
    const overview = await callDaemon(daemon, 'wallet.overview', { name: 'ext' });
    expect(overview.hotkeys[0]?.uid).not.toBeNull();
  }, 90_000);

  it('goes through the whole setup again from Settings with the keyboard alone', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByTestId('reopen-setup').click();
    await expect.poll(() => page.getByTestId('onboarding').count(), { timeout: 15_000 }).toBe(1);
    const focusedId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    /** Tab until the control with this test id has the focus (the test fails if it never does). */
    const tabTo = async (testId: string): Promise<void> => {
      for (let i = 0; i < 80; i++) {
        if ((await focusedId()) === testId) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${testId}`);
    };
    // Explore: the default choice. Network: local, as it is. Wallet: optional here. Then Start.
    for (const step of ['network-check', 'wallet-create-form', 'start-step']) {
      await tabTo('onboarding-next');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId(step).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    }
    await tabTo('onboarding-start');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('onboarding').count(), { timeout: 15_000 }).toBe(0);
    expect((await callDaemon(daemon, 'settings.get', {})).onboarded).toBe(true);
  }, 90_000);
});
