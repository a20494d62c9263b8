/**
 * The validator through the engine's Host API handlers on the real local network (devnet, local
 * miners with the tiny model on loopback axons, one good, one silent, one replaying), scored by
 * the real round scorer on the tiny CLAP/AST/VGGish in a real inference worker process (the worker
 * entry bundled with esbuild, as the build does), weights through the chain weight setter, SQLite
 * and WAV files in a temp folder. Blocks advance when the test says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commands, events as eventSchemas, type HostEvent } from '../../src-shared/api/contract.js';
import type { ValidatorStatus } from '../../src-shared/schemas/validator.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import { blocksUntilNextEpoch } from '../chain/epoch.js';
import { openDatabase } from '../store/database.js';
import { ValidatorStore } from '../store/validator-store.js';
import { forkWorker } from '../inference/worker/worker-client.js';
import { bundleWorker, type WorkerBundle } from '../inference/worker/testing/worker-bundle.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../../src-shared/schemas/settings.js';
import { LogRoot } from '../log/logger.js';
import { findTinyScoringModels } from '../neuron/validator-assembly.js';
import { WalletStore } from '../wallet/store.js';
import { Engine } from './engine.js';
import { EventBus } from './events.js';
import { ValidatorService } from './validator-service.js';

const tempDir = useTempDirs();
const engines: Engine[] = [];
let bundle: WorkerBundle | undefined;
beforeAll(async () => {
  bundle = await bundleWorker('validator-service-test');
}, 60_000);
afterAll(() => bundle?.remove());
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.shutdown();
});

function engine(dataDir = tempDir(), options: { worker?: boolean } = {}): { engine: Engine; events: HostEvent[] } {
  const entry = bundle?.entry;
  const made = new Engine({
    dataDir,
    host: 'daemon',
    ...(options.worker !== false && entry ? { spawnWorker: () => forkWorker(entry) } : {}),
    networkService: { local: { blockTimeMs: null, miners: 3 } },
  });
  engines.push(made);
  const seen: HostEvent[] = [];
  made.events.subscribe((event) => seen.push(event));
  return { engine: made, events: seen };
}

describe('ValidatorService', () => {
  it('answers unavailable with the reason before a network is up', async () => {
    const { engine: e } = engine();
    expect(commands['validator.status'].output.parse(await e.handlers['validator.status']({}))).toMatchObject({
      state: 'stopped',
      scores: [],
      last: null,
    });
    await expect(e.handlers['validator.start']({})).rejects.toThrow(HostApiError);
    await expect(e.handlers['validator.start']({})).rejects.toThrow(/No network is up/);
  });

  it(
    'validates on the local network with its validator hotkey: rounds, answers, events; stop hands back',
    { timeout: 120_000 },
    async () => {
      const { engine: e, events } = engine();
      await e.network.start();
      const local = e.network.local;
      if (!local) throw new Error('no local network');
      const status = await e.handlers['validator.start']({ minersPerRound: 10, profile: 'fixed' });
      expect(commands['validator.start'].output.parse(status)).toMatchObject({
        state: 'running',
        hotkey: local.validatorHotkey.address,
        netuid: 50,
        profile: 'fixed',
        alpha: 0.1,
      });
      expect(local.localMiners.map((m) => m.behaviour)).toEqual(['good', 'silent', 'replay']);

      local.chain.advance();
      await expect
        .poll(() => events.find((event) => event.event === 'validator.round' && event.payload.round.state === 'done'), {
          timeout: 60_000,
        })
        .toBeDefined();
      for (const event of events.filter((ev) => ev.event.startsWith('validator.'))) {
        expect(() => eventSchemas[event.event].parse(event.payload)).not.toThrow();
      }
      const round = events.find((event) => event.event === 'validator.round')?.payload;
      const roundId = round && 'round' in round ? round.round.id : 0;
      const answers = commands['validator.answers'].output.parse(
        await e.handlers['validator.answers']({ limit: 50, offset: 0, roundId }),
      );
      expect(answers.total).toBe(3);
      const [good, silent] = local.localMiners;
      const goodAnswer = answers.items.find((a) => a.uid === good?.uid);
      expect(goodAnswer).toMatchObject({ statusCode: 200, route: 'sealed' });
      expect(goodAnswer?.wavFile).toMatch(/^validator\/.+\.wav$/);
      const one = await e.handlers['validator.answers']({ limit: 50, offset: 0, uid: silent?.uid ?? -1 });
      expect(one.items.map((a) => a.uid)).toEqual([silent?.uid]);
      const [, , replay] = local.localMiners;
      // The silent miner answered nothing and the replaying one sent the reference back: both 0, with the reason.
      const silentAnswer = answers.items.find((a) => a.uid === silent?.uid);
      const replayAnswer = answers.items.find((a) => a.uid === replay?.uid);
      expect(silentAnswer).toMatchObject({
        wavFile: null,
        metrics: { rejection: { kind: 'no_answer' } },
        judgement: { punish: true },
        scoreAfter: 0,
      });
      // Under `fixed` the replayed reference is caught by its fingerprint, not scored, punished.
      expect(replayAnswer).toMatchObject({
        metrics: { duplicate: { duplicate: true, near: { matched: 'reference' } } },
        judgement: { punish: true, note: 'duplicate_not_scored' },
        scoreAfter: 0,
      });
      // The good one's clip went through the models in the worker: every raw metric is there, and
      // it scored above 0 (the tiny CLAP's towers share a direction so its gate opens, and the half
      // second asked for counts as a full clip: validator-service.ts passes requestedSeconds).
      expect(goodAnswer).toMatchObject({
        metrics: { rejection: null, errors: [], duplicate: { duplicate: false } },
        judgement: { punish: false, note: 'scored' },
      });
      const raw = (goodAnswer?.metrics as { raw: Record<string, number> }).raw;
      for (const metric of ['clap', 'kld', 'fad']) expect(Number.isFinite(raw[metric])).toBe(true);
      expect((goodAnswer?.judgement as { update: number }).update).toBeGreaterThan(0);
      const running = await e.handlers['validator.status']({});
      const goodScore = running.scores.find((s) => s.uid === good?.uid)?.score ?? -1;
      expect(goodScore).toBeGreaterThan(0);
      for (const other of running.scores.filter((s) => s.uid !== good?.uid)) {
        expect(goodScore).toBeGreaterThan(other.score);
        expect(other.score).toBe(0);
      }

      // Weights on the chain from those scores (the first ones, sent before any score, weigh
      // everyone alike): blocks until an included set puts the good miner above both bad ones.
      type Weights = NonNullable<ValidatorStatus['lastWeights']>;
      const weightOf = (w: Weights, uid: number | undefined) => w.weights[w.uids.indexOf(uid ?? -1)] ?? 0;
      const apart = (w: Weights) => [silent, replay].every((o) => weightOf(w, good?.uid) > weightOf(w, o?.uid));
      let weights: Weights | null = null;
      await expect
        .poll(
          async () => {
            local.chain.advance();
            const last = (await e.handlers['validator.status']({})).lastWeights;
            if (last?.state === 'included' && apart(last)) weights = last;
            return weights;
          },
          { timeout: 30_000, interval: 200 },
        )
        .not.toBeNull();
      const included = weights as Weights | null;
      if (!included) throw new Error('no weights');
      expect(weightOf(included, good?.uid)).toBe(Math.max(...included.weights));
      // After the next epoch (chain/epoch.ts) the metagraph's incentive follows them.
      const { netuid, tempo } = await e.handlers['network.metagraph']({});
      local.chain.advanceTo(included.block + blocksUntilNextEpoch(netuid, tempo, included.block + 1) + 2);
      const graph = await e.handlers['network.metagraph']({});
      const incentive = (uid: number | undefined) => graph.neurons.find((n) => n.uid === uid)?.incentive ?? 0;
      for (const other of [silent, replay]) expect(incentive(good?.uid)).toBeGreaterThan(incentive(other?.uid));
      expect(incentive(good?.uid)).toBe(Math.max(...graph.neurons.map((n) => n.incentive)));

      // The round's metagraph gave our permit; a weights submission moves the next weights block by the cadence.
      expect(running.permit).toMatchObject({ stake: expect.stringMatching(/^\d+$/) as unknown });
      let submitted: HostEvent | undefined;
      for (let i = 0; i < 20 && !submitted; i++) {
        local.chain.advance();
        await new Promise((resolve) => setTimeout(resolve, 200));
        submitted = events.find((event) => event.event === 'validator.weights');
      }
      const submittedWeights = submitted?.event === 'validator.weights' ? submitted.payload : null;
      if (!submittedWeights) throw new Error('no weights were submitted in 20 blocks');
      const hyper = await local.chain.hyperparameters(50);
      const afterWeights = commands['validator.status'].output.parse(await e.handlers['validator.status']({}));
      const last = afterWeights.lastWeights ?? submittedWeights;
      expect(afterWeights.nextWeightsBlock).toBe(
        last.block + (last.state === 'failed' ? 10 : Math.max(5, hyper.weightsRateLimit)),
      );
      // The history has the scored answers per miner and the weights that reached the chain.
      const history = commands['validator.history'].output.parse(
        await e.handlers['validator.history']({ range: 'all' }),
      );
      expect(history).toMatchObject({ hotkey: local.validatorHotkey.address, netuid: 50, range: 'all' });
      const goodHistory = history.miners.find((miner) => miner.uid === good?.uid);
      expect(goodHistory?.scores.length).toBeGreaterThan(0);
      if (last.state !== 'failed') {
        const shares = history.miners.flatMap((miner) => miner.weights.filter((point) => point.block === last.block));
        expect(shares.reduce((sum, point) => sum + point.value, 0)).toBeCloseTo(1, 6);
      }

      const stopped = await e.handlers['validator.stop']({});
      expect(stopped).toMatchObject({
        state: 'stopped',
        hotkey: local.validatorHotkey.address,
        nextWeightsBlock: null,
      });
      // Stopped, the status reads the moving averages from the store: the score the good miner's
      // newest scored answer left (rounds went on while the blocks above were made).
      const goodAnswers = await e.handlers['validator.answers']({ limit: 200, offset: 0, uid: good?.uid ?? -1 });
      const newest = goodAnswers.items.find((a) => a.scoreAfter !== null);
      expect(newest?.scoreAfter).toBeGreaterThan(0);
      expect(stopped.scores.find((s) => s.uid === good?.uid)?.score).toBe(newest?.scoreAfter);
      expect(local.localMiners.map((m) => m.behaviour)).toEqual(['good', 'good', 'good']);
    },
  );

  it('does not start without an inference worker to score in, and hands the miners back', async () => {
    const { engine: e } = engine(tempDir(), { worker: false });
    await e.network.start();
    await expect(e.handlers['validator.start']({})).rejects.toThrow(/inference worker/);
    expect(e.validator.status()).toMatchObject({ state: 'failed', error: expect.stringMatching(/inference worker/) });
    expect(e.network.local?.localMiners.map((m) => m.behaviour)).toEqual(['good', 'good', 'good']);
  });

  it('closes a round a killed engine left open when the next engine starts', () => {
    const dataDir = tempDir();
    const store = new ValidatorStore(openDatabase(dataDir), dataDir);
    store.setScores('5Validator@50', [{ uid: 2, hotkey: '5Miner', score: 0.3 }], '2026-12-03T07:00:00.000Z');
    store.openRound({
      scope: '5Validator@50',
      started: '2026-12-03T07:00:00.000Z',
      block: 7,
      promptId: 'bundled:0',
      prompt: 'p',
      promptSource: 'bundled',
      referenceName: null,
      profile: 'fixed',
      durationTokens: 28,
      timeoutSeconds: 10,
      uids: [2],
    });
    const { engine: e } = engine(dataDir);
    const status = e.validator.status();
    expect(status).toMatchObject({
      state: 'stopped',
      hotkey: '5Validator',
      netuid: 50,
      last: { state: 'interrupted', uids: [2] },
      scores: [{ uid: 2, hotkey: '5Miner', score: 0.3 }],
    });
  });

  it(
    'on a real network takes the prompt source of Settings → Validator (a folder here) for its rounds',
    { timeout: 120_000 },
    async () => {
      // The local network's chain and miners, presented as a real network: what differs is the path
      // the service takes (wallet hotkey, scoring models of the settings, the configured prompts).
      const { engine: e } = engine();
      await e.network.start();
      const local = e.network.current();
      if (!local || !bundle) throw new Error('no local network or worker bundle');
      const walletPath = tempDir();
      const wallets = new WalletStore({ root: walletPath, env: {} });
      await wallets.createColdkey('validator', { password: 'a long test password' });
      await wallets.createHotkey('validator', 'v1');
      const folder = tempDir();
      writeFileSync(join(folder, 'prompts.csv'), 'prompt\nA lonely oboe over slow strings\n');
      const dataDir = tempDir();
      const db = openDatabase(dataDir);
      const events = new EventBus();
      const seen: HostEvent[] = [];
      events.subscribe((event) => seen.push(event));
      const entry = bundle.entry;
      const service = new ValidatorService({
        network: { current: () => ({ ...local, kind: 'remote' }), onChange: () => () => undefined },
        local: () => null,
        settings: {
          get: () => ({
            ...DEFAULT_SETTINGS,
            walletName: 'validator',
            walletHotkey: 'v1',
            walletPath,
            validatorPrompts: { kind: 'folder', path: folder },
          }),
        },
        events,
        logger: (source) => new LogRoot(() => undefined).logger(source),
        store: new ValidatorStore(db, dataDir),
        db,
        dataDir,
        env: {},
        spawnWorker: forkWorker(entry),
        scoringModels: async () => {
          const models = findTinyScoringModels();
          if (!models) throw new Error('the tiny scoring models are missing');
          return models;
        },
      });
      try {
        const status = await service.start({ profile: 'fixed' });
        expect(status.prompts).toBe(`folder:${folder} (not loaded yet)`);
        e.network.local?.chain.advance();
        await expect
          .poll(() => seen.find((event) => event.event === 'validator.round'), { timeout: 60_000 })
          .toBeDefined();
        const round = seen.find((event) => event.event === 'validator.round')?.payload;
        expect(round && 'round' in round ? round.round : null).toMatchObject({
          prompt: 'A lonely oboe over slow strings',
          promptSource: `folder:${folder}`,
        });
        expect(service.status().prompts).toMatch(new RegExp(`^folder:${folder} \\(1 prompts`));
      } finally {
        await service.stop();
      }
    },
  );
});
