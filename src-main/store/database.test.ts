import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { DATABASE_FILE, StoreError, migrate, openDatabase, schemaVersion } from './database.js';
import { MIGRATIONS } from './migrations.js';

const tempDir = useTempDirs();
const latest = Math.max(...MIGRATIONS.map((m) => m.version));

describe('openDatabase', () => {
  it('creates the data folder and a WAL database at the latest schema version', () => {
    const dir = join(tempDir(), 'nested', 'data');
    const db = openDatabase(dir);
    expect(existsSync(join(dir, DATABASE_FILE))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(latest);
    db.close();
  });

  it('keeps data across reopening and does not re-run migrations', () => {
    const dir = tempDir();
    const first = openDatabase(dir);
    first.prepare("INSERT INTO settings (key, value) VALUES ('theme', '\"dark\"')").run();
    first.close();
    const second = openDatabase(dir);
    expect(second.prepare('SELECT value FROM settings WHERE key = ?').get('theme')).toEqual({ value: '"dark"' });
    expect(schemaVersion(second)).toBe(latest);
    second.close();
  });

  it('refuses a database written by a newer version, naming both versions', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    db.pragma(`user_version = ${latest + 5}`);
    db.close();
    expect(() => openDatabase(dir)).toThrowError(StoreError);
    expect(() => openDatabase(dir)).toThrowError(new RegExp(`schema version ${latest + 5}.*only up to ${latest}`));
  });

  it('reports a file that is not a database clearly', () => {
    const dir = tempDir();
    writeFileSync(join(dir, DATABASE_FILE), 'this is not sqlite at all, just some text that is long enough');
    expect(() => openDatabase(dir)).toThrowError(/not a BittAudio database|not a database/);
  });
});

describe('migrate', () => {
  it('rolls back a failing migration whole and keeps the previous version', () => {
    const db = openDatabase('', { file: ':memory:' });
    const broken = [
      ...MIGRATIONS,
      { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM missing_table;' },
    ];
    expect(() => migrate(db, broken)).toThrow(/missing_table/);
    expect(schemaVersion(db)).toBe(latest);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it('applies pending migrations in version order', () => {
    const db = openDatabase('', { file: ':memory:' });
    const more = [
      { version: latest + 2, name: 'second', sql: 'ALTER TABLE extra ADD COLUMN b TEXT;' },
      { version: latest + 1, name: 'first', sql: 'CREATE TABLE extra (a TEXT);' },
      ...MIGRATIONS,
    ];
    expect(migrate(db, more)).toBe(latest + 2);
    const columns = db.prepare('PRAGMA table_info(extra)').all() as { name: string }[];
    expect(columns.map((c) => c.name)).toEqual(['a', 'b']);
    db.close();
  });
});
