/**
 * Start at login. macOS and Windows keep this in the system (Electron's login item settings);
 * Linux desktops read XDG autostart entries, which Electron does not write, so this does.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The XDG autostart entry's path (Desktop Application Autostart Specification). */
export function autostartPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const config = env['XDG_CONFIG_HOME']?.trim() || join(home, '.config');
  return join(config, 'autostart', 'bittaudio.desktop');
}

/** Quotes an argument for a desktop entry's Exec key (Desktop Entry Specification, "Exec"). */
export function quoteExecArgument(argument: string): string {
  return `"${argument.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The autostart entry: `--hidden` starts in the tray, so logging in opens no window. */
export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=BittAudio',
    'Comment=Mine on Bittensor subnet 50 (text-to-music)',
    `Exec=${quoteExecArgument(executable)} --hidden`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Whether this start came from the login item (it then stays in the tray). */
export function startedHidden(argv: readonly string[]): boolean {
  return argv.includes('--hidden');
}

export interface LoginItem {
  /** Null where this desktop offers no way to start apps at login. */
  get(): boolean | null;
  set(enabled: boolean): void;
}

/** What this uses of Electron's `app` (macOS and Windows only). */
export interface LoginItemSettingsApi {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args: string[] }): void;
}

/** The login item for this platform. */
export function loginItem(
  app: LoginItemSettingsApi,
  options: { platform?: NodeJS.Platform; executable: string; autostartFile?: string },
): LoginItem {
  const platform = options.platform ?? process.platform;
  if (platform === 'darwin' || platform === 'win32') {
    return {
      get: () => app.getLoginItemSettings().openAtLogin,
      set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] }),
    };
  }
  if (platform !== 'linux') return { get: () => null, set: () => undefined };
  const file = options.autostartFile ?? autostartPath();
  return {
    get: () => existsSync(file),
    set: (enabled) => {
      if (!enabled) return rmSync(file, { force: true });
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, autostartEntry(options.executable), { mode: 0o644 });
    },
  };
}
