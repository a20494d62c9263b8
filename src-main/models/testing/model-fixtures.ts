/**
 * Test model folders in the transformers.js layout, written from scratch: configs, tokenizer
 * files, and ONNX files that carry the real graphs' input and output names (musicgen.md §2) but
 * no operators — enough for the store's checks, which read names and types, never run a graph.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sessionFileName, type ModelDtype } from '../../../src-shared/schemas/model-manifest.js';
import { ONNX_ELEM_TYPE } from '../onnx-graph.js';
import { testBytes } from './fake-hub.js';

// --- a protobuf writer just big enough for ModelProto ---

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

export function pbVarint(field: number, value: number): Buffer {
  return Buffer.from([...varint(field * 8), ...varint(value)]);
}

export function pbBytes(field: number, value: Uint8Array | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  return Buffer.concat([Buffer.from([...varint(field * 8 + 2), ...varint(bytes.byteLength)]), bytes]);
}

export interface TestValue {
  name: string;
  elemType: number;
}

export interface TestInitializer {
  name: string;
  raw?: Uint8Array;
  /** Stored outside the file, at this location. */
  externalLocation?: string;
}

export function onnxModel(graph: {
  inputs: TestValue[];
  outputs: TestValue[];
  initializers?: TestInitializer[];
}): Buffer {
  const valueInfo = (v: TestValue): Buffer =>
    Buffer.concat([pbBytes(1, v.name), pbBytes(2, pbBytes(1, Buffer.concat([pbVarint(1, v.elemType)])))]);
  const tensor = (t: TestInitializer): Buffer =>
    Buffer.concat([
      pbVarint(1, 4), // dims
      pbVarint(2, ONNX_ELEM_TYPE.FLOAT),
      pbBytes(8, t.name),
      ...(t.raw ? [pbBytes(9, t.raw)] : []),
      ...(t.externalLocation
        ? [
            pbBytes(13, Buffer.concat([pbBytes(1, 'location'), pbBytes(2, t.externalLocation)])),
            pbBytes(13, Buffer.concat([pbBytes(1, 'offset'), pbBytes(2, '0')])),
            pbVarint(14, 1),
          ]
        : []),
    ]);
  const node = Buffer.concat([pbBytes(1, 'x'), pbBytes(2, 'y'), pbBytes(4, 'Identity')]);
  const graphBytes = Buffer.concat([
    pbBytes(1, node),
    pbBytes(2, 'main_graph'),
    ...(graph.initializers ?? []).map((t) => pbBytes(5, tensor(t))),
    ...graph.inputs.map((v) => pbBytes(11, valueInfo(v))),
    ...graph.outputs.map((v) => pbBytes(12, valueInfo(v))),
  ]);
  const opset = Buffer.concat([pbBytes(1, ''), pbVarint(2, 17)]);
  return Buffer.concat([pbVarint(1, 8), pbBytes(2, 'bittaudio-test'), pbBytes(7, graphBytes), pbBytes(8, opset)]);
}

// --- MusicGen graphs and folders ---

const { FLOAT, FLOAT16, INT64, BOOL } = ONNX_ELEM_TYPE;

export interface MusicgenFixture {
  layers: number;
  heads: number;
  hidden: number;
  codebooks?: number;
  samplingRate?: number;
  /** Layers the decoder graph really has, when it should disagree with the config. */
  graphLayers?: number;
  /** Session → dtype, as the manifest variant has it. */
  sessions: Record<string, ModelDtype>;
  /** Float type of the text encoder's output; default float32 (float16 for an fp16 session). */
  encoderOutputType?: number;
  /** Keep the decoder weights in `<file>_data` instead of inline. */
  externalDecoderData?: boolean;
  /** Bytes of filler weights per graph, so files have some size. */
  weightBytes?: number;
}

export function musicgenConfig(f: MusicgenFixture): Record<string, unknown> {
  return {
    architectures: ['MusicgenForConditionalGeneration'],
    model_type: 'musicgen',
    is_encoder_decoder: true,
    decoder: {
      model_type: 'musicgen_decoder',
      num_codebooks: f.codebooks ?? 4,
      num_hidden_layers: f.layers,
      num_attention_heads: f.heads,
      hidden_size: f.hidden,
      ffn_dim: f.hidden * 4,
      vocab_size: 2048,
      pad_token_id: 2048,
      bos_token_id: 2048,
    },
    text_encoder: { model_type: 't5', d_model: 768 },
    audio_encoder: { model_type: 'encodec', sampling_rate: f.samplingRate ?? 32000 },
    decoder_start_token_id: 2048,
  };
}

