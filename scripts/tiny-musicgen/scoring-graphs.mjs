/**
 * Stand-in graphs for the scoring models (scoring spec §2): the input and output names, dtypes and
 * shapes that transformers.js feeds and reads (CLAP towers, AST classifier) or that the VGGish
 * front end produces, with small random weights. Each tower pools its input (a mean over time or
 * over unmasked tokens), so different audio or text gives different outputs, and the same input
 * the same output, which is all a test of the plumbing needs.
 */
import { DT } from './onnx-builder.mjs';

/**
 * Length of the direction both tiny CLAP towers add to their projections (see `projectionHead`).
 * Random towers point anywhere: without it the tiny MusicGen's clips had cosines of −0.3 to −0.7
 * with every local prompt, so CLAP's 0.1 gate (scoring.md §1.4) never opened and the local network
 * scored every miner 0. The input-driven part of each embedding is a few tenths long; a shared
 * component of 0.4 lifts those cosines to about 0.4–0.9 (white noise: about −0.1–0.4) while the
 * rest of each embedding still follows its input (different prompts and clips, different
 * cosines). It measures nothing: it exists so the local network shows non-zero scores.
 */
export const CLAP_AGREEMENT_LENGTH = 0.4;

/**
 * What the tiny VGGish multiplies its embeddings by. Its random layers put different clips' embeddings
 * ~20 apart (the local network's good answers had a FAD of ~335 against their reference), far past
 * the 10 at which `fixed`'s FAD normaliser reaches 0, so every answer's quality sat at the geometric
 * mean's floor. At a tenth, FADs land at a few units, where the real model's do between different
 * music; like the CLAP agreement, this measures nothing.
 */
export const VGGISH_OUTPUT_SCALE = 0.1;

function linear(g, x, name, inWidth, outWidth) {
  const y = g.matmul(x, g.matmulWeight(`${name}.weight`, [inWidth, outWidth], Math.sqrt(3 / inWidth)));
  return g.op('Add', [y, g.weight(`${name}.bias`, [outWidth], 0.02)]);
}

/**
 * CLAP audio tower (`onnx/audio_model.onnx`): input_features float [batch_size, 1, num_frames, M]
 * (ClapFeatureExtractor's log-mel, 1001 × 64 for a 10 s window) → audio_embeds [batch_size, P]
 * (not normalised, as the real export) and last_hidden_state [batch_size, 1, H].
 */
export function buildClapAudio(g, dims) {
  const { melBins, hidden, projection } = dims;
  const features = g.input('input_features', DT.FLOAT, ['batch_size', 1, 'num_frames', melBins]);
  // Mean over frames → [B, M]; the dB values are scaled down so tanh does not saturate.
  const pooled = g.op('ReduceMean', [features], { axes: [1, 2], keepdims: 0 });
  const scaled = g.op('Mul', [pooled, g.floats([0.05], [])]);
  const h = g.op('Tanh', [linear(g, scaled, 'audio.encoder', melBins, hidden)]);
  g.opNamed('Unsqueeze', [h, g.ints([1])], 'last_hidden_state');
  g.output('last_hidden_state', DT.FLOAT, ['batch_size', 1, hidden]);
  projectionHead(g, h, 'audio', hidden, projection, dims.agreement);
}

/**
 * CLAP text tower (`onnx/text_model.onnx`): input_ids, attention_mask int64 [batch_size,
 * sequence_length] → text_embeds [batch_size, P] (not normalised) and last_hidden_state
 * [batch_size, sequence_length, H]. A masked mean of token embeddings stands in for RoBERTa's
 * pooler, so padding tokens do not move the embedding.
 */
