/**
 * Checks that a model folder holds what its manifest's kind needs. For MusicGen, a folder someone
 * exported themselves must be one transformers.js can load (musicgen.md §2): the config fields it reads, the tokenizer files, the ONNX files of the dtype,
 * the graphs' input and output names, a layer count that matches the config and the manifest,
 * matching float types between the text encoder and the decoder, and external weight files that
 * are present under the names transformers.js opens. Scoring models (CLAP, AudioSet classifier,
 * VGGish) are checked in scoring-folder.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { z } from 'zod';
import {
  sessionFileName,
  variantFiles,
  manifestDtypes,
  type ModelDtype,
  type ModelManifest,
  type MusicgenManifest,
} from '../../src-shared/schemas/model-manifest.js';
import { isErrno } from './errors.js';
import { OnnxFormatError, readOnnxGraphSummary, type OnnxGraphSummary } from './onnx-graph.js';
import { scoringModelProblems } from './scoring-folder.js';

const positiveInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

/** The config.json fields transformers.js reads for MusicGen (musicgen.md §2), other fields pass. */
export const MusicgenConfigSchema = z.object({
  model_type: z.literal('musicgen'),
  is_encoder_decoder: z.literal(true),
  decoder: z.object({
    model_type: z.literal('musicgen_decoder'),
    num_codebooks: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    hidden_size: positiveInt,
    pad_token_id: tokenId,
    bos_token_id: tokenId,
  }),
  audio_encoder: z.object({ sampling_rate: positiveInt }),
  decoder_start_token_id: tokenId.nullish(),
});
export type MusicgenConfig = z.infer<typeof MusicgenConfigSchema>;

export interface FolderInspection {
  /** Empty when the folder is usable at this dtype. */
  problems: string[];
  /** Optional files of the variant that are present (external weights, generation_config.json). */
  optionalPresent: string[];
}

/** The dtypes whose ONNX files are all in `dir`. */
export async function detectDtypes(dir: string, manifest: ModelManifest): Promise<ModelDtype[]> {
  const found: ModelDtype[] = [];
  for (const dtype of manifestDtypes(manifest)) {
    const sessions = Object.entries(manifest.variants[dtype]?.sessions ?? {});
    const present = await Promise.all(sessions.map(([s, d]) => isFile(join(dir, ...sessionFileName(s, d).split('/')))));
    if (present.every(Boolean)) found.push(dtype);
  }
  return found;
}

export async function inspectModelFolder(
  dir: string,
  manifest: ModelManifest,
  dtype: ModelDtype,
): Promise<FolderInspection> {
  const problems: string[] = [];
  const optionalPresent: string[] = [];
  const files = variantFiles(manifest, dtype);
  const variant = manifest.variants[dtype];
  if (!files || !variant) return { problems: [`${manifest.displayName} has no ${dtype} variant`], optionalPresent };

  for (const file of files) {
    const present = await isFile(join(dir, ...file.path.split('/')));
    if (present && file.optional) optionalPresent.push(file.path);
    if (!present && !file.optional) problems.push(`${file.path} is missing`);
  }

  const graphs = new Map<string, OnnxGraphSummary>();
  for (const [session, sessionDtype] of Object.entries(variant.sessions)) {
    const path = sessionFileName(session, sessionDtype);
    if (!(await isFile(join(dir, ...path.split('/'))))) continue; // already reported as missing
    try {
      const graph = await readOnnxGraphSummary(join(dir, ...path.split('/')));
      graphs.set(session, graph);
      problems.push(
        ...(await externalDataProblems(
          dir,
          path,
          graph,
          files.map((f) => f.path),
        )),
      );
    } catch (error) {
      if (!(error instanceof OnnxFormatError)) throw error;
      problems.push(`${path}: not a readable ONNX model (${error.message})`);
    }
  }
  if (manifest.kind === 'musicgen' || manifest.kind === 'clap') {
    for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
      const json = await readJson(join(dir, name));
      if (!json.ok && json.error !== 'missing') problems.push(`${name}: ${json.error}`);
      else if (json.ok && (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value))) {
        problems.push(`${name}: not a JSON object`);
      }
    }
  }
  if (manifest.kind === 'musicgen') problems.push(...(await musicgenProblems(dir, manifest, graphs, variant.sessions)));
  else problems.push(...(await scoringModelProblems(dir, manifest, graphs, variant.sessions, readJson)));
  return { problems, optionalPresent };
}

