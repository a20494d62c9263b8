/**
 * The miner on the local network, driven from the page as a first-time user would: the daemon
 * with no configuration runs the built-in network (devnet chain, local miners, a test validator,
 * the tiny model), "your" miner answers the validator, its clips appear on the Generations page
 * with a waveform and audio that plays, incentive arrives after an epoch and the Rewards page charts
 * it, and the miner stops and starts from the Overview.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningDaemon } from './support/daemon.js';
import { SCREENSHOTS, testIdText, useAppSession } from './support/app-session.js';

let daemon: RunningDaemon;
let page: Page;
const screenshots = SCREENSHOTS;

useAppSession({ width: 1280, height: 900 }, (session) => ({ daemon, page } = session));
const text = (testId: string): Promise<string> => testIdText(page, testId);

describe('mining on the local network, from the page', () => {
  it('runs the local network and the miner with no configuration', async () => {
    await page.goto(daemon.url);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect.poll(() => text('network-kind'), { timeout: 30_000 }).toMatch(/local/i);
    const firstBlock = Number(await text('network-block'));
    await expect.poll(async () => Number(await text('network-block')), { timeout: 15_000 }).toBeGreaterThan(firstBlock);
    await expect.poll(() => text('neuron-state'), { timeout: 60_000 }).toBe('running');
    expect(await text('neuron-uid')).toMatch(/\d/);
  }, 120_000);

  it('shows a clip on the Generations page within a minute, with a waveform and audio that plays', async () => {
    await page.getByRole('link', { name: 'Generations', exact: true }).click();
    const clips = page.getByRole('list', { name: 'Clips' }).getByTestId('generation');
    await expect.poll(() => clips.count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await clips.first().getByRole('button').first().click();

    const waveform = page.getByRole('group', { name: 'Waveform' });
    await expect.poll(() => waveform.getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');
    // wavesurfer draws into canvases inside its (open) shadow root.
    const canvases = await waveform.evaluate((element) => {
      const roots = [element, ...Array.from(element.querySelectorAll('*'))]
        .map((node) => node.shadowRoot)
        .filter((root): root is ShadowRoot => root !== null);
      return roots.flatMap((root) => Array.from(root.querySelectorAll('canvas'))).filter((c) => c.width > 0).length;
    });
    expect(canvases).toBeGreaterThan(0);
    await page.screenshot({ path: join(screenshots, 'generations.png') });

    const audio = page.getByTestId('clip-audio');
    const volume = await audio.evaluate((element) => (element as HTMLAudioElement).volume);
    expect(volume).toBeGreaterThan(0);
    expect(volume).toBeLessThanOrEqual(1);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect
      .poll(() => audio.evaluate((element) => (element as HTMLAudioElement).currentTime), { timeout: 15_000 })
      .toBeGreaterThan(0.2);
  }, 120_000);

  it("shows the miner's incentive after an epoch", async () => {
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await expect
      .poll(async () => parseFloat((await text('chain-incentive')).replace(/[^\d.]/g, '')) || 0, { timeout: 90_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(screenshots, 'overview-miner.png') });
  }, 120_000);

  it('charts the epoch on the Rewards page: emission, its TAO value, stake and immunity left', async () => {
    await page.getByRole('link', { name: 'Rewards', exact: true }).click();
    // Each chart names its point count in its label (`Stake (α): 1 epoch, blocks …`).
    for (const id of ['chart-emission', 'chart-emission-tao', 'chart-stake', 'chart-immunity']) {
      await expect
        .poll(
          async () => {
            const chart = page.getByTestId(id).locator('svg');
            return (await chart.count()) > 0 ? ((await chart.first().getAttribute('aria-label')) ?? '') : '';
          },
          { timeout: 60_000 },
        )
        .toMatch(/: [1-9]\d* epochs?, blocks/);
    }
    // The local network's subnet has a pool price (1 TAO per alpha), so the TAO value is shown in words too.
    expect(await text('rewards-price')).toMatch(/1 α = 1 TAO/);
    await page.screenshot({ path: join(screenshots, 'rewards-miner.png') });
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
  }, 120_000);

  it('stops and starts the miner from the page', async () => {
    await page.getByRole('button', { name: 'Stop miner' }).click();
    await expect.poll(() => text('neuron-state'), { timeout: 30_000 }).toBe('stopped');
    await page.getByRole('button', { name: 'Start miner' }).click();
    await expect.poll(() => text('neuron-state'), { timeout: 60_000 }).toBe('running');
  }, 120_000);
});
