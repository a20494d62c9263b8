/**
 * One entry point from a prompt-source config (src-shared/schemas/prompts.ts) to a PromptSource,
 * with everything it needs passed in: the data folder (the hub cache), the hub client, the
 * duplicate set the reference clips join, the logger and the seed.
 */
import {
  PromptSourceConfigSchema,
  formatPromptSourceArg,
  type PromptSourceConfig,
} from '../../../src-shared/schemas/prompts.js';
import type { Logger } from '../../log/logger.js';
import type { HashLedger } from '../../scoring/duplicate-check.js';
import type { PromptSource, ValidatorPrompt } from '../validator-ports.js';
import { BundledPromptSource } from './bundled-source.js';
import { FolderDatasetFiles, HubDatasetFiles, promptSetCacheDir, type DatasetHub } from './dataset-files.js';
import { DatasetPromptSource } from './dataset-source.js';
import { isAbort } from './errors.js';
import { LlmPromptSource } from './llm-source.js';

/** Environment variables read for an LLM endpoint's key, first match wins. */
export const LLM_API_KEY_ENV = ['BITTAUDIO_LLM_API_KEY', 'OPENAI_API_KEY'] as const;

export interface PromptSourceDeps {
  /** The app's data folder; hub sets are cached under `prompt-sets/`. */
  dataDir: string;
  /** The model store's HubClient (or anything with its listFiles and download). */
  hub: DatasetHub;
  /** The validator's duplicate set (store/DuplicateStore); reference clips' hashes join it. */
  duplicates?: HashLedger;
  logger?: Logger;
  /** Orders the draws; the same seed gives the same sequence. */
  seed: number;
  /** For the LLM key; default process.env. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export function createPromptSource(config: PromptSourceConfig, deps: PromptSourceDeps): PromptSource {
  const checked = PromptSourceConfigSchema.parse(config);
  const seed = deps.seed >>> 0;
  const logger = deps.logger?.child('prompts');
  const common = {
    seed,
    ...(deps.duplicates ? { ledger: deps.duplicates } : {}),
    ...(logger ? { logger } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  };
  switch (checked.kind) {
    case 'bundled':
      return new BundledPromptSource(seed);
    case 'hub':
      return new DatasetPromptSource(
        new HubDatasetFiles(
          deps.hub,
          checked.repo,
          checked.revision,
          promptSetCacheDir(deps.dataDir, checked.repo, checked.revision),
          logger,
        ),
        { source: formatPromptSourceArg(checked), ...common },
      );
    case 'folder':
      return new DatasetPromptSource(new FolderDatasetFiles(checked.path), {
        source: formatPromptSourceArg(checked),
        ...common,
      });
    case 'llm': {
      const env = deps.env ?? process.env;
      const apiKey = LLM_API_KEY_ENV.map((name) => env[name]?.trim()).find((value) => value);
      return new LlmPromptSource({
        url: checked.url,
        model: checked.model,
        timeoutMs: checked.timeoutMs,
        seed,
        fallback: new BundledPromptSource(seed),
        ...(apiKey ? { apiKey } : {}),
        ...(logger ? { logger } : {}),
      });
    }
  }
}

/**
 * A source that answers from the bundled set whenever the primary one throws (offline, a broken
 * file), as the round loop wants: a round is never lost for want of a prompt. Cancels pass through.
 */
export class PromptSourceWithFallback implements PromptSource {
  constructor(
    private readonly primary: PromptSource,
    private readonly fallback: PromptSource,
    private readonly logger?: Logger,
  ) {}

  describe(): string {
    return this.primary.describe();
  }

  async next(signal?: AbortSignal): Promise<ValidatorPrompt> {
    try {
      return await this.primary.next(signal);
    } catch (error) {
      if (isAbort(error, signal)) throw error;
      this.logger?.warn('The prompt source failed; this round uses a bundled prompt', {
        source: this.primary.describe(),
        reason: error instanceof Error ? error.message : String(error),
      });
      return this.fallback.next(signal);
    }
  }
}
