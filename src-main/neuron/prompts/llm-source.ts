/**
 * Synthetic prompts from an OpenAI-compatible chat endpoint (`POST …/chat/completions`: OpenAI,
 * vLLM, llama.cpp's server, Ollama's `/v1`), as the reference's seed validator did, so miners
 * cannot cache answers to a fixed public set. Each request carries a bundled prompt as a style
 * hint, drawn in seeded order, which keeps the requests varied.
 *
 * The endpoint is best effort: past the timeout, on an HTTP error, an answer of the wrong shape or
 * a prompt that breaks the rules twice, the round takes a bundled prompt instead and the log says
 * why. The API key goes only in the Authorization header; it is never logged.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../log/logger.js';
import type { PromptSource, ValidatorPrompt } from '../validator-ports.js';
import { BUNDLED_PROMPTS } from './bundled-source.js';
import { isAbort } from './errors.js';
import { applyPromptRules, MAX_PROMPT_CHARS, ShuffledOrder } from './prompt-rules.js';

export interface LlmSourceOptions {
  /** The API base (`…/v1`) or the full `…/chat/completions` address. */
  url: string;
  model: string;
  timeoutMs: number;
  apiKey?: string;
  seed: number;
  /** Answers when the endpoint does not. */
  fallback: PromptSource;
  logger?: Logger;
  /** Requests per prompt before falling back, when answers break the rules. Default 2. */
  attempts?: number;
}

/** `…/v1` → `…/v1/chat/completions`; a full address is kept. */
export function chatCompletionsUrl(url: string): string {
  const parsed = new URL(url);
  if (!/\/chat\/completions\/?$/.test(parsed.pathname)) {
    parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/chat/completions`;
  }
  return parsed.href;
}

const ChatCompletionSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable() }) }))
    .min(1, 'the answer has no choices'),
});

const SYSTEM_PROMPT =
  'You write prompts for a text-to-music model. Answer with exactly one prompt: one sentence that ' +
  'describes a piece of instrumental music (genre, instruments, mood, tempo or texture), at most ' +
  `${Math.floor(MAX_PROMPT_CHARS * 0.75)} characters, with no quotes, no lists and no explanation.`;

/** The first line of the answer without the wrapping models like to add ("Prompt:", quotes). */
export function cleanCompletion(content: string): string {
  const line =
    content
      .split('\n')
      .map((part) => part.trim())
      .find((part) => part !== '') ?? '';
  const unquote = (text: string): string => text.replace(/^["'“”‘’`]+|["'“”‘’`]+$/g, '').trim();
  // Quotes may sit outside or inside the label: "Prompt: …" and Prompt: "…" both occur.
  return unquote(
    unquote(line.replace(/^(?:\d+[.)]\s*|[-*•]\s*)/, ''))
      .replace(/^prompt\s*:\s*/i, '')
      .trim(),
  );
}

export class LlmPromptSource implements PromptSource {
  private readonly endpoint: string;
  private readonly hints: ShuffledOrder;

  constructor(private readonly options: LlmSourceOptions) {
    this.endpoint = chatCompletionsUrl(options.url);
    this.hints = new ShuffledOrder(BUNDLED_PROMPTS.length, options.seed);
  }

  describe(): string {
    return `llm ${this.options.model} at ${new URL(this.endpoint).origin} (falls back to ${this.options.fallback.describe()})`;
  }

  async next(signal?: AbortSignal): Promise<ValidatorPrompt> {
    const attempts = this.options.attempts ?? 2;
    let reason = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const text = applyPromptRules(cleanCompletion(await this.ask(signal)));
        if (text !== null) {
          const id = `llm:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
          return { id, text, reference: null, source: 'llm' };
        }
        reason = 'the answer was empty or longer than 256 characters';
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        reason = error instanceof Error ? error.message : String(error);
        break;
      }
    }
    this.options.logger?.warn('The prompt endpoint gave no usable prompt; using a bundled one', {
      endpoint: new URL(this.endpoint).origin,
      reason,
    });
    return this.options.fallback.next(signal);
  }

  private async ask(signal?: AbortSignal): Promise<string> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const hint = BUNDLED_PROMPTS[this.hints.next()] ?? '';
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.apiKey) headers['authorization'] = `Bearer ${this.options.apiKey}`;
    let response: Response;
    let body: string;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        signal: combined,
        body: JSON.stringify({
          model: this.options.model,
          messages: [
            { role: 'system', content: SYSTEM_PROMPT },
            { role: 'user', content: `Write a new prompt, different from this example in style and genre: ${hint}` },
          ],
          temperature: 1,
          max_tokens: 120,
        }),
      });
      body = await response.text();
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) throw new Error(`no answer within ${this.options.timeoutMs} ms`);
      if (isAbort(error, signal)) throw error;
      throw new Error(`the request failed: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new Error('the answer is not JSON');
    }
    const parsed = ChatCompletionSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`the answer is not a chat completion (${parsed.error.issues[0]?.message ?? 'bad shape'})`);
    }
    return parsed.data.choices[0]?.message.content ?? '';
  }
}
