// Native modules that packaging rebuilds in place for Electron's ABI. electron-builder deletes a
// module's build before recompiling it; when the recompile fails (no network for Electron's
// headers) the development install is left without a build. These copies are put back afterwards,
// whatever happened, so `npm start` and `npm test` keep working.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Relative to the project root. */
export const NATIVE_BUILDS = ['node_modules/better-sqlite3/build/Release/better_sqlite3.node'];

/**
 * Runs `work` and then restores each file of `files` (relative to `root`) that existed before,
 * byte for byte. Returns what `work` returned, or rethrows what it threw, after restoring.
 */
export async function keepNativeBuilds(root, files, work) {
  const backup = mkdtempSync(join(tmpdir(), 'bittaudio-native-'));
  const saved = [];
  try {
    files.forEach((file, index) => {
      const source = join(root, file);
      if (!existsSync(source)) return;
      const copy = join(backup, String(index));
      copyFileSync(source, copy);
      saved.push({ target: source, copy });
    });
    return await work();
  } finally {
    for (const { target, copy } of saved) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(copy, target);
    }
    rmSync(backup, { recursive: true, force: true });
  }
}
