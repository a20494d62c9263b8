/**
 * The Host API: every command (request → response) and event (engine → client) that the renderer
 * may use, declared once. The Electron bridge, the daemon's WebSocket and its HTTP routes are all
 * generated from these two tables, and each side validates what it receives with these schemas.
 */
import { z } from 'zod';
import { EngineStatusSchema } from '../schemas/status.js';
import { LogEntrySchema, LogLevelSchema } from '../schemas/logs.js';
import { SettingsPatchSchema, SettingsSchema } from '../schemas/settings.js';
import { GpuBenchmarkSchema, GpuReportSchema, GpuSampleSchema } from '../schemas/gpu.js';
import { GenerationEventSchema } from '../schemas/generation.js';
import { ModelDownloadEventSchema, ModelDtypeSchema, ModelListEntrySchema } from '../schemas/model-manifest.js';
import { NetworkMetagraphSchema, NetworkStatusSchema } from '../schemas/network.js';
import { NeuronStatusSchema, RewardSnapshotSchema } from '../schemas/neuron.js';
import { StoredGenerationSchema } from '../schemas/generation.js';
import {
  SignerRequestSchema,
  SignerRespondInputSchema,
  WalletCreateInputSchema,
  WalletCreateOutputSchema,
  WalletImportInputSchema,
  WalletListSchema,
  WalletNameSchema,
  WalletOverviewSchema,
  WalletRegenerateInputSchema,
  WalletRegisterInputSchema,
  WalletRegisterOutputSchema,
  WalletSummarySchema,
} from '../schemas/wallet.js';
import { RaoStringSchema } from '../schemas/network.js';
import {
  ValidatorAnswersInputSchema,
  ValidatorAnswersOutputSchema,
  ValidatorHistoryInputSchema,
  ValidatorHistorySchema,
  ValidatorRoundEventSchema,
  ValidatorStatusSchema,
  WeightsSubmissionSchema,
} from '../schemas/validator.js';
import { ScoringProfileSchema } from '../schemas/scoring.js';

/** Bumped on any incompatible change to the tables or the envelope; checked at connect. */
export const PROTOCOL_VERSION = 1;

const NoInput = z.strictObject({});

