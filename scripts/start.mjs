// `npm start`: the desktop app where an Electron binary is installed, the daemon otherwise, so
// the same command works on a desktop and on a headless GPU box.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findElectronBinary } from './electron-binary.mjs';

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
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

if ('path' in electron && hasDisplay && !wantDaemon) {
  process.exit(await run(electron.path, ['.', ...args]));
}

const why = wantDaemon
  ? 'headless mode was asked for'
  : 'missing' in electron
    ? `no desktop window: ${electron.missing}`
    : 'no desktop window: no display (DISPLAY/WAYLAND_DISPLAY unset)';
console.log(`Starting the BittAudio daemon (${why}); open the link below in a browser.`);
process.exit(
  await run(process.execPath, ['dist/main/cli.js', 'daemon', ...(args[0] === 'daemon' ? args.slice(1) : args)]),
);
