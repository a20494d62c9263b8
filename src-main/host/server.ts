/**
 * The daemon's HTTP server: the built renderer as static files, and the Host API over a WebSocket
 * (for the UI) and over plain HTTP POST (for scripts and curl). Both API routes are generated from
 * the contract and run through `dispatch`, exactly like the Electron bridge.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import sirv from 'sirv';
import type { WebSocket, WebSocketServer } from 'ws';
import { COMMAND_NAMES, EVENT_NAMES, PROTOCOL_VERSION } from '../../src-shared/api/contract.js';
import type { Capabilities } from '../../src-shared/schemas/wallet.js';
import { BROWSER_CAPABILITIES } from './capabilities.js';
import { HostApiError, describeIssues, type ApiErrorShape } from '../../src-shared/api/errors.js';
import {
  API_BASE,
  ClientMessageSchema,
  WS_PATH,
  WS_PROTOCOL,
  type ServerMessage,
  type Welcome,
} from '../../src-shared/api/envelope.js';
import type { Engine } from '../engine/engine.js';
import { APP_VERSION } from '../version.js';
import { dispatch } from './dispatch.js';
import { readMedia, resolveMediaFile } from './media.js';
import {
  allowedHostNames,
  createNonce,
  createToken,
  pageWithNonce,
  hostAllowed,
  originAllowed,
  securityHeaders,
  tokenFromRequest,
  tokenMatches,
  type HostCheck,
} from './security.js';

export interface HostServerOptions {
  engine: Engine;
  /** Address to bind; loopback unless the user asks otherwise. */
  listen?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (dist/renderer); null serves only the API. */
  staticDir: string | null;
  /** Extra names accepted in Host and Origin headers (a LAN name, a tunnel). */
  allowHosts?: readonly string[];
  token?: string;
}

export interface HostServer {
  /** The address to open, token included (in the fragment, so it never reaches a server log). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/** The media route (HostClient.mediaUrl in the renderer builds these URLs). */
const MEDIA_BASE = '/media/';
/** Largest request body or WebSocket frame accepted. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Past this much unsent data on one socket, events are dropped for that socket. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export function welcome(capabilities: Capabilities = BROWSER_CAPABILITIES): Welcome {
  return {
    protocol: PROTOCOL_VERSION,
    version: APP_VERSION,
    commands: COMMAND_NAMES,
    events: EVENT_NAMES,
    capabilities,
  };
}

export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const { engine } = options;
  const log = engine.logger('host.server');
  const listen = options.listen ?? '127.0.0.1';
  const token = options.token ?? createToken();
  const check: HostCheck = { names: allowedHostNames(listen, options.allowHosts), port: 0 };
  const staticFiles =
    options.staticDir && existsSync(options.staticDir)
      ? sirv(options.staticDir, {
          dev: false,
          etag: true,
          gzip: false,
          setHeaders: (res) => {
            for (const [name, value] of Object.entries(securityHeaders())) res.setHeader(name, value);
          },
        })
      : undefined;
  if (!staticFiles)
    log.warn('The UI is not built, serving the API only; run `npm run build`', { staticDir: options.staticDir });

  // ws is loaded on first use (and warmed right after start), so the daemon prints its link
  // without waiting for it.
  let wssLoading: Promise<WebSocketServer> | undefined;
  const socketServer = (): Promise<WebSocketServer> =>
    (wssLoading ??= import('ws').then(
      ({ WebSocketServer }) =>
        new WebSocketServer({
          noServer: true,
          maxPayload: MAX_MESSAGE_BYTES,
          // Answer with our protocol name only: never echo the token subprotocol back.
          handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
        }),
    ));

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      log.error('Request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'Internal error' } });
      else res.destroy();
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, check)) {
      log.warn('Refused a request with a foreign Host header', { host: req.headers.host ?? null, path: pathOf(req) });
      return sendText(res, 403, 'Forbidden: this server does not answer to that Host name.\n');
    }
    const path = pathOf(req);
    if (path === API_BASE || path.startsWith(`${API_BASE}/`)) return handleApi(req, res, path);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed\n');
    if (path.startsWith(MEDIA_BASE)) return handleMedia(req, res, path.slice(MEDIA_BASE.length));
    if (staticFiles && options.staticDir && (path === '/' || path === '/index.html')) {
      return sendPage(req, res, join(options.staticDir, 'index.html'));
    }
    if (staticFiles) {
      staticFiles(req, res, () => sendText(res, 404, 'Not found\n'));
      return;
    }
    sendText(res, 503, 'The BittAudio UI is not built. Run `npm run build`, or use the API.\n');
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const refusal = refuse(req);
    if (refusal) return sendJson(res, refusal.status, { ok: false, error: refusal.error }, refusal.headers);
    if (path === `${API_BASE}/hello` && req.method === 'GET') return sendJson(res, 200, welcome());
    const match = /^\/api\/v1\/commands\/([A-Za-z0-9._-]{1,100})$/.exec(path);
    if (!match?.[1]) return sendJson(res, 404, apiError('bad_request', `No API route ${path}`));
    if (req.method !== 'POST') return sendJson(res, 405, apiError('bad_request', 'Commands are called with POST'));
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, apiError('bad_request', 'Send the command input as application/json'));
    }
    let input: unknown;
    try {
      input = await readJsonBody(req);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Past the limit the rest of the body is never read, so the connection cannot be reused.
      if (error instanceof BodyTooLarge)
        return sendJson(res, 413, apiError('bad_request', message), { Connection: 'close' });
      return sendJson(res, 400, apiError('bad_request', message));
    }
    const result = await dispatch(engine.handlers, match[1], input, log);
    sendJson(res, result.ok ? 200 : statusOf(result.error), result);
  }

  /**
   * `GET /media/generations/<id>.wav?token=…`: an <audio> element cannot send the bearer header,
   * so the session token rides in the query (the page sends no Referer, and the answer is never
   * cached). Only files of the generation history, by byte range when asked.
   */
  async function handleMedia(req: IncomingMessage, res: ServerResponse, mediaPath: string): Promise<void> {
    if (!originAllowed(req.headers.origin, check)) return sendText(res, 403, 'Forbidden\n');
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
    if (!tokenMatches(token, query ?? tokenFromRequest(req.headers))) {
      log.warn('Refused a media request without a valid token', { path: pathOf(req) });
      return sendText(res, 401, 'Missing or wrong access token\n');
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(mediaPath);
    } catch {
      return sendText(res, 404, 'Not found\n');
    }
    const file = resolveMediaFile(engine.mediaDir, decoded);
    if (!file) return sendText(res, 404, 'Not found\n');
    const reply = await readMedia(file, {
      ...(req.headers.range ? { range: req.headers.range } : {}),
      head: req.method === 'HEAD',
    });
    if (reply.status === 404) return sendText(res, 404, 'Not found\n');
    res.writeHead(reply.status, { ...securityHeaders(), ...reply.headers });
    res.end(reply.body ?? undefined);
  }

