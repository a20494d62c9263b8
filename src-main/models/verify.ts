/**
 * Checks a model folder before anything loads it: every file of the chosen dtype is present and
 * has the size and SHA-256 it must have. Temp files (`.part`) are never taken for the real file.
 * Hashes are cached in the folder's record by size and mtime (install-record.ts).
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  variantFiles,
  type ModelDtype,
  type ModelFileStatus,
  type ModelManifest,
  type ModelState,
} from '../../src-shared/schemas/model-manifest.js';
import type { Logger } from '../log/logger.js';
import { sha256File } from './digest.js';
import { partialPath } from './downloader.js';
import { isErrno, ModelStoreError } from './errors.js';
import { applicableExpectations, emptyRecord, readRecord, writeRecord, type InstallRecord } from './install-record.js';

export interface VerifyOptions {
  logger?: Logger;
  signal?: AbortSignal;
  /** Hash every file again, ignoring the cache. */
  recheck?: boolean;
  /** Bytes hashed so far, for a progress bar on a first check of large files. */
  onHashProgress?: (bytesHashed: number) => void;
  /** Save new hashes to the folder's record (default true; the store turns it off while it writes the record itself). */
  saveCache?: boolean;
}

export interface FolderCheck {
  state: ModelState;
  files: ModelFileStatus[];
  bytesPresent: number;
  /** Sum of the expected sizes of the required files, when every one is known. */
  bytesTotal: number | null;
}

/**
 * The state of `dir` as a model folder for `manifest` at `dtype`. Only `ready` may be loaded.
 * Updates the hash cache in the folder's record when it hashed something.
 */
export async function verifyModelFolder(
  dir: string,
  manifest: ModelManifest,
  dtype: ModelDtype,
  options: VerifyOptions = {},
): Promise<FolderCheck> {
  const files = variantFiles(manifest, dtype);
  if (!files) {
    throw new ModelStoreError('unknown_model', `${manifest.displayName} is not offered at ${dtype}.`);
  }
  const record = await readRecord(dir, options.logger);
  const expectations = applicableExpectations(record, manifest);
  const updated: InstallRecord =
    record && record.repo === manifest.repo ? structuredClone(record) : emptyRecord(manifest);
  let cacheChanged = false;
  let hashed = 0;

  const statuses: ModelFileStatus[] = [];
  for (const file of files) {
    const path = join(dir, ...file.path.split('/'));
    const expected = expectations.get(file.path);
    const expectedSize = file.size ?? expected?.size ?? null;
    const expectedSha = file.sha256 ?? expected?.sha256 ?? null;
    const base = { path: file.path, optional: file.optional === true, expectedSize };

    const info = await statOrNull(path);
    if (!info || !info.isFile()) {
      const part = await statOrNull(partialPath(path));
      statuses.push(
        part?.isFile()
          ? { ...base, state: 'partial', bytes: part.size, reason: 'download not finished' }
          : { ...base, state: 'missing', bytes: 0 },
      );
      continue;
    }
    if (expectedSize !== null && info.size !== expectedSize) {
      statuses.push({
        ...base,
        state: 'corrupt',
        bytes: info.size,
        reason: `has ${info.size} bytes, expected ${expectedSize}`,
      });
      continue;
    }
    if (expectedSha === null) {
      statuses.push({ ...base, state: 'unverified', bytes: info.size, reason: 'no hash is known for it yet' });
      continue;
    }
    const seen = updated.files[file.path]?.seen;
    let sha: string;
    if (!options.recheck && seen && seen.size === info.size && seen.mtimeMs === info.mtimeMs) {
      sha = seen.sha256;
    } else {
      sha = await sha256File(path, {
        ...(options.signal ? { signal: options.signal } : {}),
        onBytes: (bytes) => {
          hashed += bytes;
          options.onHashProgress?.(hashed);
        },
      });
      updated.files[file.path] = {
        ...updated.files[file.path],
        seen: { size: info.size, mtimeMs: info.mtimeMs, sha256: sha },
      };
      cacheChanged = true;
    }
    statuses.push(
      sha === expectedSha
        ? { ...base, state: 'ok', bytes: info.size }
        : { ...base, state: 'corrupt', bytes: info.size, reason: `its SHA-256 is ${sha}, expected ${expectedSha}` },
    );
  }

  if (cacheChanged && options.saveCache !== false) {
    try {
      await writeRecord(dir, updated);
    } catch (error) {
      // A read-only folder can still be checked; it is only hashed again next time.
      options.logger?.warn('Could not save the model hash cache', {
        dir,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const check = summarize(statuses);
  if (check.state === 'corrupt') {
    options.logger?.warn('Model files do not match their hashes', {
      model: manifest.id,
      dtype,
      files: statuses.filter((s) => s.state === 'corrupt').map((s) => `${s.path}: ${s.reason ?? ''}`),
    });
  }
  return check;
}

function summarize(files: ModelFileStatus[]): FolderCheck {
  const required = files.filter((f) => !f.optional);
  const present = files.filter((f) => f.state !== 'missing');
  let state: ModelState;
  if (present.some((f) => f.state === 'corrupt')) state = 'corrupt';
  else if (required.every((f) => f.state === 'ok') && present.every((f) => f.state === 'ok')) state = 'ready';
  else if (present.length === 0) state = 'missing';
  else state = 'partial';
  const sizes = required.map((f) => f.expectedSize);
  return {
    state,
    files,
    bytesPresent: files.reduce((sum, f) => sum + f.bytes, 0),
    bytesTotal: sizes.every((s) => s !== null) ? sizes.reduce<number>((sum, s) => sum + (s ?? 0), 0) : null,
  };
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return null;
    throw error;
  }
}
