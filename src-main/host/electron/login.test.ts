import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../testing/temp-dir.js';
import { autostartEntry, autostartPath, loginItem, quoteExecArgument, startedHidden } from './login.js';

describe('start at login', () => {
  const tempDir = useTempDirs();

  it('writes the XDG autostart entry where the desktop reads it', () => {
    expect(autostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/a')).toBe('/cfg/autostart/bittaudio.desktop');
    expect(autostartPath({}, '/home/a')).toBe('/home/a/.config/autostart/bittaudio.desktop');
  });

  it('quotes the executable so spaces and shell characters stay literal', () => {
    expect(quoteExecArgument('/opt/Bitt Audio/bittaudio')).toBe('"/opt/Bitt Audio/bittaudio"');
    expect(quoteExecArgument('/a/"$x`\\')).toBe('"/a/\\"\\$x\\`\\\\"');
    expect(autostartEntry('/opt/BittAudio.AppImage')).toContain('Exec="/opt/BittAudio.AppImage" --hidden\n');
  });

  it('turns the Linux entry on and off through the file', () => {
    const file = join(tempDir(), 'autostart', 'bittaudio.desktop');
    const unused = {
      getLoginItemSettings: (): never => {
        throw new Error('not on linux');
      },
      setLoginItemSettings: (): never => {
        throw new Error('not on linux');
      },
    };
    const item = loginItem(unused, { platform: 'linux', executable: '/x/app', autostartFile: file });
    expect(item.get()).toBe(false);
    item.set(true);
    expect(item.get()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(autostartEntry('/x/app'));
    item.set(false);
    expect(existsSync(file)).toBe(false);
    expect(item.get()).toBe(false);
  });

  it('uses the system login items on macOS and Windows, starting hidden', () => {
    let settings = { openAtLogin: false, args: [] as string[] };
    const app = {
      getLoginItemSettings: () => settings,
      setLoginItemSettings: (s: { openAtLogin: boolean; args: string[] }) => (settings = s),
    };
    for (const platform of ['darwin', 'win32'] as const) {
      const item = loginItem(app, { platform, executable: '/x' });
      item.set(true);
      expect(item.get()).toBe(true);
      expect(settings.args).toEqual(['--hidden']);
      item.set(false);
      expect(item.get()).toBe(false);
    }
    expect(loginItem(app, { platform: 'freebsd', executable: '/x' }).get()).toBeNull();
  });

  it('knows a start from the login item by its flag', () => {
    expect(startedHidden(['/x/electron', '.', '--hidden'])).toBe(true);
    expect(startedHidden(['/x/electron', '.'])).toBe(false);
  });
});
