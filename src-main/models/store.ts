/**
 * The models folder of the data dir, laid out as transformers.js expects a local model id:
 * `<models>/<owner>/<name>/config.json`, `…/onnx/<session><suffix>.onnx` (musicgen.md §2), so the
 * inference code can point `env.localModelPath` at the folder and load by repo id.
 *
 * It lists each offered model and dtype with its state, downloads a dtype from the hub (all files
 * of one model from one commit, resumable, verified), imports a folder exported by hand, and
 * deletes. One operation per model runs at a time.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  manifestDtypes,
  sessionFileName,
  variantFiles,
  type ModelDtype,
  type ModelEntry,
  type ModelKind,
  type ModelFile,
  type ModelManifest,
  type ModelTransferProgress,
} from '../../src-shared/schemas/model-manifest.js';
import type { Logger } from '../log/logger.js';
import { ContentHasher, digestMatches, hashFileInto, type ExpectedDigest } from './digest.js';
import { ensureFreeSpace, type StatfsFunction } from './disk-space.js';
import { HubClient, partialPath, type HubClientOptions, type HubFileMetadata } from './downloader.js';
import { formatBytes, isErrno, ModelStoreError } from './errors.js';
import type { HubFileRef } from './hub-http.js';
import { emptyRecord, readRecord, writeRecord, type InstallRecord } from './install-record.js';
import {
  folderVariants,
  LOCAL_OWNER,
  manifestFromFolder,
  missingBasics,
  readFolderConfig,
  readLocalManifests,
  saveLocalManifest,
  slugModelId,
} from './local-manifests.js';
import { OFFERED_MANIFESTS } from './manifests.js';
import { detectDtypes, inspectModelFolder } from './model-folder.js';
import { ProgressMeter } from './progress.js';
import { verifyModelFolder, type FolderCheck } from './verify.js';

/** `<data dir>/models`. */
export function modelsDirIn(dataDir: string): string {
  return join(dataDir, 'models');
}

export interface ModelStoreOptions {
  /** Usually `modelsDirIn(dataDir)`. */
  modelsDir: string;
  /** Default: the manifests in models/manifests, generation and scoring models alike. */
  manifests?: readonly ModelManifest[];
  /** A hub client, or options for one; without endpoint and token, `HF_ENDPOINT` and `HF_TOKEN` apply. */
  hub?: HubClient | HubClientOptions;
  logger?: Logger;
  statfs?: StatfsFunction;
  reserveBytes?: number;
  /** Least milliseconds between two progress events. Default 100. */
  progressIntervalMs?: number;
}

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ModelTransferProgress) => void;
}

/** What transformers.js needs to load a verified model from the store, fully offline. */
export interface LoadableModel {
  /** For `env.localModelPath`; the model id below is relative to it. */
  localModelPath: string;
  /** The repo id, which is also the folder under `localModelPath`. */
  modelId: string;
  dir: string;
  /** transformers.js `dtype`, per session. */
  dtype: Record<string, ModelDtype>;
  /** Sessions whose weights are in `<file>_data` (transformers.js `use_external_data_format`). */
  externalData: Record<string, boolean>;
}

export interface ImportOptions extends TransferOptions {
  /** Import only this dtype; default: every dtype whose ONNX files are in the folder. */
  dtype?: ModelDtype;
}

/** A folder found fit to import, and what importing it copies. */
export interface ImportCheck {
  /** The offered model it becomes, or a new local one (`local/<id>`). */
  manifest: ModelManifest;
  /** True when the import adds a model the store did not offer before. */
  created: boolean;
  dtypes: ModelDtype[];
  files: ModelFile[];
  bytes: number;
}

/** Where imports are copied before they are moved into place, under the models folder. */
const STAGING_DIR = '.staging';

export class ModelStore {
  readonly modelsDir: string;
  private manifestList: readonly ModelManifest[];
  private readonly hub: HubClient;
  private readonly logger: Logger | undefined;
  private readonly busy = new Set<string>();

