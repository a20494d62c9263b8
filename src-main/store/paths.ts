import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the daemon keeps its data when no `--data-dir` is given: the platform's per-user data
 * folder (XDG on Linux). The Electron shell uses `app.getPath('userData')` instead.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (env['BITTAUDIO_DATA_DIR']) return env['BITTAUDIO_DATA_DIR'];
  switch (platform) {
    case 'win32':
      return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'BittAudio');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'BittAudio');
    default:
      return join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), 'bittaudio');
  }
}
