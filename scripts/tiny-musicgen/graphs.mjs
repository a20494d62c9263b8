/**
 * The three MusicGen graphs with the optimum export's signatures (musicgen spec §2 "Graph I/O",
 * §7 "The graphs"): random weights, real plumbing. Each builder takes a Graph whose weight store
 * decides fp32 / q8 and inline / external weights.
 */
import { DT } from './onnx-builder.mjs';

const NEG = -1e9;

/**
 * The float type at the graph boundary: float32 for fp32 and q8 files, float16 for fp16 files
 * (musicgen spec §2). Inside, the fp16 stand-in computes in float32 between boundary Casts.
 */
function ioType(dims) {
  return dims.io === 'float16' ? DT.FLOAT16 : DT.FLOAT;
}

/** Casts `x` to the boundary type, under the given output name when there is one. */
function toIo(g, x, io, name) {
  if (io === DT.FLOAT) return name ? g.opNamed('Identity', [x], name) : x;
  return name ? g.opNamed('Cast', [x], name, { to: io }) : g.op('Cast', [x], { to: io });
}

/** Casts a boundary value to float32 for computing. */
function fromIo(g, x, io) {
  return io === DT.FLOAT ? x : g.op('Cast', [x], { to: DT.FLOAT });
}

/** LayerNorm over the last axis with its own scale and bias. */
function layerNorm(g, x, name, width) {
  const scale = g.floats(new Array(width).fill(1));
  const bias = g.weight(`${name}.bias`, [width], 0.02);
  return g.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: 1e-5 });
}

function linear(g, x, name, inWidth, outWidth, withBias = true) {
  const y = g.matmul(x, g.matmulWeight(`${name}.weight`, [inWidth, outWidth], Math.sqrt(3 / inWidth)));
  return withBias ? g.op('Add', [y, g.weight(`${name}.bias`, [outWidth], 0.02)]) : y;
}

/** [B, T, H·Dh] → [B, H, T, Dh]. */
function splitHeads(g, x, heads, headDim) {
  return g.op('Transpose', [g.op('Reshape', [x, g.ints([0, 0, heads, headDim])])], { perm: [0, 2, 1, 3] });
}

/** [B, H, T, Dh] → [B, T, H·Dh]. */
function mergeHeads(g, x, heads, headDim) {
  return g.op('Reshape', [g.op('Transpose', [x], { perm: [0, 2, 1, 3] }), g.ints([0, 0, heads * headDim])]);
}

/** softmax(q·kᵀ/√Dh + bias)·v with q, k, v as [B, H, ·, Dh]. */
function attend(g, q, k, v, bias, headDim) {
  const scaled = g.op('Mul', [q, g.floats([1 / Math.sqrt(headDim)], [])]);
  const scores = g.op('MatMul', [scaled, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]);
  const probs = g.op('Softmax', [g.op('Add', [scores, bias])], { axis: -1 });
  return g.op('MatMul', [probs, v]);
}

/** An additive [B, 1, 1, S] bias from an int64 [B, S] padding mask: 0 where 1, −1e9 where 0. */
function paddingBias(g, mask) {
  const keep = g.op('Cast', [mask], { to: DT.FLOAT });
  const bias = g.op('Mul', [g.op('Sub', [g.floats([1], []), keep]), g.floats([NEG], [])]);
  return g.op('Unsqueeze', [bias, g.ints([1, 2])]);
}

/** Sinusoidal embeddings [T, D] for float positions [T] (cos first, then sin, as MusicGen). */
function sinusoids(g, positions, width) {
  const half = width / 2;
  const inv = Array.from({ length: half }, (_, i) => Math.exp(-(Math.log(10000) * i) / (half - 1 || 1)));
  const angles = g.op('Mul', [g.op('Unsqueeze', [positions, g.ints([1])]), g.floats(inv, [1, half])]);
  return g.op('Concat', [g.op('Cos', [angles]), g.op('Sin', [angles])], { axis: -1 });
}

/**
 * text_encoder: input_ids, attention_mask int64 [batch_size, encoder_sequence_length] →
 * last_hidden_state float [batch_size, encoder_sequence_length, E]. Pre-norm transformer blocks
 * with an additive padding mask (the T5 relative position bias is left out).
 */
