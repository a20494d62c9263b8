// Finds the Electron binary that `npm ci` downloaded, or says why there is none. Used by
// `npm start` and the Electron e2e test: machines without it (CI, headless boxes, installs without
// GitHub access) use the daemon.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** How to get the window back once GitHub (where Electron's binary lives) is reachable. */
export const ELECTRON_RETRY_HINT =
  'With internet access, `npm install --no-save electron` (or a new `npm ci`) downloads it.';

/** @returns {{ path: string } | { missing: string }} */
export function findElectronBinary() {
  let path;
  try {
    path = require('electron');
  } catch (error) {
    // electron is an optional dependency: npm drops it when its install step cannot download the
    // binary (no GitHub access), so a missing package and a package without binary are both normal.
    const notInstalled = error instanceof Error && 'code' in error && error.code === 'MODULE_NOT_FOUND';
    return {
      missing: notInstalled
        ? `Electron is not installed: its binary could not be downloaded during npm ci. ${ELECTRON_RETRY_HINT}`
        : `Electron's binary was not downloaded: an offline install, or ELECTRON_SKIP_BINARY_DOWNLOAD=1. ${ELECTRON_RETRY_HINT}`,
    };
  }
  if (typeof path !== 'string' || !existsSync(path)) {
    return { missing: `Electron's binary is not at ${String(path)}. ${ELECTRON_RETRY_HINT}` };
  }
  return { path };
}
