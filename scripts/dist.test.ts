import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../src-main/testing/temp-dir.js';
import { NATIVE_BUILDS, keepNativeBuilds } from './native-builds.mjs';

const root = join(import.meta.dirname, '..');
const tempDir = useTempDirs();

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('npm run dist without network', () => {
  it('fails at once with a clear message and leaves the SQLite build untouched', () => {
    const sqlite = join(root, NATIVE_BUILDS[0] as string);
    const before = sha256(sqlite);
    const result = spawnSync(process.execPath, ['scripts/dist.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, BITTAUDIO_DIST_DOWNLOAD_HOST: 'downloads.invalid' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^npm run dist: packaging downloads Electron's headers .* from downloads\.invalid/);
    expect(result.stderr).toContain('Nothing was changed.');
    expect(sha256(sqlite)).toBe(before);
  });
});

describe('npm run dist with an update feed', () => {
  it('refuses a feed that is not https before doing anything', () => {
    const result = spawnSync(process.execPath, ['scripts/dist.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        BITTAUDIO_DIST_DOWNLOAD_HOST: 'downloads.invalid',
        BITTAUDIO_UPDATE_URL: 'http://dl.example.org/',
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('npm run dist: BITTAUDIO_UPDATE_URL must be an https URL. Nothing was changed.\n');
  });
});

describe('keepNativeBuilds', () => {
  it('puts a native build back after a packaging step deleted it and failed', async () => {
    const project = tempDir();
    const file = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    mkdirSync(join(project, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
    writeFileSync(join(project, file), 'node abi build');
    await expect(
      keepNativeBuilds(project, [file, 'node_modules/absent/x.node'], () => {
        // What an interrupted `@electron/rebuild` does: the build folder is gone, then it fails.
        rmSync(join(project, 'node_modules/better-sqlite3/build'), { recursive: true });
        return Promise.reject(new Error('getaddrinfo ENOTFOUND artifacts.electronjs.org'));
      }),
    ).rejects.toThrow(/ENOTFOUND/);
    expect(readFileSync(join(project, file), 'utf8')).toBe('node abi build');
    expect(existsSync(join(project, 'node_modules/absent/x.node'))).toBe(false);
  });

  it('restores the Node build after a successful run too (the Electron build is in the package by then)', async () => {
    const project = tempDir();
    const file = 'native.node';
    writeFileSync(join(project, file), 'node');
    const result = await keepNativeBuilds(project, [file], () => {
      writeFileSync(join(project, file), 'electron');
      return Promise.resolve(0);
    });
    expect(result).toBe(0);
    expect(readFileSync(join(project, file), 'utf8')).toBe('node');
  });
});
