/**
 * The hashes a model file is checked against. The hub reports two kinds in its ETag headers:
 * for LFS files the SHA-256 of the content (`X-Linked-Etag`), for small files kept in git the
 * git blob id, SHA-1 of `blob <size>\0<content>` (`ETag`). We always compute the SHA-256 too, so
 * that once a file is verified the store can keep one kind of hash for every file.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type ExpectedDigest = { kind: 'sha256'; hex: string } | { kind: 'git-sha1'; hex: string };

/**
 * Reads an ETag as the hub sends it (`"abc…"`, `W/"abc…"`) into a digest we can check, or null
 * when it is neither a SHA-256 nor a git blob id (a CDN's own ETag, for instance).
 */
export function parseHubEtag(value: string | undefined): ExpectedDigest | null {
  if (!value) return null;
  const bare = value
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  if (/^[0-9a-f]{64}$/.test(bare)) return { kind: 'sha256', hex: bare };
  if (/^[0-9a-f]{40}$/.test(bare)) return { kind: 'git-sha1', hex: bare };
  return null;
}

export function describeDigest(digest: ExpectedDigest): string {
  return digest.kind === 'sha256' ? `SHA-256 ${digest.hex}` : `git blob id ${digest.hex}`;
}

/** Hashes content as it streams past; the git blob id needs the final size up front. */
export class ContentHasher {
  private readonly sha256: Hash = createHash('sha256');
  private readonly gitSha1: Hash | undefined;
  private bytes = 0;

  constructor(gitBlobSize?: number) {
    if (gitBlobSize !== undefined) {
      this.gitSha1 = createHash('sha1');
      this.gitSha1.update(`blob ${gitBlobSize}\0`);
    }
  }

  get length(): number {
    return this.bytes;
  }

  update(chunk: Uint8Array): void {
    this.sha256.update(chunk);
    this.gitSha1?.update(chunk);
    this.bytes += chunk.byteLength;
  }

  /** Ends hashing; call once. */
  finish(): { sha256: string; gitSha1: string | null; size: number } {
    return {
      sha256: this.sha256.digest('hex'),
      gitSha1: this.gitSha1 ? this.gitSha1.digest('hex') : null,
      size: this.bytes,
    };
  }
}

export function digestMatches(expected: ExpectedDigest, actual: { sha256: string; gitSha1: string | null }): boolean {
  return expected.kind === 'sha256' ? actual.sha256 === expected.hex : actual.gitSha1 === expected.hex;
}

/** Feeds a file (or its first `end` bytes) through a hasher. */
export async function hashFileInto(
  path: string,
  hasher: ContentHasher,
  options: { end?: number; signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<void> {
  if (options.end === 0) return;
  const stream = createReadStream(path, {
    highWaterMark: 1 << 20,
    ...(options.end !== undefined ? { end: options.end - 1 } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hasher.update(chunk);
    options.onBytes?.(chunk.byteLength);
  }
}

/** SHA-256 of a whole file, lowercase hex. */
export async function sha256File(
  path: string,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<string> {
  const hasher = new ContentHasher();
  await hashFileInto(path, hasher, options);
  return hasher.finish().sha256;
}
