/**
 * `bittaudio miner` as a user runs it, against the in-process devnet: a btcli wallet on disk whose
 * hotkey is registered, the tiny model folder, the CPU; then a validator's request over HTTP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { musicGeneration } from '../../../src-shared/synapse/music-generation.js';
import type { Chain } from '../../chain/chain.js';
import { RAO_PER_TAO } from '../../chain/units.js';
import { createDemoDevnet } from '../../devnet/index.js';
import { Dendrite } from '../../net/dendrite.js';
import type { MinerStatus } from '../../neuron/miner.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import { WalletStore } from '../../wallet/store.js';
import { decodeWav } from '../../audio/wav.js';
import { openDatabase } from '../../store/database.js';
import { GenerationStore } from '../../store/generation-store.js';
import { detectExternalIp, registerMinerCommand, type MinerCliIo } from './miner.js';

const tempDir = useTempDirs();
const TINY = join(import.meta.dirname, '..', '..', '..', 'models', 'tiny', 'musicgen');
const LOCAL_IP = '127.0.0.2';

/** A terminal for tests: the given chain, MusicGen in process, no GPU probe, never stopped by itself. */
function devnetIo(chain: Chain): MinerCliIo {
  return {
    err: () => undefined,
    env: {},
    home: tempDir(),
    openChain: () => Promise.resolve(chain),
    untilStopped: () => new Promise(() => undefined),
    workerEntry: null,
    probeScript: null,
  };
}

async function run(args: string[], io: MinerCliIo): Promise<unknown> {
  const program = new Command('bittaudio').exitOverride();
  registerMinerCommand(program, io);
  return program.parseAsync(['node', 'bittaudio', 'miner', ...args]).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('bittaudio miner', () => {
  it(
    'mines on the devnet with a btcli wallet: serves, answers a validator, stops on a signal',
    { timeout: 60_000 },
    async () => {
      const devnet = await createDemoDevnet({ miners: 1, validatorStake: 20_000n * RAO_PER_TAO });
      const walletPath = tempDir();
      const store = new WalletStore({ root: walletPath, env: {} });
      const { ss58Address: hotkey } = await store.createHotkey('miner1', 'gpu0');
      await store.regenerateColdkeypub('miner1', { ss58Address: devnet.spare.coldkey.address });
      expect((await devnet.chain.burnedRegister(devnet.spare.coldkey, devnet.netuid, hotkey)).ok).toBe(true);

      let stop: (reason: string) => void = () => undefined;
      let serving: (status: MinerStatus) => void = () => undefined;
      const served = new Promise<MinerStatus>((resolve) => (serving = resolve));
      let err = '';
      const io: MinerCliIo = {
        ...devnetIo(devnet.chain),
        err: (text) => (err += text),
        untilStopped: () => new Promise((resolve) => (stop = resolve)),
        onServing: serving,
      };
      const dataDir = tempDir();
      const finished = run(
        [
          ...['--netuid', '50', '--wallet.path', walletPath, '--wallet.name', 'miner1', '--wallet.hotkey', 'gpu0'],
          ...['--data-dir', dataDir],
          ...[
            '--axon.port',
            '0',
            '--axon.ip',
            LOCAL_IP,
            '--axon.external_ip',
            LOCAL_IP,
            '--music_path',
            TINY,
            '--device',
            'cpu',
            '--decoder',
            'ort',
            '--neuron.max_batch',
            '2',
          ],
        ],
        io,
      );
      const status = await Promise.race([served, finished.then((error) => Promise.reject(error as Error))]);
      expect(status.servedOnChain).toBe(true);
      const answer = await new Dendrite({ hotkey: devnet.validator.hotkey }).call(
        { hotkey, ip: LOCAL_IP, port: status.axon.port },
        musicGeneration({ text_input: 'synthwave', duration: 13 }),
        { timeoutSeconds: 30 },
      );
      expect(answer.dendrite.status_code).toBe(200);
      expect(answer.music_output).toHaveLength(10 * 640);
      stop('received SIGTERM');
      expect(await finished).toBeUndefined();
      expect(err).toMatch(/INFO +\[miner\] Miner serving/);
      expect(err).toMatch(/Stopping: received SIGTERM/);
      // The same lines as JSON in the data folder's rotating log file.
      const logged = readFileSync(join(dataDir, 'logs', 'bittaudio.log'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((text) => JSON.parse(text) as { source: string; message: string });
      expect(logged).toEqual(
        expect.arrayContaining([expect.objectContaining({ source: 'miner', message: 'Miner serving' })]),
      );
      // The request and its audio are in the history, after the miner stopped.
      const [stored] = new GenerationStore(openDatabase(dataDir), dataDir).list();
      expect(stored).toMatchObject({
        role: 'miner',
        caller: devnet.validator.hotkey.address,
        prompt: 'synthwave',
        status: 'ok',
        durationTokens: 13,
      });
      expect(decodeWav(readFileSync(stored?.wavPath ?? '')).samples).toHaveLength(10 * 640);
    },
  );

  it('says how to register when the hotkey has no uid, and that it needs no coldkey', async () => {
    const devnet = await createDemoDevnet({ miners: 0 });
    const walletPath = tempDir();
    const store = new WalletStore({ root: walletPath, env: {} });
    await store.createHotkey('default', 'default');
    await store.regenerateColdkeypub('default', { ss58Address: devnet.spare.coldkey.address });
    const error = await run(
      [
        '--wallet.path',
        walletPath,
        '--data-dir',
        tempDir(),
        '--axon.external_ip',
        LOCAL_IP,
        '--music_path',
        TINY,
        '--device',
        'cpu',
      ],
      devnetIo(devnet.chain),
    );
    expect(String(error)).toMatch(
      /is not registered on subnet 50\. Registering burns .* bittaudio wallet register --netuid 50/,
    );
  });

  it('refuses a batch size that is not a whole number of at least 1 before it starts anything', async () => {
    let opened = false;
    const io: MinerCliIo = {
      ...devnetIo({} as Chain),
      openChain: () => {
        opened = true;
        return Promise.reject(new Error('no chain in this test'));
      },
    };
    for (const value of ['0', '2.5', 'four']) {
      const error = await run(['--neuron.max_batch', value, '--music_path', TINY], io);
      expect(String(error)).toMatch(/--neuron\.max_batch.*a whole number, 1 or more/);
    }
    expect(opened).toBe(false);
  });

  it('finds an address others can reach, never a loopback one', () => {
    const lo = {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: null,
    } as const;
    const eth = { ...lo, address: '203.0.113.7', internal: false };
    expect(detectExternalIp({ lo: [lo], eth0: [eth] })).toBe('203.0.113.7');
    expect(detectExternalIp({ lo: [lo] })).toBeNull();
  });
});
