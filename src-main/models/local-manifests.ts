/**
 * Manifests for model folders people export themselves (a fine-tuned MusicGen, a tiny test
 * model): written from the folder's config.json and the ONNX files it has, filed under the repo
 * `local/<id>`, and kept beside the imported files as `.bittaudio-manifest.json` so the store
 * lists the model again at the next start. Deleting the model's folder forgets it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  ModelDtypeSchema,
  sessionFileName,
  type ModelDtype,
  type ModelFile,
  type ModelManifest,
  type ModelVariant,
} from '../../src-shared/schemas/model-manifest.js';
import type { Logger } from '../log/logger.js';
import { isErrno, ModelStoreError } from './errors.js';
import { parseManifest } from './manifests.js';
import { MusicgenConfigSchema } from './model-folder.js';

export const LOCAL_OWNER = 'local';
export const LOCAL_MANIFEST_FILE = '.bittaudio-manifest.json';

export const SESSIONS = ['text_encoder', 'decoder_model_merged', 'encodec_decode'] as const;

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The MusicGen licence: a local export of Meta's weights (or a fine-tune of them) keeps it. */
const MUSICGEN_LICENSE: ModelManifest['license'] = {
  spdx: 'CC-BY-NC-4.0',
  url: 'https://creativecommons.org/licenses/by-nc/4.0/',
  summary:
    'MusicGen weights by Meta AI (and models trained from them) are for non-commercial use only, with attribution.',
  nonCommercial: true,
};

/** `Some/Model_Name v2` → `model-name-v2`; null when nothing usable is left. */
export function slugModelId(text: string): string | null {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return ID_PATTERN.test(slug) ? slug : null;
}

export function isModelId(text: string): boolean {
  return ID_PATTERN.test(text);
}

/** The folder's config.json, or the problems that make it unusable. */
export async function readFolderConfig(
  dir: string,
): Promise<
  | { ok: true; config: ReturnType<typeof MusicgenConfigSchema.parse>; nameOrPath: string | null }
  | { ok: false; problems: string[] }
