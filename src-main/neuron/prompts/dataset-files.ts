/**
 * The files of a prompt set, wherever they are: a local folder, or a Hugging Face dataset cached
 * under the data folder. Tables read both the same way (a listing, then local paths), so a folder
 * copied from the hub behaves exactly like the hub set.
 */
import { readdir, readFile, stat, writeFile, mkdir, rename } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log/logger.js';
import type { DownloadOptions, DownloadedFile, HubFileRef, HubRepoType, HubTreeFile } from '../../models/index.js';
import { PromptSetError, isAbort } from './errors.js';

export interface DatasetFiles {
  /** For logs and errors: the folder or `owner/name@revision`. */
  readonly label: string;
  /** Every file, as '/'-separated paths relative to the set's root. */
  list(signal?: AbortSignal): Promise<readonly string[]>;
  /** A local path holding the file; a hub set downloads it first (verified) or reuses its cached copy. */
  localPath(path: string, signal?: AbortSignal): Promise<string>;
}

/**
 * A path taken from a dataset (a listing, a metadata row) as a safe relative path: no absolute
 * paths, no `..`, no backslashes, so a row can never point outside the set.
 */
export function safeRelativePath(path: string, where: string): string {
  const clean = path.trim().replace(/^\.\//, '');
  const parts = clean.split('/');
  if (
    clean === '' ||
    clean.includes('\\') ||
    clean.includes('\0') ||
    isAbsolute(clean) ||
    /^[A-Za-z]:/.test(clean) ||
    parts.some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new PromptSetError(`${where}: "${path}" is not a relative path inside the set.`);
  }
  return clean;
}

/** A folder on this machine laid out like a hub set. */
export class FolderDatasetFiles implements DatasetFiles {
  readonly label: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.label = this.root;
  }

  async list(): Promise<readonly string[]> {
    let info;
    try {
      info = await stat(this.root);
    } catch (error) {
      throw new PromptSetError(`The prompt folder ${this.root} cannot be read: ${(error as Error).message}.`, {
        cause: error,
      });
    }
    if (!info.isDirectory())
      throw new PromptSetError(`${this.root} is not a folder; give the folder that holds the set.`);
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(this.root, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .filter((path) => !path.split('/').some((part) => part.startsWith('.')))
      .sort();
  }

  localPath(path: string): Promise<string> {
    return Promise.resolve(join(this.root, ...safeRelativePath(path, this.root).split('/')));
  }
}

/** What a hub set needs of the model store's HubClient. */
export interface DatasetHub {
  listFiles(
    repo: string,
    options?: { revision?: string; repoType?: HubRepoType; signal?: AbortSignal },
  ): Promise<HubTreeFile[]>;
  download(ref: HubFileRef, destination: string, options?: DownloadOptions): Promise<DownloadedFile>;
}

const LISTING_FILE = 'listing.json';
const CachedListingSchema = z.strictObject({
  repo: z.string(),
  revision: z.string(),
  files: z.array(
    z.strictObject({ path: z.string(), size: z.number(), oid: z.string(), sha256: z.string().nullable() }),
  ),
  /** path → the listing oid of the copy on disk, so a changed file upstream is fetched again. */
  cached: z.record(z.string(), z.string()),
});
type CachedListing = z.infer<typeof CachedListingSchema>;

/**
 * A dataset on the hub, mirrored on demand into `cacheDir`: the listing is asked once per run (and
 * kept, so the set still works offline), and each file is downloaded when first needed, through
 * the HubClient's verified, resumable downloads. Reference clips of a metadata.csv set are thus
 * fetched one by one as rounds draw them.
 */
export class HubDatasetFiles implements DatasetFiles {
  readonly label: string;
  private listing: Promise<CachedListing> | null = null;

  constructor(
    private readonly hub: DatasetHub,
    private readonly repo: string,
    private readonly revision: string,
    private readonly cacheDir: string,
    private readonly logger?: Logger,
  ) {
    this.label = revision === 'main' ? repo : `${repo}@${revision}`;
  }

  async list(signal?: AbortSignal): Promise<readonly string[]> {
    return (await this.load(signal)).files.map((file) => file.path);
  }

  async localPath(path: string, signal?: AbortSignal): Promise<string> {
    const listing = await this.load(signal);
    const safe = safeRelativePath(path, this.label);
    const file = listing.files.find((entry) => entry.path === safe);
    if (file === undefined) throw new PromptSetError(`${this.label} has no file ${safe}.`);
    const destination = join(this.cacheDir, 'files', ...safe.split('/'));
    if (listing.cached[safe] === file.oid && (await sizeOf(destination)) === file.size) return destination;
    try {
      await this.hub.download(
        { repo: this.repo, revision: this.revision, path: safe, repoType: 'dataset' },
        destination,
        {
          ...(file.sha256 !== null ? { expectedSha256: file.sha256 } : {}),
          expectedSize: file.size,
          ...(signal ? { signal } : {}),
        },
      );
    } catch (error) {
      // An older verified copy beats no prompt at all when the hub cannot be reached.
      if (!isAbort(error, signal) && listing.cached[safe] !== undefined && (await sizeOf(destination)) !== null) {
        this.logger?.warn('Using the cached copy of a prompt-set file; the hub could not give the current one', {
          repo: this.repo,
          path: safe,
          reason: (error as Error).message,
        });
        return destination;
      }
      throw error;
    }
    listing.cached[safe] = file.oid;
    await this.save(listing);
    return destination;
  }

  private load(signal?: AbortSignal): Promise<CachedListing> {
    this.listing ??= this.fetchListing(signal).catch((error: unknown) => {
      this.listing = null;
      throw error;
    });
    return this.listing;
  }

  private async fetchListing(signal?: AbortSignal): Promise<CachedListing> {
    const saved = await this.readSaved();
    try {
      const files = await this.hub.listFiles(this.repo, {
        revision: this.revision,
        repoType: 'dataset',
        ...(signal ? { signal } : {}),
      });
      const listing: CachedListing = {
        repo: this.repo,
        revision: this.revision,
        files: files.map(({ path, size, oid, sha256 }) => ({ path, size, oid, sha256 })),
        cached: saved?.cached ?? {},
      };
      await this.save(listing);
      return listing;
    } catch (error) {
      if (isAbort(error, signal) || saved === null) throw error;
      this.logger?.warn('The hub could not list the prompt set; using the copy cached earlier', {
        repo: this.repo,
        reason: (error as Error).message,
      });
      return saved;
    }
  }

  private async readSaved(): Promise<CachedListing | null> {
    let text: string;
    try {
      text = await readFile(join(this.cacheDir, LISTING_FILE), 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = CachedListingSchema.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.repo === this.repo && parsed.data.revision === this.revision)
        return parsed.data;
    } catch {
      // A damaged cache record is only a cache miss.
    }
    this.logger?.warn('Ignoring a damaged prompt-set cache record', { repo: this.repo });
    return null;
  }

  /** Written to a temp name and renamed, so a crash never leaves half a record. */
  private async save(listing: CachedListing): Promise<void> {
    await mkdir(this.cacheDir, { recursive: true });
    const target = join(this.cacheDir, LISTING_FILE);
    await writeFile(`${target}.tmp`, JSON.stringify(listing));
    await rename(`${target}.tmp`, target);
  }
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

/** The cache folder of all hub sets, for a "clear cache" action or the disk-usage view. */
export function promptSetsDir(dataDir: string): string {
  return join(dataDir, 'prompt-sets');
}

/** Where a hub set is cached: `<dataDir>/prompt-sets/<owner>/<name>/<revision>`. */
export function promptSetCacheDir(dataDir: string, repo: string, revision: string): string {
  return join(promptSetsDir(dataDir), ...repo.split('/'), encodeURIComponent(revision));
}
