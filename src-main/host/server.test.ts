import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../src-shared/api/contract.js';
import { WS_PROTOCOL, WS_TOKEN_PREFIX, type ServerMessage } from '../../src-shared/api/envelope.js';
import { Engine } from '../engine/engine.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { startHostServer, type HostServer } from './server.js';

const tempDir = useTempDirs();
let engine: Engine;
let server: HostServer;
let base: string;

beforeEach(async () => {
  const dir = tempDir();
  const ui = join(dir, 'ui');
  mkdirSync(ui);
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>BittAudio</title>');
  engine = new Engine({ dataDir: dir, host: 'daemon' });
  server = await startHostServer({ engine, port: 0, staticDir: ui });
  base = `http://127.0.0.1:${server.port}`;
});

afterEach(async () => {
  await server.close();
  engine.close();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so Host and Origin can be anything (fetch would not let us forge Host). */
function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = (): Record<string, string> => ({
  Authorization: `Bearer ${server.token}`,
  'Content-Type': 'application/json',
});

function call(command: string, input: unknown, headers = auth()): Promise<Reply> {
  return raw(`/api/v1/commands/${command}`, { method: 'POST', headers, body: JSON.stringify(input) });
}

/** Opens a socket and collects every message. */
async function socket(protocols: string[], headers: Record<string, string> = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/ws`, protocols, { headers });
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (match: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
    for (let i = 0; i < 200; i++) {
      const found = messages.find(match);
      if (found) {
        messages.splice(messages.indexOf(found), 1);
        return found;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no matching message; got ${JSON.stringify(messages)}`);
  };
  return { ws, messages, next };
}

function upgradeStatus(protocols: string[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/ws`, protocols, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

const tokenProtocols = (token: string): string[] => [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${token}`];

describe('HTTP API', () => {
  it('runs a command with the token', async () => {
    const reply = await call('status.get', {});
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, output: { host: 'daemon', role: 'idle' } });
  });

  it('refuses a missing or wrong token with 401', async () => {
    const missing = await call('status.get', {}, { 'Content-Type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/Bearer/);
    expect(JSON.parse(missing.body).error.code).toBe('unauthorized');
    const wrong = await call('status.get', {}, { Authorization: 'Bearer nope', 'Content-Type': 'application/json' });
    expect(wrong.status).toBe(401);
  });

  it('refuses a foreign Host with 403 even with the token (DNS rebinding)', async () => {
    const reply = await call('status.get', {}, { ...auth(), Host: `attacker.example:${server.port}` });
    expect(reply.status).toBe(403);
  });

  it('refuses a foreign Origin with 403 and sends no CORS headers', async () => {
    const reply = await call('status.get', {}, { ...auth(), Origin: 'https://attacker.example' });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error.code).toBe('forbidden');
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw('/api/v1/commands/status.get', {
      method: 'OPTIONS',
      headers: { Origin: 'https://attacker.example' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts the page’s own Origin', async () => {
    const reply = await call('status.get', {}, { ...auth(), Origin: base });
    expect(reply.status).toBe(200);
  });

  it('answers malformed requests with clear errors and stays up', async () => {
    const notJson = await raw('/api/v1/commands/status.get', { method: 'POST', headers: auth(), body: '{"limit":' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.message).toMatch(/not valid JSON/);
    const unknown = await call('wallet.steal', {});
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('unknown_command');
    const invalid = await call('logs.list', { limit: -1 });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).error.issues[0]).toMatch(/^limit:/);
    const wrongType = await raw('/api/v1/commands/status.get', {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    const huge = await raw('/api/v1/commands/status.get', {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).error.message).toMatch(/larger than/);
    expect((await call('status.get', {})).status).toBe(200);
  });

  it('serves the UI with a strict CSP but refuses a foreign Host for it too', async () => {
    const page = await raw('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>BittAudio</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await raw('/', { headers: { Host: 'rebind.example' } })).status).toBe(403);
    expect((await raw('/../../etc/passwd')).status).toBe(404);
  });
});

describe('WebSocket API', () => {
  it('greets, runs commands and streams events', async () => {
    const { ws, next } = await socket(tokenProtocols(server.token));
    expect(ws.protocol).toBe(WS_PROTOCOL);
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'test' }));
    expect(await next((m) => m.type === 'welcome')).toMatchObject({
      protocol: PROTOCOL_VERSION,
      commands: expect.arrayContaining(['status.get']),
    });
    ws.send(JSON.stringify({ type: 'call', id: 7, command: 'settings.update', input: { theme: 'dark' } }));
    const result = await next((m) => m.type === 'result' && m.id === 7);
    expect(result).toMatchObject({ result: { ok: true, output: { theme: 'dark' } } });
    const event = await next((m) => m.type === 'event' && m.event === 'settings');
    expect(event).toMatchObject({ payload: { theme: 'dark' } });
    engine.logger('test').info('live line');
    expect(await next((m) => m.type === 'event' && m.event === 'log')).toBeTruthy();
    ws.close();
  });

  it('refuses an upgrade without the token (401), with a foreign Origin or Host (403)', async () => {
    expect(await upgradeStatus([WS_PROTOCOL])).toBe(401);
    expect(await upgradeStatus(tokenProtocols('wrong'))).toBe(401);
    expect(await upgradeStatus(tokenProtocols(server.token), { Origin: 'https://attacker.example' })).toBe(403);
    expect(await upgradeStatus(tokenProtocols(server.token), { Host: `attacker.example:${server.port}` })).toBe(403);
    expect(await upgradeStatus(tokenProtocols(server.token), { Origin: base })).toBe(101);
  });

  it('answers garbage frames with errors and keeps the connection', async () => {
    const { ws, next } = await socket(tokenProtocols(server.token));
    ws.send('not json');
    expect(await next((m) => m.type === 'error')).toMatchObject({
      error: { code: 'bad_request', message: 'The frame is not valid JSON' },
    });
    ws.send(JSON.stringify({ type: 'call', id: 'a', command: 'status.get', input: {} }));
    expect(await next((m) => m.type === 'result')).toMatchObject({
      id: 'a',
      result: { ok: false, error: { message: 'Send hello before calling commands' } },
    });
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, client: 't' }));
    await next((m) => m.type === 'welcome');
    ws.send(JSON.stringify({ type: 'call', id: 'b', command: 42 }));
    expect(await next((m) => m.type === 'result')).toMatchObject({
      id: 'b',
      result: { ok: false, error: { code: 'bad_request' } },
    });
    ws.send(JSON.stringify({ type: 'call', id: 'c', command: 'logs.list', input: { limit: 'all' } }));
    expect(await next((m) => m.type === 'result')).toMatchObject({
      id: 'c',
      result: { ok: false, error: { code: 'invalid_input' } },
    });
    ws.send(JSON.stringify({ type: 'call', id: 'd', command: 'status.get', input: {} }));
    expect(await next((m) => m.type === 'result')).toMatchObject({ id: 'd', result: { ok: true } });
    ws.close();
  });

  it('closes a client that speaks another protocol version, saying why', async () => {
    const { ws, next } = await socket(tokenProtocols(server.token));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION + 1, client: 'future' }));
    expect(await next((m) => m.type === 'error')).toMatchObject({ error: { code: 'protocol_mismatch' } });
    expect(await closed).toBe(4400);
  });
});
