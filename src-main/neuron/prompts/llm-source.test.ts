import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LogRoot } from '../../log/logger.js';
import { BUNDLED_PROMPTS, BundledPromptSource } from './bundled-source.js';
import { createPromptSource } from './create.js';
import { chatCompletionsUrl, cleanCompletion, LlmPromptSource } from './llm-source.js';

interface Seen {
  url: string;
  authorization: string | undefined;
  body: { model: string; messages: { role: string; content: string }[] };
}

/** An OpenAI-compatible endpoint on loopback whose answers each test scripts. */
async function startEndpoint(
  answer: (seen: Seen, res: ServerResponse) => void,
): Promise<{ base: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Seen = {
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'],
      };
      seen.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/v1`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const completion = (content: string | null): string =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content } }],
  });

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function capture(): { root: LogRoot; lines: string[] } {
  const lines: string[] = [];
  const root = new LogRoot((line) => lines.push(JSON.stringify(line)), 'debug');
  return { root, lines };
}

describe('LlmPromptSource', () => {
  it('asks the chat completions endpoint with the model and key, and applies the prompt rules to the answer', async () => {
    const endpoint = await startEndpoint((_seen, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(completion('"Prompt: A 90 BPM jazzy hip hop beat with vinyl crackle"\n'));
    });
    close = endpoint.close;
    const source = createPromptSource(
      { kind: 'llm', url: endpoint.base, model: 'tiny-llm', timeoutMs: 5000 },
      {
        dataDir: '/unused',
        hub: {
          listFiles: () => Promise.reject(new Error('unused')),
          download: () => Promise.reject(new Error('unused')),
        },
        seed: 3,
        env: { BITTAUDIO_LLM_API_KEY: 'sk-test-key' },
      },
    );
    const prompt = await source.next();
    expect(prompt).toMatchObject({
      text: 'A ninety BPM jazzy hip hop beat with vinyl crackle',
      source: 'llm',
      reference: null,
    });
    expect(prompt.id).toMatch(/^llm:[0-9a-f]{12}$/);
    const [request] = endpoint.seen;
    expect(request?.url).toBe('/v1/chat/completions');
    expect(request?.authorization).toBe('Bearer sk-test-key');
    expect(request?.body.model).toBe('tiny-llm');
    expect(request?.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    // The style hint is a bundled prompt, drawn in seeded order.
    expect(BUNDLED_PROMPTS.some((p) => request?.body.messages[1]?.content.endsWith(p))).toBe(true);
    expect(source.describe()).toMatch(/^llm tiny-llm at http:\/\/127\.0\.0\.1:\d+ \(falls back to bundled/);
  });

  it('falls back to a bundled prompt past the timeout, and the key never reaches the log', async () => {
    // Never answers: the timeout has to end the request.
    const endpoint = await startEndpoint(() => undefined);
    close = endpoint.close;
    const { root, lines } = capture();
    const source = new LlmPromptSource({
      url: endpoint.base,
      model: 'm',
      timeoutMs: 150,
      apiKey: 'sk-very-secret',
      seed: 1,
      fallback: new BundledPromptSource(1),
      logger: root.logger('prompts'),
    });
    const prompt = await source.next();
    expect(prompt.source).toBe('bundled');
    expect(BUNDLED_PROMPTS).toContain(prompt.text);
    expect(lines.join('\n')).toMatch(/no answer within 150 ms/);
    expect(lines.join('\n')).not.toContain('sk-very-secret');
  });

  it.each([
    ['an HTTP error', (res: ServerResponse) => res.writeHead(500).end('{"error":"boom"}'), /HTTP 500/],
    ['an answer that is not JSON', (res: ServerResponse) => res.writeHead(200).end('<html>'), /not JSON/],
    [
      'a body of another shape',
      (res: ServerResponse) => res.writeHead(200).end('{"choices":[]}'),
      /not a chat completion/,
    ],
  ])('falls back on %s and logs why', async (_name, reply, why) => {
    const endpoint = await startEndpoint((_seen, res) => reply(res));
    close = endpoint.close;
    const { root, lines } = capture();
    const source = new LlmPromptSource({
      url: endpoint.base,
      model: 'm',
      timeoutMs: 5000,
      seed: 1,
      fallback: new BundledPromptSource(1),
      logger: root.logger('prompts'),
    });
    expect((await source.next()).source).toBe('bundled');
    expect(lines.join('\n')).toMatch(why);
    expect(endpoint.seen).toHaveLength(1);
  });

  it('asks again when an answer breaks the rules, then falls back', async () => {
    const endpoint = await startEndpoint((_seen, res) => res.writeHead(200).end(completion('z'.repeat(300))));
    close = endpoint.close;
    const source = new LlmPromptSource({
      url: `${endpoint.base}/chat/completions`,
      model: 'm',
      timeoutMs: 5000,
      seed: 1,
      fallback: new BundledPromptSource(1),
    });
    expect((await source.next()).source).toBe('bundled');
    expect(endpoint.seen.map((s) => s.url)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
  });

  it('passes a cancel through instead of falling back', async () => {
    const endpoint = await startEndpoint(() => undefined);
    close = endpoint.close;
    const source = new LlmPromptSource({
      url: endpoint.base,
      model: 'm',
      timeoutMs: 60_000,
      seed: 1,
      fallback: new BundledPromptSource(1),
    });
    const controller = new AbortController();
    const pending = source.next(controller.signal);
    setTimeout(() => controller.abort(new Error('validator stopping')), 20);
    await expect(pending).rejects.toThrow('validator stopping');
  });
});

describe('completion helpers', () => {
  it('builds the chat completions address from a base or keeps a full one', () => {
    expect(chatCompletionsUrl('http://127.0.0.1:8000/v1')).toBe('http://127.0.0.1:8000/v1/chat/completions');
    expect(chatCompletionsUrl('http://127.0.0.1:8000/v1/')).toBe('http://127.0.0.1:8000/v1/chat/completions');
    expect(chatCompletionsUrl('https://api.example/v1/chat/completions')).toBe(
      'https://api.example/v1/chat/completions',
    );
  });

  it('strips the wrapping models add around the one prompt', () => {
    expect(cleanCompletion('\n  Prompt: "Soft harp at dawn"  \nExplanation: …')).toBe('Soft harp at dawn');
    expect(cleanCompletion('1. Dark ambient drone')).toBe('Dark ambient drone');
    expect(cleanCompletion('- “Bright polka”')).toBe('Bright polka');
    expect(cleanCompletion('120 BPM house groove')).toBe('120 BPM house groove');
  });
});
