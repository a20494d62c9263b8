#!/usr/bin/env node
/**
 * Writes a random-weight MusicGen model folder in the transformers.js layout (musicgen spec §2)
 * whose three ONNX graphs have the optimum export's input and output names, dtypes and symbolic
 * dimensions. The same seed gives the same bytes.
 *
 *   node scripts/tiny-musicgen/generate.mjs models/tiny/musicgen              # the committed tiny model
 *   node scripts/tiny-musicgen/generate.mjs /tmp/musicgen-small --size small  # musicgen-small shapes, ~2.1 GB
 *
 * Options: --size tiny|small (default tiny), --seed N (default 1), --dtypes fp32,q8,fp16 (default all three).
 *
 * fp32 files hold float32 weights; `_quantized` (q8) files hold int8 weights with
 * DequantizeLinear and float32 inputs and outputs, like the real q8 export; `_fp16` files have
 * float16 inputs and outputs (the real fp16 signature) around float32 weights and arithmetic.
 *
 * `small` has musicgen-small's decoder exactly (hidden 1024, 24 layers, 16 heads, ffn 4096,
 * 4 codebooks, vocab 2048) with weights in `<file>.onnx_data`, and a t5-base-sized text encoder
 * (d_model 768, 12 blocks, 12 heads, ffn 3072) over the tiny tokenizer's vocabulary. Its EnCodec
 * is the tiny stand-in at hop 640 (the real one is a 30 M-parameter conv stack that runs once per
 * clip), so it measures the decoder, the cost centre, not the audio codec.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDecoder, buildEncodec, buildTextEncoder } from './graphs.mjs';
import { encodeModel, Graph, WeightStore } from './onnx-builder.mjs';
import { tokenizerFiles } from './tokenizer.mjs';

/** Model shapes; `small` is musicgen-small (musicgen spec §2). */
export const SIZES = Object.freeze({
  tiny: {
    decoder: { codebooks: 4, vocab: 64, width: 32, heads: 2, ffn: 64, layers: 2 },
    textEncoder: { width: 24, heads: 2, ffn: 48, layers: 1 },
    encodec: { channels: 8, hop: 640, samplingRate: 32000 },
    external: false,
  },
  small: {
    decoder: { codebooks: 4, vocab: 2048, width: 1024, heads: 16, ffn: 4096, layers: 24 },
    textEncoder: { width: 768, heads: 12, ffn: 3072, layers: 12 },
    encodec: { channels: 128, hop: 640, samplingRate: 32000 },
    external: true,
  },
});

const SUFFIX = { fp32: '', q8: '_quantized', fp16: '_fp16' };

/**
 * @param {string} dir
 * @param {{ size?: 'tiny' | 'small', seed?: number, dtypes?: ('fp32' | 'q8')[], attention?: 'eager' | 'sdpa' | 'sdpa-folded' | 'bmm' }} [options]
 * @returns {{ dir: string, files: string[] }}
 */
