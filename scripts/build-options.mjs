// esbuild options for the main-process bundles, shared by the build and the preload's sandbox test.

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * The `bittaudio` CLI (daemon). Split into chunks so that a command group loaded with `import()`
 * (cli.ts) stays out of the start-up path of the others.
 */
export const cliBuild = {
  ...common,
  // The inference worker is its own process (src-main/host/inference-worker-entry.ts), started from the CLI's folder.
  entryPoints: { cli: 'src-main/host/cli-entry.ts', 'inference-worker': 'src-main/host/inference-worker-entry.ts' },
  outdir: 'dist/main',
  format: 'esm',
  splitting: true,
  // Chunks sit beside cli.js: code in them finds the renderer, the probe and the worker by paths
  // relative to its own file, which must be the same from every chunk.
  chunkNames: '[name]-[hash]',
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
};

/** The Electron main process. */
export const electronMainBuild = {
  ...common,
  entryPoints: { electron: 'src-main/host/electron/main.ts' },
  outdir: 'dist/main',
  format: 'esm',
  packages: 'external',
};

/** The preload: one CommonJS file, since a sandboxed preload can require nothing but electron. */
export const preloadBuild = {
  ...common,
  entryPoints: { preload: 'src-main/host/preload.ts' },
  outfile: 'dist/main/preload.cjs',
  format: 'cjs',
  platform: 'browser',
  external: ['electron'],
  minify: true,
};
