/**
 * The free-space check made before a download or an import writes anything, so a 1.7 GB file
 * is refused at the start rather than failing with ENOSPC near the end.
 */
import { statfs as nodeStatfs } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import { formatBytes, ModelStoreError } from './errors.js';

/** The part of `fs.statfs` the check needs; tests inject their own. */
export type StatfsFunction = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

export const defaultStatfs: StatfsFunction = (path) => nodeStatfs(path);

/** Kept free beyond what a transfer needs, for the database, logs and the OS. */
export const DEFAULT_RESERVE_BYTES = 128 * 1024 * 1024;

export interface DiskSpaceOptions {
  statfs?: StatfsFunction;
  reserveBytes?: number;
  logger?: Logger;
}

/**
 * Throws `disk_full` unless `dir` (which must exist) has `neededBytes` plus the reserve free for
 * this user. A file system that cannot report its space (statfs fails) is not refused: the
 * check is then skipped with a warning, and a real ENOSPC still fails the write.
 */
export async function ensureFreeSpace(dir: string, neededBytes: number, options: DiskSpaceOptions = {}): Promise<void> {
  if (neededBytes <= 0) return;
  const statfs = options.statfs ?? defaultStatfs;
  const reserve = options.reserveBytes ?? DEFAULT_RESERVE_BYTES;
  let free: number;
  try {
    const stats = await statfs(dir);
    free = Number(stats.bavail) * Number(stats.bsize);
  } catch (error) {
    options.logger?.warn('Cannot read the free disk space; downloading without the check', {
      dir,
      error: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  if (free < neededBytes + reserve) {
    throw new ModelStoreError(
      'disk_full',
      `Not enough disk space in ${dir}: ${formatBytes(neededBytes)} are needed (plus ${formatBytes(reserve)} kept free), ` +
        `but only ${formatBytes(free)} are free. Free some space or choose another data folder.`,
    );
  }
}
