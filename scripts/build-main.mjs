// Bundles the main-process code: the `bittaudio` CLI (daemon), the Electron main, and the
// sandboxed preload (one CommonJS file: a sandboxed preload can require nothing but electron).
import { chmod } from 'node:fs/promises';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  build({
    ...common,
    entryPoints: { cli: 'src-main/host/cli-entry.ts' },
    outdir: 'dist/main',
    format: 'esm',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({
    ...common,
    entryPoints: { electron: 'src-main/host/electron.ts' },
    outdir: 'dist/main',
    format: 'esm',
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: { preload: 'src-main/host/preload.ts' },
    outfile: 'dist/main/preload.cjs',
    format: 'cjs',
    platform: 'browser',
    external: ['electron'],
    minify: true,
  }),
]);
await chmod('dist/main/cli.js', 0o755);
