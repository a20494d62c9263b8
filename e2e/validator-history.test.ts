/**
 * The validator's history from the pages, on the built daemon's local network: after a weights
 * submission the Overview names the next weights block, the Rewards page draws the score and the
 * weight share of a miner over time (points on the charts), and the CSV download holds the rows.
 * Screenshot validator-history.png for the README.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { callDaemon } from './support/api.js';
import type { RunningDaemon } from './support/daemon.js';
import { SCREENSHOTS, testIdText, useAppSession } from './support/app-session.js';

let daemon: RunningDaemon;
let page: Page;

useAppSession({ width: 1280, height: 1000 }, (session) => ({ daemon, page } = session));
const text = (testId: string): Promise<string> => testIdText(page, testId);

describe('the validator over time, from the pages', () => {
  it('shows the next weights block on the Overview once weights went out', async () => {
    await page.goto(daemon.url);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect.poll(() => text('network-kind'), { timeout: 30_000 }).toMatch(/local/i);
    await page.getByRole('button', { name: 'Start validator' }).click();
    await expect.poll(() => text('validator-state'), { timeout: 60_000 }).toBe('running');
    // The local weight setter submits every 5 blocks once rounds have scored.
    await expect.poll(() => text('validator-weights'), { timeout: 120_000 }).toMatch(/block \d+/);
    await expect
      .poll(() => text('validator-next-weights'), { timeout: 30_000 })
      .toMatch(/^block \d+|at the next block/);
    // The page says what the engine says.
    const status = await callDaemon(daemon, 'validator.status');
    expect(status.nextWeightsBlock).not.toBeNull();
    expect(status.lastWeights).not.toBeNull();
    expect(status.nextWeightsBlock ?? 0).toBeGreaterThan(status.lastWeights?.block ?? Infinity);
  }, 200_000);

  it('draws a miner’s score and weight over time on Rewards and exports them as CSV', async () => {
    await page.getByRole('link', { name: 'Rewards', exact: true }).click();
    const history = page.getByTestId('validator-history');
    await expect.poll(() => history.count(), { timeout: 15_000 }).toBe(1);
    await page.getByTestId('validator-history-range').selectOption('24h');
    // A miner with both series: one that was scored and then weighed.
    const points = (chart: string): Promise<number> => history.getByTestId(chart).locator('circle').count();
    await expect
      .poll(
        async () => {
          const labels = await page.getByTestId('validator-history-uid').locator('option').allTextContents();
          for (const label of labels) {
            await page.getByTestId('validator-history-uid').selectOption({ label });
            if ((await points('chart-validator-score')) > 0 && (await points('chart-validator-weight')) > 0)
              return label;
          }
          return null;
        },
        { timeout: 90_000, interval: 2_000 },
      )
      .toMatch(/^uid \d+$/);
    await history.screenshot({ path: join(SCREENSHOTS, 'validator-history.png') });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('validator-history-csv').click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('series,uid,time,block,value');
    expect(rows.filter((row) => row.startsWith('score,')).length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.startsWith('weight,')).length).toBeGreaterThan(0);
  }, 180_000);
});
