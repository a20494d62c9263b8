/**
 * Where the validator's prompts come from (issue #12): the bundled set (offline default), a
 * Hugging Face dataset (the reference's `etechgrid/prompts_for_TTM`, `etechgrid/ttm-validation-dataset`),
 * a local folder in the same layout, or an OpenAI-compatible chat endpoint. The config carries no
 * secret: an endpoint's API key comes from the environment, so settings files never hold one.
 */
import { z } from 'zod';

/** The reference validator's set: one prompt and one reference clip per row (scoring.md §1.1). */
export const REFERENCE_PROMPT_DATASET = 'etechgrid/ttm-validation-dataset';
/** The older prompt-only set (a CSV with a `text` column). */
export const REFERENCE_PROMPT_CSV_DATASET = 'etechgrid/prompts_for_TTM';

/** `owner/name` as the hub spells repository ids: no `..`, no leading or trailing separator. */
export const HubRepoIdSchema = z
  .string()
  .max(96)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\/[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/,
    'a hub repository is "owner/name" (letters, digits, ".", "_" and "-")',
  )
  .refine((repo) => !repo.includes('..'), 'a hub repository id cannot contain ".."');

/** A branch, tag or commit; the hub's own names never hold spaces or control characters. */
const RevisionSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s\p{Cc}]+$/u, 'a revision is a branch, tag or commit without spaces');

export const DEFAULT_LLM_MODEL = 'gpt-4o-mini';
export const DEFAULT_LLM_TIMEOUT_MS = 20_000;

export const PromptSourceConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bundled') }),
  z.strictObject({
    kind: z.literal('hub'),
    /** A dataset repository. */
    repo: HubRepoIdSchema,
    revision: RevisionSchema.default('main'),
  }),
  z.strictObject({
    kind: z.literal('folder'),
    /** A folder laid out like one of the hub sets (data/*.parquet, metadata.csv + audio, or a CSV). */
    path: z.string().min(1),
  }),
  z.strictObject({
    kind: z.literal('llm'),
    /** The API base (`…/v1`) or the full `…/chat/completions` address. */
    url: z
      .url({ protocol: /^https?$/, error: 'the endpoint must be an http:// or https:// address' })
      // A key in the address would reach logs and settings; it belongs in BITTAUDIO_LLM_API_KEY.
      // (src-shared has no URL class: a "user[:password]@" authority is what is refused.)
      .refine(
        (url) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url),
        'put the API key in BITTAUDIO_LLM_API_KEY, not in the address',
      ),
    model: z.string().min(1).max(200).default(DEFAULT_LLM_MODEL),
    /** Past this, the bundled set answers instead. */
    timeoutMs: z.number().int().min(100).max(300_000).default(DEFAULT_LLM_TIMEOUT_MS),
  }),
]);
export type PromptSourceConfig = z.infer<typeof PromptSourceConfigSchema>;

const [BundledConfig, HubConfig, FolderConfig, LlmConfig] = PromptSourceConfigSchema.options;

/**
 * The same sources as a stored setting: every field spelled out (no defaults), so that what a
 * client sends, what is stored and what is read back are one shape.
 */
export const PromptSourceSettingSchema = z.discriminatedUnion('kind', [
  BundledConfig,
  HubConfig.extend({ revision: HubConfig.shape.revision.unwrap() }),
  FolderConfig,
  LlmConfig.extend({ model: LlmConfig.shape.model.unwrap(), timeoutMs: LlmConfig.shape.timeoutMs.unwrap() }),
]);
export type PromptSourceSetting = z.infer<typeof PromptSourceSettingSchema>;
export type PromptSourceKind = PromptSourceConfig['kind'];

export class PromptSourceArgError extends Error {
  override readonly name = 'PromptSourceArgError';
}

const ARG_FORMS = "'bundled', 'hub:<owner>/<name>[@revision]', 'folder:<path>' or 'llm:<url>'";

/**
 * The command line's `--prompts` value → a config. `hub` alone means the reference's dataset.
 * Throws PromptSourceArgError with the accepted forms for anything else.
 */
export function parsePromptSourceArg(arg: string): PromptSourceConfig {
  const value = arg.trim();
  const colon = value.indexOf(':');
  const kind = (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
  const rest = colon < 0 ? '' : value.slice(colon + 1).trim();
  const parse = (candidate: unknown): PromptSourceConfig => {
    const parsed = PromptSourceConfigSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PromptSourceArgError(
        `--prompts ${arg}: ${issue?.message ?? 'not a prompt source'} (use ${ARG_FORMS}).`,
      );
    }
    return parsed.data;
  };
  switch (kind) {
    case 'bundled':
      if (rest !== '') throw new PromptSourceArgError(`--prompts ${arg}: 'bundled' takes no value.`);
      return parse({ kind: 'bundled' });
    case 'hub': {
      if (rest === '') return parse({ kind: 'hub', repo: REFERENCE_PROMPT_DATASET });
      const at = rest.indexOf('@');
      return at < 0
        ? parse({ kind: 'hub', repo: rest })
        : parse({ kind: 'hub', repo: rest.slice(0, at), revision: rest.slice(at + 1) });
    }
    case 'folder':
      if (rest === '') throw new PromptSourceArgError(`--prompts ${arg}: give the folder, e.g. folder:/data/prompts.`);
      return parse({ kind: 'folder', path: rest });
    case 'llm':
      if (rest === '') {
        throw new PromptSourceArgError(`--prompts ${arg}: give the endpoint, e.g. llm:http://127.0.0.1:8000/v1.`);
      }
      return parse({ kind: 'llm', url: rest });
    default:
      throw new PromptSourceArgError(`--prompts ${arg}: not a prompt source (use ${ARG_FORMS}).`);
  }
}

/** The config back as a `--prompts` value (the inverse of parsePromptSourceArg, for logs and forms). */
export function formatPromptSourceArg(config: PromptSourceConfig): string {
  switch (config.kind) {
    case 'bundled':
      return 'bundled';
    case 'hub':
      return config.revision === 'main' ? `hub:${config.repo}` : `hub:${config.repo}@${config.revision}`;
    case 'folder':
      return `folder:${config.path}`;
    case 'llm':
      return `llm:${config.url}`;
  }
}
