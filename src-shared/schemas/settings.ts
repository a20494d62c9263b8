import { z } from 'zod';
import { LogLevelSchema } from './logs.js';
import { ExecutionProviderSchema } from './gpu.js';
import { ModelDtypeSchema } from './model-manifest.js';
import { DEFAULT_SCORING_PROFILE, ScoringProfileSchema } from './scoring.js';
import { PromptSourceSettingSchema } from './prompts.js';

export const ThemeSchema = z.enum(['system', 'dark', 'light']);

/** Names of the public networks (chain §1.1) a remote endpoint may be given as. */
const NETWORK_NAMES = ['finney', 'test', 'archive', 'local'];

/**
 * The network the engine connects to. `local` (the default) is the built-in local network: a
 * devnet chain with local miners and a test validator, nothing leaves the machine. `remote` is a
 * real subtensor endpoint. A change takes effect at once (the network is replaced).
 */
export const NetworkSettingsSchema = z.strictObject({
  mode: z.enum(['local', 'remote']),
  /** Remote: finney, test, archive, local (ws://127.0.0.1:9944), or a ws:// or wss:// URL. */
  endpoint: z
    .string()
    .max(2048)
    .refine(
      (value) => NETWORK_NAMES.includes(value) || /^wss?:\/\/[^\s]+$/.test(value),
      `a network name (${NETWORK_NAMES.join(', ')}) or a ws:// or wss:// URL`,
    ),
  netuid: z.number().int().min(1).max(65535),
  /** Local network: milliseconds per block. */
  localBlockTimeMs: z.number().int().min(50).max(60_000),
  /** Local network: miners it runs besides yours. */
  localMiners: z.number().int().min(0).max(8),
  /** Remote: the port our axon listens on (and announces). */
  axonPort: z.number().int().min(1).max(65535),
  /** Remote: the address validators reach our axon at; null detects this machine's first non-loopback IPv4. */
  externalIp: z.string().min(1).max(64).nullable(),
});
export type NetworkSettings = z.infer<typeof NetworkSettingsSchema>;

/** A model of the store, named by its id (`clap-larger-music-and-speech`) or its repo. */
const ModelNameSchema = z.string().trim().min(1).max(255);

/** User settings; the store keeps one row per key. */
export const SettingsSchema = z.strictObject({
  /**
   * Chromium's GPU compositing in the Electron window. Off by default: the GPU belongs to
   * MusicGen. Takes effect at the next start of the desktop app.
   */
  hardwareAcceleration: z.boolean(),
  /** Lines below this level are neither kept nor shown. */
  logLevel: LogLevelSchema,
  theme: ThemeSchema,
  /**
   * The miner was running when the engine last stopped (set by neuron.start, cleared by
   * neuron.stop), so a restart, even after a crash, starts it again. Null until the miner first
   * ran or was stopped: then the app and the daemon start it on the local network by themselves.
   */
  minerEnabled: z.boolean().nullable(),
  /** On a real network: the btcli wallet and hotkey the miner uses (hotkey + coldkeypub only). */
  walletName: z.string().min(1).max(255),
  walletHotkey: z.string().min(1).max(255),
  /** Folder holding the wallets; null is $BT_WALLET_PATH or ~/.bittensor/wallets. */
  walletPath: z.string().min(1).max(4096).nullable(),
  /** On a real network: the MusicGen the miner runs, a model id of the store or a model folder. */
  minerModel: z.string().min(1).max(4096),
  minerDtype: ModelDtypeSchema,
  /** Generation history retention: rows older than this many days go. */
  keepDays: z.number().positive().max(36_500),
  /** … and the oldest audio goes while all of it is larger than this many gigabytes. */
  keepGb: z.number().positive().max(100_000),
  network: NetworkSettingsSchema,
  /** The first-run setup was finished or skipped; until then the Overview offers it. */
  onboarded: z.boolean(),
  /** Validator: how raw metrics become a score (docs/scoring-profiles.md). */
  scoringProfile: ScoringProfileSchema,
  /** Validator: the CLAP model for prompt adherence (a `clap` model of the store). */
  scoringClapModel: ModelNameSchema,
  /** Validator: the AudioSet classifier for the KL term (an `audio-classifier` model of the store). */
  scoringClassifierModel: ModelNameSchema,
  /** Validator: the VGGish model for FAD (a `vggish` model, import only); null scores without FAD. */
  scoringVggishModel: ModelNameSchema.nullable(),
  /**
   * Validator: where the scoring models run. The CPU by default: the GPU belongs to MusicGen, and
   * CUDA and CPU differ by float noise that can flip a score at a hard edge (scoring spec §3.2).
   */
  scoringDevice: ExecutionProviderSchema,
  /**
   * Validator, on a real network: where prompts come from (bundled, a hub dataset, a local folder,
   * an OpenAI-compatible endpoint whose key stays in BITTAUDIO_LLM_API_KEY). The bundled set answers
   * whenever the chosen source fails; the local network keeps its own prompts.
   */
  validatorPrompts: PromptSourceSettingSchema,
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  hardwareAcceleration: false,
  logLevel: 'info',
  theme: 'system',
  minerEnabled: null,
  walletName: 'default',
  walletHotkey: 'default',
  walletPath: null,
  minerModel: 'musicgen-medium',
  minerDtype: 'fp32',
  keepDays: 30,
  keepGb: 5,
  network: Object.freeze({
    mode: 'local',
    endpoint: 'finney',
    netuid: 50,
    localBlockTimeMs: 1000,
    // Three, so that while the app's validator runs the local network shows one good, one silent and
    // one replaying miner (local-behaviours.ts): with two there would be no silent one.
    localMiners: 3,
    axonPort: 8091,
    externalIp: null,
  }),
  onboarded: false,
  scoringProfile: DEFAULT_SCORING_PROFILE,
  scoringClapModel: 'clap-larger-music-and-speech',
  scoringClassifierModel: 'ast-audioset',
  scoringVggishModel: null,
  scoringDevice: 'cpu',
  validatorPrompts: Object.freeze({ kind: 'bundled' as const }),
});

export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** A change to some settings. Unknown keys are an error, never silently dropped. */
export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