export function buildTextEncoder(g, dims) {
  const { vocabSize, width, heads, ffn, layers } = dims;
  const headDim = width / heads;
  const ids = g.input('input_ids', DT.INT64, ['batch_size', 'encoder_sequence_length']);
  const mask = g.input('attention_mask', DT.INT64, ['batch_size', 'encoder_sequence_length']);
  let h = g.op('Gather', [g.weight('shared.weight', [vocabSize, width], 1), ids], { axis: 0 });
  const bias = paddingBias(g, mask);
  for (let l = 0; l < layers; l++) {
    const p = `encoder.block.${l}`;
    const x = layerNorm(g, h, `${p}.attn_norm`, width);
    const q = splitHeads(g, linear(g, x, `${p}.q`, width, width, false), heads, headDim);
    const k = splitHeads(g, linear(g, x, `${p}.k`, width, width, false), heads, headDim);
    const v = splitHeads(g, linear(g, x, `${p}.v`, width, width, false), heads, headDim);
    const a = mergeHeads(g, attend(g, q, k, v, bias, headDim), heads, headDim);
    h = g.op('Add', [h, linear(g, a, `${p}.o`, width, width, false)]);
    const y = layerNorm(g, h, `${p}.ffn_norm`, width);
    const f = linear(g, g.op('Relu', [linear(g, y, `${p}.wi`, width, ffn, false)]), `${p}.wo`, ffn, width, false);
    h = g.op('Add', [h, f]);
  }
  const out = layerNorm(g, h, 'encoder.final_layer_norm', width);
  toIo(g, out, ioType(dims), 'last_hidden_state');
  g.output('last_hidden_state', ioType(dims), ['batch_size', 'encoder_sequence_length', width]);
}

/**
 * decoder_model_merged (musicgen spec §2): the optimum merged decoder's inputs and outputs.
 *
 * One If(use_cache_branch) chooses the attention caches for every layer: the with-past branch
 * hands the past self-attention K/V and the past cross-attention K/V through; the no-past branch
 * never reads a past input (they arrive as [0, H, 0, Dh]), makes empty self-attention caches and
 * projects the cross-attention K/V from encoder_hidden_states. Every branch output goes through
 * an Identity node, because onnxruntime rejects a branch that returns an outer-scope value
 * (musicgen spec §4). The layers then run once, outside the If, on the chosen caches, which keeps
 * the file free of two copies of the decoder while the contract stays the real export's.
 */
