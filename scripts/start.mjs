// `npm start`: the desktop app where an Electron binary is installed, the daemon otherwise, so
// the same command works on a desktop and on a headless GPU box.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findElectronBinary } from './electron-binary.mjs';
import { SQLITE_BINDING_ENV, ensureElectronSqlite, installedVersions } from './electron-native.mjs';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs a child and makes sure it never outlives this script. A signal sent to npm reaches npm's
 * shell, not always us: when the shell dies first we are re-parented, which the ppid poll notices.
 */
function run(command, args, { ipc = false, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ipc ? ['inherit', 'inherit', 'inherit', 'ipc'] : 'inherit',
      shell: process.platform === 'win32',
      env,
    });
    const stop = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers = STOP_SIGNALS.map((signal) => {
      const handler = () => stop(signal);
      process.on(signal, handler);
      return [signal, handler];
    });
    const parent = process.ppid;
    const orphanWatch = setInterval(() => {
      if (process.ppid !== parent) stop('SIGTERM');
    }, 500);
    orphanWatch.unref();
    child.on('exit', (code, signal) => {
      clearInterval(orphanWatch);
      for (const [name, handler] of handlers) process.off(name, handler);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

if (process.env.BITTAUDIO_SKIP_BUILD !== '1' || !existsSync('dist/main/cli.js')) {
  const code = await run('npm', ['run', '--silent', 'build']);
  if (code !== 0) process.exit(code);
}

const args = process.argv.slice(2);
const electron = findElectronBinary();
const wantDaemon = args[0] === 'daemon' || process.env.BITTAUDIO_HEADLESS === '1';
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

let sqliteFailed;
if ('path' in electron && hasDisplay && !wantDaemon) {
  // node_modules keeps the SQLite build for Node (tests, the daemon); the window gets its own,
  // built once per Electron version (the first start takes a minute and needs the internet).
  const sqlite = await ensureElectronSqlite(process.cwd(), installedVersions(process.cwd()));
  if ('path' in sqlite) {
    process.exit(
      await run(electron.path, ['.', ...args], { env: { ...process.env, [SQLITE_BINDING_ENV]: sqlite.path } }),
    );
  }
  sqliteFailed = sqlite.failed;
}

const why = wantDaemon
  ? 'Headless mode was asked for.'
  : 'missing' in electron
    ? `No desktop window: ${electron.missing}`
    : sqliteFailed
      ? `No desktop window: ${sqliteFailed}`
      : 'No desktop window: there is no display (DISPLAY and WAYLAND_DISPLAY are unset).';
console.log(`${why}\nStarting the BittAudio daemon; open the link below in a browser.`);
// The IPC channel tells the daemon when this script is gone (even by SIGKILL), so it stops too.
process.exit(
  await run(process.execPath, ['dist/main/cli.js', 'daemon', ...(args[0] === 'daemon' ? args.slice(1) : args)], {
    ipc: true,
  }),
);
