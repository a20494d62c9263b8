/**
 * `bittaudio validator`: validate on subnet 50 from a terminal or a service, with the Python
 * validator's flag names (`--netuid`, `--wallet.*`, `--subtensor.*`, `--alpha`, `--logging.debug`)
 * plus ours: miners per round, the scoring profile and models, the prompt source (`--prompts
 * bundled|hub:…|folder:…|llm:…`, falling back to the bundled set whenever it fails), and the query's
 * duration and timeout (the reference's 755 tokens and 200 s by default). Rounds are scored by the
 * real round scorer in an inference worker process on the scoring device (CPU by default), with
 * the installed models the flags or settings defaults name; weights go through the chain weight
 * setter (plain or commit-reveal, as the subnet says). It loads the hotkey (never the
 * coldkey), checks the registration, runs the round loop and keeps every round, answer (WAV),
 * metric and score in the data folder's SQLite; Ctrl+C or SIGTERM stop it cleanly, and a round cut
 * short is closed without punishing anyone.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import {
  parsePromptSourceArg,
  PromptSourceArgError,
  type PromptSourceConfig,
} from '../../../src-shared/schemas/prompts.js';
import { SCORING_PROFILES, type ScoringProfile } from '../../../src-shared/schemas/scoring.js';
import { DEFAULT_SETTINGS } from '../../../src-shared/schemas/settings.js';
import type { ValidatorRoundEvent } from '../../../src-shared/schemas/validator.js';
import { VALIDATOR_DURATION_TOKENS, VALIDATOR_TIMEOUT_SECONDS } from '../../../src-shared/synapse/music-generation.js';
import type { Chain } from '../../chain/chain.js';
import { formatTao } from '../../chain/units.js';
import { COMMAND_GROUPS } from '../../command-groups.js';
import { DEFAULT_MINERS_PER_ROUND, Validator } from '../../neuron/validator.js';
import { resolveScoringModels } from '../../engine/scoring-settings.js';
import { forkWorker } from '../../inference/worker/worker-client.js';
import { HubClient, ModelStore, modelsDirIn } from '../../models/index.js';
import { BundledPromptSource, createPromptSource, PromptSourceWithFallback } from '../../neuron/prompts/index.js';
import {
  createValidatorParts,
  findTinyScoringModels,
  type ValidatorParts,
  type ValidatorScoringModels,
} from '../../neuron/validator-assembly.js';
import { DuplicateStore } from '../../store/duplicate-store.js';
import { openDatabase } from '../../store/database.js';
import { defaultDataDir } from '../../store/paths.js';
import { ValidatorStore } from '../../store/validator-store.js';
import { neuronHotkey, neuronLogRoot } from './neuron-cli.js';
import { addEndpointOptions, endpointOf, openChain, parseNetuid, type EndpointOptions } from './chain.js';

export interface ValidatorCliIo {
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  home: string;
  openChain(endpoint: string): Promise<Chain>;
  /** Resolves when the validator should stop (a signal); tests resolve it themselves. */
  untilStopped(): Promise<string>;
  /** Called on each round event (tests follow the rounds with it). */
  onRound?(event: ValidatorRoundEvent): void;
  /** The bundled inference worker beside this module; scoring never runs in this process. */
  workerEntry: string | null;
}

export function terminalValidatorIo(): ValidatorCliIo {
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
    workerEntry: (() => {
      const file = fileURLToPath(new URL('./inference-worker.js', import.meta.url));
      return existsSync(file) ? file : null;
    })(),
  };
}

interface ValidatorFlags extends EndpointOptions {
  netuid: number;
  'wallet.name'?: string;
  'wallet.hotkey'?: string;
  'wallet.path'?: string;
  alpha: number;
  'logging.debug'?: boolean;
  minersPerRound: number;
  scoringProfile: ScoringProfile;
  prompts: PromptSourceConfig;
  scoringClap: string;
  scoringClassifier: string;
  /** 'none': FAD on CLAP frames. */
  scoringVggish: string;
  scoringDevice: ExecutionProvider;
  scoringTiny?: boolean;
  duration: number;
  timeout: number;
  weightsEvery: number;
  dataDir: string;
}

