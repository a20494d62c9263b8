/**
 * The validator through the engine's Host API handlers on the real local network (devnet, local
 * miners with the tiny model on loopback axons, one good, one silent, one replaying), SQLite and
 * WAV files in a temp folder. Blocks advance when the test says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { commands, events as eventSchemas, type HostEvent } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import { openDatabase } from '../store/database.js';
import { ValidatorStore } from '../store/validator-store.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { Engine } from './engine.js';

const tempDir = useTempDirs();
const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.shutdown();
});

function engine(dataDir = tempDir()): { engine: Engine; events: HostEvent[] } {
  const made = new Engine({
    dataDir,
    host: 'daemon',
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
      const status = await e.handlers['validator.start']({ minersPerRound: 10 });
      expect(commands['validator.start'].output.parse(status)).toMatchObject({
        state: 'running',
        hotkey: local.validatorHotkey.address,
        netuid: 50,
        profile: 'bittaudio-1.1.3',
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
      const running = await e.handlers['validator.status']({});
      expect(running.scores.find((s) => s.uid === good?.uid)?.score).toBeGreaterThan(0.5);

      const stopped = await e.handlers['validator.stop']({});
      expect(stopped).toMatchObject({ state: 'stopped', hotkey: local.validatorHotkey.address });
      // Stopped, the status reads the moving averages from the store.
      expect(stopped.scores.find((s) => s.uid === good?.uid)?.score).toBeGreaterThan(0.5);
      expect(local.localMiners.map((m) => m.behaviour)).toEqual(['good', 'good', 'good']);
    },
  );

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
});
