// Bundles the main-process code: the `bittaudio` CLI (daemon), the Electron main, and the
// sandboxed preload.
import { chmod, copyFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { cliBuild, electronMainBuild, preloadBuild } from './build-options.mjs';

await Promise.all([build(cliBuild), build(electronMainBuild), build(preloadBuild)]);
await chmod('dist/main/cli.js', 0o755);
// The execution-provider probe runs as its own process (a GPU crash must not take the app down),
// so it ships as a file beside the bundles rather than inside them.
await copyFile('src-main/inference/gpu/probe-child.mjs', 'dist/main/probe-child.mjs');
// Prompt-set Parquet reads run in a worker thread (neuron/prompts/parquet-read.ts) that loads this
// file from beside the bundle, so a damaged file's endless decode can be ended.
await copyFile('src-main/neuron/prompts/parquet-read-worker.mjs', 'dist/main/parquet-read-worker.mjs');
// The window and tray icons (scripts/icons.mjs draws them into build/), found beside the bundle by
// host/electron/main.ts; Electron picks tray@2x.png on high-density screens by itself.
for (const icon of ['icon.png', 'tray.png', 'tray@2x.png']) await copyFile(`build/${icon}`, `dist/main/${icon}`);
