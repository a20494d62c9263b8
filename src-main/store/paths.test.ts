import { describe, expect, it } from 'vitest';
import { defaultDataDir } from './paths.js';

describe('defaultDataDir', () => {
  it('follows XDG on Linux', () => {
    expect(defaultDataDir('linux', {}, '/home/ana')).toBe('/home/ana/.local/share/bittaudio');
    expect(defaultDataDir('linux', { XDG_DATA_HOME: '/data' }, '/home/ana')).toBe('/data/bittaudio');
  });

  it('uses the platform folders on macOS and Windows', () => {
    expect(defaultDataDir('darwin', {}, '/Users/ana')).toBe('/Users/ana/Library/Application Support/BittAudio');
    expect(defaultDataDir('win32', { APPDATA: 'C:/Users/ana/AppData/Roaming' }, 'C:/Users/ana')).toMatch(
      /Roaming[\\/]BittAudio$/,
    );
  });

  it('lets BITTAUDIO_DATA_DIR override everything', () => {
    expect(defaultDataDir('linux', { BITTAUDIO_DATA_DIR: '/srv/ba', XDG_DATA_HOME: '/data' }, '/home/ana')).toBe(
      '/srv/ba',
    );
  });
});
