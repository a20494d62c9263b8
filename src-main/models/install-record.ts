/**
 * The small JSON sidecar in each model folder (`.bittaudio-model.json`). Per file it keeps:
 *
 * - `expected`: the hash the file must have, fixed when it was installed (from the manifest, the
 *   hub's LFS object id, or computed at import) — manifests mostly say "unknown", so without this
 *   a later check would have nothing to compare against;
 * - `seen`: the SHA-256 of the content at a given size and mtime, so that a 1.7 GB file is hashed
 *   once, not at every start. A file rewritten in place changes its mtime and is hashed again.
 *
 * The sidecar is a cache and a record, never a source of trust on its own: it is parsed with a
 * schema, and a missing or damaged one only means files are hashed (or re-downloaded) again.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Sha256HexSchema, type ModelManifest } from '../../src-shared/schemas/model-manifest.js';
import type { Logger } from '../log/logger.js';
import { isErrno } from './errors.js';

export const RECORD_FILE = '.bittaudio-model.json';

const ExpectedSchema = z.object({
  sha256: Sha256HexSchema,
  size: z.number().int().nonnegative(),
  source: z.enum(['manifest', 'hub', 'import']),
});

const SeenSchema = z.object({
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().nonnegative(),
  sha256: Sha256HexSchema,
});

export const InstallRecordSchema = z.object({
  format: z.literal(1),
  repo: z.string(),
  /** The manifest's hub revision when the files were downloaded; null for an import. */
  revision: z.string().nullable(),
  /** The commit that revision resolved to (`X-Repo-Commit`); later files are fetched at this commit. */
  commit: z.string().nullable(),
  files: z.record(z.string(), z.object({ expected: ExpectedSchema.optional(), seen: SeenSchema.optional() })),
});
export type InstallRecord = z.infer<typeof InstallRecordSchema>;
export type ExpectedHash = z.infer<typeof ExpectedSchema>;

export function emptyRecord(manifest: ModelManifest): InstallRecord {
  return {
    format: 1,
    repo: manifest.repo,
    revision: manifest.source.kind === 'hub' ? manifest.source.revision : null,
    commit: null,
    files: {},
  };
}

/** The folder's record, or null when there is none or it cannot be read (it is then rebuilt). */
export async function readRecord(dir: string, logger?: Logger): Promise<InstallRecord | null> {
  let text: string;
  try {
    text = await readFile(join(dir, RECORD_FILE), 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = InstallRecordSchema.safeParse(json);
  if (!parsed.success) {
    logger?.warn('Ignoring a damaged model record; files will be checked again', { dir });
    return null;
  }
  return parsed.data;
}

/**
 * The expectations of a record that still apply to this manifest: a record of another repo is
 * void, and hashes taken from the hub for another revision no longer say what the files must be.
 */
export function applicableExpectations(
  record: InstallRecord | null,
  manifest: ModelManifest,
): Map<string, ExpectedHash> {
  const out = new Map<string, ExpectedHash>();
  if (!record || record.repo !== manifest.repo) return out;
  const revision = manifest.source.kind === 'hub' ? manifest.source.revision : null;
  for (const [path, entry] of Object.entries(record.files)) {
    if (!entry.expected) continue;
    if (entry.expected.source === 'hub' && record.revision !== revision) continue;
    out.set(path, entry.expected);
  }
  return out;
}

/** Written to a temp file and renamed, so a crash leaves the old record or the new one. */
export async function writeRecord(dir: string, record: InstallRecord): Promise<void> {
  const path = join(dir, RECORD_FILE);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
