/**
 * Downloads one file from the hub so that a model folder can never hold a partial or altered
 * file under its real name:
 *
 * - bytes go to `<file>.part` next to the final name; an interrupted download (a dropped
 *   connection, a cancel, a crash) keeps it and the next attempt resumes with `Range`;
 * - the content is hashed as it arrives and compared with the SHA-256 the manifest gives or the
 *   hub reports (the LFS object id in `X-Linked-Etag`; small git files carry their git blob id in
 *   `ETag`), and only a match is renamed to the final name;
 * - the free space is checked before the first byte is written;
 * - dropped connections, stalls, 429 and 5xx are retried with exponential backoff, and the count
 *   starts again whenever bytes arrived in between.
 */
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';
import {
  ContentHasher,
  describeDigest,
  digestMatches,
  hashFileInto,
  parseHubEtag,
  type ExpectedDigest,
} from './digest.js';
import { ensureFreeSpace, type StatfsFunction } from './disk-space.js';
import { formatBytes, isErrno, ModelStoreError } from './errors.js';
import {
  describeRef,
  headerInt,
  headerValue,
  HUB_HEADERS,
  hubFileUrl,
  hubHttpError,
  hubSettingsFromEnv,
  isTransientNetworkError,
  openFollowingRedirects,
  RetryableError,
  hubTreeUrl,
  type HubFileRef,
  type HubRepoType,
  type HubSettings,
} from './hub-http.js';
import { nextPageUrl, parseHubTreePage, readBody, type HubTreeFile } from './hub-tree.js';
import { ProgressMeter } from './progress.js';

export interface RetryPolicy {
  /** Failed attempts in a row (without new bytes in between) before giving up. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 5,
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
});

/** `endpoint` and `token`: leave both out to use `HF_ENDPOINT` and `HF_TOKEN` (hubSettingsFromEnv). */
export interface HubClientOptions extends Partial<HubSettings> {
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** A connection that sends nothing for this long is dropped and retried. Default 30 s. */
  idleTimeoutMs?: number;
  statfs?: StatfsFunction;
  /** Free space kept beyond the download. */
  reserveBytes?: number;
  /** Monotonic milliseconds, for speed and ETA. */
  now?: () => number;
  /** Least milliseconds between two progress events. Default 100. */
  progressIntervalMs?: number;
}

/** What the hub says about a file before its content is fetched. */
export interface HubFileMetadata {
  /** The URL that was asked; a download fetches the URL of its own `ref`, which may pin a commit. */
  url: string;
  /** `X-Linked-Size` for LFS files, else `Content-Length`; null if the hub gave neither. */
  size: number | null;
  /** From `X-Linked-Etag` (SHA-256 of an LFS file) or `ETag` (git blob id of a small file). */
  digest: ExpectedDigest | null;
  /** `X-Repo-Commit`: the commit the revision resolved to. */
  commit: string | null;
}

export interface FileProgress {
  /** Bytes of the file on disk so far, including a resumed part. */
  bytes: number;
  total: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
}

export interface DownloadOptions {
  /** From the manifest; when given, the hub must agree and the content must match. */
  expectedSha256?: string | null;
  expectedSize?: number | null;
  /** Metadata already fetched (the store asks for all files first to check the space). */
  metadata?: HubFileMetadata;
  signal?: AbortSignal;
  onProgress?: (progress: FileProgress) => void;
}

export interface DownloadedFile {
  path: string;
  size: number;
  sha256: string;
  /** Where the hash the file was checked against came from. */
  checkedAgainst: 'manifest' | 'hub-sha256' | 'hub-git-sha1';
  commit: string | null;
  /** Bytes that were already on disk from an earlier attempt. */
  resumedFrom: number;
}

/** The `.part` file a download writes before the file is verified and renamed. */
export function partialPath(destination: string): string {
  return `${destination}.part`;
}

interface Expectation {
  digest: ExpectedDigest;
  size: number | null;
  checkedAgainst: DownloadedFile['checkedAgainst'];
}

export class HubClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly logger: Logger | undefined;
  private readonly retry: RetryPolicy;
  private readonly idleTimeoutMs: number;