  /** index.html with a fresh nonce for wavesurfer's style, in the CSP header and in the page. */
  async function sendPage(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
    let html: string;
    try {
      html = await readFile(file, 'utf8');
    } catch {
      return sendText(res, 404, 'Not found\n');
    }
    const nonce = createNonce();
    const body = pageWithNonce(html, nonce);
    res.writeHead(200, {
      ...securityHeaders({ styleNonce: nonce }),
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      // A nonce is good for one response only.
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** Origin before token, so a foreign page learns nothing about the token's validity. */
  function refuse(
    req: IncomingMessage,
  ): { status: number; error: ApiErrorShape; headers?: Record<string, string> } | undefined {
    if (!originAllowed(req.headers.origin, check)) {
      log.warn('Refused a request from a foreign Origin', { origin: req.headers.origin ?? null, path: pathOf(req) });
      return {
        status: 403,
        error: { code: 'forbidden', message: 'Forbidden: requests from other sites are not accepted' },
      };
    }
    if (!tokenMatches(token, tokenFromRequest(req.headers))) {
      log.warn('Refused a request without a valid token', {
        path: pathOf(req),
        remote: req.socket.remoteAddress ?? null,
      });
      return {
        status: 401,
        error: {
          code: 'unauthorized',
          message: 'Missing or wrong access token: open the link that the daemon printed when it started',
        },
        headers: { 'WWW-Authenticate': 'Bearer realm="bittaudio"' },
      };
    }
    return undefined;
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = pathOf(req);
    if (path !== WS_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(req.headers.host, check)) {
      log.warn('Refused a WebSocket with a foreign Host header', { host: req.headers.host ?? null });
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    const refusal = refuse(req);
    if (refusal) return rejectUpgrade(socket, refusal.status, refusal.status === 401 ? 'Unauthorized' : 'Forbidden');
    socketServer().then(
      (wss) => wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, req)),
      (error: unknown) => {
        log.error('The WebSocket server could not be loaded', { error: String(error) });
        rejectUpgrade(socket, 500, 'Internal Server Error');
      },
    );
  });

  function serveSocket(ws: WebSocket, req: IncomingMessage): void {
    const remote = req.socket.remoteAddress ?? 'unknown';
    let unsubscribe: (() => void) | undefined;
    let droppedEvents = 0;
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    log.debug('UI client connected', { remote });

    ws.on('message', (data, isBinary) => {
      void (async () => {
        if (isBinary)
          return send({ type: 'error', error: { code: 'bad_request', message: 'Binary frames are not accepted' } });
        let raw: unknown;
        try {
          raw = JSON.parse(String(data));
        } catch {
          return send({ type: 'error', error: { code: 'bad_request', message: 'The frame is not valid JSON' } });
        }
        const parsed = ClientMessageSchema.safeParse(raw);
        if (!parsed.success) {
          const id = idOf(raw);
          const error = new HostApiError(
            'bad_request',
            'The frame is not a valid message',
            describeIssues(parsed.error),
          );
          return id === undefined
            ? send({ type: 'error', error: error.toJSON() })
            : send({ type: 'result', id, result: { ok: false, error: error.toJSON() } });
        }
        const message = parsed.data;
        if (message.type === 'hello') {
          if (message.protocol !== PROTOCOL_VERSION) {
            send({
              type: 'error',
              error: {
                code: 'protocol_mismatch',
                message: `This engine speaks Host API protocol ${PROTOCOL_VERSION}, the client ${message.protocol}. Reload the page or update the app.`,
              },
            });
            ws.close(4400, 'protocol mismatch');
            return;
          }
          send({ type: 'welcome', ...welcome() });
          unsubscribe ??= engine.events.subscribe(({ event, payload }) => {
            if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
              if (droppedEvents++ === 0) log.warn('A slow UI client is missing events', { remote });
              return;
            }
            droppedEvents = 0;
            send({ type: 'event', event, payload });
          });
          return;
        }
        if (!unsubscribe) {
          return send({
            type: 'result',
            id: message.id,
            result: { ok: false, error: { code: 'bad_request', message: 'Send hello before calling commands' } },
          });
        }
        const result = await dispatch(engine.handlers, message.command, message.input, log);
        send({ type: 'result', id: message.id, result });
      })();
    });
    ws.on('close', () => {
      unsubscribe?.();
      log.debug('UI client disconnected', { remote });
    });
    ws.on('error', (error) => log.warn('UI client socket error', { remote, error: error.message }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, listen, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  check.port = port;
  const shownHost =
    listen === '0.0.0.0' || listen === '::' ? '127.0.0.1' : listen.includes(':') ? `[${listen}]` : listen;
  const url = `http://${shownHost}:${port}/#token=${token}`;
  log.info('Local API listening', { address: listen, port });
  // Warm the WebSocket server once the caller has had its turn (it prints the link first).
  setTimeout(() => void socketServer().catch(() => undefined), 0).unref();

  return {
    url,
    port,
    token,
    close: async () => {
      const wss = wssLoading ? await wssLoading.catch(() => undefined) : undefined;
      for (const client of wss?.clients ?? []) client.close(1001, 'server shutting down');
      wss?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

function idOf(raw: unknown): string | number | undefined {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return undefined;
  const id = (raw as { id: unknown }).id;
  return (typeof id === 'string' && id.length > 0 && id.length <= 64) ||
    (typeof id === 'number' && Number.isInteger(id) && id >= 0)
    ? id
    : undefined;
}

function statusOf(error: ApiErrorShape): number {
  switch (error.code) {
    case 'unknown_command':
      return 404;
    case 'bad_request':
    case 'invalid_input':
    case 'protocol_mismatch':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'timeout':
      return 504;
    default:
      return 500;
  }
}

function apiError(code: ApiErrorShape['code'], message: string): { ok: false; error: ApiErrorShape } {
  return { ok: false, error: { code, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders(),
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

class BodyTooLarge extends Error {
  constructor() {
    super(`The body is larger than ${MAX_MESSAGE_BYTES} bytes`);
  }
}

/** Reads a JSON body up to the size limit; stops reading (not destroying) past it. */
function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_MESSAGE_BYTES) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_MESSAGE_BYTES) {
        req.pause();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text) as unknown);
      } catch {
        reject(new Error('The body is not valid JSON'));
      }
    });
  });
}
