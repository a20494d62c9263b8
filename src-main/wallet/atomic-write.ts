/**
 * Key files are written so that a crash, a full disk or a refused overwrite never leaves a
 * half-written key or a wallet with only some of its files: every file first goes to a temp file
 * in the same folder (mode 0600, fsynced), and only when all of them are on disk are they moved
 * into place. Without `overwrite`, the move is a hard link, which fails rather than replace a key
 * that appeared meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isErrno, WalletError } from './errors.js';

/** Every key file, secret or public, is 0600 (wire-protocol §9.1). */
export const KEYFILE_MODE = 0o600;

export interface FileToWrite {
  path: string;
  data: Uint8Array | string;
}

export interface AtomicWriteOptions {
  /** Replace files that exist; otherwise an existing file is an `exists` error and nothing is written. */
  overwrite?: boolean;
  mode?: number;
}

/** Files in the same folder are committed in the order given. */
export async function writeFilesAtomic(files: readonly FileToWrite[], options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? KEYFILE_MODE;
  const overwrite = options.overwrite ?? false;
  const existedBefore = await Promise.all(files.map((file) => exists(file.path)));
  if (!overwrite) {
    const taken = files.filter((_, i) => existedBefore[i]);
    if (taken.length > 0) throw existsError(taken.map((file) => file.path));
  }

  const temps: string[] = [];
  try {
    for (const file of files) temps.push(await writeTemp(file, mode));
  } catch (error) {
    await removeQuietly(temps);
    throw error;
  }

  const committed: string[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const temp = temps[i] as string;
      if (overwrite) await rename(temp, file.path);
      else await moveWithoutReplacing(temp, file.path);
      committed.push(file.path);
    }
  } catch (error) {
    await removeQuietly(temps);
    // Undo what this call created, so a wallet is never left with a key but no pub file. A file
    // that was replaced cannot be brought back; that is what overwrite asked for.
    await removeQuietly(committed.filter((path) => !existedBefore[files.findIndex((file) => file.path === path)]));
    throw error;
  }
  await Promise.all([...new Set(files.map((file) => dirname(file.path)))].map(syncDirectory));
}

export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFilesAtomic([{ path, data }], options);
}

/** Temp files start with a dot and end with `.tmp`, so listings can skip them. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

async function writeTemp(file: FileToWrite, mode: number): Promise<string> {
  const temp = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(file.data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await removeQuietly([temp]);
    throw error;
  }
  await handle.close();
  // The umask can only remove bits, but a chmod makes the mode exact whatever it is.
  await chmod(temp, mode);
  return temp;
}

async function moveWithoutReplacing(temp: string, path: string): Promise<void> {
  try {
    await link(temp, path);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) throw existsError([path]);
    // File systems without hard links (FAT, some network shares): check, then rename.
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].some((code) => isErrno(error, code))) throw error;
    if (await exists(path)) throw existsError([path]);
    await rename(temp, path);
    return;
  }
  await unlink(temp);
}

function existsError(paths: string[]): WalletError {
  return new WalletError(
    'exists',
    `${paths.join(' and ')} already exist${paths.length === 1 ? 's' : ''}; refusing to overwrite a key (pass overwrite to replace it)`,
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
}

async function removeQuietly(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => unlink(path).catch(() => undefined)));
}

/** Makes the renames themselves durable. Not possible on Windows, where it is skipped. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}
