// Bundles the main-process code: the `bittaudio` CLI (daemon), the Electron main, and the
// sandboxed preload.
import { chmod } from 'node:fs/promises';
import { build } from 'esbuild';
import { cliBuild, electronMainBuild, preloadBuild } from './build-options.mjs';

await Promise.all([build(cliBuild), build(electronMainBuild), build(preloadBuild)]);
await chmod('dist/main/cli.js', 0o755);
