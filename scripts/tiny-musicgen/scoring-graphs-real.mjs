/**
 * Scoring models at their real sizes, random weights, for the scoring benchmark (bench/scoring.mjs):
 * the same inputs and outputs as scoring-graphs.mjs, with the networks' real widths, depths, token
 * counts and parameter counts, so onnxruntime does the real models' arithmetic.
 *
 * - AST (`MIT/ast-finetuned-audioset-10-10-0.4593`): 16×16 patches at stride 10 over the 1024 × 128
 *   fbank → 1212 patches + 2 class tokens, 12 pre-norm blocks of width 768 (12 heads, MLP 3072),
 *   527 logits from the mean of the two class tokens. ~87 M parameters.
 * - CLAP audio (HTSAT-base): 4096 patch tokens of width 128 from the 1001 × 64 log-mel (padded to
 *   1024 frames), Swin stages of depths 2, 2, 12, 2 and widths 128, 256, 512, 1024 with attention
 *   inside windows of 64 tokens and patch merging between stages, then the projection to 512.
 *   Simplified where the arithmetic is the same: windows are runs of 64 tokens (not 8 × 8 squares),
 *   no shifted windows, no relative position bias, no token-semantic head.
 * - CLAP text (RoBERTa-base): 50 265 × 768 token table, 12 blocks of width 768 over 77 tokens, the
 *   first token's pooler, the projection to 512.
 * GELU is x·σ(1.702x) (opset 17 has no Gelu op).
 */
import { DT } from './onnx-builder.mjs';

const NEG = -1e9;

function linear(g, x, name, inWidth, outWidth, withBias = true) {
  const y = g.matmul(x, g.matmulWeight(`${name}.weight`, [inWidth, outWidth], Math.sqrt(3 / inWidth)));
  return withBias ? g.op('Add', [y, g.weight(`${name}.bias`, [outWidth], 0.02)]) : y;
}

function layerNorm(g, x, name, width) {
  const scale = g.floats(new Array(width).fill(1));
  const bias = g.weight(`${name}.bias`, [width], 0.02);
  return g.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: 1e-5 });
}

function gelu(g, x) {
  return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.floats([1.702], [])])])]);
}

/**
 * One pre-norm transformer block over x [B, N, C]. With `window`, attention runs inside runs of
 * `window` tokens (x viewed as [B·N/window, window, C]); with `bias` ([B, 1, 1, N]), padded keys
 * are masked.
 */
function block(g, x, name, { width, heads, window, bias }) {
  const headDim = width / heads;
  let h = layerNorm(g, x, `${name}.ln1`, width);
  if (window) h = g.op('Reshape', [h, g.ints([-1, window, width])]);
  const split = (t) =>
    g.op('Transpose', [g.op('Reshape', [t, g.ints([0, 0, heads, headDim])])], { perm: [0, 2, 1, 3] });
  const q = split(linear(g, h, `${name}.q`, width, width));
  const k = split(linear(g, h, `${name}.k`, width, width));
  const v = split(linear(g, h, `${name}.v`, width, width));
  let scores = g.op('MatMul', [
    g.op('Mul', [q, g.floats([1 / Math.sqrt(headDim)], [])]),
    g.op('Transpose', [k], { perm: [0, 1, 3, 2] }),
  ]);
  if (bias) scores = g.op('Add', [scores, bias]);
  const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
  let merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.ints([0, 0, width])]);
  merged = linear(g, merged, `${name}.out`, width, width);
  if (window) merged = g.op('Reshape', [merged, g.op('Shape', [x])]);
  const x1 = g.op('Add', [x, merged]);
  const ffn = linear(
    g,
    gelu(g, linear(g, layerNorm(g, x1, `${name}.ln2`, width), `${name}.fc1`, width, 4 * width)),
    `${name}.fc2`,
    4 * width,
    width,
  );
  return g.op('Add', [x1, ffn]);
}

/** CLAP's projection head (linear → ReLU → linear) to `<tower>_embeds`. */
function projectionHead(g, x, tower, hidden, projection) {
  const first = g.op('Relu', [linear(g, x, `${tower}_projection.linear1`, hidden, projection)]);
  const projected = linear(g, first, `${tower}_projection.linear2`, projection, projection);
  g.opNamed('Identity', [projected], `${tower}_embeds`);
  g.output(`${tower}_embeds`, DT.FLOAT, ['batch_size', projection]);
}

export const REAL_SHAPES = Object.freeze({
  clap: {
    melBins: 64,
    frames: 1001,
    paddedFrames: 1024,
    patch: 16,
    widths: [128, 256, 512, 1024],
    depths: [2, 2, 12, 2],
    heads: [4, 8, 16, 32],
    window: 64,
    projection: 512,
    text: { vocabSize: 50265, width: 768, layers: 12, heads: 12, positions: 514 },
  },
  ast: { frames: 1024, melBins: 128, patch: 16, stride: 10, width: 768, layers: 12, heads: 12, labels: 527 },
});

