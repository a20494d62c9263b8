#!/usr/bin/env node
/**
 * Writes random-weight stand-ins for the scoring models (scoring spec §2) in the layouts
 * transformers.js loads: CLAP (`onnx/audio_model.onnx`, `onnx/text_model.onnx`, a RoBERTa-style
 * tokenizer, ClapFeatureExtractor's config), an AST AudioSet classifier (`onnx/model.onnx`, 527
 * labels, ASTFeatureExtractor's config) and a VGGish embedder. The feature-extractor configs carry
 * the real models' values, so the JS front ends run exactly as they will on the real weights; only
 * the networks are small. The same seed gives the same bytes.
 *
 *   node scripts/tiny-musicgen/scoring-models.mjs models/tiny     # writes clap/, ast/, vggish/
 *   node scripts/tiny-musicgen/scoring-models.mjs .cache/bench-models --real-dims
 *       # clap/ and ast/ at the real models' sizes (scoring-graphs-real.mjs; ~1.3 GB, not committed)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatJson } from './generate.mjs';
import { encodeModel, Graph, WeightStore } from './onnx-builder.mjs';
import { robertaTokenizerFiles } from './roberta-tokenizer.mjs';
import { buildAstClassifier, buildClapAudio, buildClapText, buildVggish } from './scoring-graphs.mjs';
import { buildAstReal, buildClapAudioReal, buildClapTextReal, REAL_SHAPES } from './scoring-graphs-real.mjs';

export const SCORING_SHAPES = Object.freeze({
  clap: { melBins: 64, hidden: 16, projection: 8 },
  ast: { frames: 1024, melBins: 128, hidden: 16, labels: 527 },
  vggish: { frames: 96, melBins: 64, hidden: 16, embedding: 128 },
});

/** AudioSet indices the scoring code looks up by name; the other labels are placeholders. */
const KNOWN_LABELS = { 0: 'Speech', 137: 'Music' };

function writer(dir) {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const files = [];
  return {
    files,
    json(name, value) {
      writeFileSync(join(dir, name), `${formatJson(value)}\n`);
      files.push(name);
    },
    onnx(name, seed, build) {
      const graph = new Graph(name, { weights: new WeightStore({ seed, quantize: false }) });
      build(graph);
      writeFileSync(join(dir, `onnx/${name}.onnx`), encodeModel(graph));
      files.push(`onnx/${name}.onnx`);
    },
  };
}

/** CLAP with `larger_clap_*`'s preprocessor config (rand_trunc, repeatpad, 48 kHz, 10 s, 64 mel 50–14000 Hz). */
export function writeClapModel(dir, { seed = 1, realDims = false, agreement } = {}) {
  const real = REAL_SHAPES.clap;
  const shapes = realDims
    ? { melBins: real.melBins, hidden: real.widths[real.widths.length - 1], projection: real.projection }
    : SCORING_SHAPES.clap;
  const { tokenizer, config: tokenizerConfig, vocabSize, padId } = robertaTokenizerFiles();
  const w = writer(dir);
  w.json('config.json', {
    _name_or_path: realDims ? 'bittaudio/random-clap-real-dims' : 'bittaudio/random-clap-tiny',
    architectures: ['ClapModel'],
    model_type: 'clap',
    projection_dim: shapes.projection,
    text_config: {
      model_type: 'clap_text_model',
      vocab_size: realDims ? real.text.vocabSize : vocabSize,
      hidden_size: realDims ? real.text.width : shapes.hidden,
      pad_token_id: padId,
      max_position_embeddings: 514,
    },
    audio_config: { model_type: 'clap_audio_model', num_mel_bins: shapes.melBins, hidden_size: shapes.hidden },
  });
  w.json('preprocessor_config.json', {
    chunk_length_s: 10,
    feature_extractor_type: 'ClapFeatureExtractor',
    feature_size: 64,
    fft_window_size: 1024,
    frequency_max: 14000,
    frequency_min: 50,
    hop_length: 480,
    max_length_s: 10,
    n_fft: 1024,
    nb_frequency_bins: 513,
    nb_max_frames: 1000,
    nb_max_samples: 480000,
    padding: 'repeatpad',
    padding_side: 'right',
    padding_value: 0,
    processor_class: 'ClapProcessor',
    return_attention_mask: false,
    sampling_rate: 48000,
    top_db: null,
    truncation: 'rand_trunc',
  });
  w.json('tokenizer.json', tokenizer);
  w.json('tokenizer_config.json', tokenizerConfig);
  if (realDims) {
    // The tokenizer stays the small one: token ids only index the full-size table.
    w.onnx('audio_model', seed, (g) => buildClapAudioReal(g));
    w.onnx('text_model', seed + 1, (g) => buildClapTextReal(g));
  } else {
    w.onnx('audio_model', seed, (g) => buildClapAudio(g, { ...shapes, agreement }));
    w.onnx('text_model', seed + 1, (g) => buildClapText(g, { ...shapes, vocabSize, agreement }));
  }
  return { dir, files: w.files };
}

