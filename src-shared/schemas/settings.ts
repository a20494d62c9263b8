import { z } from 'zod';
import { LogLevelSchema } from './logs.js';

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
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  hardwareAcceleration: false,
  logLevel: 'info',
  theme: 'system',
});

export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** A change to some settings. Unknown keys are an error, never silently dropped. */
export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
