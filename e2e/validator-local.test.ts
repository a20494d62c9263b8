/**
 * Issue #12's acceptance on the built daemon's local network, through the Host API: the validator
 * (real prompt source of the local network, real round scorer on the tiny CLAP/AST/VGGish in an
 * inference worker process, chain weight setter) queries the three local miners, which then behave
 * as good, silent and replaying; the silent one is punished (`no_answer`), the replaying one is
 * caught by its fingerprint under `fixed`, the good one's clip is scored on every metric; its WAV
 * is served by the media route; rounds and answers are in SQLite (read back through the API).
 * The tiny models have random weights: whether CLAP's gate opens for the good miner is chance, so
 * no score ranking beyond "good ≥ the others" is asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDaemon, until } from './support/api.js';
import { startBuiltDaemon, type RunningDaemon } from './support/daemon.js';

let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startBuiltDaemon();
});
afterAll(async () => {
  await daemon?.stop();
});

describe('the validator on the local network of the built daemon', () => {
  it('queries good, silent and replaying miners, punishes the bad ones with reasons, serves the WAVs', async () => {
    await until(async () => ((await callDaemon(daemon, 'network.status')).state === 'running' ? true : undefined));
    const started = await callDaemon(daemon, 'validator.start', { profile: 'fixed' });
    expect(started).toMatchObject({ state: 'running', profile: 'fixed' });
    // Rounds until every local miner was asked in a scored round.
    const answers = await until(async () => {
      const page = await callDaemon(daemon, 'validator.answers', { limit: 200 });
      const scored = page.items.filter((a) => a.scoreAfter !== null || a.judgement !== null);
      return new Set(scored.map((a) => a.uid)).size >= 3 ? page : undefined;
    });
    const judged = answers.items.filter((a) => a.judgement !== null);
    const silent = judged.find(
      (a) => (a.metrics as { rejection?: { kind?: string } } | null)?.rejection?.kind === 'no_answer',
    );
    expect(silent).toMatchObject({ wavFile: null, judgement: { punish: true } });
    expect(silent?.failure).toBeTruthy();
    const replay = judged.find((a) => (a.judgement as { note?: string } | null)?.note === 'duplicate_not_scored');
    expect(replay).toMatchObject({ judgement: { punish: true }, metrics: { duplicate: { duplicate: true } } });
    const good = judged.find((a) => (a.judgement as { note?: string } | null)?.note === 'scored');
    expect(good).toBeDefined();
    expect(new Set([silent?.uid, replay?.uid, good?.uid]).size).toBe(3);

    // The good answer's WAV through the media route.
    const media = await fetch(`${daemon.origin}/media/${good?.wavFile}?token=${daemon.token}`);
    expect(media.status).toBe(200);
    expect(
      Buffer.from(await media.arrayBuffer())
        .subarray(0, 4)
        .toString('ascii'),
    ).toBe('RIFF');

    const status = await callDaemon(daemon, 'validator.status');
    expect(status.roundsDone).toBeGreaterThan(0);
    expect(status.last?.state).toBe('done');
    const score = (uid: number | undefined) => status.scores.find((s) => s.uid === uid)?.score ?? 0;
    expect(score(silent?.uid)).toBe(0);
    expect(score(replay?.uid)).toBe(0);
    expect(score(good?.uid)).toBeGreaterThanOrEqual(Math.max(score(silent?.uid), score(replay?.uid)));
    await callDaemon(daemon, 'validator.stop');
  }, 240_000);
});
