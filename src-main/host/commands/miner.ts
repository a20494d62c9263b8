/**
 * `bittaudio miner`: mine on subnet 50 from a terminal or a service, with the Python miner's flag
 * names. It loads the hotkey (the coldkey is never needed), connects to the chain, checks the
 * registration, picks the device from the GPU probes, runs MusicGen in the inference worker
 * process, serves the axon and announces it on chain; Ctrl+C or SIGTERM stop it cleanly.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Chain } from '../../chain/chain.js';
import { COMMAND_GROUPS } from '../../command-groups.js';
import { DevicePreferenceSchema, type DevicePreference } from '../../../src-shared/schemas/gpu.js';
import { ModelDtypeSchema, type ModelDtype } from '../../../src-shared/schemas/model-manifest.js';
import {
  MUSICGEN_DECODERS,
  MusicgenGenerator,
  type MusicgenDecoder,
  type MusicGenerator,
  type MusicgenSource,
} from '../../inference/generate/musicgen.js';
import type { CacheRewrite } from '../../inference/generate/fused-attention-graph.js';
import { cacheRewriteOption } from '../../inference/generate/cli.js';
import { gpuReport } from '../../inference/gpu/report.js';
import { ModelStore, modelsDirIn } from '../../models/index.js';
import { forkWorker } from '../../inference/worker/worker-client.js';
import { slotEnv, WorkerPool, workerSlots, type WorkerSlot } from '../../inference/worker/worker-pool.js';
import type { Logger } from '../../log/logger.js';
import { Miner, type MinerStatus } from '../../neuron/miner.js';
import { detectExternalIp } from '../../net/external-ip.js';
import { openDatabase } from '../../store/database.js';
import { GenerationStore } from '../../store/generation-store.js';
import { defaultDataDir } from '../../store/paths.js';
import { neuronHotkey, neuronLogRoot } from './neuron-cli.js';
import { addEndpointOptions, endpointOf, openChain, parseNetuid, type EndpointOptions } from './chain.js';

export interface MinerCliIo {
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  home: string;
  openChain(endpoint: string): Promise<Chain>;
  /** Resolves when the miner should stop (a signal); tests resolve it themselves. */
  untilStopped(): Promise<string>;
  /** Called once the miner serves. */
  onServing?(status: MinerStatus): void;
  /** The worker entry beside the built CLI; null runs MusicGen in this process. */
  workerEntry: string | null;
  probeScript: string | null;
}

export function terminalMinerIo(): MinerCliIo {
  const beside = (name: string): string | null => {
    const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
    return existsSync(file) ? file : null;
  };
  return {
    err: (text) => process.stderr.write(text),
    env: process.env,
    home: homedir(),
    openChain,
    untilStopped: () =>
      new Promise((resolveStop) => {
        process.once('SIGINT', () => resolveStop('received SIGINT'));
        process.once('SIGTERM', () => resolveStop('received SIGTERM'));
      }),
    workerEntry: beside('inference-worker.js'),
    probeScript: beside('probe-child.mjs'),
  };
}

interface MinerFlags extends EndpointOptions {
  netuid: number;
  'wallet.name'?: string;
  'wallet.hotkey'?: string;
  'wallet.path'?: string;
  'axon.port': number;
  'axon.external_ip'?: string;
  'axon.ip': string;
  music_model?: string;
  music_path?: string;
  dtype: ModelDtype;
  device: DevicePreference;
  decoder: MusicgenDecoder;
  cacheRewrite?: CacheRewrite;
  'neuron.max_batch': number;
  'logging.debug'?: boolean;
  dataDir: string;
  keepDays: number;
  keepGb: number;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('a positive number');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number, 1 or more');
  return n;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return port;
}

export { detectExternalIp } from '../../net/external-ip.js';