/** HTSAT-base-sized audio tower: input_features [B, 1, 1001, 64] → audio_embeds [B, 512]. */
export function buildClapAudioReal(g, s = REAL_SHAPES.clap) {
  const features = g.input('input_features', DT.FLOAT, ['batch_size', 1, 'num_frames', s.melBins]);
  const padded = g.op('Pad', [features, g.ints([0, 0, 0, 0, 0, 0, s.paddedFrames - s.frames, 0]), g.floats([0], [])]);
  const tokens = (s.paddedFrames * s.melBins) / s.patch;
  let x = g.op('Reshape', [padded, g.ints([-1, tokens, s.patch])]);
  x = layerNorm(
    g,
    linear(g, g.op('Mul', [x, g.floats([0.01], [])]), 'patch_embed', s.patch, s.widths[0]),
    'patch_norm',
    s.widths[0],
  );
  s.widths.forEach((width, stage) => {
    if (stage > 0) {
      // Patch merging: four neighbours → one token of twice the width.
      const previous = s.widths[stage - 1];
      x = g.op('Reshape', [x, g.ints([0, -1, 4 * previous])]);
      x = linear(
        g,
        layerNorm(g, x, `merge${stage}.norm`, 4 * previous),
        `merge${stage}.reduction`,
        4 * previous,
        width,
        false,
      );
    }
    for (let i = 0; i < s.depths[stage]; i++) {
      x = block(g, x, `stage${stage}.block${i}`, { width, heads: s.heads[stage], window: s.window });
    }
  });
  const last = s.widths[s.widths.length - 1];
  const pooled = g.op('ReduceMean', [layerNorm(g, x, 'norm', last)], { axes: [1], keepdims: 0 });
  g.opNamed('Unsqueeze', [pooled, g.ints([1])], 'last_hidden_state');
  g.output('last_hidden_state', DT.FLOAT, ['batch_size', 1, last]);
  projectionHead(g, pooled, 'audio', last, s.projection);
}

/** RoBERTa-base-sized text tower: input_ids, attention_mask [B, S] → text_embeds [B, 512]. */
export function buildClapTextReal(g, s = REAL_SHAPES.clap) {
  const t = s.text;
  const ids = g.input('input_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', DT.INT64, ['batch_size', 'sequence_length']);
  const words = g.op('Gather', [g.weight('text.embeddings', [t.vocabSize, t.width], 1), ids], { axis: 0 });
  const length = g.op('Gather', [g.op('Shape', [ids]), g.ints([1])], { axis: 0 });
  const positions = g.op('Slice', [
    g.weight('text.positions', [t.positions, t.width], 1),
    g.ints([0]),
    length,
    g.ints([0]),
  ]);
  let x = layerNorm(g, g.op('Add', [words, positions]), 'text.ln', t.width);
  const keep = g.op('Cast', [mask], { to: DT.FLOAT });
  const bias = g.op('Unsqueeze', [
    g.op('Mul', [g.op('Sub', [g.floats([1], []), keep]), g.floats([NEG], [])]),
    g.ints([1, 2]),
  ]);
  for (let i = 0; i < t.layers; i++) x = block(g, x, `text.block${i}`, { width: t.width, heads: t.heads, bias });
  g.opNamed('Identity', [x], 'last_hidden_state');
  g.output('last_hidden_state', DT.FLOAT, ['batch_size', 'sequence_length', t.width]);
  const first = g.op('Squeeze', [g.op('Slice', [x, g.ints([0]), g.ints([1]), g.ints([1])]), g.ints([1])]);
  const pooled = g.op('Tanh', [linear(g, first, 'text.pooler', t.width, t.width)]);
  projectionHead(g, pooled, 'text', t.width, s.projection);
}

/** AST-sized classifier: input_values [B, 1024, 128] → logits [B, 527]. */
export function buildAstReal(g, s = REAL_SHAPES.ast) {
  const values = g.input('input_values', DT.FLOAT, ['batch_size', s.frames, s.melBins]);
  // [B, 1, 128, 1024]: mel bins as height, frames as width, as AST's patch embedding sees them.
  const image = g.op('Unsqueeze', [g.op('Transpose', [values], { perm: [0, 2, 1] }), g.ints([1])]);
  const conv = g.op(
    'Conv',
    [image, g.weight('patch.weight', [s.width, 1, s.patch, s.patch], 0.02), g.weight('patch.bias', [s.width], 0.02)],
    {
      strides: [s.stride, s.stride],
    },
  );
  const rows = Math.floor((s.melBins - s.patch) / s.stride) + 1;
  const cols = Math.floor((s.frames - s.patch) / s.stride) + 1;
  const patches = g.op('Transpose', [g.op('Reshape', [conv, g.ints([0, s.width, rows * cols])])], { perm: [0, 2, 1] });
  // The class and distillation tokens, one pair per batch row.
  const batch = g.op('Gather', [g.op('Shape', [values]), g.ints([0])], { axis: 0 });
  const special = g.op('Expand', [
    g.weight('cls_dist_tokens', [1, 2, s.width], 0.02),
    g.op('Concat', [batch, g.ints([2, s.width])], { axis: 0 }),
  ]);
  let x = g.op('Add', [
    g.op('Concat', [special, patches], { axis: 1 }),
    g.weight('position_embeddings', [1, rows * cols + 2, s.width], 0.02),
  ]);
  for (let i = 0; i < s.layers; i++) x = block(g, x, `ast.block${i}`, { width: s.width, heads: s.heads });
  x = layerNorm(g, x, 'ast.norm', s.width);
  const pooled = g.op('ReduceMean', [g.op('Slice', [x, g.ints([0]), g.ints([2]), g.ints([1])])], {
    axes: [1],
    keepdims: 0,
  });
  const logits = linear(g, layerNorm(g, pooled, 'classifier.norm', s.width), 'classifier.dense', s.width, s.labels);
  g.opNamed('Identity', [logits], 'logits');
  g.output('logits', DT.FLOAT, ['batch_size', s.labels]);
}
