// Electron loads native modules built for its own ABI, Node (tests, the daemon) for Node's, and
// one node_modules holds one build. So `npm start` keeps Node's build where it is and builds
// better-sqlite3 once more for the installed Electron, into a cache folder keyed by both
// versions; the app loads that build through BITTAUDIO_SQLITE_BINDING (store/database.ts).
// Packaging needs none of this: electron-builder rebuilds inside the package (dist.mjs).
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The environment variable that points the app's SQLite at a build of better_sqlite3.node. */
export const SQLITE_BINDING_ENV = 'BITTAUDIO_SQLITE_BINDING';

const MODULE = 'better-sqlite3';

/** The cache folder for one Electron, platform and better-sqlite3 version. */
export function electronSqliteDir(root, { electronVersion, sqliteVersion, platform, arch }) {
  return join(
    root,
    'node_modules',
    '.cache',
    'bittaudio-electron-native',
    `electron-${electronVersion}-${platform}-${arch}`,
    `${MODULE}-${sqliteVersion}`,
  );
}

/** Where the Electron build of better_sqlite3.node lies inside a cache folder. */
export function sqliteBinding(dir) {
  return join(dir, 'node_modules', MODULE, 'build', 'Release', 'better_sqlite3.node');
}

/** The installed versions: Electron's from its package, better-sqlite3's from its package. */
export function installedVersions(root) {
  const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  return { electronVersion: version('electron'), sqliteVersion: version(MODULE) };
}

/** @electron/rebuild (electron-builder's own rebuilder), loaded only when a build is needed. */
export async function electronRebuild(options) {
  const { rebuild } = await import('@electron/rebuild');
  await rebuild(options);
}

/**
 * Returns `{ path }` of an Electron build of better_sqlite3.node, building it first when the cache
 * has none, or `{ failed }` saying why not. The build happens in a scratch folder that becomes the
 * cache folder only once it holds the binary, so a failed or interrupted build leaves nothing
 * that looks finished. `rebuild` is @electron/rebuild's `rebuild` (passed in for tests).
 */
export async function ensureElectronSqlite(
  root,
  { electronVersion, sqliteVersion, platform = process.platform, arch = process.arch, rebuild = electronRebuild },
) {
  const dir = electronSqliteDir(root, { electronVersion, sqliteVersion, platform, arch });
  if (existsSync(sqliteBinding(dir))) return { path: sqliteBinding(dir) };
  const scratch = `${dir}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  try {
    mkdirSync(join(scratch, 'node_modules'), { recursive: true });
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'bittaudio-electron-native', private: true, dependencies: { [MODULE]: sqliteVersion } }),
    );
    const source = join(root, 'node_modules', MODULE);
    cpSync(source, join(scratch, 'node_modules', MODULE), {
      recursive: true,
      dereference: true,
      // Node's build must not pass for Electron's if the rebuild silently does nothing.
      filter: (path) => {
        const inside = relative(source, path);
        return inside !== 'build' && !inside.startsWith(`build${sep}`);
      },
    });
    await rebuild({ buildPath: scratch, electronVersion, arch, onlyModules: [MODULE], force: true });
    if (!existsSync(sqliteBinding(scratch)))
      throw new Error('the rebuild finished without producing better_sqlite3.node');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, '..'), { recursive: true });
    renameSync(scratch, dir);
    return { path: sqliteBinding(dir) };
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    return {
      failed:
        `could not build the SQLite module for Electron ${electronVersion} (${message.split('\n')[0]}). ` +
        'It downloads a prebuilt binary or Electron headers once; retry with internet access.',
    };
  }
}