  constructor(private readonly options: ModelStoreOptions) {
    this.modelsDir = options.modelsDir;
    this.logger = options.logger;
    const offered = options.manifests ?? OFFERED_MANIFESTS;
    const local = readLocalManifests(options.modelsDir, options.logger).filter(
      (m) => !offered.some((o) => o.id === m.id),
    );
    this.manifestList = [...offered, ...local];
    this.hub =
      options.hub instanceof HubClient
        ? options.hub
        : new HubClient({
            ...(options.statfs ? { statfs: options.statfs } : {}),
            ...(options.reserveBytes !== undefined ? { reserveBytes: options.reserveBytes } : {}),
            ...(options.logger ? { logger: options.logger } : {}),
            ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
            ...options.hub,
          });
  }

  manifests(): readonly ModelManifest[] {
    return this.manifestList;
  }

  manifest(id: string): ModelManifest {
    const manifest = this.manifestList.find((m) => m.id === id);
    if (!manifest) {
      throw new ModelStoreError(
        'unknown_model',
        `There is no model ${id}; known: ${this.manifestList.map((m) => m.id).join(', ')}.`,
      );
    }
    return manifest;
  }

  /**
   * The model a user names: its id (`musicgen-medium`), its repo (`facebook/musicgen-medium`) or
   * the SN50 model name it answers to.
   */
  resolveModel(name: string, kind?: ModelKind): ModelManifest {
    const wanted = name.trim().toLowerCase();
    const found =
      this.manifestList.find((m) => m.id === wanted) ??
      this.manifestList.find((m) => m.repo.toLowerCase() === wanted || m.protocolModelName?.toLowerCase() === wanted) ??
      this.manifest(name);
    if (kind !== undefined) checkKind(found, kind);
    return found;
  }

  /** The model's folder: `<models>/<owner>/<name>`. */
  modelDir(id: string): string {
    return join(this.modelsDir, ...this.manifest(id).repo.split('/'));
  }

  /** Every offered model at every dtype, with its state. Hashes only files it has not seen before. */
  async list(): Promise<ModelEntry[]> {
    const entries: ModelEntry[] = [];
    for (const manifest of this.manifestList) {
      for (const dtype of manifestDtypes(manifest)) entries.push(await this.status(manifest.id, dtype));
    }
    return entries;
  }

