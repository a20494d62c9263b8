import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import { SettingsSchema, DEFAULT_SETTINGS } from '../../src-shared/schemas/settings.js';
import { LogRoot } from '../log/logger.js';
import type { DatasetHub } from '../neuron/prompts/index.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { validatorPromptSource } from './validator-prompts.js';

const tempDir = useTempDirs();

/** A hub that is never reached in these tests: building a source reads nothing yet. */
const OFFLINE_HUB: DatasetHub = {
  listFiles: () => Promise.reject(new Error('offline')),
  download: () => Promise.reject(new Error('offline')),
};

function deps(lines: Omit<LogEntry, 'id'>[] = []) {
  return {
    dataDir: tempDir(),
    hub: OFFLINE_HUB,
    seed: 7,
    logger: new LogRoot((line) => lines.push(line)).logger('validator'),
    env: {},
  };
}

describe('validatorPromptSource (Settings → Validator → prompts)', () => {
  it('builds the bundled set by default', async () => {
    const source = validatorPromptSource(DEFAULT_SETTINGS.validatorPrompts, deps());
    expect(source.describe()).toMatch(/^bundled \(\d+ prompts\)$/);
    expect((await source.next()).source).toBe('bundled');
  });

  it('builds the chosen folder, hub dataset or endpoint, each named as the status shows it', async () => {
    const folder = tempDir();
    writeFileSync(join(folder, 'prompts.csv'), 'prompt\nA lonely oboe over strings\n');
    const fromFolder = validatorPromptSource({ kind: 'folder', path: folder }, deps());
    const prompt = await fromFolder.next();
    expect(prompt).toMatchObject({ text: 'A lonely oboe over strings', source: `folder:${folder}` });
    expect(fromFolder.describe()).toContain(`folder:${folder} (1 prompts`);

    const hub = validatorPromptSource({ kind: 'hub', repo: 'etechgrid/prompts_for_TTM', revision: 'main' }, deps());
    expect(hub.describe()).toBe('hub:etechgrid/prompts_for_TTM (not loaded yet)');

    const llm = validatorPromptSource(
      { kind: 'llm', url: 'http://127.0.0.1:9/v1', model: 'tiny-chat', timeoutMs: 1000 },
      deps(),
    );
    expect(llm.describe()).toMatch(/^llm tiny-chat at http:\/\/127\.0\.0\.1:9 /);
  });

  it('answers from the bundled set, and says so in the log, when the chosen source fails', async () => {
    const lines: Omit<LogEntry, 'id'>[] = [];
    const source = validatorPromptSource({ kind: 'folder', path: join(tempDir(), 'missing') }, deps(lines));
    expect((await source.next()).source).toBe('bundled');
    expect(lines.some((line) => line.level === 'warn' && /bundled prompt/.test(line.message))).toBe(true);
  });

  it('refuses a setting that is not a prompt source with one clear error', () => {
    const parsed = SettingsSchema.shape.validatorPrompts.safeParse({ kind: 'hub', repo: '../etc', revision: 'main' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toContain(
      'a hub repository is "owner/name" (letters, digits, ".", "_" and "-")',
    );
  });
});