export function writeMusicgenModel(dir, options = {}) {
  const size = SIZES[options.size ?? 'tiny'];
  if (!size) throw new Error(`unknown size ${String(options.size)}; use tiny or small`);
  const seed = options.seed ?? 1;
  const dtypes = options.dtypes ?? ['fp32', 'q8', 'fp16'];
  const { tokenizer, config: tokenizerConfig, vocabSize } = tokenizerFiles();
  const dec = size.decoder;
  const pad = dec.vocab;

  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const files = [];
  const writeJson = (name, value) => {
    writeFileSync(join(dir, name), `${formatJson(value)}\n`);
    files.push(name);
  };

  const sessions = ['text_encoder', 'decoder_model_merged', 'encodec_decode'];
  writeJson('config.json', {
    _name_or_path: `bittaudio/random-musicgen-${options.size ?? 'tiny'}`,
    architectures: ['MusicgenForConditionalGeneration'],
    model_type: 'musicgen',
    is_encoder_decoder: true,
    decoder_start_token_id: pad,
    pad_token_id: pad,
    text_encoder: {
      model_type: 't5',
      d_model: size.textEncoder.width,
      num_heads: size.textEncoder.heads,
      d_ff: size.textEncoder.ffn,
      num_layers: size.textEncoder.layers,
      vocab_size: vocabSize,
    },
    audio_encoder: {
      model_type: 'encodec',
      sampling_rate: size.encodec.samplingRate,
      audio_channels: 1,
      codebook_size: dec.vocab,
      upsampling_ratios: [size.encodec.hop],
    },
    decoder: {
      model_type: 'musicgen_decoder',
      vocab_size: dec.vocab,
      num_codebooks: dec.codebooks,
      num_hidden_layers: dec.layers,
      num_attention_heads: dec.heads,
      hidden_size: dec.width,
      ffn_dim: dec.ffn,
      max_position_embeddings: 2048,
      pad_token_id: pad,
      bos_token_id: pad,
      audio_channels: 1,
    },
    ...(size.external
      ? { 'transformers.js_config': { use_external_data_format: Object.fromEntries(sessions.map((s) => [s, 1])) } }
      : {}),
  });
  writeJson('generation_config.json', {
    bos_token_id: pad,
    pad_token_id: pad,
    decoder_start_token_id: pad,
    do_sample: true,
    guidance_scale: 3,
    top_k: 250,
    max_length: 1500,
  });
  writeJson('tokenizer.json', tokenizer);
  writeJson('tokenizer_config.json', tokenizerConfig);

  const builders = {
    text_encoder: (g, io) => buildTextEncoder(g, { vocabSize, ...size.textEncoder, io }),
    decoder_model_merged: (g, io) =>
      buildDecoder(g, { ...dec, encoderWidth: size.textEncoder.width, io, attention: options.attention ?? 'eager' }),
    encodec_decode: (g, io) => buildEncodec(g, { codebooks: dec.codebooks, vocab: dec.vocab, ...size.encodec, io }),
  };
  for (const dtype of dtypes) {
    const suffix = SUFFIX[dtype];
    if (suffix === undefined) throw new Error(`unsupported dtype ${dtype}; use fp32, q8 or fp16`);
    for (const session of sessions) {
      const name = `onnx/${session}${suffix}.onnx`;
      const path = join(dir, name);
      let fd = null;
      let external;
      if (size.external) {
        rmSync(`${path}_data`, { force: true });
        fd = openSync(`${path}_data`, 'w');
        const handle = fd;
        external = { location: `${session}${suffix}.onnx_data`, write: (bytes) => writeSync(handle, bytes) };
      }
      try {
        // The same seed for both dtypes: the q8 file holds the fp32 weights rounded to int8.
        const weights = new WeightStore({ seed, quantize: dtype === 'q8', ...(external ? { external } : {}) });
        const graph = new Graph(session, { weights });
        builders[session](graph, dtype === 'fp16' ? 'float16' : 'float32');
        writeFileSync(path, encodeModel(graph));
      } finally {
        if (fd !== null) closeSync(fd);
      }
      files.push(name);
      if (size.external) files.push(`${name}_data`);
    }
  }
  return { dir, files };
}

/**
 * JSON laid out as the repository's Prettier settings print it (printWidth 120), so that the
 * committed files pass `prettier --check`: objects one key per line, arrays of plain values on
 * one line when they fit.
 */
export function formatJson(value, indent = '', prefix = 0) {
  const inline = (v) => {
    if (Array.isArray(v)) {
      const parts = v.map(inline);
      return parts.every((p) => p !== null) ? `[${parts.join(', ')}]` : null;
    }
    if (v !== null && typeof v === 'object') return Object.keys(v).length === 0 ? '{}' : null;
    return JSON.stringify(v);
  };
  const flat = inline(value);
  // The line holds the indent, the key (prefix) and a following comma.
  if (flat !== null && indent.length + prefix + flat.length + 1 <= 120) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => `${inner}${formatJson(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${formatJson(v, inner, key.length)}`;
  });
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

function parseArgs(argv) {
  const options = {};
  let dir = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--size') options.size = value();
    else if (arg === '--seed') options.seed = Number.parseInt(value(), 10);
    else if (arg === '--dtypes') options.dtypes = value().split(',');
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else dir = arg;
  }
  if (!dir) throw new Error('usage: generate.mjs <folder> [--size tiny|small] [--seed N] [--dtypes fp32,q8,fp16]');
  return { dir, options };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { dir, options } = parseArgs(process.argv.slice(2));
    const started = Date.now();
    const { files } = writeMusicgenModel(dir, options);
    console.log(`Wrote ${files.length} files to ${dir} in ${Date.now() - started} ms.`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
