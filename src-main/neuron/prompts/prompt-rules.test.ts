import { describe, expect, it } from 'vitest';
import { BUNDLED_PROMPTS, BundledPromptSource } from './bundled-source.js';
import { applyPromptRules, MAX_PROMPT_CHARS, ShuffledOrder } from './prompt-rules.js';

describe('applyPromptRules', () => {
  it('tidies whitespace and spells digits out', () => {
    expect(applyPromptRules('  A 90 BPM\n\nboom bap   beat ')).toBe('A ninety BPM boom bap beat');
  });

  it('redraws (null) an empty prompt and one over 256 characters after the digits became words', () => {
    expect(applyPromptRules(' \n ')).toBeNull();
    expect(applyPromptRules('x'.repeat(MAX_PROMPT_CHARS))).toBe('x'.repeat(MAX_PROMPT_CHARS));
    expect(applyPromptRules('x'.repeat(MAX_PROMPT_CHARS + 1))).toBeNull();
    // 250 characters with digits, 280 once "1234" is spelled out.
    const grows = `${'y'.repeat(245)} 1234`;
    expect(grows.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
    expect(applyPromptRules(grows)).toBeNull();
  });

  it('counts characters as Python does (code points, not UTF-16 units)', () => {
    const emoji = '🎸'.repeat(MAX_PROMPT_CHARS);
    expect(emoji.length).toBe(2 * MAX_PROMPT_CHARS);
    expect(applyPromptRules(emoji)).toBe(emoji);
  });
});

describe('ShuffledOrder', () => {
  it('visits every row once per pass, in an order fixed by the seed', () => {
    const a = new ShuffledOrder(50, 7);
    const firstPass = Array.from({ length: 50 }, () => a.next());
    expect([...firstPass].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const secondPass = Array.from({ length: 50 }, () => a.next());
    expect([...secondPass].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(secondPass).not.toEqual(firstPass);

    const same = new ShuffledOrder(50, 7);
    expect(Array.from({ length: 50 }, () => same.next())).toEqual(firstPass);
    const other = new ShuffledOrder(50, 8);
    expect(Array.from({ length: 50 }, () => other.next())).not.toEqual(firstPass);
  });

  it('refuses an empty set', () => {
    expect(() => new ShuffledOrder(0, 1)).toThrow(/nothing to draw/);
  });
});

describe('the bundled prompt set', () => {
  it('holds at least 150 distinct prompts that all pass the rules unchanged', () => {
    expect(BUNDLED_PROMPTS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(BUNDLED_PROMPTS.map((p) => p.toLowerCase())).size).toBe(BUNDLED_PROMPTS.length);
    for (const prompt of BUNDLED_PROMPTS) expect(applyPromptRules(prompt)).toBe(prompt);
  });

  it('is varied: no opening phrase repeats much', () => {
    const openings = new Map<string, number>();
    for (const prompt of BUNDLED_PROMPTS) {
      const key = prompt.split(' ').slice(0, 2).join(' ').toLowerCase();
      openings.set(key, (openings.get(key) ?? 0) + 1);
    }
    expect(Math.max(...openings.values())).toBeLessThanOrEqual(3);
  });

  it('draws every prompt once per pass with ids that point back at the set, repeatably per seed', async () => {
    const source = new BundledPromptSource(42);
    expect(source.describe()).toBe(`bundled (${BUNDLED_PROMPTS.length} prompts)`);
    const drawn = [];
    for (let i = 0; i < BUNDLED_PROMPTS.length; i++) drawn.push(await source.next());
    expect(new Set(drawn.map((p) => p.text)).size).toBe(BUNDLED_PROMPTS.length);
    for (const prompt of drawn) {
      expect(prompt.source).toBe('bundled');
      expect(prompt.reference).toBeNull();
      expect(BUNDLED_PROMPTS[Number(prompt.id.replace('bundled:', ''))]).toBe(prompt.text);
    }
    const again = new BundledPromptSource(42);
    expect((await again.next()).id).toBe(drawn[0]?.id);
  });
});
