/**
 * `bittaudio validator` as a user runs it, against the local network's devnet with real local
 * miners (one good, one silent, one replaying): a btcli wallet on disk whose hotkey is registered
 * and staked, the Python validator's flags, rounds stored in the data folder.
 */
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ValidatorRoundEvent } from '../../../src-shared/schemas/validator.js';
import type { Chain } from '../../chain/chain.js';
import { RAO_PER_TAO } from '../../chain/units.js';
import { bundleWorker, type WorkerBundle } from '../../inference/worker/testing/worker-bundle.js';
import { LogRoot } from '../../log/logger.js';
import { LocalNetwork } from '../../neuron/local-network.js';
import { openDatabase } from '../../store/database.js';
import { ValidatorStore } from '../../store/validator-store.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import { WalletStore } from '../../wallet/store.js';
import { registerValidatorCommand, type ValidatorCliIo } from './validator.js';

const tempDir = useTempDirs();
const networks: LocalNetwork[] = [];
let bundle: WorkerBundle | undefined;
beforeAll(async () => {
  bundle = await bundleWorker('validator-cli-test');
}, 60_000);
afterAll(() => bundle?.remove());
afterEach(async () => {
  for (const network of networks.splice(0)) await network.stop();
});

function io(chain: Chain, patch: Partial<ValidatorCliIo> = {}): ValidatorCliIo {
  return {
    err: () => undefined,
    env: {},
    home: tempDir(),
    // The network outlives the command: closing it there would stop the local miners' chain.
    openChain: () => Promise.resolve(chainWithoutClose(chain)),
    untilStopped: () => new Promise(() => undefined),
    workerEntry: bundle?.entry ?? null,
    ...patch,
  };
}

