// Finds the Electron binary that `npm ci` downloaded, or says why there is none. Used by
// `npm start` and the Electron e2e test: machines without it (CI, headless boxes) use the daemon.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** @returns {{ path: string } | { missing: string }} */
export function findElectronBinary() {
  let path;
  try {
    path = require('electron');
  } catch {
    return {
      missing:
        'the Electron binary was not downloaded (an offline install, or ELECTRON_SKIP_BINARY_DOWNLOAD=1); ' +
        'with internet access, `node node_modules/electron/install.js` fetches it',
    };
  }
  if (typeof path !== 'string' || !existsSync(path)) {
    return { missing: `the Electron binary is not at ${String(path)}` };
  }
  return { path };
}