export const commands = {
  'status.get': {
    summary: 'The engine status: version, uptime, role, data folder.',
    input: NoInput,
    output: EngineStatusSchema,
  },
  'logs.list': {
    summary: 'Recent log lines, newest last.',
    input: z.strictObject({
      limit: z.number().int().min(1).max(1000).default(200),
      /** Only lines with an id below this one (to page backwards). */
      beforeId: z.number().int().positive().optional(),
      minLevel: LogLevelSchema.optional(),
    }),
    output: z.strictObject({ entries: z.array(LogEntrySchema) }),
  },
  'settings.get': {
    summary: 'All settings, defaults filled in.',
    input: NoInput,
    output: SettingsSchema,
  },
  'settings.update': {
    summary: 'Change some settings; returns all of them.',
    input: SettingsPatchSchema,
    output: SettingsSchema,
  },
  'gpu.report': {
    summary: 'GPUs, CUDA libraries, execution-provider probes and the chosen device (cached; refresh re-runs).',
    /** Probing providers one after another can take minutes on a slow GPU box. */
    slow: true,
    input: z.strictObject({ refresh: z.boolean().default(false) }),
    output: GpuReportSchema,
  },
  'models.list': {
    summary: 'Every offered model at every dtype: state (missing/partial/ready/corrupt), sizes, licence.',
    /** The first listing hashes files the store has not seen before: gigabytes for a model put there by hand. */
    slow: true,
    input: NoInput,
    output: z.array(ModelListEntrySchema),
  },
  'models.download': {
    summary: 'Starts downloading one model at one dtype in the background; progress comes as `model` events.',
    input: z.strictObject({ id: z.string().min(1).max(64), dtype: ModelDtypeSchema }),
    output: z.strictObject({ started: z.literal(true) }),
  },
  'models.cancel': {
    summary: 'Stops a running download (temp files stay, so a new download resumes); false if none ran.',
    input: z.strictObject({ id: z.string().min(1).max(64), dtype: ModelDtypeSchema }),
    output: z.strictObject({ cancelled: z.boolean() }),
  },
  'models.delete': {
    summary: 'Deletes one dtype of a model, or the whole model without dtype. Refused while it downloads.',
    input: z.strictObject({ id: z.string().min(1).max(64), dtype: ModelDtypeSchema.optional() }),
    output: z.strictObject({ deleted: z.literal(true) }),
  },
  'models.import': {
    summary:
      'Imports a local ONNX export folder into the model store (checked before it is accepted); progress comes as `model` events.',
    input: z.strictObject({
      /** Absolute path of the folder on the engine's machine. */
      dir: z.string().min(1).max(4096),
      /** The store id to file it under; default from the folder's config. */
      id: z.string().min(1).max(64).optional(),
    }),
    output: z.strictObject({ id: z.string(), dtype: ModelDtypeSchema, started: z.literal(true) }),
  },
  'network.status': {
    summary: 'The network the engine uses: the built-in local one or a real endpoint, its block and epoch.',
    input: NoInput,
    output: NetworkStatusSchema,
  },
  'network.metagraph': {
    summary: "The metagraph of the network's subnet: every uid's keys, stake, incentive, emission, permit and axon.",
    input: NoInput,
    output: NetworkMetagraphSchema,
  },
  'neuron.status': {
    summary: 'The miner: state, uid, axon, worker, queue, what the chain says of it, alerts.',
    input: NoInput,
    output: NeuronStatusSchema,
  },
  'neuron.start': {
    summary: 'Starts the miner on the current network (registration check, model, axon, serve_axon).',
    /** Loading a large model into the worker takes a while. */
    slow: true,
    input: NoInput,
    output: NeuronStatusSchema,
  },
  'neuron.stop': {
    summary: 'Stops the miner: refuses new requests, finishes or fails the ones it holds, closes the axon.',
    input: NoInput,
    output: NeuronStatusSchema,
  },
  'generations.list': {
    summary: 'Stored generations, newest first; `search` matches prompt or caller literally.',
    input: z.strictObject({
      limit: z.number().int().min(1).max(200).default(50),
      offset: z.number().int().nonnegative().default(0),
      search: z.string().max(500).optional(),
    }),
    output: z.strictObject({ items: z.array(StoredGenerationSchema), total: z.number().int().nonnegative() }),
  },
  'generations.get': {
    summary: 'One stored generation by id.',
    input: z.strictObject({ id: z.number().int().positive() }),
    output: StoredGenerationSchema,
  },
  'rewards.list': {
    summary: "Epoch snapshots of this node's uid (stake, incentive, emission), oldest first.",
    input: z.strictObject({ limit: z.number().int().min(1).max(5000).default(500) }),
    output: z.strictObject({ items: z.array(RewardSnapshotSchema) }),
  },
  'wallet.list': {
    summary: 'Every wallet in the wallets folder with its coldkey and hotkey addresses (needs no password).',
    input: NoInput,
    output: WalletListSchema,
  },
  'wallet.create': {
    summary: 'A new btcli wallet: coldkey encrypted with the password, one hotkey; the mnemonics are returned once.',
    /** The key derivation (argon2) takes a second or two. */
    slow: true,
    input: WalletCreateInputSchema,
    output: WalletCreateOutputSchema,
  },
  'wallet.regenerate': {
    summary: 'A coldkey or hotkey again from its mnemonic, or a watch-only coldkey from an address.',
    slow: true,
    input: WalletRegenerateInputSchema,
    output: WalletSummarySchema,
  },
  'wallet.import': {
    summary: 'Copies an existing btcli wallet folder into the wallets folder, files unchanged.',
    input: WalletImportInputSchema,
    output: WalletSummarySchema,
  },
  'wallet.overview': {
    summary: "A wallet on the current network: free balance, each hotkey's uid and stake, the registration burn.",
    input: z.strictObject({ name: WalletNameSchema }),
    output: WalletOverviewSchema,
  },
  'wallet.register': {
    summary: "burned_register of a hotkey on the current network's subnet, signed by a local coldkey or an extension.",
    /** An extension waits for the person to approve. */
    slow: true,
    input: WalletRegisterInputSchema,
    output: WalletRegisterOutputSchema,
  },
  'wallet.faucet': {
    summary: 'Local network only: gives an address test TAO, enough to register a few times.',
    input: z.strictObject({ address: z.string().min(1).max(64) }),
    output: z.strictObject({ free: RaoStringSchema }),
  },
  'signer.respond': {
    summary: "The page's answer to a `signer.request`: the extension's signature, or why there is none.",
    input: SignerRespondInputSchema,
    output: z.strictObject({ accepted: z.boolean() }),
  },
  'validator.status': {
    summary:
      'The validator: state, hotkey, the round in progress and the last one, moving-average scores, last weights.',
    input: NoInput,
    output: ValidatorStatusSchema,
  },
  'validator.start': {
    summary:
      'Starts the validator on the current network (the local one: its validator hotkey; a real one: the wallet hotkey).',
    input: z.strictObject({
      profile: ScoringProfileSchema.optional(),
      minersPerRound: z.number().int().min(1).max(256).optional(),
      alpha: z.number().min(0).max(1).optional(),
    }),
    output: ValidatorStatusSchema,
  },
  'validator.stop': {
    summary: 'Stops the validator; a round in progress is closed as interrupted (nobody is punished for it).',
    input: NoInput,
    output: ValidatorStatusSchema,
  },
  'validator.answers': {
    summary: "The miners' answers, newest first, with metrics, judgement and scores; filter by uid or round.",
    input: ValidatorAnswersInputSchema,
    output: ValidatorAnswersOutputSchema,
  },
  'validator.history': {
    summary:
      "The validator's history over a range: each miner's moving-average score and weight share over time, and its dividends.",
    input: ValidatorHistoryInputSchema,
    output: ValidatorHistorySchema,
  },
  'gpu.watch': {
    summary:
      'Starts (or renews) a watch on the GPUs: `gpu.sample` events about once a second until the lease ends or gpu.unwatch.',
    input: z.strictObject({
      /** The watcher's own id (one per open GPU page), so that each unwatches only itself. */
      id: z.string().min(1).max(64),
      /** How long the watch lasts unless renewed: a page that vanishes without unwatching stops costing. */
      leaseMs: z.number().int().min(1000).max(300_000).default(30_000),
    }),
    output: z.strictObject({ intervalMs: z.number().int().positive() }),
  },
  'gpu.unwatch': {
    summary: 'Ends a watch; sampling stops when no watch is left. False if the id had none.',
    input: z.strictObject({ id: z.string().min(1).max(64) }),
    output: z.strictObject({ stopped: z.boolean() }),
  },
  'gpu.benchmark': {
    summary: 'Runs the installed model on each available execution provider and reports steps/s and real-time factor.',
    /** Loading a model on each provider and generating takes a while. */
    slow: true,
    input: NoInput,
    output: GpuBenchmarkSchema,
  },
} as const;