export function buildClapText(g, dims) {
  const { vocabSize, hidden, projection } = dims;
  const ids = g.input('input_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', DT.INT64, ['batch_size', 'sequence_length']);
  const tokens = g.op('Gather', [g.weight('text.embeddings', [vocabSize, hidden], 1), ids], { axis: 0 });
  g.opNamed('Identity', [tokens], 'last_hidden_state');
  g.output('last_hidden_state', DT.FLOAT, ['batch_size', 'sequence_length', hidden]);
  const keep = g.op('Unsqueeze', [g.op('Cast', [mask], { to: DT.FLOAT }), g.ints([2])]);
  const sum = g.op('ReduceSum', [g.op('Mul', [tokens, keep]), g.ints([1])], { keepdims: 0 });
  const count = g.op('Max', [g.op('ReduceSum', [keep, g.ints([1])], { keepdims: 0 }), g.floats([1], [])]);
  const pooled = g.op('Tanh', [linear(g, g.op('Div', [sum, count]), 'text.pooler', hidden, hidden)]);
  projectionHead(g, pooled, 'text', hidden, projection, dims.agreement);
}

/**
 * CLAP's projection (linear → ReLU → linear) to the shared space, as the output `<tower>_embeds`,
 * plus the towers' common direction: the same constant in both, (1, 1, …)·L/√P for
 * L = `length` (default CLAP_AGREEMENT_LENGTH; 0 leaves the towers unrelated), so text and audio "agree" (see there).
 */
function projectionHead(g, x, tower, hidden, projection, length = CLAP_AGREEMENT_LENGTH) {
  const first = g.op('Relu', [linear(g, x, `${tower}_projection.linear1`, hidden, projection)]);
  const projected = linear(g, first, `${tower}_projection.linear2`, projection, projection);
  const agreement = new Array(projection).fill(length / Math.sqrt(projection));
  const agreed = g.op('Add', [projected, g.floats(agreement, [projection])]);
  g.opNamed('Identity', [agreed], `${tower}_embeds`);
  g.output(`${tower}_embeds`, DT.FLOAT, ['batch_size', projection]);
}

/**
 * AST classifier (`onnx/model.onnx`): input_values float [batch_size, 1024, 128] (ASTFeatureExtractor's
 * normalised fbank) → logits [batch_size, 527] (before any sigmoid or softmax).
 */
export function buildAstClassifier(g, dims) {
  const { frames, melBins, hidden, labels } = dims;
  const values = g.input('input_values', DT.FLOAT, ['batch_size', frames, melBins]);
  const pooled = g.op('ReduceMean', [values], { axes: [1], keepdims: 0 });
  const h = g.op('Tanh', [linear(g, pooled, 'ast.encoder', melBins, hidden)]);
  // Logits of a few units, so the softmax over 527 classes is not flat.
  const logits = g.op('Mul', [linear(g, h, 'classifier.dense', hidden, labels), g.floats([4], [])]);
  g.opNamed('Identity', [logits], 'logits');
  g.output('logits', DT.FLOAT, ['batch_size', labels]);
}

/**
 * VGGish (`onnx/model.onnx`): input_features float [num_examples, 1, 96, 64] (0.96 s log-mel
 * examples, scoring spec §1.3) → embeddings [num_examples, 128], the pre-ReLU layer, so values
 * can be negative as the reference's are. `names` renames the input and output, as another export
 * (e.g. ailia-models' `vggish.onnx`) names them.
 */
export function buildVggish(g, dims, names = { input: 'input_features', output: 'embeddings' }) {
  const { frames, melBins, hidden, embedding } = dims;
  const features = g.input(names.input, DT.FLOAT, ['num_examples', 1, frames, melBins]);
  const pooled = g.op('ReduceMean', [features], { axes: [1, 2], keepdims: 0 });
  const h = g.op('Relu', [linear(g, pooled, 'vggish.features', melBins, hidden)]);
  const out = g.op('Mul', [linear(g, h, 'vggish.embeddings', hidden, embedding), g.floats([VGGISH_OUTPUT_SCALE], [])]);
  g.opNamed('Identity', [out], names.output);
  g.output(names.output, DT.FLOAT, ['num_examples', embedding]);
}
