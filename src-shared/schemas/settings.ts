import { z } from 'zod';
import { LogLevelSchema } from './logs.js';
import { ModelDtypeSchema } from './model-manifest.js';

export const ThemeSchema = z.enum(['system', 'dark', 'light']);

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
   * neuron.stop), so a restart, even after a crash, starts it again.
   */
  minerEnabled: z.boolean(),
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
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  hardwareAcceleration: false,
  logLevel: 'info',
  theme: 'system',
  minerEnabled: false,
  walletName: 'default',
  walletHotkey: 'default',
  walletPath: null,
  minerModel: 'musicgen-medium',
  minerDtype: 'fp32',
  keepDays: 30,
  keepGb: 5,
});

export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** A change to some settings. Unknown keys are an error, never silently dropped. */
export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