/** MusicGen's config fields and graph names (musicgen.md §2). */
async function musicgenProblems(
  dir: string,
  manifest: MusicgenManifest,
  graphs: Map<string, OnnxGraphSummary>,
  sessions: Record<string, ModelDtype>,
): Promise<string[]> {
  const problems: string[] = [];
  const config = await readJson(join(dir, 'config.json'));
  let layers: number | null = null;
  if (config.ok) {
    const parsed = MusicgenConfigSchema.safeParse(config.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`config.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
    } else {
      layers = parsed.data.decoder.num_hidden_layers;
      problems.push(...architectureProblems(parsed.data, manifest));
    }
  } else if (config.error !== 'missing') {
    problems.push(`config.json: ${config.error}`);
  }
  problems.push(...graphProblems(graphs, sessions, layers ?? manifest.architecture.numHiddenLayers));
  return problems;
}

function architectureProblems(config: MusicgenConfig, manifest: MusicgenManifest): string[] {
  const expected = manifest.architecture;
  const pairs: [string, number, number][] = [
    ['decoder.num_hidden_layers', config.decoder.num_hidden_layers, expected.numHiddenLayers],
    ['decoder.num_attention_heads', config.decoder.num_attention_heads, expected.numAttentionHeads],
    ['decoder.hidden_size', config.decoder.hidden_size, expected.hiddenSize],
    ['decoder.num_codebooks', config.decoder.num_codebooks, expected.numCodebooks],
    ['audio_encoder.sampling_rate', config.audio_encoder.sampling_rate, expected.samplingRate],
  ];
  return pairs
    .filter(([, actual, wanted]) => actual !== wanted)
    .map(
      ([field, actual, wanted]) =>
        `config.json: ${field} is ${actual}, but ${manifest.displayName} has ${wanted} (is this the right model?)`,
    );
}

/** Graph names follow the optimum export that transformers.js feeds (musicgen.md §2, "Graph I/O"). */
function graphProblems(
  graphs: Map<string, OnnxGraphSummary>,
  sessions: Record<string, ModelDtype>,
  configLayers: number,
): string[] {
  const problems: string[] = [];
  const need = (session: string, kind: 'input' | 'output', names: string[]): void => {
    const graph = graphs.get(session);
    if (!graph) return;
    const have = new Set((kind === 'input' ? graph.inputs : graph.outputs).map((v) => v.name));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length > 0) {
      problems.push(`${sessionFileName(session, sessions[session] ?? 'fp32')}: no ${kind} ${missing.join(', ')}`);
    }
  };
  need('text_encoder', 'input', ['input_ids', 'attention_mask']);
  need('text_encoder', 'output', ['last_hidden_state']);
  need('decoder_model_merged', 'input', [
    'input_ids',
    'encoder_hidden_states',
    'encoder_attention_mask',
    'use_cache_branch',
  ]);
  need('decoder_model_merged', 'output', ['logits']);
  need('encodec_decode', 'input', ['audio_codes']);
  need('encodec_decode', 'output', ['audio_values']);

  const decoder = graphs.get('decoder_model_merged');
  if (decoder) {
    const file = sessionFileName('decoder_model_merged', sessions['decoder_model_merged'] ?? 'fp32');
    const layers = new Set<number>();
    for (const input of decoder.inputs) {
      const match = /^past_key_values\.(\d+)\.(decoder|encoder)\.(key|value)$/.exec(input.name);
      if (match) layers.add(Number(match[1]));
    }
    if (layers.size !== configLayers) {
      problems.push(
        `${file}: the graph has past_key_values for ${layers.size} layers, but config.json says ${configLayers}; ` +
          'transformers.js would feed inputs the graph does not have',
      );
    } else {
      const names = new Set(decoder.inputs.map((v) => v.name));
      const outputs = new Set(decoder.outputs.map((v) => v.name));
      for (let i = 0; i < configLayers; i++) {
        for (const part of ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value']) {
          if (!names.has(`past_key_values.${i}.${part}`))
            problems.push(`${file}: no input past_key_values.${i}.${part}`);
          if (!outputs.has(`present.${i}.${part}`)) problems.push(`${file}: no output present.${i}.${part}`);
        }
      }
    }
    // transformers.js does not cast between the sessions (musicgen.md §2): the types must agree.
    const encoderOut = graphs.get('text_encoder')?.outputs.find((v) => v.name === 'last_hidden_state')?.elemType;
    const decoderIn = decoder.inputs.find((v) => v.name === 'encoder_hidden_states')?.elemType;
    if (encoderOut != null && decoderIn != null && encoderOut !== decoderIn) {
      problems.push(
        `the text encoder returns ${elemTypeName(encoderOut)} but the decoder takes ${elemTypeName(decoderIn)} ` +
          'encoder_hidden_states; export both at the same precision',
      );
    }
  }
  return problems;
}

async function externalDataProblems(
  dir: string,
  onnxPath: string,
  graph: OnnxGraphSummary,
  listed: string[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const location of graph.externalData) {
    const path = posix.normalize(posix.join(posix.dirname(onnxPath), location.replaceAll('\\', '/')));
    if (path.startsWith('../') || posix.isAbsolute(location) || path === '..') {
      problems.push(`${onnxPath}: external data ${location} lies outside the model folder`);
    } else if (!listed.includes(path)) {
      problems.push(
        `${onnxPath}: weights are in ${path}, a name transformers.js does not open; re-export so they are in ${onnxPath}_data`,
      );
    } else if (!(await isFile(join(dir, ...path.split('/'))))) {
      problems.push(`${onnxPath}: its weights file ${path} is missing`);
    }
  }
  return problems;
}

function elemTypeName(type: number): string {
  return type === 1 ? 'float32' : type === 10 ? 'float16' : `ONNX type ${type}`;
}

export async function readJson(path: string): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { ok: false, error: 'missing' };
    throw error;
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return false;
    throw error;
  }
}
