/**
 * A recording HTTP proxy for tests: it sits between a dendrite and an axon on 127.0.0.1, keeps the
 * bytes of every exchange as they crossed the wire, and lets a test play the on-path attacker
 * (change a request or a response in transit, or answer in the axon's place).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ProxiedMessage {
  /** Lowercased names, in arrival order (a later duplicate replaces an earlier one). */
  headers: Map<string, string>;
  /** Decompressed. */
  body: Buffer;
}

export interface ProxiedRequest extends ProxiedMessage {
  method: string;
  path: string;
}

export interface ProxiedResponse extends ProxiedMessage {
  status: number;
}

export interface RecordedExchange {
  /** As it left the proxy for the axon (after `onRequest`). */
  request: ProxiedRequest;
  /** As it left the proxy for the dendrite (after `onResponse`), decompressed. */
  response: ProxiedResponse;
}

/** Hop-by-hop and framing headers: the proxy frames each message itself. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

export class RecordingProxy {
  readonly exchanges: RecordedExchange[] = [];
  /** Change a request in transit, or answer it (a response) without asking the axon. */
  onRequest: ((request: ProxiedRequest) => ProxiedRequest | ProxiedResponse) | undefined;
  /** Change a response in transit. */
  onResponse: ((response: ProxiedResponse, request: ProxiedRequest) => ProxiedResponse) | undefined;
  private server: Server | undefined;

  constructor(public upstreamPort: number) {}

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      void this.relay(req).then(
        ({ status, headers, body }) => {
          const out: string[] = [];
          for (const [name, value] of headers) if (!NOT_FORWARDED.has(name)) out.push(name, value);
          out.push('content-length', String(body.length));
          res.writeHead(status, out);
          res.end(body);
        },
        () => res.destroy(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves with what goes back to the client: headers to send as they are, body raw or re-framed. */
  private async relay(req: IncomingMessage): Promise<ProxiedResponse> {
    const incoming: ProxiedRequest = {
      method: req.method ?? 'POST',
      path: req.url ?? '/',
      headers: headersOf(req.rawHeaders),
      body: await readAll(req),
    };
    const changed = this.onRequest?.(incoming) ?? incoming;
    if ('status' in changed) {
      this.exchanges.push({ request: incoming, response: changed });
      return changed;
    }
    const upstream = await forward(this.upstreamPort, changed);
    const decoded: ProxiedResponse = {
      status: upstream.status,
      headers: upstream.headers,
      body: upstream.headers.get('content-encoding') === 'gzip' ? gunzipSync(upstream.body) : upstream.body,
    };
    if (!this.onResponse) {
      this.exchanges.push({ request: changed, response: decoded });
      return upstream;
    }
    const rewritten = this.onResponse(decoded, changed);
    rewritten.headers.delete('content-encoding');
    this.exchanges.push({ request: changed, response: rewritten });
    return rewritten;
  }
}

function headersOf(raw: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.set((raw[i] as string).toLowerCase(), raw[i + 1] as string);
  return headers;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function forward(port: number, message: ProxiedRequest): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of message.headers) if (!NOT_FORWARDED.has(name)) headers[name] = value;
    headers['content-length'] = String(message.body.length);
    const req = request(
      { host: '127.0.0.1', port, path: message.path, method: message.method, headers, agent: false },
      (res) => {
        void readAll(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: headersOf(res.rawHeaders), body }),
          reject,
        );
      },
    );
    req.on('error', reject);
    req.end(message.body);
  });
}
