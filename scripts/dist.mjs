// `npm run dist`: the desktop installers (electron-builder). Packaging needs what only a
// connected machine has — Electron's binary, its headers for the native rebuild, and
// electron-builder's tools from GitHub — so it checks that first and says what is missing, and it
// never leaves the development install broken (see native-builds.mjs).
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
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

/**
 * With BITTAUDIO_UPDATE_URL (an https folder that will hold the installers), the package gets a
 * generic update feed: electron-builder writes latest*.yml beside the installers (upload both to
 * that folder) and app-update.yml into the app, which host/electron/updates.ts reads. Without it
 * the app has no feed and never checks. Returns the electron-builder arguments for that.
 */
function updateFeedArgs() {
  const url = process.env.BITTAUDIO_UPDATE_URL?.trim();
  if (!url) return [];
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    fail(`BITTAUDIO_UPDATE_URL is not a URL: "${url}". Nothing was changed.`);
  }
  if (parsed.protocol !== 'https:') fail('BITTAUDIO_UPDATE_URL must be an https URL. Nothing was changed.');
  const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
  config.publish = { provider: 'generic', url: parsed.href };
  mkdirSync(join(root, 'release'), { recursive: true });
  const file = join(root, 'release', 'electron-builder.update-feed.yml');
  writeFileSync(file, yaml.dump(config));
  console.log(`Packaging with the update feed ${parsed.href}`);
  return ['--config', file, '--publish', 'never'];
}

const feedArgs = updateFeedArgs();
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
  run('npx', [
    '--no-install',
    'electron-builder',
    ...feedArgs,
    `--config.electronDist=${electronDist}`,
    ...process.argv.slice(2),
  ]),
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