  async status(
    id: string,
    dtype: ModelDtype,
    options: { recheck?: boolean; signal?: AbortSignal } = {},
  ): Promise<ModelEntry> {
    const manifest = this.manifest(id);
    this.filesOf(manifest, dtype);
    const check = await verifyModelFolder(this.modelDir(id), manifest, dtype, {
      saveCache: !this.busy.has(id),
      ...(options.recheck ? { recheck: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.logger ? { logger: this.logger } : {}),
    });
    return this.entry(manifest, dtype, check);
  }

  /**
   * The load settings of a model that is `ready`; anything else is refused with the files at
   * fault, so a partial or corrupt file never reaches ONNX Runtime.
   */
  async loadable(id: string, dtype: ModelDtype, kind?: ModelKind): Promise<LoadableModel> {
    // The kind first: a CLAP named as the miner's model is refused before its files are hashed.
    if (kind !== undefined) checkKind(this.manifest(id), kind);
    const entry = await this.status(id, dtype);
    const manifest = this.manifest(id);
    if (entry.state !== 'ready') {
      const faults = entry.files
        .filter((f) => f.state !== 'ok' && !(f.optional && f.state === 'missing'))
        .map((f) => `${f.path}: ${f.state}${f.reason ? ` (${f.reason})` : ''}`);
      throw new ModelStoreError(
        'not_ready',
        `${manifest.displayName} (${dtype}) is ${entry.state} and cannot be loaded` +
          (faults.length > 0 ? `: ${faults.join('; ')}` : '') +
          (entry.state === 'corrupt' ? '. Download or import it again.' : '.'),
      );
    }
    const sessions = manifest.variants[dtype]?.sessions ?? {};
    const present = new Set(entry.files.filter((f) => f.state === 'ok').map((f) => f.path));
    return {
      localModelPath: this.modelsDir,
      modelId: manifest.repo,
      dir: entry.dir,
      dtype: { ...sessions },
      externalData: Object.fromEntries(
        Object.entries(sessions).map(([session, d]) => [session, present.has(`${sessionFileName(session, d)}_data`)]),
      ),
    };
  }

  /**
   * Downloads what `dtype` still lacks, resuming partial files, and returns the model's entry
   * (`ready` on success). All files come from the commit the manifest's revision resolved to at
   * the first download, so a model is never a mix of two upstream versions.
   */
  async download(id: string, dtype: ModelDtype, options: TransferOptions = {}): Promise<ModelEntry> {
    const manifest = this.manifest(id);
    if (manifest.source.kind !== 'hub') {
      throw new ModelStoreError(
        'not_downloadable',
        `${manifest.displayName} cannot be downloaded: ${manifest.source.instructions}`,
      );
    }
    const revision = manifest.source.revision;
    const files = this.filesOf(manifest, dtype);
    return this.exclusive(manifest, async () => {
      const dir = this.modelDir(id);
      await mkdir(dir, { recursive: true });
      const before = await verifyModelFolder(dir, manifest, dtype, this.verifyOptions(options.signal));
      const record = this.recordFor(manifest, await readRecord(dir, this.logger));
      const stateOf = new Map(before.files.map((f) => [f.path, f.state]));
      const todo = files.filter((f) => stateOf.get(f.path) !== 'ok');
      this.logger?.info('Downloading a model', { model: id, dtype, files: todo.length, commit: record.commit });

      // What the hub says about each missing file, all at one commit.
      const plans: { file: ModelFile; ref: HubFileRef; metadata: HubFileMetadata }[] = [];
      for (const file of todo) {
        const ref = { repo: manifest.repo, revision: record.commit ?? revision, path: file.path };
        let metadata: HubFileMetadata;
        try {
          metadata = await this.hub.metadata(ref, options.signal ? { signal: options.signal } : {});
        } catch (error) {
          if (file.optional && error instanceof ModelStoreError && error.code === 'not_found') continue;
          throw error;
        }
        if (record.commit === null && metadata.commit !== null) {
          record.commit = metadata.commit;
          await writeRecord(dir, record);
        }
        plans.push({ file, ref: { ...ref, revision: record.commit ?? revision }, metadata });
      }

      // A file already in place that nothing vouched for yet is kept if it matches the hub's hash.
      const fetch: typeof plans = [];
      for (const plan of plans) {
        const path = this.filePath(dir, plan.file);
        if (stateOf.get(plan.file.path) === 'unverified' && plan.metadata.digest && !plan.file.sha256) {
          const sha256 = await contentMatches(path, plan.metadata.digest);
          if (sha256 !== null) {
            await this.remember(record, dir, plan.file.path, path, sha256, 'hub');
            continue;
          }
        }
        fetch.push(plan);
      }

      const partials = await Promise.all(fetch.map((p) => sizeOrZero(partialPath(this.filePath(dir, p.file)))));
      const sizes = fetch.map((p) => p.file.size ?? p.metadata.size ?? 0);
      const total = sizes.reduce((a, b) => a + b, 0);
      await ensureFreeSpace(dir, total - partials.reduce((a, b) => a + b, 0), this.spaceOptions());

      const progress = new AggregateProgress(
        id,
        dtype,
        fetch.length,
        total,
        options.onProgress,
        this.options.progressIntervalMs,
      );
      for (const [i, plan] of fetch.entries()) {
        const path = this.filePath(dir, plan.file);
        const result = await this.hub.download(plan.ref, path, {
          expectedSha256: plan.file.sha256,
          expectedSize: plan.file.size,
          metadata: plan.metadata,
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (p) => progress.file(plan.file.path, p.bytes),
        });
        await this.remember(
          record,
          dir,
          plan.file.path,
          path,
          result.sha256,
          result.checkedAgainst === 'manifest' ? 'manifest' : 'hub',
        );
        progress.fileDone(plan.file.path, sizes[i] ?? result.size, result.size);
      }
      progress.finish();
      const after = await verifyModelFolder(dir, manifest, dtype, this.verifyOptions(options.signal));
      this.logger?.info('Model download finished', { model: id, dtype, state: after.state });
      return this.entry(manifest, dtype, after);
    });
  }

  /**
   * Checks a folder exported by hand (models/manifests/README.md) as transformers.js will need it,
   * without copying anything. `id` names an offered model or a new local one; without it the
   * folder's config.json (`_name_or_path`) or its name chooses. Throws `invalid_model` with every
   * problem found, so a person sees at once what is missing.
   */
  async checkImport(sourceDir: string, options: { id?: string; dtype?: ModelDtype } = {}): Promise<ImportCheck> {
    const info = await stat(sourceDir).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return null;
      throw error;
    });
    if (!info?.isDirectory()) {
      throw new ModelStoreError('invalid_model', `${sourceDir} is not a folder; give the folder the export wrote.`);
    }
    const found = await this.manifestForImport(sourceDir, options.id);
    const { created } = found;
    if (options.dtype) this.filesOf(found.manifest, options.dtype);
    const dtypes = options.dtype ? [options.dtype] : await detectDtypes(sourceDir, found.manifest);
    const manifest = found.manifest.repo.startsWith(`${LOCAL_OWNER}/`)
      ? this.localVariants(found.manifest, dtypes, found.kept)
      : found.manifest;
    if (dtypes.length === 0) {
      const examples = manifestDtypes(manifest).flatMap(
        (d) => manifest.variants[d]?.files.slice(0, 1).map((f) => f.path) ?? [],
      );
      const basics = await missingBasics(sourceDir, await folderVariants(sourceDir));
      throw new ModelStoreError(
        'invalid_model',
        `${sourceDir} holds no complete ${manifest.displayName} export: none of its dtypes has all its ONNX files (e.g. ${examples.join(', ')}).` +
          (basics.length > 0 ? `\n${basics.map((p) => `- ${p}`).join('\n')}` : ''),
      );
    }
    const problems: string[] = [];
    const paths = new Map<string, ModelFile>();
    for (const dtype of dtypes) {
      const inspection = await inspectModelFolder(sourceDir, manifest, dtype);
      problems.push(...inspection.problems.map((p) => (dtypes.length > 1 ? `${dtype}: ${p}` : p)));
      for (const file of this.filesOf(manifest, dtype)) {
        if (!file.optional || inspection.optionalPresent.includes(file.path)) paths.set(file.path, file);
      }
    }
    if (problems.length > 0) {
      throw new ModelStoreError(
        'invalid_model',
        `${sourceDir} is not a usable ${manifest.displayName} export (${dtypes.join(', ')}):\n${problems.map((p) => `- ${p}`).join('\n')}`,
      );
    }
    const files = [...paths.values()];
    const sizes = await Promise.all(files.map(async (f) => (await stat(this.filePath(sourceDir, f))).size));
    return { manifest, created, dtypes, files, bytes: sizes.reduce((a, b) => a + b, 0) };
  }

  /**
   * Checks a folder that is used in place (`--music_path`) as an import would check it, against
   * its own config.json rather than an offered model's. Nothing is copied or recorded.
   */
  async checkFolder(dir: string, dtype: ModelDtype): Promise<ImportCheck> {
    return this.checkImport(dir, { id: 'folder-in-place', dtype });
  }

  /**
   * Imports a model folder exported by hand: checks it (`checkImport`), copies its files into a
   * staging folder, hashing them on the way, and moves them into the store only when every file
   * is copied, so an interrupted or failed import leaves nothing half-imported. Importing the
   * store's own folder only checks and records it.
   */
  async importFolder(sourceDir: string, id?: string, options: ImportOptions = {}): Promise<ModelEntry[]> {
    const check = await this.checkImport(sourceDir, {
      ...(id !== undefined ? { id } : {}),
      ...(options.dtype ? { dtype: options.dtype } : {}),
    });
    const { manifest, dtypes, files } = check;
    return this.exclusive(manifest, async () => {
      const dir = join(this.modelsDir, ...manifest.repo.split('/'));
      const inPlace = resolve(sourceDir) === resolve(dir);
      const sizes = await Promise.all(files.map(async (f) => (await stat(this.filePath(sourceDir, f))).size));
      const total = sizes.reduce((a, b) => a + b, 0);
      const progress = new AggregateProgress(
        manifest.id,
        dtypes[0] ?? 'fp32',
        files.length,
        total,
        options.onProgress,
        this.options.progressIntervalMs,
      );
      const hashes: string[] = [];
      const staging = inPlace ? null : await this.stagingDir(manifest.id);
      try {
        if (staging) await ensureFreeSpace(staging, total, this.spaceOptions());
        for (const [i, file] of files.entries()) {
          const from = this.filePath(sourceDir, file);
          const onBytes = (bytes: number): void => progress.file(file.path, bytes);
          const sha256 = staging
            ? await copyHashed(from, this.filePath(staging, file), options.signal, onBytes)
            : await hashWithProgress(from, options.signal, onBytes);
          if (file.sha256 !== null && file.sha256 !== sha256) {
            throw new ModelStoreError(
              'hash_mismatch',
              `${file.path} in ${sourceDir} has SHA-256 ${sha256}, but the manifest expects ${file.sha256}; nothing was imported.`,
            );
          }
          hashes.push(sha256);
          progress.fileDone(file.path, sizes[i] ?? 0, sizes[i] ?? 0);
        }
        options.signal?.throwIfAborted();
        // Every byte is here and checked: move the files into place (renames on one file system).
        await mkdir(dir, { recursive: true });
        const record = this.recordFor(manifest, await readRecord(dir, this.logger));
        for (const [i, file] of files.entries()) {
          const to = this.filePath(dir, file);
          if (staging) {
            await mkdir(dirname(to), { recursive: true });
            await rename(this.filePath(staging, file), to);
          }
          await this.remember(
            record,
            dir,
            file.path,
            to,
            hashes[i] ?? '',
            file.sha256 !== null ? 'manifest' : 'import',
          );
        }
        if (manifest.repo.startsWith(`${LOCAL_OWNER}/`)) {
          await saveLocalManifest(dir, manifest);
          this.manifestList = [...this.manifestList.filter((m) => m.id !== manifest.id), manifest];
        }
      } catch (error) {
        if (options.signal?.aborted && !(error instanceof ModelStoreError && error.code === 'cancelled')) {
          throw new ModelStoreError('cancelled', `The import of ${sourceDir} was cancelled; nothing was imported.`, {
            cause: error,
          });
        }
        throw error;
      } finally {
        if (staging) await rm(staging, { recursive: true, force: true });
      }
      progress.finish();
      this.logger?.info('Imported a model folder', { model: manifest.id, dtypes, from: sourceDir, bytes: total });
      const entries: ModelEntry[] = [];
      for (const dtype of dtypes) {
        entries.push(
          this.entry(
            manifest,
            dtype,
            await verifyModelFolder(dir, manifest, dtype, this.verifyOptions(options.signal)),
          ),
        );
      }
      return entries;
    });
  }

  /** The manifest an import files the folder under, made from the folder when it is a new model. */
  private async manifestForImport(
    sourceDir: string,
    id: string | undefined,
  ): Promise<{ manifest: ModelManifest; created: boolean; kept?: ModelManifest['variants'] }> {
    let wanted = id;
    if (wanted === undefined) {
      const config = await readFolderConfig(sourceDir);
      const name = config.ok ? config.nameOrPath : null;
      const known = name
        ? this.manifestList.find(
            (m) =>
              !m.repo.startsWith(`${LOCAL_OWNER}/`) &&
              [m.repo, m.baseModel, m.protocolModelName].some((n) => n?.toLowerCase() === name.toLowerCase()),
          )
        : undefined;
      if (known) return { manifest: known, created: false };
      wanted = slugModelId(basename(name ?? resolve(sourceDir))) ?? undefined;
      if (wanted === undefined) {
        throw new ModelStoreError(
          'invalid_model',
          `No model id can be made from ${name ?? sourceDir}; give one with --id (lowercase letters, digits and dashes).`,
        );
      }
    }
    const existing = this.manifestList.find((m) => m.id === wanted);
    if (existing && !existing.repo.startsWith(`${LOCAL_OWNER}/`)) return { manifest: existing, created: false };
    const fresh = await manifestFromFolder(sourceDir, wanted);
    // A local model imported again keeps the dtypes it had (same architecture only).
    const kept = existing && JSON.stringify(existing.architecture) === JSON.stringify(fresh.architecture);
    return { manifest: fresh, created: !existing, ...(kept ? { kept: existing.variants } : {}) };
  }

  /**
   * A local model's manifest offers the dtypes it holds: those imported now and those it had,
   * not every dtype the folder could give.
   */
  private localVariants(
    fresh: ModelManifest,
    dtypes: ModelDtype[],
    kept: ModelManifest['variants'] | undefined,
  ): ModelManifest {
    const variants: ModelManifest['variants'] = { ...kept };
    for (const dtype of dtypes) variants[dtype] = fresh.variants[dtype];
    const offered = manifestDtypes({ ...fresh, variants });
    const defaultDtype = offered.includes('fp32') ? 'fp32' : (offered[0] ?? fresh.defaultDtype);
    return { ...fresh, variants, defaultDtype };
  }

  /** A fresh staging folder for one import; ones left by a process that died are removed first. */
  private async stagingDir(id: string): Promise<string> {
    const root = join(this.modelsDir, STAGING_DIR);
    await mkdir(root, { recursive: true });
    for (const name of await readdir(root)) {
      const pid = Number(/^.+-(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) {
        await rm(join(root, name), { recursive: true, force: true });
      }
    }
    const dir = join(root, `${id}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir);
    return dir;
  }

  /**
   * Deletes one dtype's own files (shared files stay while another dtype uses them), or the whole
   * model folder when no dtype is given or none is left. Partial downloads go too.
   */
  async delete(id: string, dtype?: ModelDtype): Promise<void> {
    const manifest = this.manifest(id);
    if (dtype) this.filesOf(manifest, dtype);
    await this.exclusive(manifest, async () => {
      const dir = this.modelDir(id);
      const mine = new Set((dtype ? (manifest.variants[dtype]?.files ?? []) : []).map((f) => f.path));
      // Another dtype counts as installed when a file only it has is there (shared ones prove nothing).
      const present: ModelDtype[] = [];
      for (const other of manifestDtypes(manifest).filter((d) => dtype !== undefined && d !== dtype)) {
        const distinctive = (manifest.variants[other]?.files ?? []).filter((f) => !mine.has(f.path));
        if (await someExists(distinctive.map((f) => this.filePath(dir, f)))) present.push(other);
      }
      if (present.length === 0) {
        await rm(dir, { recursive: true, force: true });
        // A local model is known only by the manifest in its folder: gone with it.
        if (manifest.repo.startsWith(`${LOCAL_OWNER}/`)) {
          this.manifestList = this.manifestList.filter((m) => m.id !== id);
        }
        this.logger?.info('Deleted a model', { model: id });
        return;
      }
      const keep = new Set(
        [...manifest.files, ...present.flatMap((d) => manifest.variants[d]?.files ?? [])].map((f) => f.path),
      );
      const own = (manifest.variants[dtype as ModelDtype]?.files ?? []).filter((f) => !keep.has(f.path));
      for (const file of own) {
        await rm(this.filePath(dir, file), { force: true });
        await rm(partialPath(this.filePath(dir, file)), { force: true });
      }
      const record = await readRecord(dir, this.logger);
      if (record) {
        const gone = new Set(own.map((f) => f.path));
        record.files = Object.fromEntries(Object.entries(record.files).filter(([path]) => !gone.has(path)));
        await writeRecord(dir, record);
      }
      if (manifest.repo.startsWith(`${LOCAL_OWNER}/`) && dtype) {
        // A local model offers only what it holds.
        const variants: ModelManifest['variants'] = Object.fromEntries(
          Object.entries(manifest.variants).filter(([d]) => d !== dtype),
        );
        const left = manifestDtypes({ ...manifest, variants });
        const defaultDtype = left.includes(manifest.defaultDtype) ? manifest.defaultDtype : (left[0] ?? dtype);
        const updated = { ...manifest, variants, defaultDtype };
        await saveLocalManifest(dir, updated);
        this.manifestList = this.manifestList.map((m) => (m.id === id ? updated : m));
      }
      this.logger?.info('Deleted a model dtype', { model: id, dtype, files: own.length });
    });
  }

  private filesOf(manifest: ModelManifest, dtype: ModelDtype): ModelFile[] {
    const files = variantFiles(manifest, dtype);
    if (!files) {
      throw new ModelStoreError(
        'unknown_model',
        `${manifest.displayName} is not offered at ${dtype}; it is at ${manifestDtypes(manifest).join(', ')}.`,
      );
    }
    return files;
  }

  private filePath(dir: string, file: ModelFile): string {
    return join(dir, ...file.path.split('/'));
  }

  private async exclusive<T>(manifest: ModelManifest, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(manifest.id)) {
      throw new ModelStoreError('busy', `${manifest.displayName} is already being downloaded, imported or deleted.`);
    }
    this.busy.add(manifest.id);
    try {
      return await work();
    } finally {
      this.busy.delete(manifest.id);
    }
  }

  /** The folder's record, reset (hash cache kept) when it belongs to another revision. */
  private recordFor(manifest: ModelManifest, record: InstallRecord | null): InstallRecord {
    const fresh = emptyRecord(manifest);
    if (!record || record.repo !== manifest.repo) return fresh;
    if (manifest.source.kind === 'hub' && record.revision !== fresh.revision) {
      const files: InstallRecord['files'] = {};
      for (const [path, entry] of Object.entries(record.files)) {
        files[path] = entry.expected?.source === 'hub' ? (entry.seen ? { seen: entry.seen } : {}) : entry;
      }
      return { ...fresh, files };
    }
    return record;
  }

  private async remember(
    record: InstallRecord,
    dir: string,
    relative: string,
    path: string,
    sha256: string,
    source: 'manifest' | 'hub' | 'import',
  ): Promise<void> {
    const info = await stat(path);
    record.files[relative] = {
      expected: { sha256, size: info.size, source },
      seen: { sha256, size: info.size, mtimeMs: info.mtimeMs },
    };
    await writeRecord(dir, record);
  }

  private verifyOptions(signal: AbortSignal | undefined): Parameters<typeof verifyModelFolder>[3] {
    return { ...(signal ? { signal } : {}), ...(this.logger ? { logger: this.logger } : {}) };
  }

  private spaceOptions(): Parameters<typeof ensureFreeSpace>[2] {
    return {
      ...(this.options.statfs ? { statfs: this.options.statfs } : {}),
      ...(this.options.reserveBytes !== undefined ? { reserveBytes: this.options.reserveBytes } : {}),
      ...(this.logger ? { logger: this.logger } : {}),
    };
  }

  private entry(manifest: ModelManifest, dtype: ModelDtype, check: FolderCheck): ModelEntry {
    const required = this.filesOf(manifest, dtype).filter((f) => !f.optional);
    const approx = required.map((f) => f.size ?? f.approxSize ?? null);
    const note = manifest.variants[dtype]?.note;
    return {
      id: manifest.id,
      kind: manifest.kind,
      displayName: manifest.displayName,
      repo: manifest.repo,
      dtype,
      state: check.state,
      sourceKind: manifest.source.kind,
      protocolModelName: manifest.protocolModelName,
      license: manifest.license,
      dir: this.modelDir(manifest.id),
      bytesPresent: check.bytesPresent,
      bytesTotal: check.bytesTotal,
      approxBytes:
        check.bytesTotal ?? (approx.every((s) => s !== null) ? approx.reduce<number>((a, b) => a + (b ?? 0), 0) : null),
      ...(note !== undefined ? { note } : {}),
      files: check.files,
    };
  }
}

/** Refuses a model of another kind than the caller loads (a CLAP where MusicGen is wanted). */
function checkKind(manifest: ModelManifest, kind: ModelKind): void {
  if (manifest.kind !== kind) {
    throw new ModelStoreError(
      'wrong_kind',
      `${manifest.displayName} (${manifest.id}) is a model of kind ${manifest.kind}, not ${kind}.`,
    );
  }
}

/** Whole-operation progress over several files: monotonic bytes, speed and ETA of the total. */
class AggregateProgress {
  private doneBytes = 0;
  private filesDone = 0;
  private lastFile = '';
  private current = 0;
  private lastBytes = -1;
  private readonly meter: ProgressMeter;

  constructor(
    private readonly id: string,
    private readonly dtype: ModelDtype,
    private readonly filesTotal: number,
    private total: number,
    private readonly onProgress: ((progress: ModelTransferProgress) => void) | undefined,
    intervalMs: number | undefined,
  ) {
    this.meter = new ProgressMeter(intervalMs !== undefined ? { intervalMs } : {});
  }

  file(path: string, bytes: number, force = false): void {
    this.current = bytes;
    this.emit(path, force);
  }

  fileDone(path: string, planned: number, actual: number): void {
    this.total += actual - planned;
    this.doneBytes += actual;
    this.current = 0;
    this.filesDone++;
    this.emit(path, true);
  }

  finish(): void {
    if (this.filesTotal === 0) return;
    this.emit(this.lastFile, true);
  }

  private emit(file: string, force: boolean): void {
    this.lastFile = file;
    if (!this.onProgress) return;
    const bytes = Math.min(this.doneBytes + this.current, Math.max(this.total, this.doneBytes));
    if (bytes < this.lastBytes || (bytes === this.lastBytes && !force)) return;
    const rate = this.meter.sample(bytes, this.total, force);
    if (!rate) return;
    this.lastBytes = bytes;
    this.onProgress({
      id: this.id,
      dtype: this.dtype,
      file,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytes,
      total: Math.max(this.total, bytes),
      bytesPerSecond: rate.bytesPerSecond,
      etaSeconds: rate.etaSeconds,
    });
  }
}

/** The SHA-256 of a file when its content matches `digest`, else null. */
async function contentMatches(path: string, digest: ExpectedDigest): Promise<string | null> {
  const size = (await stat(path)).size;
  const hasher = new ContentHasher(digest.kind === 'git-sha1' ? size : undefined);
  await hashFileInto(path, hasher);
  const result = hasher.finish();
  return digestMatches(digest, result) ? result.sha256 : null;
}

async function hashWithProgress(
  path: string,
  signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void,
): Promise<string> {
  const hasher = new ContentHasher();
  let bytes = 0;
  await hashFileInto(path, hasher, {
    ...(signal ? { signal } : {}),
    onBytes: (n) => onBytes((bytes += n)),
  });
  return hasher.finish().sha256;
}

/** Copies through a `.part` file, hashing on the way, and renames only a complete copy. */
async function copyHashed(
  from: string,
  to: string,
  signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void,
): Promise<string> {
  await mkdir(dirname(to), { recursive: true });
  const temp = partialPath(to);
  const hasher = new ContentHasher();
  const handle = await open(temp, 'w', 0o644);
  let bytes = 0;
  try {
    const stream = createReadStream(from, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      await handle.write(chunk);
      hasher.update(chunk);
      onBytes((bytes += chunk.byteLength));
    }
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    if (signal?.aborted) {
      throw new ModelStoreError('cancelled', `The import was cancelled while copying ${from}.`, { cause: error });
    }
    if (isErrno(error, 'ENOSPC')) {
      throw new ModelStoreError(
        'disk_full',
        `The disk filled up while copying ${from} (${formatBytes(bytes)} copied).`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  await rename(temp, to);
  return hasher.finish().sha256;
}

async function sizeOrZero(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return 0;
    throw error;
  }
}

async function someExists(paths: string[]): Promise<boolean> {
  for (const path of paths) {
    if ((await sizeOrZero(path)) > 0 || (await sizeOrZero(partialPath(path))) > 0) return true;
  }
  return false;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}
