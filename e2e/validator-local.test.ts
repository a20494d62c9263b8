/**
 * Issue #12's acceptance on the built daemon's local network, through the Host API: the validator
 * (real prompt source of the local network, real round scorer on the tiny CLAP/AST/VGGish in an
 * inference worker process, chain weight setter) queries the three local miners, which then behave
 * as good, silent and replaying; the silent one is punished (`no_answer`), the replaying one is
 * caught by its fingerprint under `fixed`, the good one's clip is scored on every metric; its WAV
 * is served by the media route; rounds and answers are in SQLite (read back through the API).
 * The good miners' moving averages (the good local ones', and your miner's when the daemon runs
 * it) are then positive and above the bad ones', which stay at 0; the weights the validator
 * set on the (devnet) chain put every good miner above both bad ones, and after the next epoch the
 * metagraph's incentive follows them. (The tiny CLAP's towers share a direction so its gate opens for any
 * tonal clip, models/tiny/README.md: a positive score says the pipeline ran, not that the music
 * is good.)
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
  it('scores the good miners above the silent and replaying ones (0, with reasons), sets weights, and incentive follows', async () => {
    await until(async () => ((await callDaemon(daemon, 'network.status')).state === 'running' ? true : undefined));
    const started = await callDaemon(daemon, 'validator.start', { profile: 'fixed' });
    expect(started).toMatchObject({ state: 'running', profile: 'fixed' });
    // Every served miner: the local ones (good…, silent, replaying) and yours when it runs.
    const served = (await callDaemon(daemon, 'network.metagraph')).neurons
      .filter((n) => n.axon.port > 0 && n.hotkey !== started.hotkey)
      .map((n) => n.uid);
    expect(served.length).toBeGreaterThanOrEqual(3);
    // Rounds until every one of them was judged.
    const answers = await until(async () => {
      const page = await callDaemon(daemon, 'validator.answers', { limit: 200 });
      const judgedUids = new Set(page.items.filter((a) => a.judgement !== null).map((a) => a.uid));
      return served.every((uid) => judgedUids.has(uid)) ? page : undefined;
    });
    const judged = answers.items.filter((a) => a.judgement !== null);
    const note = (a: (typeof judged)[number]) => (a.judgement as { note?: string } | null)?.note;
    const silent = judged.find(
      (a) => (a.metrics as { rejection?: { kind?: string } } | null)?.rejection?.kind === 'no_answer',
    );
    expect(silent).toMatchObject({ wavFile: null, judgement: { punish: true } });
    expect(silent?.failure).toBeTruthy();
    const replay = judged.find((a) => note(a) === 'duplicate_not_scored');
    expect(replay).toMatchObject({ judgement: { punish: true }, metrics: { duplicate: { duplicate: true } } });
    const good = judged.find((a) => note(a) === 'scored');
    expect(good).toBeDefined();
    expect(new Set([silent?.uid, replay?.uid, good?.uid]).size).toBe(3);
    // The well-behaved miners (the good local ones and yours) are those whose answers were scored.
    const goods = [...new Set(judged.filter((a) => note(a) === 'scored').map((a) => a.uid))];
    const bads = [silent?.uid ?? -1, replay?.uid ?? -1];
    expect(goods.filter((uid) => bads.includes(uid))).toEqual([]);

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
    // The good clip cleared CLAP's gate and the duration penalty (judged against the half second asked for).
    expect((good?.judgement as { update?: number } | null)?.update).toBeGreaterThan(0);
    // Every good miner's moving average is positive and above the silent and replaying ones, which stay at 0.
    const score = (of: typeof status, uid: number) => of.scores.find((s) => s.uid === uid)?.score ?? 0;
    const scored = await until(async () => {
      const now = await callDaemon(daemon, 'validator.status');
      return goods.every((uid) => score(now, uid) > 0) ? now : undefined;
    });
    for (const uid of bads) expect(score(scored, uid)).toBe(0);
    const best = Math.max(...scored.scores.map((s) => s.score));
    expect(goods.some((uid) => score(scored, uid) === best)).toBe(true);

    // Weights set on the chain from those scores: every good miner weighs more than either bad one,
    // and the largest weight is a good miner's.
    const weightOf = (w: { uids: number[]; weights: number[] }, uid: number) => w.weights[w.uids.indexOf(uid)] ?? 0;
    const weights = await until(async () => {
      const last = (await callDaemon(daemon, 'validator.status')).lastWeights;
      const apart = (w: NonNullable<typeof last>) =>
        goods.every((g) => bads.every((b) => weightOf(w, g) > weightOf(w, b)));
      return last?.state === 'included' && apart(last) ? last : undefined;
    });
    expect(goods.some((uid) => weightOf(weights, uid) === Math.max(...weights.weights))).toBe(true);

    // After the next epoch the incentive follows them. The epoch runs in block E where
    // (E + netuid + 1) % (tempo + 1) == tempo (chain/epoch.ts); take the first one after the block
    // that included the weights, and read the metagraph once it has passed.
    const { netuid, tempo } = await callDaemon(daemon, 'network.metagraph');
    expect(tempo).toBeGreaterThan(0);
    let epochBlock = weights.block + 2;
    while ((epochBlock + netuid + 1) % (tempo + 1) !== tempo) epochBlock += 1;
    const metagraph = await until(async () => {
      const graph = await callDaemon(daemon, 'network.metagraph');
      return graph.block > epochBlock ? graph : undefined;
    });
    const incentive = (uid: number) => metagraph.neurons.find((n) => n.uid === uid)?.incentive ?? 0;
    for (const g of goods) for (const b of bads) expect(incentive(g)).toBeGreaterThan(incentive(b));
    const most = Math.max(...metagraph.neurons.map((n) => n.incentive));
    expect(goods.some((uid) => incentive(uid) === most)).toBe(true);
    await callDaemon(daemon, 'validator.stop');
  }, 240_000);
});
