/**
 * The hub API's file listing (`GET /api/{models|datasets}/{repo}/tree/{revision}?recursive=true`),
 * for repos whose file names are not known ahead, such as a dataset's `data/*.parquet` shards.
 * The answer is a JSON array, one page at a time (`Link: <…>; rel="next"`), parsed strictly: it
 * crosses a trust boundary.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { ModelStoreError } from './errors.js';
import { headerValue } from './hub-http.js';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

const HubTreeItemSchema = z.object({
  type: z.enum(['file', 'directory']),
  path: z.string().min(1),
  /** Git object id: the blob's SHA-1 for a small file, the pointer's for an LFS file. */
  oid: z.string().min(1),
  size: z.number().int().nonnegative(),
  /** LFS files: `oid` is the content's SHA-256. */
  lfs: z.object({ oid: Sha256Schema, size: z.number().int().nonnegative() }).nullish(),
});

/** One file of a listing. */
export interface HubTreeFile {
  path: string;
  size: number;
  /** The git blob id (a small file) or the content SHA-256 (an LFS file): changes whenever the content does. */
  oid: string;
  /** The content's SHA-256 when the hub knows it (LFS files). */
  sha256: string | null;
}

/** Largest listing page accepted (the hub's pages hold 1000 entries, far below this). */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/** The files (not folders) of one page; throws a ModelStoreError for anything but the expected shape. */
export function parseHubTreePage(text: string, where: string): HubTreeFile[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelStoreError('http', `The hub's file list for ${where} is not JSON.`, { cause: error });
  }
  const parsed = z.array(HubTreeItemSchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelStoreError(
      'http',
      `The hub's file list for ${where} has an unexpected shape (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}).`,
    );
  }
  return parsed.data
    .filter((item) => item.type === 'file')
    .map((item) => ({
      path: item.path,
      size: item.lfs?.size ?? item.size,
      oid: item.lfs?.oid ?? item.oid,
      sha256: item.lfs?.oid ?? null,
    }));
}

/** The `rel="next"` target of a Link header, resolved against the page's URL. */
export function nextPageUrl(response: IncomingMessage, current: URL): URL | null {
  const link = headerValue(response.headers, 'link');
  if (link === undefined) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (match?.[1] !== undefined) return new URL(match[1], current);
  }
  return null;
}

export async function readBody(response: IncomingMessage, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    length += chunk.byteLength;
    if (length > MAX_PAGE_BYTES) {
      response.destroy();
      throw new ModelStoreError('http', `The hub's file list for ${where} is larger than ${MAX_PAGE_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