export function buildDecoder(g, dims) {
  const { codebooks: K, vocab: V, width: D, heads: H, ffn, layers: L, encoderWidth: E } = dims;
  const Dh = D / H;
  const rows = V + 1; // the pad / start token (id V) has an embedding row too
  const io = ioType(dims);

  const encMask = g.input('encoder_attention_mask', DT.INT64, ['batch_size', 'encoder_sequence_length']);
  const ids = g.input('input_ids', DT.INT64, ['batch_size_x_num_codebooks', 'decoder_sequence_length']);
  const encStatesIo = g.input('encoder_hidden_states', io, ['batch_size', 'encoder_sequence_length', E]);
  const encStates = fromIo(g, encStatesIo, io);
  const past = [];
  for (let l = 0; l < L; l++) {
    const names = {};
    for (const part of ['decoder', 'encoder']) {
      for (const kv of ['key', 'value']) {
        const seq = part === 'decoder' ? 'past_decoder_sequence_length' : 'encoder_sequence_length_out';
        names[`${part}.${kv}`] = g.input(`past_key_values.${l}.${part}.${kv}`, io, ['total_batch_size', H, seq, Dh]);
      }
    }
    past.push(names);
  }
  const useCache = g.input('use_cache_branch', DT.BOOL, [1]);

  // Cross-attention K/V projections, used by the no-past branch only (cheap steps after the first).
  const crossWeights = [];
  for (let l = 0; l < L; l++) {
    const p = `decoder.layers.${l}.encoder_attn`;
    crossWeights.push({
      k: g.matmulWeight(`${p}.k_proj.weight`, [D, D], Math.sqrt(3 / D)),
      v: g.matmulWeight(`${p}.v_proj.weight`, [D, D], Math.sqrt(3 / D)),
    });
  }
  const projW = g.matmulWeight('enc_to_dec_proj.weight', [E, D], Math.sqrt(3 / E));
  const projB = g.weight('enc_to_dec_proj.bias', [D], 0.02);

  const withPast = g.subgraph('with_past');
  const noPast = g.subgraph('no_past');
  const branchOutputs = [];
  {
    // no past: [B, H, 0, Dh] self caches; cross K/V from the projected encoder states.
    const batch = noPast.op('Shape', [encStates], { start: 0, end: 1 });
    const emptyShape = noPast.op('Concat', [batch, noPast.ints([H, 0, Dh])], { axis: 0 });
    const empty = noPast.op('ConstantOfShape', [emptyShape], {
      value: { tensor: { dataType: DT.FLOAT, dims: [1], rawData: Buffer.alloc(4) } },
    });
    const projected = noPast.op('Add', [noPast.matmul(encStates, projW), projB]);
    for (let l = 0; l < L; l++) {
      const k = splitHeads(noPast, noPast.matmul(projected, crossWeights[l].k), H, Dh);
      const v = splitHeads(noPast, noPast.matmul(projected, crossWeights[l].v), H, Dh);
      const outs = { 'decoder.key': empty, 'decoder.value': empty, 'encoder.key': k, 'encoder.value': v };
      for (const [part, value] of Object.entries(outs)) {
        const name = `branch.no_past.${l}.${part}`;
        if (io === DT.FLOAT) noPast.opNamed('Identity', [value], name);
        else noPast.opNamed('Cast', [value], name, { to: io });
        noPast.output(name, io, []);
      }
    }
  }
  for (let l = 0; l < L; l++) {
    for (const part of ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value']) {
      const name = `branch.with_past.${l}.${part}`;
      withPast.opNamed('Identity', [past[l][part]], name);
      withPast.output(name, io, []);
      branchOutputs.push({ layer: l, part });
    }
  }
  // Branch outputs have no fixed shape: rank-less value infos.
  for (const branch of [withPast, noPast]) for (const o of branch.outputs) delete o.type.tensorType.shape;
  const caches = g.op('If', [useCache], { then_branch: withPast, else_branch: noPast }, branchOutputs.length);
  // The If outputs are at the boundary type; the layers compute in float32.
  const cache = Array.from({ length: L }, () => ({}));
  const cacheIo = Array.from({ length: L }, () => ({}));
  branchOutputs.forEach(({ layer, part }, i) => {
    cacheIo[layer][part] = caches[i];
    cache[layer][part] = fromIo(g, caches[i], io);
  });

  // Embeddings: one table per codebook, stacked; ids [B·K, T] → [B, K, T] + k·(V+1) → sum over k.
  const seqLen = g.op('Shape', [ids], { start: 1, end: 2 });
  const grouped = g.op('Reshape', [ids, g.op('Concat', [g.ints([-1, K]), seqLen], { axis: 0 })]);
  const offsets = g.ints(Array.from({ length: K }, (_, k) => k * rows));
  const shifted = g.op('Add', [grouped, g.op('Reshape', [offsets, g.ints([1, K, 1])])]);
  const table = g.weight('decoder.embed_tokens.weight', [K * rows, D], 1);
  let h = g.op('ReduceSum', [g.op('Gather', [table, shifted], { axis: 0 }), g.ints([1])], { keepdims: 0 });

  // Positions past_len … past_len+T−1, past_len from the chosen self-attention cache.
  const pastLen = g.op('Shape', [cache[0]['decoder.key']], { start: 2, end: 3 });
  const pastScalar = g.op('Squeeze', [pastLen, g.ints([0])]);
  const total = g.op('Add', [pastLen, seqLen]);
  const totalScalar = g.op('Squeeze', [total, g.ints([0])]);
  const one = g.op('Squeeze', [g.ints([1]), g.ints([0])]);
  const zero = g.op('Squeeze', [g.ints([0]), g.ints([0])]);
  const queryPos = g.op('Range', [pastScalar, totalScalar, one]);
  h = g.op('Add', [h, sinusoids(g, g.op('Cast', [queryPos], { to: DT.FLOAT }), D)]);

  // Causal bias [T, past+T]: key j is hidden from query i when j > past_len + i.
  const keyPos = g.op('Range', [zero, totalScalar, one]);
  const future = g.op('Greater', [
    g.op('Unsqueeze', [keyPos, g.ints([0])]),
    g.op('Unsqueeze', [queryPos, g.ints([1])]),
  ]);
  const causal = g.op('Where', [future, g.floats([NEG], []), g.floats([0], [])]);
  const crossBias = paddingBias(g, encMask);

  for (let l = 0; l < L; l++) {
    const p = `decoder.layers.${l}`;
    let x = layerNorm(g, h, `${p}.self_attn_layer_norm`, D);
    const q = splitHeads(g, linear(g, x, `${p}.self_attn.q_proj`, D, D, false), H, Dh);
    const kNew = splitHeads(g, linear(g, x, `${p}.self_attn.k_proj`, D, D, false), H, Dh);
    const vNew = splitHeads(g, linear(g, x, `${p}.self_attn.v_proj`, D, D, false), H, Dh);
    const k = g.op('Concat', [cache[l]['decoder.key'], kNew], { axis: 2 });
    const v = g.op('Concat', [cache[l]['decoder.value'], vNew], { axis: 2 });
    toIo(g, k, io, `present.${l}.decoder.key`);
    toIo(g, v, io, `present.${l}.decoder.value`);
    const a = mergeHeads(g, attend(g, q, k, v, causal, Dh), H, Dh);
    h = g.op('Add', [h, linear(g, a, `${p}.self_attn.out_proj`, D, D, false)]);

    x = layerNorm(g, h, `${p}.encoder_attn_layer_norm`, D);
    const cq = splitHeads(g, linear(g, x, `${p}.encoder_attn.q_proj`, D, D, false), H, Dh);
    const ca = attend(g, cq, cache[l]['encoder.key'], cache[l]['encoder.value'], crossBias, Dh);
    h = g.op('Add', [h, linear(g, mergeHeads(g, ca, H, Dh), `${p}.encoder_attn.out_proj`, D, D, false)]);

    x = layerNorm(g, h, `${p}.final_layer_norm`, D);
    const f = linear(g, g.op('Relu', [linear(g, x, `${p}.fc1`, D, ffn, false)]), `${p}.fc2`, ffn, D, false);
    h = g.op('Add', [h, f]);

    g.opNamed('Identity', [cacheIo[l]['encoder.key']], `present.${l}.encoder.key`);
    g.opNamed('Identity', [cacheIo[l]['encoder.value']], `present.${l}.encoder.value`);
  }
  h = layerNorm(g, h, 'decoder.layer_norm', D);

  // K lm-heads stacked: [B, 1, T, D]·[K, D, V] → [B, K, T, V] → [B·K, T, V] (row b·K + k).
  const heads = g.matmulWeight('lm_heads.weight', [K, D, V], Math.sqrt(3 / D));
  const perCodebook = g.matmul(g.op('Unsqueeze', [h, g.ints([1])]), heads);
  const logitsShape = g.op('Concat', [g.ints([-1]), seqLen, g.ints([V])], { axis: 0 });
  toIo(g, g.op('Reshape', [perCodebook, logitsShape]), io, 'logits');

  g.output('logits', io, ['batch_size_x_num_codebooks', 'decoder_sequence_length', V]);
  for (let l = 0; l < L; l++) {
    for (const kv of ['key', 'value']) {
      g.output(`present.${l}.decoder.${kv}`, io, ['total_batch_size', H, 'past_decoder_sequence_length + 1', Dh]);
    }
    for (const kv of ['key', 'value']) {
      g.output(`present.${l}.encoder.${kv}`, io, ['total_batch_size', H, 'encoder_sequence_length_out', Dh]);
    }
  }
}

