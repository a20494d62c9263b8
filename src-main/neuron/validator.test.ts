/**
 * The validator's round loop for real: the devnet chain, local miners with the tiny MusicGen model
 * behind real axons on loopback (one good, one silent, one replaying the round's reference clip),
 * the real dendrite (sealed mode), the SQLite store, and weights on the devnet chain. Only the
 * interim scorer stands in for the model-based one (validator-parts.ts). Blocks are driven by hand.
 */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import { MUSIC_SAMPLE_RATE } from '../../src-shared/synapse/music-generation.js';
import { decodeWav } from '../audio/wav.js';
import { LogRoot } from '../log/logger.js';
import { openDatabase } from '../store/database.js';
import { ValidatorStore } from '../store/validator-store.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { LOCAL_VALIDATOR_DURATION_TOKENS, LocalNetwork } from './local-network.js';
import { Validator, type ValidatorOptions } from './validator.js';
import { PlainWeightSetter, SignalRoundScorer } from './validator-parts.js';
import type { WeightsSubmission } from './validator-ports.js';

const log = new LogRoot(() => undefined).logger('validator');
const tempDir = useTempDirs();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function network(): Promise<LocalNetwork> {
  const net = await LocalNetwork.start({ log, blockTimeMs: null, miners: 3, behaviours: ['good', 'silent', 'replay'] });
  cleanups.push(() => net.stop());
  return net;
}

function validator(net: LocalNetwork, store: ValidatorStore, patch: Partial<ValidatorOptions> = {}): Validator {
  const v = new Validator({
    chain: net.chain,
    netuid: net.netuid,
    hotkey: net.validatorHotkey,
    log,
    store,
    prompts: net.prompts,
    scorer: new SignalRoundScorer({ durationPenalty: false }),
    weights: new PlainWeightSetter({
      chain: net.chain,
      netuid: net.netuid,
      hotkey: net.validatorHotkey,
      log,
      everyBlocks: 1,
    }),
    durationTokens: LOCAL_VALIDATOR_DURATION_TOKENS,
    timeoutSeconds: 4,
    ...patch,
  });
  cleanups.push(() => v.stop());
  return v;
}

