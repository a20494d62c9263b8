/**
 * The committed icons are what packaging points at: each exists, has the size its name or format
 * entry claims, and the ICO/ICNS containers are well formed (their entries decode as PNGs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const read = (path: string): Buffer => readFileSync(join(root, path));
const size = async (data: Buffer): Promise<[number, number]> => {
  const meta = await sharp(data).metadata();
  return [meta.width, meta.height];
};

describe('app icons', () => {
  it('has a 512² icon.png, the Linux sizes and the tray icons', async () => {
    expect(await size(read('build/icon.png'))).toEqual([512, 512]);
    for (const n of [16, 32, 48, 64, 128, 256, 512]) {
      expect(await size(read(`build/icons/${n}x${n}.png`)), `${n}x${n}`).toEqual([n, n]);
    }
    expect(await size(read('build/tray.png'))).toEqual([32, 32]);
    expect(await size(read('build/tray@2x.png'))).toEqual([64, 64]);
  });

  it('has a Windows .ico whose directory matches its PNG entries', async () => {
    const ico = read('build/icon.ico');
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const declared = ico.readUInt8(entry) || 256;
      const length = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      expect(offset + length).toBeLessThanOrEqual(ico.length);
      expect(await size(ico.subarray(offset, offset + length))).toEqual([declared, declared]);
      sizes.push(declared);
    }
    expect(sizes).toContain(256);
    expect(sizes).toContain(16);
  });

  it('has a macOS .icns whose chunks cover the file and decode at their sizes', async () => {
    const icns = read('build/icon.icns');
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const expected: Record<string, number> = {
      icp4: 16,
      icp5: 32,
      icp6: 64,
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
    };
    const seen: string[] = [];
    for (let offset = 8; offset < icns.length;) {
      const type = icns.toString('ascii', offset, offset + 4);
      const length = icns.readUInt32BE(offset + 4);
      const side = expected[type];
      expect(side, type).toBeDefined();
      expect(await size(icns.subarray(offset + 8, offset + length))).toEqual([side, side]);
      seen.push(type);
      offset += length;
    }
    expect(seen.sort()).toEqual(Object.keys(expected).sort());
  });

  it('is what electron-builder.yml points at', () => {
    const config = load(read('electron-builder.yml').toString()) as {
      directories: { buildResources: string };
      linux: { icon: string };
      mac: { icon: string };
      win: { icon: string };
      extraResources: { from: string }[];
    };
    expect(config.directories.buildResources).toBe('build');
    expect(config.linux.icon).toBe('build/icons');
    expect(() => read(config.mac.icon)).not.toThrow();
    expect(() => read(config.win.icon)).not.toThrow();
    expect(() => read(`${config.extraResources[0]?.from}/facebook-musicgen-medium.json`)).not.toThrow();
  });
});