/**
 * encodec_decode: audio_codes int64 [1, batch_size, K, frames] → audio_values float
 * [batch_size, 1, frames·hop]. A stand-in for EnCodec: per-codebook embeddings summed (as a
 * residual quantiser), one ConvTranspose with kernel = stride = hop, then Tanh.
 */
export function buildEncodec(g, dims) {
  const { codebooks: K, vocab: V, channels: C, hop } = dims;
  const rows = V + 1;
  const codes = g.input('audio_codes', DT.INT64, [1, 'batch_size', K, 'chunk_length']);
  const squeezed = g.op('Squeeze', [codes, g.ints([0])]);
  const offsets = g.op('Reshape', [g.ints(Array.from({ length: K }, (_, k) => k * rows)), g.ints([1, K, 1])]);
  const table = g.weight('quantizer.codebooks', [K * rows, C], 1);
  const embedded = g.op('Gather', [table, g.op('Add', [squeezed, offsets])], { axis: 0 });
  const summed = g.op('ReduceSum', [embedded, g.ints([1])], { keepdims: 0 });
  const channelsFirst = g.op('Transpose', [summed], { perm: [0, 2, 1] });
  const kernel = g.weight('decoder.conv_transpose.weight', [C, 1, hop], Math.sqrt(3 / (C * K)));
  const wave = g.op('ConvTranspose', [channelsFirst, kernel], { kernel_shape: [hop], strides: [hop] });
  toIo(g, g.op('Tanh', [wave]), ioType(dims), 'audio_values');
  g.output('audio_values', ioType(dims), ['batch_size', 1, 'sequence_length']);
}
