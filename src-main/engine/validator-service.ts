/**
 * `validator.status`, `validator.start`, `validator.stop`, `validator.answers` and the
 * `validator.round` / `validator.weights` events (issue #12): the validator on the network the
 * NetworkProvider hands out. On the local network it takes the network's validator hotkey (the
 * test validator steps aside and the local miners show their demo behaviours) and asks for short
 * clips; on a real one it validates with the wallet's hotkey from the settings and the reference's
 * duration and timeout. Rounds are scored by the real round scorer in an inference worker process
 * (neuron/validator-assembly.ts): the tiny CLAP/AST/VGGish on the local network, the models of
 * Settings → Scoring on a real one; weights go through the chain weight setter (plain or
 * commit-reveal, as the subnet's hyperparameters say). The local network keeps its fixed prompts
 * with synthetic references (its replaying miner must know them); a real network takes the
 * bundled prompts, falling back to them whenever another source fails.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { ScoringProfile } from '../../src-shared/schemas/scoring.js';
import type { Settings } from '../../src-shared/schemas/settings.js';
import type {
  ValidatorAnswer,
  ValidatorHistory,
  ValidatorHistoryRange,
  ValidatorStatus,
} from '../../src-shared/schemas/validator.js';
import type { RewardSnapshot } from '../../src-shared/schemas/neuron.js';
import type { Metagraph } from '../chain/types.js';
import type { DatasetHub } from '../neuron/prompts/index.js';
import { RewardStore } from '../store/reward-store.js';
import { readValidatorHistory } from '../store/validator-history.js';
import { permitStanding, snapshotChanged, validatorSnapshot } from './validator-standing.js';
import type { NeuronState } from '../../src-shared/schemas/neuron.js';
import type { Logger } from '../log/logger.js';
import type { LocalNetwork } from '../neuron/local-network.js';
import type { Validator, ValidatorOptions } from '../neuron/validator.js';
import type { WeightsSubmission } from '../neuron/validator-ports.js';
import type { SpawnWorker } from '../inference/worker/worker-client.js';
import type { ValidatorParts, ValidatorScoringModels } from '../neuron/validator-assembly.js';
import type { Db } from '../store/database.js';
import type { ValidatorStore } from '../store/validator-store.js';
import type { EventBus } from './events.js';
import type { NetworkHandle, NetworkProvider } from './network-handle.js';
import type { HandlerSlice, Service } from './service.js';

type Commands = 'validator.status' | 'validator.start' | 'validator.stop' | 'validator.answers' | 'validator.history';

/** The reference's default. */
const DEFAULT_MINERS_PER_ROUND = 10;
const DEFAULT_ALPHA = 0.1;

export interface ValidatorServiceOptions {
  network: NetworkProvider | null;
  /** The built-in local network while it is the one in use (its validator hotkey, prompts, miners). */
  local: () => LocalNetwork | null;
  settings: { get(): Settings };
  events: EventBus;
  logger: (source: string) => Logger;
  store: ValidatorStore;
  env?: NodeJS.ProcessEnv;
  home?: string;
  now?: () => Date;
  /** The data folder's database (duplicate hashes, fingerprints, weights). */
  db: Db;
  /** Starts the scoring worker; without one the validator cannot score and does not start. */
  spawnWorker: SpawnWorker | null;
  /** The scoring models of the settings on a real network (resolveScoringModels). */
  scoringModels?: () => Promise<ValidatorScoringModels>;
  /** The local network's scoring models; default the tiny ones shipped with the app. */
  localScoringModels?: () => ValidatorScoringModels | null;
  /** The data folder: hub prompt sets are cached under it. Without one, hub sets cache in the temp folder. */
  dataDir?: string;
  /** The hub the prompt datasets come from; default the Hugging Face hub (HF_ENDPOINT, HF_TOKEN). */
  promptHub?: DatasetHub;
}

export interface ValidatorStartInput {
  profile?: ScoringProfile | undefined;
  minersPerRound?: number | undefined;
  alpha?: number | undefined;
}

