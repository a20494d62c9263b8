/**
 * The Hugging Face hub's HTTP surface, as the downloader needs it: its URL layout, the headers
 * that carry a file's hash and size, its error codes, and redirects followed by hand so that the
 * token never leaves the hub's origin (LFS files redirect to a CDN on another host).
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { APP_VERSION } from '../version.js';
import { ModelStoreError } from './errors.js';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export interface HubSettings {
  /** Scheme, host and optional path prefix, without a trailing slash. */
  endpoint: string;
  /** A Hugging Face access token, sent as a bearer token to the endpoint's origin only. */
  token?: string;
}

/** `HF_ENDPOINT` (a mirror) and `HF_TOKEN` (or the older `HUGGING_FACE_HUB_TOKEN`), as huggingface_hub reads them. */
export function hubSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const endpoint = (env['HF_ENDPOINT']?.trim() || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  const token = env['HF_TOKEN']?.trim() || env['HUGGING_FACE_HUB_TOKEN']?.trim() || undefined;
  return token ? { endpoint, token } : { endpoint };
}

/** Models live at the hub's root; datasets under `datasets/` (the validator's prompt sets). */
export type HubRepoType = 'model' | 'dataset';

/** One file of one repo at one revision (a branch, tag or commit). */
export interface HubFileRef {
  repo: string;
  revision: string;
  path: string;
  /** Default 'model'. */
  repoType?: HubRepoType;
}

/** `{endpoint}/{repo}/resolve/{revision}/{path}` (`{endpoint}/datasets/{repo}/…` for a dataset), each part encoded. */
export function hubFileUrl(endpoint: string, ref: HubFileRef): string {
  const repo = ref.repo.split('/').map(encodeURIComponent).join('/');
  const path = ref.path.split('/').map(encodeURIComponent).join('/');
  const prefix = ref.repoType === 'dataset' ? 'datasets/' : '';
  return `${endpoint.replace(/\/+$/, '')}/${prefix}${repo}/resolve/${encodeURIComponent(ref.revision)}/${path}`;
}

/** The hub API's recursive file listing: `{endpoint}/api/{models|datasets}/{repo}/tree/{revision}?recursive=true`. */
export function hubTreeUrl(endpoint: string, repo: string, revision: string, repoType: HubRepoType = 'model'): string {
  const encoded = repo.split('/').map(encodeURIComponent).join('/');
  const kind = repoType === 'dataset' ? 'datasets' : 'models';
  return `${endpoint.replace(/\/+$/, '')}/api/${kind}/${encoded}/tree/${encodeURIComponent(revision)}?recursive=true`;
}

export function describeRef(ref: HubFileRef): string {
  return `${ref.repo}/${ref.path} (revision ${ref.revision})`;
}

/** Header names as Node lower-cases them. */
export const HUB_HEADERS = Object.freeze({
  linkedEtag: 'x-linked-etag',
  linkedSize: 'x-linked-size',
  repoCommit: 'x-repo-commit',
  errorCode: 'x-error-code',
  errorMessage: 'x-error-message',
});

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function headerInt(headers: IncomingHttpHeaders, name: string): number | null {
  const value = headerValue(headers, name);
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  const parsed = Number(value.trim());
  return Number.isSafeInteger(parsed) ? parsed : null;
}

/** A failure worth another try: a dropped or stalled connection, 429, or a 5xx. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

export interface OpenOptions {
  method: 'GET' | 'HEAD';
  /** Ask for the bytes from this offset on (`Range: bytes=N-`). */
  rangeStart?: number;
  token?: string;
  signal?: AbortSignal;
  /** A connection silent this long is dropped (and retried by the caller). */
  idleTimeoutMs: number;
  /** Stop at the first redirect to another origin instead of following it (metadata requests). */
  stayOnOrigin?: boolean;
}

export interface OpenedResponse {
  response: IncomingMessage;
  /** The headers of the last answer from the hub's own origin: they carry the hash, size and commit. */
  hubHeaders: IncomingHttpHeaders;
  /** True when the token went with the request that gave `response`. */
  tokenSent: boolean;
  finalUrl: URL;
}

/**
 * Sends the request and follows redirects itself. The token goes only to the origin of the first
 * URL (the hub): a CDN on another host, or another port of the same host, never sees it.
 */
