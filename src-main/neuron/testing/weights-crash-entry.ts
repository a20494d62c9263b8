/**
 * A validator's weights half as a process of its own, for the kill -9 test
 * (weight-setter-kill.runtime.test.ts; weights-crash-process.ts starts it): the real ChainWeightSetter on the real SQLite data folder,
 * connected by @polkadot/api to a subtensor node that lives in another process (chopsticks), so
 * the chain keeps what was sent when this process dies.
 *
 * The moving averages come from the ValidatorStore, as the validator loads them at start, and go
 * to the setter on every new block. One JSON line on stdout per thing the test waits for:
 * `ready`, `block` (after the setter's pass over that block, with its status), `paused`.
 *
 * Test-only configuration, by environment:
 *   BITTAUDIO_CRASH_ENDPOINT   the node's ws:// URL
 *   BITTAUDIO_CRASH_DATA_DIR   the data folder (bittaudio.sqlite)
 *   BITTAUDIO_CRASH_NETUID     the subnet
 *   BITTAUDIO_CRASH_HOTKEY     a development key URI such as //Charlie (never a real secret)
 *   BITTAUDIO_CRASH_PAUSE_AT   optional: `sent` or `recorded` (weight-setter.ts, WeightsCrashPoint);
 *                              the setter stops there for good and says `paused`, to be killed.
 */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { z } from 'zod';
import { SubtensorChain } from '../../chain/subtensor.js';
import { openDatabase } from '../../store/database.js';
import { ValidatorStore } from '../../store/validator-store.js';
import { WeightsStore } from '../../store/weights-store.js';
import { ChainWeightSetter } from '../weight-setter.js';
import { HARNESS_ENV, validatorScope } from './weights-crash-env.js';

const EnvSchema = z.object({
  [HARNESS_ENV.endpoint]: z.string().startsWith('ws://'),
  [HARNESS_ENV.dataDir]: z.string().min(1),
  [HARNESS_ENV.netuid]: z.coerce.number().int().min(0).max(65535),
  [HARNESS_ENV.hotkey]: z.string().startsWith('//'),
  [HARNESS_ENV.pauseAt]: z.enum(['sent', 'recorded', '']).default(''),
});

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  const env = EnvSchema.parse(process.env);
  const dataDir = env[HARNESS_ENV.dataDir];
  const netuid = env[HARNESS_ENV.netuid];
  const pauseAt = env[HARNESS_ENV.pauseAt];
  await cryptoWaitReady();
  const hotkey = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(env[HARNESS_ENV.hotkey]);
  const db = openDatabase(dataDir);
  const scores = new Map(
    [...new ValidatorStore(db, dataDir).scores(validatorScope(hotkey.address, netuid)).values()].map((s) => [
      s.uid,
      s.score,
    ]),
  );
  const chain = await SubtensorChain.connect({
    endpoint: env[HARNESS_ENV.endpoint],
    backoff: { initialMs: 100, maxMs: 500 },
    inclusionTimeoutMs: 30_000,
  });
  const setter = new ChainWeightSetter({
    chain,
    store: new WeightsStore(db),
    hotkey,
    netuid,
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => process.stderr.write(`${message}\n`),
      error: (message) => process.stderr.write(`${message}\n`),
      child() {
        return this;
      },
    },
    crashPoint: (point, row) => {
      if (point !== pauseAt) return Promise.resolve();
      say({ event: 'paused', point, row: row.id, state: row.state });
      return new Promise<void>(() => undefined); // held here until the test kills the process
    },
  });
  // One pass per block, in order, none skipped: the test steps the chain and waits for each.
  let passes = Promise.resolve();
  chain.onNewBlock((block) => {
    passes = passes.then(async () => {
      const submission = await setter.onBlock(block, scores);
      say({ event: 'block', block, submission, status: setter.status() });
    });
  });
  say({ event: 'ready', head: await chain.currentBlock(), scores: [...scores] });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `weights-crash-harness: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