  constructor(private readonly options: HubClientOptions = {}) {
    // Explicit settings win; with neither given, HF_ENDPOINT and HF_TOKEN apply.
    const settings =
      options.endpoint === undefined && options.token === undefined
        ? hubSettingsFromEnv()
        : { endpoint: options.endpoint ?? hubSettingsFromEnv().endpoint, token: options.token };
    this.endpoint = settings.endpoint.replace(/\/+$/, '');
    this.token = settings.token;
    this.logger = options.logger;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  }

  fileUrl(ref: HubFileRef): string {
    return hubFileUrl(this.endpoint, ref);
  }

  /**
   * Size, hash and commit of a file, from a HEAD request that stops at the hub: the CDN behind
   * a redirect has its own ETag, which says nothing about the content.
   */
  async metadata(ref: HubFileRef, options: { signal?: AbortSignal } = {}): Promise<HubFileMetadata> {
    const url = this.fileUrl(ref);
    return this.withRetries(
      ref,
      options.signal,
      () => 0,
      async () => {
        const opened = await openFollowingRedirects(url, {
          method: 'HEAD',
          stayOnOrigin: true,
          idleTimeoutMs: this.idleTimeoutMs,
          ...(this.token !== undefined ? { token: this.token } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        opened.response.resume();
        const status = opened.response.statusCode ?? 0;
        const redirected = status >= 300 && status < 400;
        if (status !== 200 && !redirected) {
          throw hubHttpError(status, opened.response.headers, ref, this.endpoint, opened.tokenSent);
        }
        const headers = opened.hubHeaders;
        return {
          url,
          size:
            headerInt(headers, HUB_HEADERS.linkedSize) ?? (redirected ? null : headerInt(headers, 'content-length')),
          digest:
            parseHubEtag(headerValue(headers, HUB_HEADERS.linkedEtag)) ?? parseHubEtag(headerValue(headers, 'etag')),
          commit: headerValue(headers, HUB_HEADERS.repoCommit) ?? null,
        };
      },
    );
  }

  /**
   * Every file of a repo at a revision, from the hub API's recursive listing (all pages). For
   * repos whose file names are not known ahead, such as a dataset's `data/*.parquet` shards.
   */
  async listFiles(
    repo: string,
    options: { revision?: string; repoType?: HubRepoType; signal?: AbortSignal } = {},
  ): Promise<HubTreeFile[]> {
    const revision = options.revision ?? 'main';
    const ref: HubFileRef = {
      repo,
      revision,
      path: '(file list)',
      ...(options.repoType ? { repoType: options.repoType } : {}),
    };
    const first = new URL(hubTreeUrl(this.endpoint, repo, revision, options.repoType));
    const files: HubTreeFile[] = [];
    for (let page: URL | null = first; page !== null;) {
      const url: URL = page;
      page = await this.withRetries(
        ref,
        options.signal,
        () => files.length,
        async () => {
          const opened = await openFollowingRedirects(url.href, {
            method: 'GET',
            idleTimeoutMs: this.idleTimeoutMs,
            ...(this.token !== undefined && url.origin === first.origin ? { token: this.token } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          });
          const status = opened.response.statusCode ?? 0;
          if (status !== 200) {
            opened.response.resume();
            throw hubHttpError(status, opened.response.headers, ref, this.endpoint, opened.tokenSent);
          }
          const where = describeRef(ref);
          files.push(...parseHubTreePage(await readBody(opened.response, where), where));
          const next = nextPageUrl(opened.response, opened.finalUrl);
          // Pages stay on the hub: a next link elsewhere is not followed with the token.
          return next !== null && next.origin === first.origin ? next : null;
        },
      );
    }
    return files;
  }

  /**
   * Downloads `ref` to `destination` (created with its folder), resuming `<destination>.part`
   * when one is there. Resolves once the verified file is in place; on cancel the `.part` file
   * stays for the next call, on a hash or size mismatch it is deleted.
   */
  async download(ref: HubFileRef, destination: string, options: DownloadOptions = {}): Promise<DownloadedFile> {
    const metadata = options.metadata ?? (await this.metadata(ref, options.signal ? { signal: options.signal } : {}));
    const expectation = reconcile(ref, metadata, options.expectedSha256 ?? null, options.expectedSize ?? null);
    const temp = partialPath(destination);
    await mkdir(dirname(destination), { recursive: true });

    let onDisk = await sizeOf(temp);
    if (expectation.size !== null && onDisk > expectation.size) {
      await rm(temp, { force: true });
      onDisk = 0;
    }
    await ensureFreeSpace(dirname(destination), expectation.size === null ? 0 : expectation.size - onDisk, {
      ...(this.options.statfs ? { statfs: this.options.statfs } : {}),
      ...(this.options.reserveBytes !== undefined ? { reserveBytes: this.options.reserveBytes } : {}),
      ...(this.logger ? { logger: this.logger } : {}),
    });

    try {
      return await this.transfer(ref, metadata, expectation, destination, onDisk, options);
    } catch (error) {
      // A mismatch after resuming may come from a stale part (the file changed upstream since);
      // one fresh download settles it. A mismatch on a fresh download is final.
      if (onDisk > 0 && error instanceof ModelStoreError && error.code === 'hash_mismatch') {
        this.logger?.warn('The resumed download did not match its hash; downloading it again from the start', {
          repo: ref.repo,
          path: ref.path,
        });
        return this.transfer(ref, metadata, expectation, destination, 0, options);
      }
      throw error;
    }
  }

  private async transfer(
    ref: HubFileRef,
    metadata: HubFileMetadata,
    expectation: Expectation,
    destination: string,
    resumeFrom: number,
    options: DownloadOptions,
  ): Promise<DownloadedFile> {
    const temp = partialPath(destination);
    const meter = new ProgressMeter({
      ...(this.options.now ? { now: this.options.now } : {}),
      ...(this.options.progressIntervalMs !== undefined ? { intervalMs: this.options.progressIntervalMs } : {}),
    });
    let total = expectation.size;
    let lastReported = -1;
    const report = (bytes: number, force = false): void => {
      if (!options.onProgress || bytes < lastReported) return;
      const rate = meter.sample(bytes, total ?? Number.POSITIVE_INFINITY, force);
      if (!rate) return;
      lastReported = bytes;
      options.onProgress({
        bytes,
        total,
        bytesPerSecond: rate.bytesPerSecond,
        etaSeconds: total === null ? null : rate.etaSeconds,
      });
    };

    // The git blob id hashes a header with the size, so it can stream only when the size is known.
    const gitSize = expectation.digest.kind === 'git-sha1' ? expectation.size : null;
    const newHasher = (): ContentHasher => new ContentHasher(gitSize ?? undefined);
    let hasher = newHasher();

    const handle = await open(temp, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644);
    let offset = 0;
    try {
      if (resumeFrom > 0) {
        await handle.truncate(resumeFrom);
        await hashFileInto(temp, hasher, { end: resumeFrom, ...(options.signal ? { signal: options.signal } : {}) });
        offset = resumeFrom;
      } else {
        await handle.truncate(0);
      }
      report(offset, true);

      await this.withRetries(
        ref,
        options.signal,
        () => offset,
        async () => {
          // A part left complete by a crash before the rename needs no request.
          if (total !== null && offset === total) return;
          const opened = await openFollowingRedirects(this.fileUrl(ref), {
            method: 'GET',
            rangeStart: offset,
            idleTimeoutMs: this.idleTimeoutMs,
            ...(this.token !== undefined ? { token: this.token } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          });
          const { response } = opened;
          const status = response.statusCode ?? 0;
          if (status === 416) {
            response.resume();
            // Asked for bytes past the end: the part is complete when its size is the file's.
            if (offset > 0 && (total === null || offset === total)) return;
            throw new ModelStoreError(
              'http',
              `The server refused the range request for ${describeRef(ref)} (HTTP 416).`,
            );
          }
          if (status !== 200 && status !== 206) {
            response.resume();
            // A CDN refusing its signed link (expired during a long pause) is cured by asking the hub again.
            if (opened.finalUrl.origin !== new URL(this.endpoint).origin && [401, 403, 404, 410].includes(status)) {
              throw new RetryableError(`the download server refused its link (HTTP ${status})`);
            }
            throw hubHttpError(status, response.headers, ref, this.endpoint, opened.tokenSent);
          }
          let start = 0;
          if (status === 206) {
            const range = parseContentRange(response.headers);
            if (!range || range.start !== offset) {
              response.resume();
              const asked = offset;
              // Not the range we asked for: begin again without one.
              await handle.truncate(0);
              hasher = newHasher();
              offset = 0;
              throw new RetryableError(`the server answered another range than bytes=${asked}-`);
            }
            start = range.start;
            if (range.total !== null) total ??= range.total;
          } else {
            if (offset > 0) {
              this.logger?.info('The server ignored the range request; downloading the file from the start', {
                repo: ref.repo,
                path: ref.path,
              });
              await handle.truncate(0);
              hasher = newHasher();
              offset = 0;
            }
            total ??= headerInt(response.headers, 'content-length');
          }
          if (expectation.size !== null && total !== null && total !== expectation.size) {
            response.resume();
            throw new ModelStoreError(
              'size_mismatch',
              `${describeRef(ref)} is ${formatBytes(total)} (${total} bytes) on the server, but ${expectation.size} bytes were expected.`,
            );
          }
          const length = headerInt(response.headers, 'content-length');
          let received = 0;
          for await (const chunk of response as AsyncIterable<Buffer>) {
            await writeAll(handle, chunk, start + received);
            hasher.update(chunk);
            received += chunk.byteLength;
            offset = start + received;
            report(offset);
          }
          if (length !== null && received < length) {
            throw new RetryableError(`the connection closed after ${received} of ${length} bytes`);
          }
        },
      );
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      if (options.signal?.aborted) {
        throw new ModelStoreError(
          'cancelled',
          `The download of ${describeRef(ref)} was cancelled; ${formatBytes(offset)} are kept in ${temp} to resume.`,
          { cause: error },
        );
      }
      if (error instanceof ModelStoreError && error.code === 'size_mismatch') await rm(temp, { force: true });
      throw error;
    }
    await handle.close();

    let result = hasher.finish();
    if (expectation.digest.kind === 'git-sha1' && result.gitSha1 === null) {
      const again = new ContentHasher(result.size);
      await hashFileInto(temp, again);
      result = again.finish();
    }
    if (expectation.size !== null && result.size !== expectation.size) {
      await rm(temp, { force: true });
      throw new ModelStoreError(
        'size_mismatch',
        `The download of ${describeRef(ref)} has ${result.size} bytes, but ${expectation.size} were expected; it was deleted.`,
      );
    }
    if (!digestMatches(expectation.digest, result)) {
      await rm(temp, { force: true });
      throw new ModelStoreError(
        'hash_mismatch',
        `The download of ${describeRef(ref)} does not match its ${describeDigest(expectation.digest)} ` +
          `(from the ${expectation.checkedAgainst === 'manifest' ? 'manifest' : 'hub'}): its SHA-256 is ${result.sha256}. ` +
          'The file was deleted and not installed; download it again, and if this repeats, a proxy or mirror is altering it.',
      );
    }
    await rename(temp, destination);
    total = result.size;
    report(result.size, true);
    this.logger?.info('Downloaded and verified a model file', {
      repo: ref.repo,
      path: ref.path,
      bytes: result.size,
      resumedFrom: resumeFrom,
    });
    return {
      path: destination,
      size: result.size,
      sha256: result.sha256,
      checkedAgainst: expectation.checkedAgainst,
      commit: metadata.commit,
      resumedFrom: resumeFrom,
    };
  }

  /**
   * Runs `attempt` until it succeeds, retrying transient failures with exponential backoff. The
   * failure count starts again whenever `progress()` moved since the last failure, so a long
   * download over a flaky line keeps going as long as it advances.
   */
  private async withRetries<T>(
    ref: HubFileRef,
    signal: AbortSignal | undefined,
    progress: () => number,
    attempt: () => Promise<T>,
  ): Promise<T> {
    let failures = 0;
    let progressAtLastFailure = progress();
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (signal?.aborted) throw error;
        if (!(error instanceof RetryableError) && !isTransientNetworkError(error))
          throw explain(error, ref, this.endpoint);
        const now = progress();
        failures = now > progressAtLastFailure ? 1 : failures + 1;
        progressAtLastFailure = now;
        const reason = error instanceof Error ? error.message : String(error);
        if (failures > this.retry.attempts) {
          throw new ModelStoreError(
            'network',
            `Downloading ${describeRef(ref)} failed ${failures} times in a row (${reason}); check the connection and try again — it will resume.`,
            { cause: error },
          );
        }
        const backoff = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** (failures - 1));
        const delay = Math.min(
          this.retry.maxDelayMs,
          Math.max(backoff, error instanceof RetryableError ? (error.retryAfterMs ?? 0) : 0),
        );
        this.logger?.warn('Model download interrupted; retrying', {
          repo: ref.repo,
          path: ref.path,
          reason,
          attempt: failures,
          delayMs: delay,
        });
        await sleep(delay, undefined, signal ? { signal } : {});
      }
    }
  }
}

/**
 * What the file must be: the manifest's SHA-256 when it has one (and the hub must not disagree),
 * else what the hub reports. A file with neither cannot be checked and is refused.
 */
function reconcile(
  ref: HubFileRef,
  metadata: HubFileMetadata,
  manifestSha256: string | null,
  manifestSize: number | null,
): Expectation {
  if (manifestSize !== null && metadata.size !== null && manifestSize !== metadata.size) {
    throw new ModelStoreError(
      'size_mismatch',
      `${describeRef(ref)} is ${metadata.size} bytes on the hub, but the manifest says ${manifestSize}: ` +
        'the file changed upstream; update BittAudio or pin the manifest to the matching revision.',
    );
  }
  const size = manifestSize ?? metadata.size;
  if (manifestSha256 !== null) {
    if (metadata.digest?.kind === 'sha256' && metadata.digest.hex !== manifestSha256) {
      throw new ModelStoreError(
        'hash_mismatch',
        `${describeRef(ref)} on the hub has SHA-256 ${metadata.digest.hex}, but the manifest expects ${manifestSha256}: ` +
          'the file changed upstream; nothing was downloaded.',
      );
    }
    return { digest: { kind: 'sha256', hex: manifestSha256 }, size, checkedAgainst: 'manifest' };
  }
  if (metadata.digest) {
    return {
      digest: metadata.digest,
      size,
      checkedAgainst: metadata.digest.kind === 'sha256' ? 'hub-sha256' : 'hub-git-sha1',
    };
  }
  throw new ModelStoreError(
    'no_hash',
    `Neither the manifest nor the hub gives a hash for ${describeRef(ref)}, so it cannot be verified; refusing to download it.`,
  );
}

/** Puts a file-system or name-resolution failure into words; other errors pass unchanged. */
function explain(error: unknown, ref: HubFileRef, endpoint: string): unknown {
  if (error instanceof ModelStoreError || !(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') {
    return new ModelStoreError('disk_full', `The disk filled up while downloading ${describeRef(ref)}.`, {
      cause: error,
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_FAIL') {
    return new ModelStoreError(
      'network',
      `Cannot find the server of ${endpoint} (${code}): check the connection, or HF_ENDPOINT if it is set.`,
      { cause: error },
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code?.startsWith('ERR_TLS') || code?.includes('CERT')) {
    return new ModelStoreError('network', `The secure connection to ${endpoint} failed (${code}).`, { cause: error });
  }
  return error;
}

function parseContentRange(headers: IncomingHttpHeaders): { start: number; total: number | null } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headerValue(headers, 'content-range')?.trim() ?? '');
  if (!match) return null;
  return { start: Number(match[1]), total: match[3] === '*' ? null : Number(match[3]) };
}

async function writeAll(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written, position + written);
    written += bytesWritten;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return 0;
    throw error;
  }
}
