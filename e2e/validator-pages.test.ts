/**
 * The validator watched from the pages, on the local network: started from the Overview, a round
 * scored (the round, the scores table), its answers on Generations' "Received (validator)" section
 * with a waveform that plays and the round's reference clip playing beside a scored answer, and its
 * scores on the Rewards page. Screenshots for the README.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningDaemon } from './support/daemon.js';
import { SCREENSHOTS, testIdText, useAppSession } from './support/app-session.js';

let daemon: RunningDaemon;
let page: Page;

useAppSession({ width: 1280, height: 900 }, (session) => ({ daemon, page } = session));
const text = (testId: string): Promise<string> => testIdText(page, testId);

describe('the validator, from the pages', () => {
  it('starts the validator from the Overview and shows a scored round', async () => {
    await page.goto(daemon.url);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect.poll(() => text('network-kind'), { timeout: 30_000 }).toMatch(/local/i);
    await expect.poll(() => text('validator-state'), { timeout: 15_000 }).toBe('stopped');
    await page.getByRole('button', { name: 'Start validator' }).click();
    await expect.poll(() => text('validator-state'), { timeout: 60_000 }).toBe('running');
    await expect.poll(() => text('validator-rounds'), { timeout: 120_000 }).toMatch(/^[1-9]\d* done/);
    expect(await text('validator-last')).toMatch(/round \d+/);
    await expect.poll(() => page.getByTestId('validator-score').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByTestId('validator').screenshot({ path: join(SCREENSHOTS, 'validator-overview.png') });
  }, 180_000);

  it('lists the received answers on Generations, with a waveform that plays', async () => {
    await page.getByRole('link', { name: 'Generations', exact: true }).click();
    await page.getByRole('tab', { name: 'Received (validator)' }).click();
    const answers = page.getByRole('list', { name: 'Received answers' }).getByTestId('validator-answer');
    await expect.poll(() => answers.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The newest answer with audio (a miner may have timed out).
    const withAudio = answers.filter({ hasNotText: 'no audio' });
    await expect.poll(() => withAudio.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await withAudio.first().getByRole('button').click();

    // The detail renders as the answer's data arrives: wait for each part rather than read it once.
    await expect.poll(() => text('answer-score'), { timeout: 15_000 }).toMatch(/→/);
    await expect.poll(() => text('answer-judgement'), { timeout: 15_000 }).not.toBe('');
    // The answer's own player (its round's reference has one beside it: the next test).
    const own = page.getByTestId('answer-clip');
    const waveform = own.getByRole('group', { name: 'Waveform' });
    await expect.poll(() => waveform.getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');
    expect(await own.getByTestId('clip-status').textContent()).not.toContain('Could not load');
    await page.screenshot({ path: join(SCREENSHOTS, 'validator-answers.png'), fullPage: true });

    const audio = own.getByTestId('clip-audio');
    await own.getByTestId('clip-play').click();
    await expect
      .poll(() => audio.evaluate((element) => (element as HTMLAudioElement).currentTime), { timeout: 15_000 })
      .toBeGreaterThan(0.2);
  }, 120_000);

  it("plays a scored answer and its round's reference clip side by side", async () => {
    // A fresh page, so no player is left playing from the test before.
    await page.goto(daemon.url);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');
    await page.getByRole('link', { name: 'Generations', exact: true }).click();
    await page.getByRole('tab', { name: 'Received (validator)' }).click();
    // The local network's prompts come with synthetic reference clips, kept by the validator per round.
    const scored = page
      .getByRole('list', { name: 'Received answers' })
      .getByTestId('validator-answer')
      .filter({ has: page.getByText('scored', { exact: true }) });
    await expect.poll(() => scored.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await scored.first().getByRole('button').click();
    await expect.poll(() => text('answer-score'), { timeout: 15_000 }).toMatch(/→ \d/);

    const sides = { answer: page.getByTestId('answer-clip'), reference: page.getByTestId('reference-clip') };
    expect(await sides.reference.getByRole('heading').textContent()).toMatch(/^Reference clip “synthetic-\d+\.wav”$/);
    for (const [name, side] of Object.entries(sides)) {
      // Both media URLs answer 200 with a WAV, as the <audio> element fetches them.
      const href = (await side.getByTestId('clip-save').getAttribute('href')) ?? '';
      expect(href, name).toMatch(
        name === 'reference' ? /\/media\/validator\/\d+-reference\.wav\?/ : /\/media\/validator\//,
      );
      const reply = await page.request.get(new URL(href, page.url()).toString());
      expect({ name, status: reply.status(), type: reply.headers()['content-type'] }).toEqual({
        name,
        status: 200,
        type: 'audio/wav',
      });
      expect((await reply.body()).subarray(0, 4).toString('ascii')).toBe('RIFF');
      const waveform = side.getByRole('group', { name: 'Waveform' });
      await expect.poll(() => waveform.getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');
      expect(await side.getByTestId('clip-status').textContent()).not.toContain('Could not load');
    }
    await page.getByTestId('answer-detail').screenshot({ path: join(SCREENSHOTS, 'validator-reference.png') });

    // Play on each side starts that side's own audio.
    for (const [name, side] of Object.entries(sides)) {
      const audio = side.getByTestId('clip-audio');
      await side.getByTestId('clip-play').click();
      await expect
        .poll(() => audio.evaluate((element) => (element as HTMLAudioElement).currentTime), {
          timeout: 15_000,
          message: `${name} plays`,
        })
        .toBeGreaterThan(0.2);
      expect(await side.getByTestId('clip-play').textContent()).toBe('Pause');
    }
  }, 120_000);

  it('shows the validator points on Rewards', async () => {
    await page.getByRole('link', { name: 'Rewards', exact: true }).click();
    await expect.poll(() => page.getByTestId('validator-point').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('validator-rewards').getByTestId('validator-score').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'validator-rewards.png'), fullPage: true });
  }, 60_000);
});
