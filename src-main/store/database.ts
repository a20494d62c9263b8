import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'bittaudio.db';

/**
 * A build of better_sqlite3.node to load instead of the one in node_modules: `npm start` sets it
 * to a build for Electron's ABI (scripts/electron-native.mjs), so node_modules keeps Node's.
 */
export const SQLITE_BINDING_ENV = 'BITTAUDIO_SQLITE_BINDING';

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/**
 * Opens (creating if needed) the app's SQLite database in `dataDir` with WAL journaling, and
 * brings its schema up to date. Pass `':memory:'` as the file for tests that need no disk.
 */
export function openDatabase(dataDir: string, options: { file?: string; migrations?: readonly Migration[] } = {}): Db {
  const file = options.file ?? DATABASE_FILE;
  if (file !== ':memory:') mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let db: Db;
  const nativeBinding = process.env[SQLITE_BINDING_ENV];
  try {
    db = new Database(file === ':memory:' ? file : join(dataDir, file), nativeBinding ? { nativeBinding } : {});
  } catch (error) {
    const from = nativeBinding ? ` (SQLite build from ${SQLITE_BINDING_ENV}=${nativeBinding})` : '';
    throw new StoreError(`Cannot open the database in ${dataDir}${from}: ${explainOpenError(error)}`, { cause: error });
  }
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the
    // last transactions, never corrupt the file.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(`The database in ${dataDir} cannot be used: ${explainOpenError(error)}`, { cause: error });
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration newer than the database's version; refuses a database from the future. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const current = schemaVersion(db);
  if (current > latest) {
    throw new StoreError(
      `The database has schema version ${current}, but this BittAudio knows only up to ${latest}. ` +
        'It was written by a newer version; update BittAudio or point it at another data folder.',
    );
  }
  const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  for (const migration of pending) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return schemaVersion(db);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** Exported for tests: the message a user sees for an error while opening the database. */
export function explainOpenError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/NODE_MODULE_VERSION/.test(message)) {
    // better-sqlite3 is a native module, built for either Node or Electron.
    return `${message}\nThe SQLite module was built for another runtime. Run \`npm rebuild better-sqlite3\` for the daemon; start the desktop app with \`npm start\`, which builds its own copy for Electron.`;
  }
  if (/Could not locate the bindings file|better_sqlite3\.node/.test(message)) {
    // An interrupted native rebuild (a packaging run without network, say) leaves no build at all.
    return `${firstLine(message)}\nThe SQLite module's native build is missing. Run \`npm rebuild better-sqlite3\` (it compiles it for this Node.js).`;
  }
  if (/file is not a database|malformed/i.test(message)) {
    return `${message} (the file is damaged or is not a BittAudio database)`;
  }
  return message;
}