export function registerMinerCommand(program: Command, io: MinerCliIo = terminalMinerIo()): void {
  addEndpointOptions(
    program
      .command('miner')
      .description(COMMAND_GROUPS.miner)
      .addOption(new Option('--netuid <netuid>', 'the subnet').argParser(parseNetuid).default(50))
      .option('--wallet.name <name>', 'wallet name (default: $BT_WALLET_NAME or "default")')
      .option('--wallet.hotkey <name>', 'hotkey name (default: $BT_WALLET_HOTKEY or "default")')
      .option('--wallet.path <dir>', 'folder that holds the wallets (default: $BT_WALLET_PATH or ~/.bittensor/wallets)')
      .addOption(new Option('--axon.port <port>', 'port the axon listens on').argParser(parsePort).default(8091))
      .option('--axon.ip <address>', 'address the axon listens on', '0.0.0.0')
      .option(
        '--axon.external_ip <address>',
        'address validators reach the axon at (default: this machine’s first non-loopback IPv4)',
      )
      .option(
        '--music_model <id|dir>',
        'a model of the store by id, repo or SN50 name (default facebook/musicgen-medium; add one with `bittaudio models import`), or a model folder',
      )
      .option('--music_path <dir>', 'a fine-tuned model folder (wins over --music_model)')
      .addOption(
        new Option('--dtype <dtype>', 'precision of the model files').choices(ModelDtypeSchema.options).default('fp32'),
      )
      .addOption(
        new Option('--device <device>', 'where MusicGen runs').choices(DevicePreferenceSchema.options).default('auto'),
      )
      .addOption(
        new Option('--decoder <loop>', 'decode loop: transformers.js generate() or our own on onnxruntime-node')
          .choices(MUSICGEN_DECODERS)
          .default('ort'),
      )
      .addOption(cacheRewriteOption())
      .addOption(
        new Option(
          '--neuron.max_batch <n>',
          'requests of the same length and settings decoded together as one batch (1: one at a time)',
        )
          .argParser(positiveInteger)
          .default(4),
      )
      .option('--logging.debug', 'log debug lines too')
      .option('--data-dir <dir>', 'where the model store and the request history live', defaultDataDir())
      .addOption(
        new Option('--keep-days <days>', 'keep the request history this long').argParser(positiveNumber).default(30),
      )
      .addOption(
        new Option('--keep-gb <gigabytes>', 'keep at most this much generated audio')
          .argParser(positiveNumber)
          .default(5),
      ),
  )
    .addHelpText(
      'after',
      `
The miner needs only the hotkey and coldkeypub.txt on this machine. Register the hotkey first:
  bittaudio wallet register --netuid 50 --wallet.name NAME --wallet.hotkey HOTKEY
The axon's port must be reachable from the internet (open it in the firewall / NAT).`,
    )
    .action(async (flags: MinerFlags) => {
      const root = neuronLogRoot({
        dataDir: resolve(flags.dataDir),
        debug: flags['logging.debug'] === true,
        err: io.err,
      });
      const log = root.logger('miner');
      const hotkey = await neuronHotkey(flags, io);
      const externalIp = flags['axon.external_ip'] ?? detectExternalIp();
      if (!externalIp) {
        throw new InvalidArgumentError('this machine has no address others can reach: pass --axon.external_ip');
      }
      const source = await modelSource(flags);
      const slots = await chooseSlots(flags.device, io.probeScript, log);
      const entry = io.workerEntry;
      // One worker process per GPU, all behind the miner's one scheduler.
      const worker = entry
        ? new WorkerPool({
            slots,
            spawn: (slot) => forkWorker(entry, { env: slotEnv(slot) }),
            logger: root.logger('inference.worker'),
            onState: (slot, state) => log.debug('inference worker', { worker: slot.label, ...state }),
          })
        : null;
      const device = slots[0]?.device ?? 'cpu';
      const cacheRewrite = flags.cacheRewrite ? { cacheRewrite: flags.cacheRewrite } : {};
      const generator: MusicGenerator | MusicGenerator[] = worker
        ? worker.executors(source, { decoder: flags.decoder, ...cacheRewrite })
        : new MusicgenGenerator(source, {
            device,
            decoder: flags.decoder,
            ...cacheRewrite,
            logger: root.logger('inference'),
          });
      const dataDir = resolve(flags.dataDir);
      const db = openDatabase(dataDir);
      const history = new GenerationStore(db, dataDir);
      const retention = { maxAgeDays: flags.keepDays, maxAudioBytes: flags.keepGb * 1e9 };
      history.prune(retention);
      let recorded = 0;
      log.info(
        worker
          ? `MusicGen runs in ${slots.length} inference worker process${slots.length === 1 ? '' : 'es'} (${slots.map((s) => s.label).join(', ')})`
          : 'MusicGen runs in this process (no inference worker entry beside the CLI)',
      );
      const chain = await io.openChain(endpointOf(flags));
      const miner = new Miner({
        chain,
        netuid: flags.netuid,
        hotkey,
        generator,
        maxBatch: flags['neuron.max_batch'],
        log,
        axon: {
          port: flags['axon.port'],
          host: flags['axon.ip'],
          externalIp,
          // A detected address is followed: a new lease is announced again (serving rate limit allowing).
          ...(flags['axon.external_ip'] ? {} : { detectExternalIp: () => detectExternalIp() }),
        },
        onRequest: (request) => {
          try {
            history.add(
              {
                time: new Date().toISOString(),
                role: 'miner',
                caller: request.caller,
                prompt: request.prompt,
                durationTokens: request.durationTokens,
                model: request.audio?.model ?? null,
                device: request.audio?.device ?? null,
                status: request.status,
                error: request.error ?? null,
                queuedMs: request.queuedMs,
                generateMs: request.generateMs,
              },
              request.audio ? { samples: request.audio.audio, sampleRate: request.audio.sampleRate } : undefined,
            );
            if (++recorded % 100 === 0) history.prune(retention);
          } catch (error) {
            // The answer matters more than its record: a full disk must not fail the validator's request.
            log.error('Could not record the request', { error: String(error) });
          }
        },
      });
      try {
        const status = await miner.start();
        io.onServing?.(status);
        const reason = await io.untilStopped();
        log.info(`Stopping: ${reason}`);
      } finally {
        await miner.stop();
        await worker?.close();
        await chain.close();
        db.close();
      }
    });
}

