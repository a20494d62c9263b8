/**
 * The prompt set the project ships (bundled-prompts.json, written for this project): the
 * validator's offline default and the fallback of every other source. Prompts come in a seeded
 * shuffled order, so a round never depends on the network and tests are repeatable.
 */
import { z } from 'zod';
import type { PromptSource, ValidatorPrompt } from '../validator-ports.js';
import bundled from './bundled-prompts.json' with { type: 'json' };
import { applyPromptRules, ShuffledOrder } from './prompt-rules.js';

const BundledSetSchema = z.strictObject({
  version: z.literal(1),
  description: z.string(),
  prompts: z.array(z.string().min(1)).min(1),
});

/** The bundled prompts, checked once (a bad edit of the JSON fails loudly at start, not mid-round). */
export const BUNDLED_PROMPTS: readonly string[] = Object.freeze(BundledSetSchema.parse(bundled).prompts);

export class BundledPromptSource implements PromptSource {
  private readonly order: ShuffledOrder;

  constructor(
    seed: number,
    private readonly prompts: readonly string[] = BUNDLED_PROMPTS,
  ) {
    this.order = new ShuffledOrder(prompts.length, seed);
  }

  describe(): string {
    return `bundled (${this.prompts.length} prompts)`;
  }

  next(): Promise<ValidatorPrompt> {
    // Every bundled prompt passes the rules (a test checks it), so one pass always finds one.
    for (let tries = 0; tries < this.prompts.length; tries++) {
      const index = this.order.next();
      const text = applyPromptRules(this.prompts[index] ?? '');
      if (text !== null) return Promise.resolve({ id: `bundled:${index}`, text, reference: null, source: 'bundled' });
    }
    return Promise.reject(new Error('no bundled prompt passes the prompt rules'));
  }
}
