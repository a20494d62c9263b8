// `node scripts/icons.mjs`: the app's icons, drawn from one SVG (build/icon.svg) and written into
// build/ where electron-builder and the build look for them. The outputs are committed, so
// packaging needs no image tools; rerun this after changing the SVG.
//   build/icon.png            512², the window icon and electron-builder's source
//   build/icons/NxN.png       Linux (AppImage, deb) at each size desktops ask for
//   build/icon.ico            Windows (NSIS, the exe): PNG-compressed entries, 16…256
//   build/icon.icns           macOS (dmg): PNG-compressed entries, 16…1024
//   build/tray.png, tray@2x   the tray icon (main.ts), 32² and 64²
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = (path) => join(root, 'build', path);

/** A waveform of rounded bars on the app's dark background (#111418, the window's colour). */
export function iconSvg() {
  const heights = [0.28, 0.5, 0.78, 0.56, 0.92, 0.66, 0.4, 0.72, 0.48, 0.3];
  const bar = 26;
  const gap = 14;
  const left = (512 - (heights.length * bar + (heights.length - 1) * gap)) / 2;
  const bars = heights
    .map((h, i) => {
      const height = Math.round(h * 300);
      const x = left + i * (bar + gap);
      return `<rect x="${x}" y="${256 - height / 2}" width="${bar}" height="${height}" rx="${bar / 2}" fill="url(#wave)"/>`;
    })
    .join('\n    ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <defs>
    <linearGradient id="wave" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#3ee0c5"/>
      <stop offset="1" stop-color="#8b5cf6"/>
    </linearGradient>
  </defs>
  <rect x="16" y="16" width="480" height="480" rx="108" fill="#111418"/>
  <g>
    ${bars}
  </g>
</svg>
`;
}

const png = (svg, size) =>
  sharp(Buffer.from(svg), { density: Math.max(72, (72 * size) / 512) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();

/** ICO with PNG entries (Windows Vista and later read them; 256 is stored as 0 in the directory). */
export function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, data }) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(data.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += data.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

/** ICNS with PNG entries (macOS 10.7+): type code per size, big-endian lengths. */
const ICNS_TYPES = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
export function icns(images) {
  const chunks = images.map(({ size, data }) => {
    const head = Buffer.alloc(8);
    head.write(ICNS_TYPES[size], 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(out('icons'), { recursive: true });
  writeFileSync(out('icon.svg'), iconSvg());
  const svg = readFileSync(out('icon.svg'), 'utf8');
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  const images = new Map();
  for (const size of sizes) images.set(size, await png(svg, size));
  writeFileSync(out('icon.png'), images.get(512));
  for (const size of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(out(`icons/${size}x${size}.png`), images.get(size));
  writeFileSync(out('icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: images.get(size) }))));
  writeFileSync(
    out('icon.icns'),
    icns([16, 32, 64, 128, 256, 512, 1024].map((size) => ({ size, data: images.get(size) }))),
  );
  writeFileSync(out('tray.png'), images.get(32));
  writeFileSync(out('tray@2x.png'), images.get(64));
  console.log('Icons written to build/.');
}