/**
 * The model to serve: a folder (checked as an import would check it, nothing copied), or a model
 * of the store named by id, repo or SN50 model name, which must be installed and verified.
 */
export async function modelSource(
  flags: Pick<MinerFlags, 'music_model' | 'music_path' | 'dtype' | 'dataDir'>,
): Promise<MusicgenSource> {
  const store = new ModelStore({ modelsDir: modelsDirIn(resolve(flags.dataDir)) });
  const folder = flags.music_path ?? (flags.music_model && existsSync(flags.music_model) ? flags.music_model : null);
  if (folder) {
    // Refuses, with every problem, a folder that is not a MusicGen export at this dtype.
    await store.checkFolder(resolve(folder), flags.dtype);
    return { dir: resolve(folder), dtype: flags.dtype };
  }
  const id = store.resolveModel(flags.music_model ?? 'facebook/musicgen-medium', 'musicgen').id;
  // Refuses, with the reason, a model that is not installed or not complete.
  return store.loadable(id, flags.dtype);
}

/** The device from the GPU report, and one worker slot per card when that device is CUDA. */
async function chooseSlots(
  preference: DevicePreference,
  probeScript: string | null,
  log: Logger,
): Promise<WorkerSlot[]> {
  if (preference === 'cpu') return [{ gpu: null, device: 'cpu', label: 'cpu' }];
  const report = await gpuReport({ probe: probeScript ? { script: probeScript } : null, preference });
  log.info(report.device.summary, { device: report.device.device });
  return workerSlots(report);
}