export const events = {
  /** Sent on every change of status and as a heartbeat. */
  status: EngineStatusSchema,
  log: LogEntrySchema,
  settings: SettingsSchema,
  /** A job of the generation queue: queued, step k of n, done / failed / cancelled (throttled to ~10/s per job). */
  generation: GenerationEventSchema,
  /** A model download: running (throttled to ~5/s per download), then done / failed / cancelled. */
  model: ModelDownloadEventSchema,
  /** The network: on every new block (local network) or at most once a second. */
  network: NetworkStatusSchema,
  /** The neuron: on every state change, and when its chain stats, queue or alerts change. */
  neuron: NeuronStatusSchema,
  /** A generation was stored (answered or failed); the library adds it live. */
  'generation.stored': StoredGenerationSchema,
  /** An epoch snapshot of our uid was recorded. */
  reward: RewardSnapshotSchema,
  /** The engine needs a browser extension's signature (answer with `signer.respond`). */
  'signer.request': SignerRequestSchema,
  /** A validator round began or ended, with the moving averages after it. */
  'validator.round': ValidatorRoundEventSchema,
  /** The validator submitted weights. */
  'validator.weights': WeightsSubmissionSchema,
  /** GPU load (utilisation, VRAM, temperature, power), about once a second while any gpu.watch holds. */
  'gpu.sample': GpuSampleSchema,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
/** What a caller passes (defaults may be left out). */
export type CommandInput<C extends CommandName> = z.input<Commands[C]['input']>;
/** What a handler receives, after parsing (defaults filled in). */
export type ParsedCommandInput<C extends CommandName> = z.output<Commands[C]['input']>;
export type CommandOutput<C extends CommandName> = z.output<Commands[C]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
/** One event as it travels: a name and its payload, discriminated on the name. */
export type HostEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];

export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** Commands that may legitimately run for minutes; clients give them a longer time limit. */
export function isSlowCommand(name: CommandName): boolean {
  const entry = commands[name];
  return 'slow' in entry && entry.slow;
}

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
