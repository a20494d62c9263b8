/**
 * A stand-in for the Hugging Face hub on loopback, for tests: two HTTP servers on 127.0.0.1 with
 * ports picked by the OS. The "hub" serves `/{repo}/resolve/{revision}/{path}` the way the real
 * one does: small files directly with their git blob id as `ETag`, LFS files as a 302 to the
 * "CDN" (the other server, another origin) with `X-Linked-Etag` / `X-Linked-Size`, and errors
 * with `X-Error-Code`. Both honour `Range`. Knobs make it drop, stall, fail or lie on purpose.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeHubFile {
  data: Uint8Array;
  /** Served through the CDN redirect with LFS headers. Default: true. */
  lfs?: boolean;
  /** Announce this SHA-256 in `X-Linked-Etag` instead of the real one. */
  announcedSha256?: string;
  /** Send no hash header at all. */
  noHash?: boolean;
}

export interface FakeHubOptions {
  repo: string;
  files: Record<string, FakeHubFile>;
  /** When set, the hub answers 401 unless this bearer token is sent. */
  token?: string;
  /** Answer 403 with `X-Error-Code: GatedRepo`. */
  gated?: boolean;
  commit?: string;
  /** Serve the repo as a dataset: `/datasets/{repo}/resolve/…` and `/api/datasets/{repo}/tree/…`. */
  repoType?: 'model' | 'dataset';
  /** Entries per page of the tree API (a `Link: rel="next"` header leads on). Default: all in one. */
  treePageSize?: number;
}

export interface RecordedRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface FakeHub {
  readonly endpoint: string;
  readonly cdnOrigin: string;
  readonly commit: string;
  readonly requests: RecordedRequest[];
  /** Path → byte counts: each GET of the file's content sends that many body bytes, then the socket dies. */
  readonly dropAfter: Map<string, number[]>;
  /** Path → byte counts: each GET sends that many bytes, then goes silent with the socket open. */
  readonly stallAfter: Map<string, number[]>;
  /** Path → statuses answered by the hub for the next requests (HEAD or GET) of that file. */
  readonly failWith: Map<string, number[]>;
  /** Statuses the CDN answers for its next requests (an expired signed link, say). */
  readonly cdnFailWith: number[];
  /** Serve 200 with the whole file even when a range is asked. */
  ignoreRange: boolean;
  /** Body chunk size and the pause after each chunk, to make transfers take measurable time. */
  throttle: { chunkBytes: number; delayMs: number } | undefined;
  /** GETs of file content served so far (hub direct or CDN), by path. */
  contentRequests(path: string): RecordedRequest[];
  close(): Promise<void>;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function gitBlobSha1(data: Uint8Array): string {
  return createHash('sha1').update(`blob ${data.byteLength}\0`).update(data).digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift32), so tests need no fixtures on disk. */
export function testBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const commit = options.commit ?? 'c0ffee'.padEnd(40, '0');
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const pathBySha = new Map<string, string>();
  for (const [path, file] of Object.entries(options.files)) pathBySha.set(sha256Hex(file.data), path);