interface Run {
  validator: Validator;
  parts: ValidatorParts;
  network: NetworkHandle;
  local: LocalNetwork | null;
}

export class ValidatorService implements Service<Commands> {
  readonly name = 'validator';
  readonly handlers: HandlerSlice<Commands> = {
    'validator.status': () => this.status(),
    'validator.start': (input) => this.start(input),
    'validator.stop': () => this.stopValidator(),
    'validator.answers': (input) => this.answers(input),
    'validator.history': ({ range }) => this.history(range),
  };
  private run: Run | null = null;
  private state: NeuronState = 'stopped';
  private error: string | null = null;
  private config = {
    profile: 'bittaudio-1.1.3' as ScoringProfile,
    minersPerRound: DEFAULT_MINERS_PER_ROUND,
    alpha: DEFAULT_ALPHA,
  };
  private readonly log: Logger;
  private readonly unsubscribeNetwork: () => void;
  private starting: Promise<ValidatorStatus> | null = null;
  /** Our permit as the last round's metagraph showed it (cleared when a validator starts). */
  private permit: ValidatorStatus['permit'] = null;
  /** The last reward snapshot this service recorded (a new one only when the chain moved it). */
  private lastSnapshot: RewardSnapshot | null = null;
  private readonly rewards: RewardStore;

  constructor(private readonly options: ValidatorServiceOptions) {
    this.log = options.logger('validator');
    this.rewards = new RewardStore(options.db);
    // No validator of this data folder runs before this engine starts one: open rounds were cut by a crash.
    const closed = options.store.interruptAllOpenRounds(this.nowIso());
    if (closed > 0) this.log.warn(`Closed ${closed} validator round(s) a crash left open; the scores were not touched`);
    this.unsubscribeNetwork =
      options.network?.onChange((network) => {
        if (this.run && this.run.network !== network) {
          this.log.warn('The network changed: the validator stops');
          void this.stopValidator();
        }
      }) ?? (() => undefined);
  }

  status(): ValidatorStatus {
    const running = this.run?.validator.status() ?? null;
    const scope = this.run?.validator.scope ?? this.options.store.lastScope();
    const scores = running?.scores ?? (scope ? [...this.options.store.scores(scope).values()] : []);
    const [hotkey, netuid] = scope ? splitScope(scope) : [null, null];
    return {
      state: this.state,
      hotkey: running?.hotkey ?? hotkey,
      netuid: running?.netuid ?? netuid,
      profile: this.config.profile,
      minersPerRound: this.config.minersPerRound,
      alpha: this.config.alpha,
      prompts: this.run ? this.run.validator.promptsDescription : null,
      roundsDone: running?.roundsDone ?? 0,
      current: running?.current ?? null,
      last: running?.last ?? (scope ? (this.options.store.lastRound(scope, { ended: true }) ?? null) : null),
      scores,
      lastWeights: running?.lastWeights
        ? { ...running.lastWeights, uids: [...running.lastWeights.uids], weights: [...running.lastWeights.weights] }
        : null,
      error: this.error,
      nextWeightsBlock: this.run ? this.run.parts.weights.status().nextBlock : null,
      permit: this.permit,
    };
  }

  /** The history of the running validator, else of the last one that ran here. */
  history(range: ValidatorHistoryRange): ValidatorHistory {
    const scope = this.run?.validator.scope ?? this.options.store.lastScope();
    const [hotkey, netuid] = scope ? splitScope(scope) : [null, null];
    return readValidatorHistory(this.options.db, { hotkey, netuid, range, now: this.options.now?.() ?? new Date() });
  }

