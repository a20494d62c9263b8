import { describe, expect, it } from 'vitest';
import {
  formatPromptSourceArg,
  parsePromptSourceArg,
  PromptSourceArgError,
  PromptSourceConfigSchema,
  REFERENCE_PROMPT_DATASET,
} from './prompts.js';

describe('parsePromptSourceArg', () => {
  it('reads each form of --prompts', () => {
    expect(parsePromptSourceArg('bundled')).toEqual({ kind: 'bundled' });
    expect(parsePromptSourceArg('hub:etechgrid/prompts_for_TTM')).toEqual({
      kind: 'hub',
      repo: 'etechgrid/prompts_for_TTM',
      revision: 'main',
    });
    expect(parsePromptSourceArg('hub:etechgrid/ttm-validation-dataset@refs/convert/parquet')).toEqual({
      kind: 'hub',
      repo: 'etechgrid/ttm-validation-dataset',
      revision: 'refs/convert/parquet',
    });
    expect(parsePromptSourceArg('folder:/data/my set')).toEqual({ kind: 'folder', path: '/data/my set' });
    expect(parsePromptSourceArg('llm:http://127.0.0.1:8000/v1')).toEqual({
      kind: 'llm',
      url: 'http://127.0.0.1:8000/v1',
      model: 'gpt-4o-mini',
      timeoutMs: 20_000,
    });
  });

  it("takes 'hub' alone as the reference validator's dataset", () => {
    expect(parsePromptSourceArg('hub')).toEqual({ kind: 'hub', repo: REFERENCE_PROMPT_DATASET, revision: 'main' });
  });

  it.each([
    ['', /not a prompt source/],
    ['spotify:abc', /not a prompt source/],
    ['bundled:extra', /takes no value/],
    ['hub:not-a-repo', /owner\/name/],
    ['hub:../../etc', /owner\/name|\.\./],
    ['hub:a/b@has space', /revision/],
    ['folder:', /give the folder/],
    ['llm:', /give the endpoint/],
    ['llm:ftp://example.org', /http/],
    ['llm:https://user:sk-secret@example.org/v1', /BITTAUDIO_LLM_API_KEY/],
  ])('refuses %j with a message that says what is accepted', (arg, message) => {
    expect(() => parsePromptSourceArg(arg)).toThrow(PromptSourceArgError);
    expect(() => parsePromptSourceArg(arg)).toThrow(message);
  });

  it('formats a config back to the argument that gives it', () => {
    for (const arg of ['bundled', 'hub:a/b', 'hub:a/b@v1.0', 'folder:/x/y', 'llm:http://127.0.0.1:8000/v1']) {
      expect(formatPromptSourceArg(parsePromptSourceArg(arg))).toBe(arg);
    }
  });

  it('refuses unknown fields in a stored config', () => {
    expect(PromptSourceConfigSchema.safeParse({ kind: 'bundled', extra: 1 }).success).toBe(false);
    expect(PromptSourceConfigSchema.safeParse({ kind: 'llm', url: 'http://x', timeoutMs: 10 }).success).toBe(false);
  });
});