export async function openFollowingRedirects(url: string, options: OpenOptions): Promise<OpenedResponse> {
  const start = new URL(url);
  let current = start;
  let hubHeaders: IncomingHttpHeaders = {};
  for (let hop = 0; ; hop++) {
    const sameOrigin = current.origin === start.origin;
    const headers: Record<string, string> = {
      'user-agent': `bittaudio-desktop/${APP_VERSION}`,
      // The hash and the length must describe the bytes as stored, not a compressed stream.
      'accept-encoding': 'identity',
    };
    if (options.rangeStart !== undefined && options.rangeStart > 0) headers['range'] = `bytes=${options.rangeStart}-`;
    const tokenSent = sameOrigin && options.token !== undefined;
    if (tokenSent) headers['authorization'] = `Bearer ${options.token}`;

    const response = await send(current, options.method, headers, options);
    if (sameOrigin) hubHeaders = response.headers;
    const status = response.statusCode ?? 0;
    const location = headerValue(response.headers, 'location');
    if (!REDIRECTS.has(status) || location === undefined) return { response, hubHeaders, tokenSent, finalUrl: current };

    const next = new URL(location, current);
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      response.resume();
      throw new ModelStoreError('http', `The hub redirected to an unsupported address (${next.protocol}).`);
    }
    if (options.stayOnOrigin && next.origin !== start.origin) {
      return { response, hubHeaders, tokenSent, finalUrl: current };
    }
    response.resume();
    if (hop >= MAX_REDIRECTS) throw new ModelStoreError('http', `Too many redirects from ${start.href}.`);
    current = next;
  }
}

function send(
  url: URL,
  method: 'GET' | 'HEAD',
  headers: Record<string, string>,
  options: OpenOptions,
): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers });
    const onAbort = (): void => {
      request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.setTimeout(options.idleTimeoutMs, () => {
      request.destroy(new RetryableError(`no data from ${url.host} for ${Math.round(options.idleTimeoutMs / 1000)} s`));
    });
    request.once('response', (response) => {
      response.once('close', () => signal?.removeEventListener('abort', onAbort));
      resolve(response);
    });
    request.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    request.end();
  });
}

/** Network errors that a new connection may cure. */
export function isTransientNetworkError(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return (
    code !== undefined &&
    [
      'ECONNRESET',
      'ECONNREFUSED',
      'ECONNABORTED',
      'EPIPE',
      'ETIMEDOUT',
      'EAI_AGAIN',
      'ENETUNREACH',
      'ENETDOWN',
      'EHOSTUNREACH',
      'ERR_STREAM_PREMATURE_CLOSE',
    ].includes(code)
  );
}

/**
 * Turns an HTTP failure into an error a person can act on, or a `RetryableError` for answers that
 * may pass (429, 5xx). The hub's `X-Error-Code` tells a missing repo from a missing revision or file.
 */
export function hubHttpError(
  status: number,
  headers: IncomingHttpHeaders,
  ref: HubFileRef,
  endpoint: string,
  tokenSent: boolean,
): Error {
  const code = headerValue(headers, HUB_HEADERS.errorCode);
  const detail = headerValue(headers, HUB_HEADERS.errorMessage);
  if (status === 429 || status >= 500) {
    const retryAfter = headerInt(headers, 'retry-after');
    return new RetryableError(
      `the hub answered HTTP ${status}${detail ? ` (${detail})` : ''}`,
      retryAfter === null ? null : retryAfter * 1000,
    );
  }
  if (code === 'GatedRepo') {
    return new ModelStoreError(
      'unauthorized',
      `${ref.repo} is gated (HTTP ${status}): accept its conditions at ${endpoint}/${ref.repoType === 'dataset' ? 'datasets/' : ''}${ref.repo} while logged in, ` +
        'then set HF_TOKEN to an access token of that account.',
    );
  }
  if (status === 401 || status === 403) {
    if (code === 'RepoNotFound') {
      return new ModelStoreError(
        'unauthorized',
        `${ref.repo} was not found on ${endpoint} (HTTP ${status}), or it is private: check the name, ` +
          (tokenSent
            ? 'and that the token in HF_TOKEN can read it.'
            : 'or set HF_TOKEN to an access token that can read it.'),
      );
    }
    return new ModelStoreError(
      'unauthorized',
      tokenSent
        ? `The hub refused the token for ${ref.repo} (HTTP ${status}): check that HF_TOKEN is a valid access token with read access to this repo.`
        : `The hub requires a token to download ${ref.repo} (HTTP ${status}): set HF_TOKEN to a Hugging Face access token with read access.`,
    );
  }
  if (status === 404) {
    if (code === 'RepoNotFound') {
      return new ModelStoreError('not_found', `There is no repository ${ref.repo} on ${endpoint} (HTTP 404).`);
    }
    if (code === 'RevisionNotFound') {
      return new ModelStoreError('not_found', `${ref.repo} has no revision ${ref.revision} on ${endpoint} (HTTP 404).`);
    }
    return new ModelStoreError(
      'not_found',
      `${ref.repo} has no file ${ref.path} at revision ${ref.revision} on ${endpoint} (HTTP 404).`,
    );
  }
  return new ModelStoreError(
    'http',
    `The hub answered HTTP ${status} for ${describeRef(ref)}${detail ? `: ${detail}` : ''}.`,
  );
}