  start(input: ValidatorStartInput = {}): Promise<ValidatorStatus> {
    if (this.run) return Promise.resolve(this.status());
    this.starting ??= this.doStart(input).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  async stopValidator(): Promise<ValidatorStatus> {
    const run = this.run;
    if (!run) return this.status();
    this.run = null;
    this.state = 'stopping';
    await run.validator.stop();
    await run.parts.close();
    run.local?.takeBackFromValidator();
    this.state = 'stopped';
    this.log.info('Validator stopped');
    return this.status();
  }

  answers(input: { limit: number; offset: number; uid?: number | undefined; roundId?: number | undefined }): {
    items: ValidatorAnswer[];
    total: number;
  } {
    const filter = {
      ...(input.uid === undefined ? {} : { uid: input.uid }),
      ...(input.roundId === undefined ? {} : { roundId: input.roundId }),
    };
    return {
      items: this.options.store.answers({ ...filter, limit: input.limit, offset: input.offset }),
      total: this.options.store.countAnswers(filter),
    };
  }

  async stop(): Promise<void> {
    this.unsubscribeNetwork();
    await this.stopValidator();
  }

  private async doStart(input: ValidatorStartInput): Promise<ValidatorStatus> {
    const network = this.options.network?.current() ?? null;
    if (!network) throw new HostApiError('unavailable', 'No network is up yet: the validator starts once it is.');
    this.config = {
      profile: input.profile ?? this.config.profile,
      minersPerRound: input.minersPerRound ?? this.config.minersPerRound,
      alpha: input.alpha ?? this.config.alpha,
    };
    this.state = 'starting';
    this.error = null;
    this.permit = null;
    this.lastSnapshot = null;
    let parts: ValidatorParts | null = null;
    try {
      const spawnWorker = this.options.spawnWorker;
      if (!spawnWorker)
        throw new HostApiError('unavailable', 'This host cannot start an inference worker to score rounds.');
      const { Validator } = await import('../neuron/validator.js');
      const assembly = await import('../neuron/validator-assembly.js');
      const local = network.kind === 'local' ? this.options.local() : null;
      const log = this.options.logger('validator');
      let validator: Validator;
      if (local) {
        const { LOCAL_CLIP_SECONDS, LOCAL_VALIDATOR_DURATION_TOKENS, LOCAL_VALIDATOR_TIMEOUT_SECONDS } =
          await import('../neuron/local-network.js');
        const models = (this.options.localScoringModels ?? (() => assembly.findTinyScoringModels()))();
        if (!models)
          throw new HostApiError(
            'unavailable',
            'The tiny scoring models (models/tiny/clap, ast, vggish) are missing from this installation.',
          );
        await local.handOverToValidator();
        parts = assembly.createValidatorParts({
          db: this.options.db,
          chain: network.chain,
          netuid: network.netuid,
          hotkey: local.validatorHotkey,
          log,
          models,
          spawnWorker,
          // Blocks come every few seconds here: weights every 5 blocks so an epoch shows them.
          weightsEveryBlocks: 5,
          // The tiny CLAP cannot tell half-second clips apart; the fingerprint still catches replays.
          referenceEmbeddingThreshold: null,
          // Half-second clips (LOCAL_VALIDATOR_DURATION_TOKENS) under the 1 s floor of the signal checks,
          // and the tiny random-weight MusicGen's output may sit off zero (seen: a good miner refused for
          // dc-offset on CI): the local network checks only what its tiny models can meet.
          signalThresholds: { minSeconds: 0.25, maxDcOffset: 0.5 },
          // The duration penalty is written for 15 s clips: a full half-second one is complete here.
          requestedSeconds: LOCAL_CLIP_SECONDS,
          ...(this.options.now ? { now: this.options.now } : {}),
        });
        validator = new Validator({
          ...this.common(network, log),
          hotkey: local.validatorHotkey,
          prompts: local.prompts,
          scorer: parts.scorer,
          weights: parts.weights,
          durationTokens: LOCAL_VALIDATOR_DURATION_TOKENS,
          timeoutSeconds: LOCAL_VALIDATOR_TIMEOUT_SECONDS,
        });
      } else {
        const hotkey = await this.walletHotkey();
        if (!this.options.scoringModels)
          throw new HostApiError('unavailable', 'No scoring models are configured for this host.');
        const models = await this.options.scoringModels();
        const { validatorPromptSource } = await import('./validator-prompts.js');
        const { DuplicateStore } = await import('../store/duplicate-store.js');
        parts = assembly.createValidatorParts({
          db: this.options.db,
          chain: network.chain,
          netuid: network.netuid,
          hotkey,
          log,
          models,
          spawnWorker,
          ...(this.options.now ? { now: this.options.now } : {}),
        });
        validator = new Validator({
          ...this.common(network, log),
          hotkey,
          prompts: validatorPromptSource(this.options.settings.get().validatorPrompts, {
            dataDir: this.options.dataDir ?? (await import('node:os')).tmpdir(),
            hub: this.options.promptHub ?? new (await import('../models/downloader.js')).HubClient(),
            duplicates: new DuplicateStore(this.options.db),
            logger: log,
            seed: Date.now() >>> 0,
            ...(this.options.env ? { env: this.options.env } : {}),
          }),
          scorer: parts.scorer,
          weights: parts.weights,
        });
      }
      validator.start();
      this.run = { validator, parts, network, local };
      this.state = 'running';
      return this.status();
    } catch (error) {
      this.state = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
      await parts?.close();
      this.options.local()?.takeBackFromValidator();
      if (error instanceof HostApiError) throw error;
      throw new HostApiError('unavailable', this.error);
    }
  }

  private common(
    network: NetworkHandle,
    log: Logger,
  ): Pick<
    ValidatorOptions,
    | 'chain'
    | 'netuid'
    | 'log'
    | 'store'
    | 'profile'
    | 'alpha'
    | 'minersPerRound'
    | 'now'
    | 'onRound'
    | 'onWeights'
    | 'onMetagraph'
  > {
    return {
      chain: network.chain,
      netuid: network.netuid,
      log,
      store: this.options.store,
      profile: this.config.profile,
      alpha: this.config.alpha,
      minersPerRound: this.config.minersPerRound,
      ...(this.options.now ? { now: this.options.now } : {}),
      onRound: (event) => this.options.events.emit('validator.round', event),
      onMetagraph: (metagraph) => this.onMetagraph(metagraph),
      onWeights: (submission: WeightsSubmission) =>
        this.options.events.emit('validator.weights', {
          ...submission,
          uids: [...submission.uids],
          weights: [...submission.weights],
        }),
    };
  }

  /** Our permit for the Overview, and a reward snapshot when the chain moved our figures (an epoch). */
  private onMetagraph(metagraph: Metagraph): void {
    const [hotkey] = this.run ? splitScope(this.run.validator.scope) : [null];
    if (hotkey === null) return;
    try {
      this.permit = permitStanding(metagraph, hotkey);
      const snapshot = validatorSnapshot(metagraph, hotkey, this.options.now?.() ?? new Date());
      if (snapshot && snapshotChanged(this.lastSnapshot, snapshot)) {
        this.rewards.add(snapshot, 'validator');
        this.lastSnapshot = snapshot;
      }
    } catch (error) {
      // The history loses a point; the round goes on.
      this.log.error('Could not store the validator reward snapshot', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** The wallet's hotkey (and coldkeypub only): validating never needs the coldkey. */
  private async walletHotkey(): Promise<KeyringPair> {
    const settings = this.options.settings.get();
    const { WalletStore } = await import('../wallet/store.js');
    const wallets = new WalletStore({
      ...(settings.walletPath ? { root: settings.walletPath } : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(this.options.home ? { home: this.options.home } : {}),
    });
    try {
      return (await wallets.loadNeuronKeys(settings.walletName, settings.walletHotkey)).hotkey;
    } catch (error) {
      throw new HostApiError(
        'unavailable',
        `The hotkey ${settings.walletName}/${settings.walletHotkey} cannot be used: ${error instanceof Error ? error.message : String(error)} (Settings: wallet name, hotkey and folder).`,
      );
    }
  }

  private nowIso(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}

/** `<hotkey>@<netuid>` → its parts. */
function splitScope(scope: string): [string | null, number | null] {
  const at = scope.lastIndexOf('@');
  const netuid = Number(scope.slice(at + 1));
  return at > 0 && Number.isInteger(netuid) ? [scope.slice(0, at), netuid] : [null, null];
}