> {
  let text: string;
  try {
    text = await readFile(join(dir, 'config.json'), 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) {
      return { ok: false, problems: ['config.json is missing (the model configuration an export writes)'] };
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [`config.json: not valid JSON (${error instanceof Error ? error.message : String(error)})`],
    };
  }
  const parsed = MusicgenConfigSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) => `config.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      ),
    };
  }
  const name = (json as { _name_or_path?: unknown })._name_or_path;
  return { ok: true, config: parsed.data, nameOrPath: typeof name === 'string' && name.trim() ? name.trim() : null };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return false;
    throw error;
  }
}

/**
 * The session → dtype maps a folder holds completely: every session at one dtype, and the 8-bit
 * recipe that keeps EnCodec at fp32 (what the transformers.js conversion scripts write).
 */
export async function folderVariants(dir: string): Promise<Partial<Record<ModelDtype, Record<string, ModelDtype>>>> {
  const found: Partial<Record<ModelDtype, Record<string, ModelDtype>>> = {};
  const has = (session: string, dtype: ModelDtype): Promise<boolean> =>
    isFile(join(dir, ...sessionFileName(session, dtype).split('/')));
  for (const dtype of ModelDtypeSchema.options) {
    const all = await Promise.all(SESSIONS.map((s) => has(s, dtype)));
    if (all.every(Boolean)) {
      found[dtype] = Object.fromEntries(SESSIONS.map((s) => [s, dtype]));
    } else if (dtype === 'q8' && all[0] && all[1] && (await has('encodec_decode', 'fp32'))) {
      found[dtype] = { text_encoder: 'q8', decoder_model_merged: 'q8', encodec_decode: 'fp32' };
    }
  }
  return found;
}

/** What a folder lacks to be a MusicGen export at all, in words (empty when it has the basics). */
export async function missingBasics(dir: string, variants: Partial<Record<ModelDtype, unknown>>): Promise<string[]> {
  const problems: string[] = [];
  if (!(await isFile(join(dir, 'tokenizer.json')))) problems.push('tokenizer.json is missing');
  if (!(await isFile(join(dir, 'tokenizer_config.json')))) problems.push('tokenizer_config.json is missing');
  if (Object.keys(variants).length === 0) {
    const present = await Promise.all(
      ModelDtypeSchema.options.flatMap((dtype) =>
        SESSIONS.map(async (s) =>
          (await isFile(join(dir, ...sessionFileName(s, dtype).split('/')))) ? sessionFileName(s, dtype) : null,
        ),
      ),
    );
    const have = present.filter((p): p is string => p !== null);
    problems.push(
      `no dtype has all three ONNX graphs (${SESSIONS.map((s) => sessionFileName(s, 'fp32')).join(', ')}, or the same with _fp16, _quantized, …)` +
        (have.length > 0 ? `; found only ${have.join(', ')}` : '; found none'),
    );
  }
  return problems;
}

/** A manifest for a folder exported by hand, filed as `local/<id>`. Throws invalid_model with what is missing. */
export async function manifestFromFolder(dir: string, id: string): Promise<ModelManifest> {
  if (!isModelId(id)) {
    throw new ModelStoreError(
      'invalid_model',
      `"${id}" is not a model id: use lowercase letters, digits and dashes (up to 64).`,
    );
  }
  const config = await readFolderConfig(dir);
  const variants = await folderVariants(dir);
  const problems = [...(config.ok ? [] : config.problems), ...(await missingBasics(dir, variants))];
  if (!config.ok || problems.length > 0) {
    throw new ModelStoreError(
      'invalid_model',
      `${dir} is not a MusicGen export:\n${problems.map((p) => `- ${p}`).join('\n')}`,
    );
  }
  const decoder = config.config.decoder;
  const file = (path: string, optional = false): ModelFile => ({
    path,
    size: null,
    sha256: null,
    ...(optional ? { optional } : {}),
  });
  const variantOf = (sessions: Record<string, ModelDtype>): ModelVariant => ({
    sessions,
    files: Object.entries(sessions).flatMap(([session, dtype]) => {
      const path = sessionFileName(session, dtype);
      // Large graphs keep their weights beside them; used when present.
      return session === 'decoder_model_merged' ? [file(path), file(`${path}_data`, true)] : [file(path)];
    }),
  });
  const dtypes = ModelDtypeSchema.options.filter((d) => variants[d] !== undefined);
  const name = config.nameOrPath ?? basename(dir);
  return parseManifest(
    {
      format: 1,
      id,
      displayName: `${name} (imported)`,
      repo: `${LOCAL_OWNER}/${id}`,
      baseModel: name,
      protocolModelName: null,
      source: {
        kind: 'import',
        instructions: `Imported from a local folder; import it again with \`bittaudio models import DIR --id ${id}\`.`,
      },
      license: MUSICGEN_LICENSE,
      architecture: {
        numHiddenLayers: decoder.num_hidden_layers,
        numAttentionHeads: decoder.num_attention_heads,
        hiddenSize: decoder.hidden_size,
        numCodebooks: decoder.num_codebooks,
        samplingRate: config.config.audio_encoder.sampling_rate,
      },
      files: [
        file('config.json'),
        file('generation_config.json', true),
        file('tokenizer.json'),
        file('tokenizer_config.json'),
      ],
      variants: Object.fromEntries(dtypes.map((d) => [d, variantOf(variants[d] ?? {})])),
      defaultDtype: dtypes.includes('fp32') ? 'fp32' : dtypes[0],
    },
    `${id} (from ${dir})`,
  );
}

/** Keeps `manifest` beside its model's files (written whole, then renamed). */
export async function saveLocalManifest(modelDir: string, manifest: ModelManifest): Promise<void> {
  const path = join(modelDir, LOCAL_MANIFEST_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temp, path);
}

/** The local manifests under `<models>/local/*`; a damaged one is skipped with a warning. */
export function readLocalManifests(modelsDir: string, logger?: Logger): ModelManifest[] {
  const root = join(modelsDir, LOCAL_OWNER);
  if (!existsSync(root)) return [];
  const manifests: ModelManifest[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(root, entry.name, LOCAL_MANIFEST_FILE);
    try {
      const manifest = parseManifest(JSON.parse(readFileSync(path, 'utf8')), path);
      if (manifest.repo !== `${LOCAL_OWNER}/${entry.name}`) throw new Error(`it names ${manifest.repo}`);
      manifests.push(manifest);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) continue;
      logger?.warn('Skipping a damaged local model manifest', {
        path,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return manifests;
}