function alphaValue(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('alpha is a number from 0 to 1');
  return n;
}

function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

function promptSource(value: string): PromptSourceConfig {
  try {
    return parsePromptSourceArg(value);
  } catch (error) {
    if (error instanceof PromptSourceArgError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('a positive number of seconds');
  return n;
}

export function registerValidatorCommand(program: Command, io: ValidatorCliIo = terminalValidatorIo()): void {
  addEndpointOptions(
    program
      .command('validator')
      .description(COMMAND_GROUPS.validator)
      .addOption(new Option('--netuid <netuid>', 'the subnet').argParser(parseNetuid).default(50))
      .option('--wallet.name <name>', 'wallet name (default: $BT_WALLET_NAME or "default")')
      .option('--wallet.hotkey <name>', 'hotkey name (default: $BT_WALLET_HOTKEY or "default")')
      .option('--wallet.path <dir>', 'folder that holds the wallets (default: $BT_WALLET_PATH or ~/.bittensor/wallets)')
      .addOption(
        new Option('--alpha <alpha>', 'moving average: the share of the old score kept each update')
          .argParser(alphaValue)
          .default(0.1),
      )
      .option('--logging.debug', 'log debug lines too')
      .addOption(
        new Option('--miners-per-round <count>', 'miners asked in each round (the reference asks 10)')
          .argParser(wholeNumber(1, 256))
          .default(DEFAULT_MINERS_PER_ROUND),
      )
      .addOption(
        new Option(
          '--scoring-profile <profile>',
          'bittaudio-1.1.3 reproduces the reference, quirks included; fixed repairs them',
        )
          .choices(SCORING_PROFILES)
          .default('bittaudio-1.1.3'),
      )
      .addOption(
        new Option('--prompts <source>', 'where prompts come from: bundled, hub:<repo>, folder:<dir> or llm:<url>')
          .argParser(promptSource)
          .default(parsePromptSourceArg('bundled'), 'bundled'),
      )
      .addOption(
        new Option('--scoring-clap <model>', 'installed CLAP model (prompt adherence)').default(
          DEFAULT_SETTINGS.scoringClapModel,
        ),
      )
      .addOption(
        new Option('--scoring-classifier <model>', 'installed AudioSet classifier (KL divergence)').default(
          DEFAULT_SETTINGS.scoringClassifierModel,
        ),
      )
      .addOption(
        new Option('--scoring-vggish <model>', 'installed VGGish for FAD, or none for CLAP frames').default(
          DEFAULT_SETTINGS.scoringVggishModel ?? 'none',
        ),
      )
      .addOption(
        new Option('--scoring-device <device>', 'where the scoring models run (the GPU belongs to MusicGen)')
          .choices(EXECUTION_PROVIDERS)
          .default(DEFAULT_SETTINGS.scoringDevice),
      )
      // The tiny random-weight models shipped for the local network and tests: never for a real subnet.
      .addOption(new Option('--scoring-tiny', 'score with the tiny test models (local devnets only)').hideHelp())
      .addOption(
        new Option('--duration <tokens>', 'MusicGen tokens asked of each miner (755 ≈ 15 s, as the reference)')
          .argParser(wholeNumber(4, 1503))
          .default(VALIDATOR_DURATION_TOKENS),
      )
      .addOption(
        new Option('--timeout <seconds>', 'per-query timeout (the reference waits 200 s)')
          .argParser(positiveSeconds)
          .default(VALIDATOR_TIMEOUT_SECONDS),
      )
      .addOption(
        new Option('--weights-every <blocks>', 'blocks between weight submissions (the reference: about 120)')
          .argParser(wholeNumber(1, 100_000))
          .default(120),
      )
      .option('--data-dir <dir>', 'where rounds, answers (WAV) and scores are kept', defaultDataDir()),
  )
    .addHelpText(
      'after',
      `
The validator needs only the hotkey and coldkeypub.txt on this machine; the hotkey must be registered
on the subnet and hold a validator permit for its weights to count. Answers are kept in <data-dir>.`,
    )
    .action(async (flags: ValidatorFlags) => {
      const dataDir = resolve(flags.dataDir);
      const root = neuronLogRoot({ dataDir, debug: flags['logging.debug'] === true, err: io.err });
      const log = root.logger('validator');
      const hotkey = await neuronHotkey(flags, io);
      if (!io.workerEntry) throw new InvalidArgumentError('the inference worker is missing from this installation');
      const models = await scoringModels(flags, dataDir);
      const chain = await io.openChain(endpointOf(flags));
      const db = openDatabase(dataDir);
      let validator: Validator | null = null;
      let parts: ValidatorParts | null = null;
      try {
        const uid = await chain.uidOf(flags.netuid, hotkey.address);
        if (uid === undefined) {
          const cost = await chain.registrationCost(flags.netuid).catch(() => null);
          throw new InvalidArgumentError(
            `the hotkey ${hotkey.address} is not registered on subnet ${flags.netuid}. Registering burns ` +
              `${cost === null ? 'the current registration cost' : `${formatTao(cost)} TAO`} from the coldkey: ` +
              `bittaudio wallet register --netuid ${flags.netuid}`,
          );
        }
        const metagraph = await chain.metagraph(flags.netuid);
        if (!metagraph.neurons.find((n) => n.uid === uid)?.validatorPermit) {
          log.warn(
            'This uid has no validator permit yet: the chain ignores its weights until it has one (stake more)',
            {
              uid,
            },
          );
        }
        const entry = io.workerEntry;
        parts = createValidatorParts({
          db,
          chain,
          netuid: flags.netuid,
          hotkey,
          log,
          models,
          spawnWorker: forkWorker(entry),
          weightsEveryBlocks: flags.weightsEvery,
        });
        const seed = Date.now() >>> 0;
        const prompts = new PromptSourceWithFallback(
          createPromptSource(flags.prompts, {
            dataDir,
            hub: new HubClient(),
            duplicates: new DuplicateStore(db),
            logger: log,
            seed,
            env: io.env,
          }),
          new BundledPromptSource(seed),
          log,
        );
        validator = new Validator({
          chain,
          netuid: flags.netuid,
          hotkey,
          log,
          store: new ValidatorStore(db, dataDir),
          prompts,
          scorer: parts.scorer,
          weights: parts.weights,
          profile: flags.scoringProfile,
          alpha: flags.alpha,
          minersPerRound: flags.minersPerRound,
          durationTokens: flags.duration,
          timeoutSeconds: flags.timeout,
          ...(io.onRound ? { onRound: io.onRound } : {}),
          onWeights: (submission) =>
            log.info(`Weights ${submission.state} at block ${submission.block}`, {
              uids: [...submission.uids],
              error: submission.error,
            }),
        });
        validator.start();
        const reason = await io.untilStopped();
        log.info(`Stopping: ${reason}`);
      } finally {
        await validator?.stop();
        await parts?.close();
        await chain.close();
        db.close();
      }
    });
}

/** The scoring models the flags name, installed and verified in the data folder's model store. */
async function scoringModels(flags: ValidatorFlags, dataDir: string): Promise<ValidatorScoringModels> {
  if (flags.scoringTiny) {
    const tiny = findTinyScoringModels();
    if (!tiny) throw new InvalidArgumentError('the tiny scoring models (models/tiny) are missing');
    return tiny;
  }
  const resolved = await resolveScoringModels(
    {
      scoringProfile: flags.scoringProfile,
      scoringClapModel: flags.scoringClap,
      scoringClassifierModel: flags.scoringClassifier,
      scoringVggishModel: flags.scoringVggish === 'none' ? null : flags.scoringVggish,
      scoringDevice: flags.scoringDevice,
    },
    new ModelStore({ modelsDir: modelsDirIn(dataDir) }),
  );
  return resolved;
}