function floatOf(dtype: ModelDtype | undefined): number {
  return dtype === 'fp16' || dtype === 'q4f16' ? FLOAT16 : FLOAT;
}

export function musicgenGraphs(f: MusicgenFixture): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const weights = (seed: number): Uint8Array => testBytes(f.weightBytes ?? 2048, seed);
  const encoderType = f.encoderOutputType ?? floatOf(f.sessions['text_encoder']);
  const decoderFloat = floatOf(f.sessions['decoder_model_merged']);
  const layers = f.graphLayers ?? f.layers;

  if (f.sessions['text_encoder']) {
    out.set(
      sessionFileName('text_encoder', f.sessions['text_encoder']),
      onnxModel({
        inputs: [
          { name: 'input_ids', elemType: INT64 },
          { name: 'attention_mask', elemType: INT64 },
        ],
        outputs: [{ name: 'last_hidden_state', elemType: encoderType }],
        initializers: [{ name: 'shared.weight', raw: weights(11) }],
      }),
    );
  }
  if (f.sessions['decoder_model_merged']) {
    const file = sessionFileName('decoder_model_merged', f.sessions['decoder_model_merged']);
    const inputs: TestValue[] = [
      { name: 'encoder_attention_mask', elemType: INT64 },
      { name: 'input_ids', elemType: INT64 },
      { name: 'encoder_hidden_states', elemType: decoderFloat },
    ];
    const outputs: TestValue[] = [{ name: 'logits', elemType: decoderFloat }];
    for (let i = 0; i < layers; i++) {
      for (const part of ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value']) {
        inputs.push({ name: `past_key_values.${i}.${part}`, elemType: decoderFloat });
        outputs.push({ name: `present.${i}.${part}`, elemType: decoderFloat });
      }
    }
    inputs.push({ name: 'use_cache_branch', elemType: BOOL });
    const external = f.externalDecoderData ? `${file.split('/').pop() ?? ''}_data` : undefined;
    out.set(
      file,
      onnxModel({
        inputs,
        outputs,
        initializers: external
          ? [{ name: 'lm_heads.weight', externalLocation: external }]
          : [{ name: 'lm_heads.weight', raw: weights(12) }],
      }),
    );
    if (external) out.set(`${file}_data`, Buffer.from(weights(13)));
  }
  if (f.sessions['encodec_decode']) {
    const float = floatOf(f.sessions['encodec_decode']);
    out.set(
      sessionFileName('encodec_decode', f.sessions['encodec_decode']),
      onnxModel({
        inputs: [{ name: 'audio_codes', elemType: INT64 }],
        outputs: [{ name: 'audio_values', elemType: float }],
        initializers: [{ name: 'decoder.layers.0.conv.weight', raw: weights(14) }],
      }),
    );
  }
  return out;
}

/** Every file of a MusicGen folder: configs, tokenizer, graphs. */
export function musicgenFiles(f: MusicgenFixture): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    ['config.json', Buffer.from(JSON.stringify(musicgenConfig(f), null, 2))],
    ['generation_config.json', Buffer.from(JSON.stringify({ decoder_start_token_id: 2048, guidance_scale: 3 }))],
    [
      'tokenizer.json',
      Buffer.from(JSON.stringify({ version: '1.0', model: { type: 'Unigram', vocab: [['<pad>', 0]] } })),
    ],
    ['tokenizer_config.json', Buffer.from(JSON.stringify({ tokenizer_class: 'T5Tokenizer' }))],
  ]);
  for (const [path, data] of musicgenGraphs(f)) files.set(path, data);
  return files;
}

export function writeFolder(dir: string, files: Map<string, Uint8Array>): void {
  for (const [path, data] of files) {
    const target = join(dir, ...path.split('/'));
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, data);
  }
}

/** The decoder shapes of the real models (musicgen.md §2). */
export const MEDIUM = { layers: 48, heads: 24, hidden: 1536 } as const;
export const SMALL = { layers: 24, heads: 16, hidden: 1024 } as const;
