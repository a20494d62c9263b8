/**
 * A TypeScript entry bundled with esbuild, as the build does, for tests that start it as a child
 * process. The bundle goes under the repo's .tmp, so its bare imports resolve to node_modules.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface BundledEntry {
  /** The folder of this bundle (one per test process), for files that go beside it. */
  outDir: string;
  entry: string;
  remove(): void;
}

export async function bundleEntry(entryPoint: string, name: string, fileName: string): Promise<BundledEntry> {
  const outDir = join(REPO_ROOT, '.tmp', `${name}-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, fileName);
  await build({
    entryPoints: [entryPoint],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  return { outDir, entry, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}
