/**
 * The real worker entry bundled with esbuild, as the build does, for tests that start real worker
 * processes. Inside the repo, so the bundle's bare imports resolve to node_modules.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleEntry, REPO_ROOT } from '../../../testing/bundle-entry.js';

export { REPO_ROOT };
export const TINY = { dir: join(REPO_ROOT, 'models', 'tiny', 'musicgen'), dtype: 'fp32' as const };

export interface WorkerBundle {
  entry: string;
  /** A script that gives the entry Electron's `process.parentPort` over a Node IPC channel. */
  parentPortShim: string;
  remove(): void;
}

export async function bundleWorker(name: string): Promise<WorkerBundle> {
  const { outDir, entry, remove } = await bundleEntry(
    join(REPO_ROOT, 'src-main', 'host', 'inference-worker-entry.ts'),
    name,
    'inference-worker.mjs',
  );
  const parentPortShim = join(outDir, 'parent-port-shim.mjs');
  writeFileSync(
    parentPortShim,
    `// Electron's utilityProcess gives the child process.parentPort with MessageEvent-like events.
process.parentPort = {
  on(event, listener) { if (event === 'message') process.on('message', (data) => listener({ data })); },
  postMessage(message) { process.send?.(message); },
};
process.on('disconnect', () => process.exit(0));
await import(process.env.BITTAUDIO_WORKER_ENTRY);
`,
  );
  return { entry, parentPortShim, remove };
}
