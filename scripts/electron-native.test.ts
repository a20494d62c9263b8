/**
 * The Electron build of better-sqlite3 for `npm start`. Compiling for Electron needs Electron's
 * headers or a prebuilt binary from the internet, so the rebuild step is a double that does what
 * @electron/rebuild does to the scratch folder; everything around it (copy, cache, failure) is real.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../src-main/testing/temp-dir.js';
import { electronSqliteDir, ensureElectronSqlite, sqliteBinding, type RebuildOptions } from './electron-native.mjs';

const tempDir = useTempDirs();

/** A project with better-sqlite3 installed and built for Node. */
function project(): string {
  const root = tempDir();
  const module = join(root, 'node_modules', 'better-sqlite3');
  mkdirSync(join(module, 'build', 'Release'), { recursive: true });
  writeFileSync(join(module, 'package.json'), '{"name":"better-sqlite3","version":"12.0.0"}');
  writeFileSync(join(module, 'build', 'Release', 'better_sqlite3.node'), 'node abi');
  return root;
}

const target = { electronVersion: '40.1.0', sqliteVersion: '12.0.0', platform: 'linux', arch: 'x64' };

describe('the Electron build of SQLite for npm start', () => {
  it('builds once into a cache keyed by Electron and module versions, then reuses it', async () => {
    const root = project();
    const calls: RebuildOptions[] = [];
    const rebuild = (options: RebuildOptions): Promise<void> => {
      calls.push(options);
      // The copy to build must not carry Node's build.
      expect(existsSync(join(options.buildPath, 'node_modules/better-sqlite3/build'))).toBe(false);
      expect(readFileSync(join(options.buildPath, 'node_modules/better-sqlite3/package.json'), 'utf8')).toContain(
        '12.0.0',
      );
      const out = sqliteBinding(options.buildPath);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, 'electron abi');
      return Promise.resolve();
    };
    const first = await ensureElectronSqlite(root, { ...target, rebuild });
    const dir = electronSqliteDir(root, target);
    expect(first).toEqual({ path: sqliteBinding(dir) });
    expect(dir).toContain(join('electron-40.1.0-linux-x64', 'better-sqlite3-12.0.0'));
    expect(readFileSync(sqliteBinding(dir), 'utf8')).toBe('electron abi');
    expect(calls).toMatchObject([
      { electronVersion: '40.1.0', arch: 'x64', onlyModules: ['better-sqlite3'], force: true },
    ]);
    // Node's build in node_modules is untouched.
    expect(readFileSync(join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'utf8')).toBe(
      'node abi',
    );
    expect(await ensureElectronSqlite(root, { ...target, rebuild })).toEqual(first);
    expect(calls).toHaveLength(1);
    // Another Electron is another build.
    await ensureElectronSqlite(root, { ...target, electronVersion: '41.0.0', rebuild });
    expect(calls).toHaveLength(2);
  });

  it('says why when the build fails, and leaves nothing that looks finished', async () => {
    const root = project();
    const offline = (): Promise<void> => Promise.reject(new Error('getaddrinfo ENOTFOUND artifacts.electronjs.org'));
    const result = await ensureElectronSqlite(root, { ...target, rebuild: offline });
    expect(result).toEqual({
      failed: expect.stringMatching(/^could not build the SQLite module for Electron 40\.1\.0 \(getaddrinfo ENOTFOUND/),
    });
    const parent = dirname(electronSqliteDir(root, target));
    expect(existsSync(parent) ? readdirSync(parent) : []).toEqual([]);
  });

  it('does not take a rebuild that produced no binary for a success', async () => {
    const root = project();
    const result = await ensureElectronSqlite(root, { ...target, rebuild: () => Promise.resolve() });
    expect(result).toEqual({ failed: expect.stringContaining('without producing better_sqlite3.node') });
    expect(existsSync(sqliteBinding(electronSqliteDir(root, target)))).toBe(false);
  });
});
