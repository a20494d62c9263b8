import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import {
  DATABASE_FILE,
  SQLITE_BINDING_ENV,
  StoreError,
  explainOpenError,
  migrate,
  openDatabase,
  schemaVersion,
} from './database.js';
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

describe('a broken SQLite install', () => {
  it('names the fix when the native build is missing (as an interrupted rebuild leaves it)', () => {
    // A real better-sqlite3 without its build/ folder, loaded the way the app loads it.
    const root = tempDir();
    const here = createRequire(import.meta.url);
    const packageDir = dirname(here.resolve('better-sqlite3/package.json'));
    const copy = join(root, 'node_modules', 'better-sqlite3');
    mkdirSync(copy, { recursive: true });
    cpSync(join(packageDir, 'lib'), join(copy, 'lib'), { recursive: true });
    cpSync(join(packageDir, 'package.json'), join(copy, 'package.json'));
    for (const dependency of ['bindings', 'file-uri-to-path']) {
      symlinkSync(dirname(here.resolve(`${dependency}/package.json`)), join(root, 'node_modules', dependency));
    }
    const BrokenDatabase = createRequire(join(root, 'index.js'))('better-sqlite3') as new (file: string) => unknown;
    let thrown: unknown;
    try {
      new BrokenDatabase(':memory:');
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).toMatch(/Could not locate the bindings file/);
    const explained = explainOpenError(thrown);
    expect(explained).toContain("The SQLite module's native build is missing. Run `npm rebuild better-sqlite3`");
    expect(explained.split('\n')).toHaveLength(2);
  });
});

describe('a SQLite build from elsewhere (npm start with Electron)', () => {
  const withBinding = <T>(path: string, run: () => T): T => {
    const before = process.env[SQLITE_BINDING_ENV];
    process.env[SQLITE_BINDING_ENV] = path;
    try {
      return run();
    } finally {
      if (before === undefined) delete process.env['BITTAUDIO_SQLITE_BINDING'];
      else process.env[SQLITE_BINDING_ENV] = before;
    }
  };

  it('loads the build the variable names instead of the one in node_modules', () => {
    const here = createRequire(import.meta.url);
    const built = join(dirname(here.resolve('better-sqlite3/package.json')), 'build/Release/better_sqlite3.node');
    const elsewhere = join(tempDir(), 'other-abi', 'better_sqlite3.node');
    mkdirSync(dirname(elsewhere));
    cpSync(built, elsewhere);
    const db = withBinding(elsewhere, () => openDatabase(tempDir()));
    expect(schemaVersion(db)).toBeGreaterThan(0);
    db.close();
  });

  it('names the variable when its build cannot be loaded', () => {
    const missing = join(tempDir(), 'nowhere', 'better_sqlite3.node');
    expect(() => withBinding(missing, () => openDatabase(tempDir()))).toThrow(
      `(SQLite build from ${SQLITE_BINDING_ENV}=${missing})`,
    );
  });
});