describe('Validator', () => {
  it(
    'scores good, silent and replaying local miners: the good one ends highest, the others punished, weights set',
    { timeout: 120_000 },
    async () => {
      const net = await network();
      await net.testValidator.stop();
      const [good, silent, replay] = net.localMiners;
      if (!good || !silent || !replay) throw new Error('three local miners expected');
      const dir = tempDir();
      const store = new ValidatorStore(openDatabase(dir), dir);
      const scope = `${net.validatorHotkey.address}@${net.netuid}`;
      // Earlier scores: every miner at 0.5, "your" unserved uid at 0.7, and a uid whose hotkey changed.
      store.setScores(
        scope,
        [
          { uid: good.uid, hotkey: good.hotkey, score: 0.5 },
          { uid: silent.uid, hotkey: silent.hotkey, score: 0.5 },
          { uid: replay.uid, hotkey: 'an-earlier-hotkey', score: 0.5 },
          { uid: net.yourMiner.uid, hotkey: net.yourMiner.hotkey.address, score: 0.7 },
        ],
        '2026-12-03T00:00:00.000Z',
      );
      const rounds: string[] = [];
      const submissions: WeightsSubmission[] = [];
      const v = validator(net, store, {
        onRound: (event) => rounds.push(`${event.round.id}:${event.round.state}`),
        onWeights: (submission) => submissions.push(submission),
      });
      v.start();

      const first = await v.runRound();
      expect(first).toMatchObject({ state: 'done', profile: 'bittaudio-1.1.3', durationTokens: 28 });
      // Only served miners are asked, never ourselves nor the unserved uid.
      expect([...(first?.uids ?? [])].sort()).toEqual([good.uid, silent.uid, replay.uid].sort());
      expect(rounds).toEqual([`${first?.id}:querying`, `${first?.id}:done`]);
      const scores = store.scores(scope);
      // Unserved: zeroed. Replaced hotkey: started again from 0, then punished for replaying.
      expect(scores.get(net.yourMiner.uid)?.score).toBe(0);
      expect(scores.get(replay.uid)).toMatchObject({ hotkey: replay.hotkey, score: 0 });
      // Good: 0.1·0.5 + 0.9·1. Silent: punish() from 0.5 = 0.1·0.5 + 0.9·(−0.0075).
      expect(scores.get(good.uid)?.score).toBeCloseTo(0.95, 10);
      expect(scores.get(silent.uid)?.score).toBeCloseTo(0.1 * 0.5 + 0.9 * -0.0075, 10);

      const answers = store.answers({ roundId: first?.id ?? 0 });
      const byUid = new Map(answers.map((a) => [a.uid, a]));
      expect(byUid.get(good.uid)).toMatchObject({ statusCode: 200, failure: null, route: 'sealed', scoreBefore: 0.5 });
      expect(byUid.get(good.uid)?.scoreAfter).toBeCloseTo(0.95, 10);
      expect(byUid.get(good.uid)?.samples).toBeGreaterThan(0);
      expect(byUid.get(good.uid)?.wavFile).toMatch(/^validator\/.+\.wav$/);
      expect(byUid.get(silent.uid)).toMatchObject({ wavFile: null, judgement: { punish: true } });
      expect(byUid.get(silent.uid)?.statusCode).not.toBe(200);
      expect(byUid.get(replay.uid)).toMatchObject({
        statusCode: 200,
        judgement: { punish: true, update: 0 },
        metrics: { duplicate: { duplicate: true, near: { matched: 'reference' } } },
      });
      // The round's reference clip is kept beside its answers, and every answer names it.
      expect(first?.referenceWavFile).toBe(`validator/${first?.id}-reference.wav`);
      expect(new Set(answers.map((a) => a.referenceWavFile))).toEqual(new Set([first?.referenceWavFile]));
      const kept = decodeWav(readFileSync(store.wavPath(first?.referenceWavFile ?? '')));
      const clip = net.prompts.referenceFor(first?.prompt ?? '');
      expect(kept).toMatchObject({ sampleRate: MUSIC_SAMPLE_RATE, channels: 1 });
      expect(kept.samples.length).toBe(clip?.length);
      expect(kept.samples[1234]).toBeCloseTo(clip?.[1234] ?? Number.NaN, 4);

      await v.runRound();
      const after = store.scores(scope);
      const goodScore = after.get(good.uid)?.score ?? 0;
      expect(goodScore).toBeGreaterThan(0.99);
      expect(goodScore).toBeGreaterThan(after.get(silent.uid)?.score ?? 1);
      expect(goodScore).toBeGreaterThan(after.get(replay.uid)?.score ?? 1);
      expect(after.get(silent.uid)?.score).toBe(0);

      // The next block hands the moving averages to the weight setter, which sets them on chain.
      net.chain.advance();
      await v.idle();
      await expect.poll(() => submissions.length, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(submissions[0]).toMatchObject({ mode: 'plain', state: 'included' });
      const validatorUid = (await net.chain.uidOf(net.netuid, net.validatorHotkey.address)) ?? -1;
      const weights = new Map(net.chain.weightsOf(net.netuid, validatorUid));
      expect(weights.get(good.uid)).toBe(65535);
      expect(weights.get(silent.uid) ?? 0).toBe(0);
    },
  );

  it(
    'a reference clip that cannot be kept is logged and the round is scored without it',
    { timeout: 120_000 },
    async () => {
      const net = await network();
      await net.testValidator.stop();
      const dir = tempDir();
      const store = new ValidatorStore(openDatabase(dir), dir);
      // The first round's reference name is taken by a folder: the rename onto it fails, as a full
      // or read-only disk would make the write fail.
      mkdirSync(join(dir, 'validator', '1-reference.wav', 'in-the-way'), { recursive: true });
      const lines: Omit<LogEntry, 'id'>[] = [];
      const v = validator(net, store, { log: new LogRoot((line) => lines.push(line)).logger('validator') });
      v.start();
      const round = await v.runRound();
      expect(round).toMatchObject({ id: 1, state: 'done', referenceWavFile: null });
      const answers = store.answers({ roundId: 1 });
      expect(answers).toHaveLength(3);
      expect(answers.every((a) => a.referenceWavFile === null && a.judgement !== null)).toBe(true);
      expect(answers.some((a) => a.wavFile !== null)).toBe(true);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: expect.stringContaining("Could not keep the round's reference clip"),
          fields: expect.objectContaining({ round: 1, reference: expect.stringMatching(/^synthetic-\d+\.wav$/) }),
        }),
      );
      // No half-written temp file is left beside the answers.
      expect(readdirSync(join(dir, 'validator')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    },
  );

  it(
    'stopping mid-round closes the round as interrupted and punishes nobody; a new run keeps the scores',
    { timeout: 120_000 },
    async () => {
      const net = await network();
      await net.testValidator.stop();
      const [good, silent] = net.localMiners;
      if (!good || !silent) throw new Error('local miners expected');
      const dir = tempDir();
      const store = new ValidatorStore(openDatabase(dir), dir);
      const scope = `${net.validatorHotkey.address}@${net.netuid}`;
      store.setScores(scope, [{ uid: silent.uid, hotkey: silent.hotkey, score: 0.5 }], '2026-12-03T00:00:00.000Z');
      const v = validator(net, store, { timeoutSeconds: 60 });
      v.start();
      const round = v.runRound();
      // The silent miner holds the round open; stop while it waits.
      await expect.poll(() => store.answers().some((a) => a.uid === good.uid), { timeout: 30_000 }).toBe(true);
      await v.stop();
      await expect(round).resolves.toBeNull();
      const last = store.lastRound(scope);
      expect(last).toMatchObject({ state: 'interrupted' });
      expect(store.scores(scope).get(silent.uid)?.score).toBe(0.5);

      const again = validator(net, new ValidatorStore(openDatabase(dir), dir));
      again.start();
      expect(again.status().scores).toEqual([expect.objectContaining({ uid: silent.uid, score: 0.5 })]);
    },
  );

  it(
    'keeps but does not score a 403 (a miner whose blacklist refuses us), as the reference does',
    { timeout: 120_000 },
    async () => {
      const net = await network();
      await net.testValidator.stop();
      await cryptoWaitReady();
      // A hotkey the miners have not seen in their metagraph yet: they refuse it with 403.
      const newcomer = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//ValidatorNewcomer');
      expect((await net.chain.burnedRegister(net.devnet.spare.coldkey, net.netuid, newcomer.address)).ok).toBe(true);
      const dir = tempDir();
      const store = new ValidatorStore(openDatabase(dir), dir);
      const v = validator(net, store, {
        hotkey: newcomer,
        weights: new PlainWeightSetter({ chain: net.chain, netuid: net.netuid, hotkey: newcomer, log }),
      });
      v.start();
      const round = await v.runRound();
      expect(round?.state).toBe('done');
      const answers = store.answers({ roundId: round?.id ?? 0 });
      expect(answers).toHaveLength(3);
      for (const answer of answers) {
        expect(answer).toMatchObject({ statusCode: 403, judgement: null, scoreAfter: null });
      }
      expect(store.scores(v.scope).size).toBe(0);
    },
  );
});