  const hub: FakeHub = {
    endpoint: '',
    cdnOrigin: '',
    commit,
    requests,
    dropAfter: new Map(),
    stallAfter: new Map(),
    failWith: new Map(),
    cdnFailWith: [],
    ignoreRange: false,
    throttle: undefined,
    contentRequests: (path) =>
      requests.filter(
        (r) =>
          r.method === 'GET' &&
          ((r.server === 'hub' && r.url.endsWith(`/${path}`) && options.files[path]?.lfs === false) ||
            (r.server === 'cdn' && pathBySha.get(r.url.split('/')[2]?.split('?')[0] ?? '') === path)),
      ),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([closeServer(hubServer), closeServer(cdnServer)]);
    },
  };

  const record = (server: 'hub' | 'cdn', req: IncomingMessage): void => {
    requests.push({
      server,
      method: req.method ?? '',
      url: req.url ?? '',
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
  };

  const hubServer = createServer((req, res) => {
    record('hub', req);
    const url = new URL(req.url ?? '/', 'http://hub');
    if (url.pathname.startsWith('/api/')) return treeAnswer(req, res, url);
    const prefix = options.repoType === 'dataset' ? '\\/datasets' : '';
    const match = new RegExp(`^${prefix}\\/([^/]+\\/[^/]+)\\/resolve\\/([^/]+)\\/(.+)$`).exec(url.pathname);
    if (!match) return errorAnswer(res, 404, 'EntryNotFound', 'no such route');
    const [, repo, revision, encodedPath] = match as unknown as [string, string, string, string];
    const path = encodedPath.split('/').map(decodeURIComponent).join('/');
    if (decodeURIComponent(repo) !== options.repo) return errorAnswer(res, 404, 'RepoNotFound', 'Repository not found');
    if (options.gated) return errorAnswer(res, 403, 'GatedRepo', 'Access to this model is restricted');
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return errorAnswer(res, 401, undefined, 'Invalid credentials in Authorization header');
    }
    const failure = hub.failWith.get(path)?.shift();
    if (failure !== undefined) return errorAnswer(res, failure, undefined, 'injected failure');
    if (decodeURIComponent(revision) !== 'main' && decodeURIComponent(revision) !== commit) {
      return errorAnswer(res, 404, 'RevisionNotFound', 'Invalid rev id');
    }
    const file = options.files[path];
    if (!file) return errorAnswer(res, 404, 'EntryNotFound', `${path} does not exist`);
    res.setHeader('x-repo-commit', commit);
    if (file.lfs === false) {
      if (!file.noHash) res.setHeader('etag', `"${gitBlobSha1(file.data)}"`);
      return serveContent(req, res, file.data, path);
    }
    const sha = sha256Hex(file.data);
    if (!file.noHash) {
      res.setHeader('x-linked-etag', `"${file.announcedSha256 ?? sha}"`);
      res.setHeader('etag', `"${gitBlobSha1(Buffer.from(`pointer ${sha}`))}"`);
    }
    res.setHeader('x-linked-size', String(file.data.byteLength));
    res.writeHead(302, { location: `${hub.cdnOrigin}/blobs/${sha}?X-Amz-Signature=test` });
    res.end(req.method === 'HEAD' ? undefined : 'Found. Redirecting');
  });

  // The hub API's recursive listing, as huggingface_hub's list_repo_tree reads it.
  const treeAnswer = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const kind = options.repoType === 'dataset' ? 'datasets' : 'models';
    const match = new RegExp(`^\\/api\\/${kind}\\/([^/]+\\/[^/]+)\\/tree\\/([^/]+)$`).exec(url.pathname);
    if (!match) return errorAnswer(res, 404, 'EntryNotFound', 'no such route');
    const [, repo, revision] = match as unknown as [string, string, string];
    if (decodeURIComponent(repo) !== options.repo) return errorAnswer(res, 404, 'RepoNotFound', 'Repository not found');
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return errorAnswer(res, 401, undefined, 'Invalid credentials in Authorization header');
    }
    const failure = hub.failWith.get('(tree)')?.shift();
    if (failure !== undefined) return errorAnswer(res, failure, undefined, 'injected failure');
    if (decodeURIComponent(revision) !== 'main' && decodeURIComponent(revision) !== commit) {
      return errorAnswer(res, 404, 'RevisionNotFound', 'Invalid rev id');
    }
    const folders = new Set<string>();
    const entries: Record<string, unknown>[] = [];
    for (const [path, file] of Object.entries(options.files).sort(([a], [b]) => a.localeCompare(b))) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join('/');
        if (!folders.has(folder)) {
          folders.add(folder);
          entries.push({ type: 'directory', oid: gitBlobSha1(Buffer.from(folder)), size: 0, path: folder });
        }
      }
      const lfs = file.lfs !== false;
      const sha = sha256Hex(file.data);
      entries.push({
        type: 'file',
        oid: lfs ? gitBlobSha1(Buffer.from(`pointer ${sha}`)) : gitBlobSha1(file.data),
        size: file.data.byteLength,
        path,
        ...(lfs ? { lfs: { oid: sha, size: file.data.byteLength, pointerSize: 134 } } : {}),
      });
    }
    const size = options.treePageSize ?? entries.length;
    const start = Number(url.searchParams.get('cursor') ?? '0');
    const page = entries.slice(start, start + size);
    if (start + size < entries.length) {
      const next = new URL(url.pathname, hub.endpoint);
      next.searchParams.set('recursive', 'true');
      next.searchParams.set('cursor', String(start + size));
      res.setHeader('link', `<${next.href}>; rel="next"`);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
  };

  const cdnServer = createServer((req, res) => {
    record('cdn', req);
    const url = new URL(req.url ?? '/', 'http://cdn');
    const path = pathBySha.get(url.pathname.replace(/^\/blobs\//, ''));
    const file = path === undefined ? undefined : options.files[path];
    if (path === undefined || !file) {
      res.writeHead(404).end();
      return;
    }
    const failure = hub.cdnFailWith.shift();
    if (failure !== undefined) {
      res.writeHead(failure, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    res.setHeader('etag', '"cdn-object-etag"');
    serveContent(req, res, file.data, path);
  });

  const serveContent = (req: IncomingMessage, res: ServerResponse, data: Uint8Array, path: string): void => {
    const size = data.byteLength;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    res.setHeader('accept-ranges', 'bytes');
    if (range && !hub.ignoreRange) {
      start = Number(range[1]);
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, { 'content-range': `bytes ${start}-${size - 1}/${size}`, 'content-length': size - start });
    } else {
      res.writeHead(200, { 'content-length': size });
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength).subarray(start);
    const drop = hub.dropAfter.get(path)?.shift();
    const stall = drop === undefined ? hub.stallAfter.get(path)?.shift() : undefined;
    const limit = drop ?? stall ?? body.byteLength;
    void writeBody(res, body.subarray(0, Math.min(limit, body.byteLength)), hub.throttle).then(() => {
      if (drop !== undefined) res.socket?.destroy();
      else if (stall === undefined) res.end();
      // A stall leaves the response open: the client's idle timeout has to notice.
    });
  };

  for (const server of [hubServer, cdnServer]) {
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }
  const hubPort = await listen(hubServer);
  const cdnPort = await listen(cdnServer);
  Object.assign(hub, { endpoint: `http://127.0.0.1:${hubPort}`, cdnOrigin: `http://127.0.0.1:${cdnPort}` });
  return hub;
}

function errorAnswer(res: ServerResponse, status: number, code: string | undefined, message: string): void {
  if (code) res.setHeader('x-error-code', code);
  res.setHeader('x-error-message', message);
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: message }));
}

async function writeBody(
  res: ServerResponse,
  body: Buffer,
  throttle: { chunkBytes: number; delayMs: number } | undefined,
): Promise<void> {
  const step = throttle?.chunkBytes ?? 64 * 1024;
  for (let at = 0; at < body.byteLength; at += step) {
    if (res.destroyed) return;
    // Wait until the chunk is handed to the socket, so a drop after it cuts exactly there.
    await new Promise<void>((resolve) => res.write(body.subarray(at, at + step), () => resolve()));
    if (throttle) await new Promise((resolve) => setTimeout(resolve, throttle.delayMs));
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