function chainWithoutClose(chain: Chain): Chain {
  return new Proxy(chain, {
    get: (target, key) => {
      if (key === 'close') return () => Promise.resolve();
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function run(args: string[], cliIo: ValidatorCliIo): Promise<unknown> {
  const program = new Command('bittaudio').exitOverride();
  registerValidatorCommand(program, cliIo);
  return program.parseAsync(['node', 'bittaudio', 'validator', ...args]).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('bittaudio validator', () => {
  it(
    'validates with a btcli wallet and the Python flags: rounds scored and kept, stops on a signal',
    { timeout: 120_000 },
    async () => {
      const network = await LocalNetwork.start({
        log: new LogRoot(() => undefined).logger('local'),
        blockTimeMs: null,
        miners: 3,
        behaviours: ['good', 'silent', 'replay'],
      });
      networks.push(network);
      await network.testValidator.stop();
      const walletPath = tempDir();
      const wallets = new WalletStore({ root: walletPath, env: {} });
      const { ss58Address: hotkey } = await wallets.createHotkey('validator1', 'default');
      await wallets.regenerateColdkeypub('validator1', { ss58Address: network.devnet.spare.coldkey.address });
      expect((await network.chain.burnedRegister(network.devnet.spare.coldkey, network.netuid, hotkey)).ok).toBe(true);
      // Miners turn away callers with less than 10 000 alpha.
      network.chain.addStake(network.netuid, hotkey, 20_000n * RAO_PER_TAO);
      // The miners learn new callers from the metagraph every 5 blocks; until then they answer 403.
      network.chain.advance(5);
      await new Promise((resolve) => setTimeout(resolve, 500));

      let stop: (reason: string) => void = () => undefined;
      const rounds: ValidatorRoundEvent[] = [];
      let err = '';
      const dataDir = tempDir();
      const finished = run(
        [
          ...['--netuid', '50', '--wallet.path', walletPath, '--wallet.name', 'validator1'],
          ...['--alpha', '0.2', '--logging.debug', '--miners-per-round', '2', '--scoring-profile', 'fixed'],
          ...['--duration', '28', '--timeout', '3', '--data-dir', dataDir, '--scoring-tiny'],
        ],
        io(network.chain, {
          err: (text) => (err += text),
          untilStopped: () => new Promise((resolve) => (stop = resolve)),
          onRound: (event) => rounds.push(event),
        }),
      );
      // Rounds run on blocks: two rounds of two miners cover all three served miners.
      for (let i = 0; i < 40 && rounds.filter((r) => r.round.state === 'done').length < 2; i++) {
        network.chain.advance();
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      stop('received SIGTERM');
      expect(await finished).toBeUndefined();
      const done = rounds.filter((r) => r.round.state === 'done');
      expect(done.length).toBeGreaterThanOrEqual(2);
      expect(done[0]?.round).toMatchObject({ profile: 'fixed', durationTokens: 28, timeoutSeconds: 3 });
      expect(done[0]?.round.uids).toHaveLength(2);
      // Every served local miner was asked once before any was asked twice (a shuffled pass).
      const asked = done.flatMap((r) => r.round.uids).slice(0, 3);
      expect(new Set(asked)).toEqual(new Set(network.localMiners.map((m) => m.uid)));
      expect(err).toMatch(/Validator running/);
      expect(err).toMatch(/Stopping: received SIGTERM/);

      const store = new ValidatorStore(openDatabase(dataDir), dataDir);
      const scope = `${hotkey}@50`;
      const scores = store.scores(scope);
      const [good, silent, replay] = network.localMiners;
      if (!good || !silent || !replay) throw new Error('three miners expected');
      // Half-second clips fail the signal checks' 1 s floor (and `fixed` zeroes clips under 12.5 s): even the good one scores 0 here.
      expect(scores.get(silent.uid)?.score ?? 0).toBe(0);
      // The answers of the scored rounds (a round still running at the signal was closed unscored).
      const scored = (uid: number) => store.answers({ uid }).find((a) => done.some((r) => r.round.id === a.roundId));
      // The bundled prompts carry no reference clip, so the replaying miner has none to replay here
      // (the engine's local-network test covers the replay); it was asked all the same.
      expect(scored(replay.uid)).toBeDefined();
      expect(scored(silent.uid)?.judgement).toMatchObject({ punish: true });
      // The clip is sampled (random prompt and seed): other signal problems (a DC offset) may come with it.
      expect(scored(good.uid)).toMatchObject({
        statusCode: 200,
        metrics: { rejection: { kind: 'bad_signal', problems: expect.arrayContaining(['too-short']) as unknown } },
        judgement: { punish: false },
      });
      expect(scored(silent.uid)).toMatchObject({ metrics: { rejection: { kind: 'no_answer' } } });
      expect(store.lastRound(scope)?.state).toMatch(/^(done|interrupted)$/);
    },
  );

  it('refuses an unregistered hotkey with how to register, and a bad alpha before anything runs', async () => {
    const network = await LocalNetwork.start({
      log: new LogRoot(() => undefined).logger('local'),
      blockTimeMs: null,
      miners: 0,
    });
    networks.push(network);
    const walletPath = tempDir();
    const wallets = new WalletStore({ root: walletPath, env: {} });
    await wallets.createHotkey('default', 'default');
    await wallets.regenerateColdkeypub('default', { ss58Address: network.devnet.spare.coldkey.address });
    const error = await run(
      ['--wallet.path', walletPath, '--data-dir', tempDir(), '--scoring-tiny'],
      io(network.chain),
    );
    expect(String(error)).toMatch(
      /is not registered on subnet 50\. Registering burns .* bittaudio wallet register --netuid 50/,
    );
    const bad = await run(['--alpha', '1.5', '--wallet.path', walletPath], io(network.chain));
    expect(String(bad)).toMatch(/alpha is a number from 0 to 1/);
    const badPrompts = await run(['--prompts', 'ftp:somewhere', '--wallet.path', walletPath], io(network.chain));
    expect(String(badPrompts)).toMatch(/--prompts ftp:somewhere/);
    // The default scoring models are not installed in a fresh data folder: every one is named.
    const noModels = await run(['--wallet.path', walletPath, '--data-dir', tempDir()], io(network.chain));
    expect(String(noModels)).toMatch(/The validator cannot score: .*scoringClapModel.*scoringClassifierModel/);
    const noWorker = await run(
      ['--wallet.path', walletPath, '--scoring-tiny'],
      io(network.chain, { workerEntry: null }),
    );
    expect(String(noWorker)).toMatch(/inference worker is missing/);
  });
});
