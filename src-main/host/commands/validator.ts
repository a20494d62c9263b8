/**
 * `bittaudio validator`: validate on subnet 50 from a terminal or a service, with the Python
 * validator's flag names (`--netuid`, `--wallet.*`, `--subtensor.*`, `--alpha`, `--logging.debug`)
 * plus ours: miners per round, the scoring profile, the prompt source, and the query's duration and
 * timeout (the reference's 755 tokens and 200 s by default). It loads the hotkey (never the
 * coldkey), checks the registration, runs the round loop and keeps every round, answer (WAV),
 * metric and score in the data folder's SQLite; Ctrl+C or SIGTERM stop it cleanly, and a round cut
 * short is closed without punishing anyone.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SCORING_PROFILES, type ScoringProfile } from '../../../src-shared/schemas/scoring.js';
import type { ValidatorRoundEvent } from '../../../src-shared/schemas/validator.js';
import { VALIDATOR_DURATION_TOKENS, VALIDATOR_TIMEOUT_SECONDS } from '../../../src-shared/synapse/music-generation.js';
import type { Chain } from '../../chain/chain.js';
import { formatTao } from '../../chain/units.js';
import { COMMAND_GROUPS } from '../../command-groups.js';
import { LogRoot, formatLogLine } from '../../log/logger.js';
import { RotatingLogFile } from '../../log/rotating-file.js';
import { DEFAULT_MINERS_PER_ROUND, Validator } from '../../neuron/validator.js';
import { FixedPromptSource, PlainWeightSetter, SignalRoundScorer } from '../../neuron/validator-parts.js';
import { openDatabase } from '../../store/database.js';
import { defaultDataDir } from '../../store/paths.js';
import { ValidatorStore } from '../../store/validator-store.js';
import { WalletStore } from '../../wallet/store.js';
import { addEndpointOptions, endpointOf, openChain, parseNetuid, type EndpointOptions } from './chain.js';

/** Prompt sources this build knows (the hub and folder sources arrive with the prompts module). */
export const PROMPT_SOURCES = ['bundled'] as const;

export interface ValidatorCliIo {
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  home: string;
  openChain(endpoint: string): Promise<Chain>;
  /** Resolves when the validator should stop (a signal); tests resolve it themselves. */
  untilStopped(): Promise<string>;
  /** Called on each round event (tests follow the rounds with it). */
  onRound?(event: ValidatorRoundEvent): void;
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
  prompts: (typeof PROMPT_SOURCES)[number];
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
      .addOption(new Option('--prompts <source>', 'where prompts come from').choices(PROMPT_SOURCES).default('bundled'))
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
      const logFile = new RotatingLogFile(join(dataDir, 'logs'));
      const root = new LogRoot(
        (line) => {
          io.err(`${formatLogLine(line)}\n`);
          logFile.write(line);
        },
        flags['logging.debug'] ? 'debug' : 'info',
      );
      const log = root.logger('validator');
      const wallets = new WalletStore({ root: flags['wallet.path'], env: io.env, home: io.home });
      const walletName = flags['wallet.name'] ?? (io.env['BT_WALLET_NAME'] || 'default');
      const hotkeyName = flags['wallet.hotkey'] ?? (io.env['BT_WALLET_HOTKEY'] || 'default');
      const { hotkey } = await wallets.loadNeuronKeys(walletName, hotkeyName);
      const chain = await io.openChain(endpointOf(flags));
      const db = openDatabase(dataDir);
      let validator: Validator | null = null;
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
        validator = new Validator({
          chain,
          netuid: flags.netuid,
          hotkey,
          log,
          store: new ValidatorStore(db, dataDir),
          prompts: new FixedPromptSource(),
          scorer: new SignalRoundScorer(),
          weights: new PlainWeightSetter({
            chain,
            netuid: flags.netuid,
            hotkey,
            log: log.child('weights'),
            everyBlocks: flags.weightsEvery,
          }),
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
        await chain.close();
        db.close();
      }
    });
}
