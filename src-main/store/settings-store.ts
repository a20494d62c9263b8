import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  SettingsPatchSchema,
  SettingsSchema,
  type SettingKey,
  type Settings,
  type SettingsPatch,
} from '../../src-shared/schemas/settings.js';
import { HostApiError, describeIssues } from '../../src-shared/api/errors.js';
import type { Db } from './database.js';

export interface SettingsProblem {
  key: string;
  reason: string;
}

/**
 * Typed settings over the `settings` table. A stored value that no longer parses (hand-edited,
 * or from an older version) falls back to its default in memory and is reported, but the row is
 * left as it is until the user saves that setting again: nothing is lost silently.
 */
export class SettingsStore {
  constructor(private readonly db: Db) {}

  read(): { settings: Settings; problems: SettingsProblem[] } {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const values: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    const problems: SettingsProblem[] = [];
    for (const row of rows) {
      if (!(SETTING_KEYS as string[]).includes(row.key)) {
        problems.push({ key: row.key, reason: 'unknown setting, ignored' });
        continue;
      }
      const key = row.key as SettingKey;
      const parsed = parseJson(row.value);
      const checked = parsed.ok ? SettingsSchema.shape[key].safeParse(parsed.value) : undefined;
      if (checked?.success) values[key] = checked.data;
      else problems.push({ key, reason: `stored value ${row.value} is invalid, using the default` });
    }
    return { settings: SettingsSchema.parse(values), problems };
  }

  get(): Settings {
    return this.read().settings;
  }

  /** Validates and writes a patch in one transaction; returns all settings after the change. */
  update(patch: SettingsPatch): Settings {
    const parsed = SettingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      throw new HostApiError('invalid_input', 'Invalid settings', describeIssues(parsed.error));
    }
    const upsert = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(parsed.data)) {
        if (value !== undefined) upsert.run(key, JSON.stringify(value));
      }
    })();
    return this.get();
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
