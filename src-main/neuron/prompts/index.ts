/** The validator's prompt sources (issue #12): bundled, hub datasets, local folders, an LLM endpoint. */
export { BUNDLED_PROMPTS, BundledPromptSource } from './bundled-source.js';
export { createPromptSource, LLM_API_KEY_ENV, PromptSourceWithFallback, type PromptSourceDeps } from './create.js';
export {
  FolderDatasetFiles,
  HubDatasetFiles,
  promptSetCacheDir,
  promptSetsDir,
  type DatasetFiles,
  type DatasetHub,
} from './dataset-files.js';
export { DatasetPromptSource } from './dataset-source.js';
export { openPromptTable, type PromptTable, type ReferenceClip } from './dataset-table.js';
export { PromptSetError } from './errors.js';
export { LlmPromptSource } from './llm-source.js';
export { numberToWords, numbersToWords, ordinalWords } from './number-words.js';
export { applyPromptRules, MAX_PROMPT_CHARS, ShuffledOrder } from './prompt-rules.js';
export {
  formatPromptSourceArg,
  parsePromptSourceArg,
  PromptSourceArgError,
  PromptSourceConfigSchema,
  type PromptSourceConfig,
} from '../../../src-shared/schemas/prompts.js';
