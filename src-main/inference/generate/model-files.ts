/**
 * Checks a MusicGen folder before onnxruntime sees it, so that a missing, partial or mismatched
 * file is reported by name instead of as a runtime stack trace (musicgen spec §2, §3):
 * config.json and the tokenizer files, each session's ONNX file at its dtype (and its external
 * data file when declared), each graph's header, and the float type the text encoder hands to
 * the decoder, which transformers.js does not cast.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MusicgenConfigSchema, type MusicgenConfig } from '../../models/model-folder.js';
import { ONNX_ELEM_TYPE, OnnxFormatError, readOnnxGraphSummary } from '../../models/onnx-graph.js';
import { sessionFileName, type ModelDtype } from '../../../src-shared/schemas/model-manifest.js';
import { GenerationError } from './errors.js';

export const MUSICGEN_SESSIONS = ['text_encoder', 'decoder_model_merged', 'encodec_decode'] as const;
export type MusicgenSession = (typeof MUSICGEN_SESSIONS)[number];
export type SessionDtypes = Record<MusicgenSession, ModelDtype>;

/** Dtypes whose exports keep float16 inputs and outputs; the others keep float32 (musicgen spec §2). */
const FLOAT16_IO: ReadonlySet<ModelDtype> = new Set(['fp16', 'q4f16']);

export function ioFloatType(dtype: ModelDtype): 'float16' | 'float32' {
  return FLOAT16_IO.has(dtype) ? 'float16' : 'float32';
}

/** A dtype for every session: one for all, or a per-session map (missing sessions get fp32). */
export function sessionDtypes(dtype: ModelDtype | Partial<Record<string, ModelDtype>>): SessionDtypes {
  if (typeof dtype === 'string') return { text_encoder: dtype, decoder_model_merged: dtype, encodec_decode: dtype };
  return {
    text_encoder: dtype.text_encoder ?? 'fp32',
    decoder_model_merged: dtype.decoder_model_merged ?? 'fp32',
    encodec_decode: dtype.encodec_decode ?? 'fp32',
  };
}

/** Refuses an encoder/decoder pair whose hidden-state types differ (fp32 encoder + fp16 decoder). */
export function checkDtypePair(dtypes: SessionDtypes): void {
  const encoder = ioFloatType(dtypes.text_encoder);
  const decoder = ioFloatType(dtypes.decoder_model_merged);
  if (encoder !== decoder) {
    throw new GenerationError(
      'dtype_mismatch',
      `The text encoder at ${dtypes.text_encoder} returns ${encoder} hidden states, but the decoder at ` +
        `${dtypes.decoder_model_merged} takes ${decoder} encoder_hidden_states, and transformers.js does not convert ` +
        `between them. Use the same precision family for both (e.g. fp16 with fp16, or q8 with fp32).`,
    );
  }
}

export interface CheckedFolder {
  config: MusicgenConfig;
  /** Samples per audio frame (EnCodec's total upsampling). */
  hop: number;
  /** Whether a graph returns float16 audio. */
  float16Audio: boolean;
}

/** Runs every check; throws the first problem as a GenerationError naming the file. */
export async function checkModelFolder(
  dir: string,
  dtypes: SessionDtypes,
  externalData: Partial<Record<string, boolean>> = {},
): Promise<CheckedFolder> {
  checkDtypePair(dtypes);
  const configJson = await readJsonFile(dir, 'config.json');
  const parsed = MusicgenConfigSchema.safeParse(configJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GenerationError(
      'corrupt_file',
      `${join(dir, 'config.json')} is not a MusicGen config: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  await readJsonFile(dir, 'tokenizer.json');
  await readJsonFile(dir, 'tokenizer_config.json');

  const types: Partial<
    Record<MusicgenSession, { inputs: Map<string, number | null>; outputs: Map<string, number | null> }>
  > = {};
  for (const session of MUSICGEN_SESSIONS) {
    const file = sessionFileName(session, dtypes[session]);
    const path = join(dir, ...file.split('/'));
    await requireFile(path, `the ${session} graph at ${dtypes[session]}`);
    if (externalData[session]) await requireFile(`${path}_data`, `the external weights of ${file}`);
    try {
      const summary = await readOnnxGraphSummary(path);
      types[session] = {
        inputs: new Map(summary.inputs.map((v) => [v.name, v.elemType])),
        outputs: new Map(summary.outputs.map((v) => [v.name, v.elemType])),
      };
      for (const location of summary.externalData) {
        await requireFile(join(path, '..', location), `external weights that ${file} names`);
      }
    } catch (error) {
      if (error instanceof OnnxFormatError) {
        throw new GenerationError('corrupt_file', `${path} is not a readable ONNX model: ${error.message}.`, {
          cause: error,
        });
      }
      throw error;
    }
  }
  const encoderOut = types.text_encoder?.outputs.get('last_hidden_state');
  const decoderIn = types.decoder_model_merged?.inputs.get('encoder_hidden_states');
  if (encoderOut === undefined || decoderIn === undefined) {
    throw new GenerationError(
      'corrupt_file',
      `${join(dir, sessionFileName(encoderOut === undefined ? 'text_encoder' : 'decoder_model_merged', dtypes[encoderOut === undefined ? 'text_encoder' : 'decoder_model_merged']))} ` +
        `lacks ${encoderOut === undefined ? 'the output last_hidden_state' : 'the input encoder_hidden_states'}; it is not a MusicGen export.`,
    );
  }
  if (encoderOut !== decoderIn) {
    throw new GenerationError(
      'dtype_mismatch',
      `${sessionFileName('text_encoder', dtypes.text_encoder)} returns ${typeName(encoderOut)} but ` +
        `${sessionFileName('decoder_model_merged', dtypes.decoder_model_merged)} takes ${typeName(decoderIn)} encoder_hidden_states.`,
    );
  }
  const ratios = (configJson as { audio_encoder?: { upsampling_ratios?: unknown } }).audio_encoder?.upsampling_ratios;
  const hop =
    Array.isArray(ratios) && ratios.length > 0 && ratios.every((r) => Number.isInteger(r) && r > 0)
      ? (ratios as number[]).reduce((a, b) => a * b, 1)
      : 640;
  return {
    config: parsed.data,
    hop,
    float16Audio: types.encodec_decode?.outputs.get('audio_values') === ONNX_ELEM_TYPE.FLOAT16,
  };
}

function typeName(elemType: number | null): string {
  if (elemType === ONNX_ELEM_TYPE.FLOAT) return 'float32';
  if (elemType === ONNX_ELEM_TYPE.FLOAT16) return 'float16';
  return `ONNX type ${String(elemType)}`;
}

async function requireFile(path: string, what: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) throw new GenerationError('missing_file', `${path} is missing (${what}).`);
}

async function readJsonFile(dir: string, name: string): Promise<unknown> {
  const path = join(dir, name);
  await requireFile(path, name === 'config.json' ? 'the model config' : 'the tokenizer');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new GenerationError(
      'corrupt_file',
      `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`,
      { cause: error },
    );
  }
}