/** AST with `ast-finetuned-audioset-10-10-0.4593`'s preprocessor config (16 kHz, 1024 × 128, mean/std). */
export function writeAstModel(dir, { seed = 1, realDims = false } = {}) {
  const shapes = realDims ? { ...SCORING_SHAPES.ast, hidden: REAL_SHAPES.ast.width } : SCORING_SHAPES.ast;
  const id2label = {};
  for (let i = 0; i < shapes.labels; i++) id2label[String(i)] = KNOWN_LABELS[i] ?? `AudioSet class ${i}`;
  const w = writer(dir);
  w.json('config.json', {
    _name_or_path: realDims ? 'bittaudio/random-ast-real-dims' : 'bittaudio/random-ast-tiny',
    architectures: ['ASTForAudioClassification'],
    model_type: 'audio-spectrogram-transformer',
    hidden_size: shapes.hidden,
    max_length: shapes.frames,
    num_mel_bins: shapes.melBins,
    id2label,
    label2id: Object.fromEntries(Object.entries(id2label).map(([id, label]) => [label, Number(id)])),
  });
  w.json('preprocessor_config.json', {
    do_normalize: true,
    feature_extractor_type: 'ASTFeatureExtractor',
    feature_size: 1,
    max_length: shapes.frames,
    mean: -4.2677393,
    num_mel_bins: shapes.melBins,
    padding_side: 'right',
    padding_value: 0,
    return_attention_mask: false,
    sampling_rate: 16000,
    std: 4.5689974,
  });
  w.onnx('model', seed + 2, (g) => (realDims ? buildAstReal(g) : buildAstClassifier(g, shapes)));
  return { dir, files: w.files };
}

/**
 * VGGish: no transformers.js class exists; the config records the front end the JS code must feed it.
 * `names` gives the graph other input/output names (tests of a foreign export); the weights stay the same.
 */
export function writeVggishModel(dir, { seed = 1, names } = {}) {
  const shapes = SCORING_SHAPES.vggish;
  const w = writer(dir);
  w.json('config.json', {
    _name_or_path: 'bittaudio/random-vggish-tiny',
    model_type: 'vggish',
    sampling_rate: 16000,
    example_frames: shapes.frames,
    num_mel_bins: shapes.melBins,
    embedding_size: shapes.embedding,
    pre_relu: true,
  });
  w.onnx('model', seed + 3, (g) => buildVggish(g, shapes, names));
  return { dir, files: w.files };
}

/**
 * Writes `clap/`, `ast/` and `vggish/` under `root`; with `realDims`, `clap/` and `ast/` at the
 * real models' sizes and no VGGish (no real-size VGGish graph exists here yet).
 */
export function writeScoringModels(root, options = {}) {
  if (options.realDims) {
    return { clap: writeClapModel(join(root, 'clap'), options), ast: writeAstModel(join(root, 'ast'), options) };
  }
  return {
    clap: writeClapModel(join(root, 'clap'), options),
    ast: writeAstModel(join(root, 'ast'), options),
    vggish: writeVggishModel(join(root, 'vggish'), options),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2];
  const flags = process.argv.slice(3);
  if (!root || root.startsWith('--') || flags.some((f) => f !== '--real-dims')) {
    console.error('usage: scoring-models.mjs <folder> [--real-dims]');
    process.exit(1);
  }
  const realDims = flags.includes('--real-dims');
  const written = writeScoringModels(root, { realDims });
  const count = Object.values(written).reduce((n, m) => n + m.files.length, 0);
  console.log(
    `Wrote ${count} files to ${root}/{${Object.keys(written).join(',')}}${realDims ? ' (real dimensions)' : ''}.`,
  );
}
