// `npm run dist`: the desktop installers (electron-builder). Packaging needs what only a
// connected machine has — Electron's binary, its headers for the native rebuild, and
// electron-builder's tools from GitHub — so it checks that first and says what is missing, and it
// never leaves the development install broken (see native-builds.mjs).
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';
import { NATIVE_BUILDS, keepNativeBuilds } from './native-builds.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Overridable so the offline path can be tested anywhere.
const DOWNLOAD_HOST = process.env.BITTAUDIO_DIST_DOWNLOAD_HOST ?? 'github.com';

function fail(message) {
  process.stderr.write(`npm run dist: ${message}\n`);
  process.exit(1);
}

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
}

async function reachable(host) {
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref());
  try {
    await Promise.race([lookup(host), timeout]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function sqliteLoads() {
  return new Promise((resolve) => {
    const probe = spawn(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
      cwd: root,
      stdio: 'ignore',
    });
    probe.on('exit', (code) => resolve(code === 0));
    probe.on('error', () => resolve(false));
  });
}

const offline = await reachable(DOWNLOAD_HOST);
if (offline) {
  fail(
    `packaging downloads Electron's headers and electron-builder's tools from ${DOWNLOAD_HOST}, which cannot be ` +
      `reached from here (${offline}). Run it on a machine with internet access. Nothing was changed.`,
  );
}
const electron = findElectronBinary();
if ('missing' in electron) fail(`packaging needs the Electron binary: ${electron.missing}. Nothing was changed.`);

if ((await run('npm', ['run', '--silent', 'build'])) !== 0) fail('the build failed (see above).');

// Package the Electron that is installed, rather than downloading another copy of it.
const electronDist = join(dirname(createRequire(import.meta.url).resolve('electron')), 'dist');
const code = await keepNativeBuilds(root, NATIVE_BUILDS, () =>
  run('npx', ['--no-install', 'electron-builder', `--config.electronDist=${electronDist}`, ...process.argv.slice(2)]),
);
if (!(await sqliteLoads())) {
  process.stderr.write(
    'npm run dist: the SQLite module does not load in Node.js any more; run `npm rebuild better-sqlite3`.\n',
  );
}
if (code !== 0) {
  fail(
    `electron-builder failed (exit code ${code}, see above). The development install is as it was, so npm start ` +
      'still works. If a download failed, retry with internet access.',
  );
}
console.log('Installers are in release/.');
