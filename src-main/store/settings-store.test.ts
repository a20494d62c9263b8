import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-shared/schemas/settings.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { SettingsPatch } from '../../src-shared/schemas/settings.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { openDatabase } from './database.js';
import { SettingsStore } from './settings-store.js';

const tempDir = useTempDirs();

describe('SettingsStore', () => {
  it('returns the defaults for an empty store (hardware acceleration off)', () => {
    const store = new SettingsStore(openDatabase('', { file: ':memory:' }));
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.get().hardwareAcceleration).toBe(false);
  });

  it('persists an update across reopening the database', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const after = new SettingsStore(db).update({ theme: 'light', logLevel: 'debug' });
    expect(after).toEqual({ ...DEFAULT_SETTINGS, theme: 'light', logLevel: 'debug' });
    db.close();
    const reopened = openDatabase(dir);
    expect(new SettingsStore(reopened).get()).toEqual(after);
    reopened.close();
  });

  it('rejects an invalid patch with the offending field and writes nothing', () => {
    const db = openDatabase('', { file: ':memory:' });
    const store = new SettingsStore(db);
    const bad = { theme: 'dark', logLevel: 'loud' } as unknown as SettingsPatch;
    let thrown: unknown;
    try {
      store.update(bad);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HostApiError);
    expect((thrown as HostApiError).code).toBe('invalid_input');
    expect((thrown as HostApiError).issues?.join()).toMatch(/logLevel/);
    expect(store.get().theme).toBe(DEFAULT_SETTINGS.theme);
    expect(db.prepare('SELECT COUNT(*) AS n FROM settings').get()).toEqual({ n: 0 });
  });

  it('keeps the network settings (the local network by default) and refuses an endpoint that is no network', () => {
    const store = new SettingsStore(openDatabase('', { file: ':memory:' }));
    expect(store.get().network).toMatchObject({ mode: 'local', netuid: 50, localBlockTimeMs: 1000, localMiners: 3 });
    const remote = { ...DEFAULT_SETTINGS.network, mode: 'remote' as const, endpoint: 'wss://node.example:443' };
    expect(store.update({ network: remote }).network).toEqual(remote);
    for (const endpoint of ['http://node.example', 'mainnet']) {
      expect(() => store.update({ network: { ...remote, endpoint } })).toThrow(/Invalid settings/);
    }
    expect(() => store.update({ network: { ...remote, localMiners: 9 } })).toThrow(/Invalid settings/);
    expect(store.get().network).toEqual(remote);
  });

  it('rejects unknown keys instead of dropping them', () => {
    const store = new SettingsStore(openDatabase('', { file: ':memory:' }));
    expect(() => store.update({ gpu: 'all' } as unknown as SettingsPatch)).toThrow(/Invalid settings/);
  });

  it('falls back to the default for a damaged stored value, reports it, and keeps the row', () => {
    const db = openDatabase('', { file: ':memory:' });
    db.prepare(
      "INSERT INTO settings (key, value) VALUES ('logLevel', '\"chatty\"'), ('theme', 'not json'), ('old', '1')",
    ).run();
    const { settings, problems } = new SettingsStore(db).read();
    expect(settings.logLevel).toBe('info');
    expect(settings.theme).toBe('system');
    expect(problems.map((p) => p.key).sort()).toEqual(['logLevel', 'old', 'theme']);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'logLevel'").get()).toEqual({ value: '"chatty"' });
  });
});
