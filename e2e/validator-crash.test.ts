/**
 * kill -9 of the built daemon while its validator is in the middle of a round on the local
 * network, then a new daemon on the same data folder: the moving averages are exactly those the
 * last scored round stored (no half-applied round), the round that was cut is closed as
 * interrupted (never left open, nobody punished for it), its stored answers are still there, and
 * the validator runs and scores rounds again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callDaemon, until } from './support/api.js';
import { startBuiltDaemon, type RunningDaemon } from './support/daemon.js';

const dataDir = mkdtempSync(join(tmpdir(), 'bittaudio-e2e-validator-crash-'));
const daemons: RunningDaemon[] = [];
afterAll(async () => {
  for (const daemon of daemons) await daemon.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== 'linux')('kill -9 of the daemon mid-round', () => {
  it('keeps the moving averages, closes the cut round cleanly, and validates again after a restart', async () => {
    const first = await startBuiltDaemon({ dataDir });
    daemons.push(first);
    await until(async () => ((await callDaemon(first, 'network.status')).state === 'running' ? true : undefined));
    await callDaemon(first, 'validator.start', {});
    // At least one round scored, and the next one under way.
    const mid = await until(async () => {
      const s = await callDaemon(first, 'validator.status');
      return s.last && s.roundsDone >= 1 && s.current ? s : undefined;
    });
    const cut = mid.current?.id ?? 0;

    const exited = new Promise((resolve) => first.process.once('exit', resolve));
    first.process.kill('SIGKILL');
    await exited;

    const second = await startBuiltDaemon({ dataDir });
    daemons.push(second);
    const after = await callDaemon(second, 'validator.status');
    expect(after.state).toBe('stopped');
    expect(after.hotkey).toBe(mid.hotkey);
    // No round is left open: the one killed mid-way was either scored before the kill or closed now.
    expect(after.last?.state).toMatch(/^(done|interrupted)$/);
    const answers = await callDaemon(second, 'validator.answers', { limit: 200 });
    expect(answers.total).toBeGreaterThan(0);
    // EMA intact: each uid's moving average is the score its newest scored answer left.
    for (const score of after.scores) {
      const newest = answers.items.find((a) => a.uid === score.uid && a.scoreAfter !== null);
      if (newest) expect(score.score).toBeCloseTo(newest.scoreAfter ?? -1, 12);
    }
    // Scores are kept for the uids the rounds met, and the good miners' are above 0 (the tiny CLAP's
    // towers share a direction so its gate opens: models/tiny/README.md).
    expect(after.scores.length).toBeGreaterThan(0);
    expect(after.scores.some((s) => s.score > 0)).toBe(true);
    expect(after.scores.every((s) => answers.items.some((a) => a.uid === s.uid))).toBe(true);
    // The cut round's answers never reached the scores.
    const cutAnswers = await callDaemon(second, 'validator.answers', { limit: 200, roundId: cut });
    if (after.last?.id === cut && after.last.state === 'interrupted') {
      for (const answer of cutAnswers.items) expect(answer.scoreAfter).toBeNull();
    }

    // It validates again: a new round is scored after the restart.
    await until(async () => ((await callDaemon(second, 'network.status')).state === 'running' ? true : undefined));
    await callDaemon(second, 'validator.start', {});
    const again = await until(async () => {
      const s = await callDaemon(second, 'validator.status');
      return s.roundsDone >= 1 ? s : undefined;
    });
    expect(again.last?.state).toBe('done');
    expect(again.last?.id ?? 0).toBeGreaterThan(cut);
  }, 180_000);
});
