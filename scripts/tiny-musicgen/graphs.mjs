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

/**
 * softmax(q·kᵀ/√Dh + bias)·v with q, k, v as [B, H, ·, Dh]. `sdpa` writes what torch.onnx exports
 * for scaled_dot_product_attention: q and kᵀ each multiplied by the scale's square root, the scale
 * computed from q's shape; `sdpa-folded` the same with the factor folded to a constant. `bmm`
 * writes BART-style eager attention (MusicGen's before SDPA): q, k, v reshaped to [B·H, ·, Dh]
 * (B·H from q's shape, the length inferred) for 3-D MatMuls.
 */
function attend(g, q, k, v, bias, headDim, style = 'eager') {
  if (style === 'bmm') {
    const batchHeads = g.op('Shape', [q], { start: 0, end: 2 });
    const rows = g.op('ReduceProd', [batchHeads], { keepdims: 1 });
    const flat = g.op('Concat', [rows, g.ints([-1, headDim])], { axis: 0 });
    const q3 = g.op('Reshape', [g.op('Mul', [q, g.floats([1 / Math.sqrt(headDim)], [])]), flat]);
    const scores3 = g.op('MatMul', [q3, g.op('Transpose', [g.op('Reshape', [k, flat])], { perm: [0, 2, 1] })]);
    const square = g.op('Shape', [scores3], { start: 1, end: 3 });
    const scores = g.op('Reshape', [scores3, g.op('Concat', [batchHeads, square], { axis: 0 })]);
    const probs = g.op('Softmax', [g.op('Add', [scores, bias])], { axis: -1 });
    const probs3 = g.op('Reshape', [probs, g.op('Concat', [rows, square], { axis: 0 })]);
    const out3 = g.op('MatMul', [probs3, g.op('Reshape', [v, flat])]);
    return g.op('Reshape', [out3, g.op('Concat', [batchHeads, g.ints([-1, headDim])], { axis: 0 })]);
  }
  let scores;
  if (style === 'sdpa') {
    // As torch.onnx computes it: the scale from q's last dimension at run time, not a constant.
    const width = g.op('Cast', [g.op('Shape', [q], { start: -1 })], { to: DT.FLOAT });
    const root = g.op('Sqrt', [g.op('Div', [g.floats([1], []), g.op('Sqrt', [width])])]);
    const kT = g.op('Transpose', [k], { perm: [0, 1, 3, 2] });
    scores = g.op('MatMul', [g.op('Mul', [q, root]), g.op('Mul', [kT, root])]);
  } else if (style === 'sdpa-folded') {
    const root = g.floats([Math.sqrt(1 / Math.sqrt(headDim))], []);
    const kT = g.op('Transpose', [k], { perm: [0, 1, 3, 2] });
    scores = g.op('MatMul', [g.op('Mul', [q, root]), g.op('Mul', [kT, root])]);
  } else {
    const scaled = g.op('Mul', [q, g.floats([1 / Math.sqrt(headDim)], [])]);
    scores = g.op('MatMul', [scaled, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]);
  }
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
  let h = g.gather(g.gatherWeight('shared.weight', [vocabSize, width], 1), ids);
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
 * decoder_model_merged (musicgen spec §2), laid out as optimum's `merge_decoders` writes it: the
 * main graph holds the inputs, the shared weights and one If(use_cache_branch) whose branches are
 * two whole decoders. The no-past branch (step 0) never reads a past input (they arrive as
 * [0, H, 0, Dh]): it projects the cross-attention K/V from encoder_hidden_states and returns the
 * new frames as the self-attention cache. The with-past branch reads the past K/V from the outer
 * scope, concatenates the new frame (the Concat's output is the branch's `present`, as the torch
 * exporter names it) and returns empty constants as its cross-attention cache: the caller keeps
 * step 0's (transformers.js does so for optimum's merged decoders).
 */
export function buildDecoder(g, dims) {
  const { vocab: V, heads: H, layers: L, encoderWidth: E } = dims;
  const io = ioType(dims);

  const encMask = g.input('encoder_attention_mask', DT.INT64, ['batch_size', 'encoder_sequence_length']);
  const ids = g.input('input_ids', DT.INT64, ['batch_size_x_num_codebooks', 'decoder_sequence_length']);
  const encStates = g.input('encoder_hidden_states', io, ['batch_size', 'encoder_sequence_length', E]);
  const past = [];
  for (let l = 0; l < L; l++) {
    const names = {};
    for (const part of ['decoder', 'encoder']) {
      for (const kv of ['key', 'value']) {
        const seq = part === 'decoder' ? 'past_decoder_sequence_length' : 'encoder_sequence_length_out';
        names[`${part}.${kv}`] = g.input(`past_key_values.${l}.${part}.${kv}`, io, [
          'total_batch_size',
          H,
          seq,
          Dh(dims),
        ]);
      }
    }
    past.push(names);
  }
  const useCache = g.input('use_cache_branch', DT.BOOL, [1]);

  // The weights live once in the main graph; both branches read them from the outer scope.
  const weights = decoderWeights(g, dims);
  const outputs = ['logits'];
  for (let l = 0; l < L; l++) {
    for (const part of ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value'])
      outputs.push(`present.${l}.${part}`);
  }
  const withPast = g.subgraph('with_past');
  const noPast = g.subgraph('no_past');
  decoderBranch(noPast, dims, weights, { ids, encMask, encStates, past: null, outputs });
  decoderBranch(withPast, dims, weights, { ids, encMask, encStates, past, outputs });
  // Branch outputs have no fixed shape: rank-less value infos.
  for (const branch of [withPast, noPast]) for (const o of branch.outputs) delete o.type.tensorType.shape;
  g.op('If', [useCache], { then_branch: withPast, else_branch: noPast }, outputs);

  g.output('logits', io, ['batch_size_x_num_codebooks', 'decoder_sequence_length', V]);
  for (let l = 0; l < L; l++) {
    for (const kv of ['key', 'value']) {
      g.output(`present.${l}.decoder.${kv}`, io, ['total_batch_size', H, 'past_decoder_sequence_length + 1', Dh(dims)]);
    }
    for (const kv of ['key', 'value']) {
      g.output(`present.${l}.encoder.${kv}`, io, ['total_batch_size', H, 'encoder_sequence_length_out', Dh(dims)]);
    }
  }
}

const Dh = (dims) => dims.width / dims.heads;

/** Every decoder weight, created once in the main graph. */
function decoderWeights(g, dims) {
  const { codebooks: K, vocab: V, width: D, ffn, layers: L, encoderWidth: E } = dims;
  const rows = V + 1; // the pad / start token (id V) has an embedding row too
  const lin = (name, i, o) => g.matmulWeight(`${name}.weight`, [i, o], Math.sqrt(3 / i));
  const norm = (name) => ({ scale: g.floats(new Array(D).fill(1)), bias: g.weight(`${name}.bias`, [D], 0.02) });
  const layers = [];
  for (let l = 0; l < L; l++) {
    const p = `decoder.layers.${l}`;
    layers.push({
      selfNorm: norm(`${p}.self_attn_layer_norm`),
      q: lin(`${p}.self_attn.q_proj`, D, D),
      k: lin(`${p}.self_attn.k_proj`, D, D),
      v: lin(`${p}.self_attn.v_proj`, D, D),
      o: lin(`${p}.self_attn.out_proj`, D, D),
      crossNorm: norm(`${p}.encoder_attn_layer_norm`),
      cq: lin(`${p}.encoder_attn.q_proj`, D, D),
      ck: lin(`${p}.encoder_attn.k_proj`, D, D),
      cv: lin(`${p}.encoder_attn.v_proj`, D, D),
      co: lin(`${p}.encoder_attn.out_proj`, D, D),
      ffnNorm: norm(`${p}.final_layer_norm`),
      fc1: lin(`${p}.fc1`, D, ffn),
      fc2: lin(`${p}.fc2`, ffn, D),
    });
  }
  return {
    layers,
    proj: { w: lin('enc_to_dec_proj', E, D), b: g.weight('enc_to_dec_proj.bias', [D], 0.02) },
    embed: g.gatherWeight('decoder.embed_tokens.weight', [K * rows, D], 1),
    finalNorm: norm('decoder.layer_norm'),
    // K lm-heads stacked: [B, 1, T, D]·[K, D, V] → [B, K, T, V].
    heads: g.matmulWeight('lm_heads.weight', [K, D, V], Math.sqrt(3 / D)),
  };
}

/**
 * One branch of the merged decoder: the whole decoder, with (`io.past`) or without a past. Its
 * outputs are `io.outputs` in order, under branch-local names (If outputs map by position).
 */
function decoderBranch(g, dims, w, io) {
  const { codebooks: K, vocab: V, width: D, heads: H, layers: L } = dims;
  const headDim = Dh(dims);
  const rows = V + 1;
  const boundary = ioType(dims);
  const branch = io.past ? 'with_past' : 'no_past';
  const out = (name) => `${branch}.${name}`;
  const emit = (name, value) => {
    toIo(g, value, boundary, out(name));
    g.output(out(name), boundary, []);
  };
  const lin = (x, weight) => g.matmul(x, weight);
  const norm = (x, n) => g.op('LayerNormalization', [x, n.scale, n.bias], { axis: -1, epsilon: 1e-5 });

  // Embeddings: one table per codebook, stacked; ids [B·K, T] → [B, K, T] + k·(V+1) → sum over k.
  const seqLen = g.op('Shape', [io.ids], { start: 1, end: 2 });
  const grouped = g.op('Reshape', [io.ids, g.op('Concat', [g.ints([-1, K]), seqLen], { axis: 0 })]);
  const offsets = g.ints(Array.from({ length: K }, (_, k) => k * rows));
  const shifted = g.op('Add', [grouped, g.op('Reshape', [offsets, g.ints([1, K, 1])])]);
  let h = g.op('ReduceSum', [g.gather(w.embed, shifted), g.ints([1])], { keepdims: 0 });

  // Positions past_len … past_len+T−1, past_len from the self-attention cache (0 without one).
  // The eager fixture reads the past length with Shape(start 2, end 3); the torch-like styles as
  // torch.onnx writes `past.shape[2]`: the whole Shape, then a Gather.
  const pastLen = !io.past
    ? g.ints([0])
    : (dims.attention ?? 'eager') === 'eager'
      ? g.op('Shape', [io.past[0]['decoder.key']], { start: 2, end: 3 })
      : g.op('Gather', [g.op('Shape', [io.past[0]['decoder.key']]), g.ints([2])], { axis: 0 });
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
  const crossBias = paddingBias(g, io.encMask);
  const projected = io.past ? null : g.op('Add', [lin(fromIo(g, io.encStates, boundary), w.proj.w), w.proj.b]);

  const presents = [];
  for (let l = 0; l < L; l++) {
    const lw = w.layers[l];
    let x = norm(h, lw.selfNorm);
    const q = splitHeads(g, lin(x, lw.q), H, headDim);
    const kNew = splitHeads(g, lin(x, lw.k), H, headDim);
    const vNew = splitHeads(g, lin(x, lw.v), H, headDim);
    let k = kNew;
    let v = vNew;
    if (io.past) {
      // The torch exporter names the Concat's output after the graph output; float32 boundaries keep that.
      const cat = (pastValue, fresh, name) =>
        boundary === DT.FLOAT
          ? g.opNamed('Concat', [pastValue, fresh], out(name), { axis: 2 })
          : g.op('Concat', [fromIo(g, pastValue, boundary), fresh], { axis: 2 });
      k = cat(io.past[l]['decoder.key'], kNew, `present.${l}.decoder.key`);
      v = cat(io.past[l]['decoder.value'], vNew, `present.${l}.decoder.value`);
    }
    const a = mergeHeads(g, attend(g, q, k, v, causal, headDim, dims.attention), H, headDim);
    h = g.op('Add', [h, lin(a, lw.o)]);

    x = norm(h, lw.crossNorm);
    const cq = splitHeads(g, lin(x, lw.cq), H, headDim);
    const ck = io.past
      ? fromIo(g, io.past[l]['encoder.key'], boundary)
      : splitHeads(g, lin(projected, lw.ck), H, headDim);
    const cv = io.past
      ? fromIo(g, io.past[l]['encoder.value'], boundary)
      : splitHeads(g, lin(projected, lw.cv), H, headDim);
    const ca = attend(g, cq, ck, cv, crossBias, headDim, dims.attention);
    h = g.op('Add', [h, lin(mergeHeads(g, ca, H, headDim), lw.co)]);

    x = norm(h, lw.ffnNorm);
    h = g.op('Add', [h, lin(g.op('Relu', [lin(x, lw.fc1)]), lw.fc2)]);
    presents.push({ k, v, ck, cv });
  }
  h = norm(h, w.finalNorm);
  const perCodebook = g.matmul(g.op('Unsqueeze', [h, g.ints([1])]), w.heads);
  const logitsShape = g.op('Concat', [g.ints([-1]), seqLen, g.ints([V])], { axis: 0 });
  emit('logits', g.op('Reshape', [perCodebook, logitsShape]));

  // The with-past branch's cross-attention cache: empty [0, H, 0, Dh] constants (optimum's merge
  // gives that branch constant outputs there; nobody reads them).
  const emptyCross = io.past
    ? g.op('ConstantOfShape', [g.ints([0, H, 0, headDim])], {
        value: { tensor: { dataType: boundary, dims: [1], rawData: Buffer.alloc(boundary === DT.FLOAT ? 4 : 2) } },
      })
    : null;
  presents.forEach(({ k, v, ck, cv }, l) => {
    for (const [name, value] of [
      [`present.${l}.decoder.key`, k],
      [`present.${l}.decoder.value`, v],
    ]) {
      if (io.past && boundary === DT.FLOAT) g.output(out(name), boundary, []);
      else emit(name, value);
    }
    if (emptyCross) {
      for (const kv of ['key', 'value']) {
        g.opNamed('Identity', [emptyCross], out(`present.${l}.encoder.${kv}`));
        g.output(out(`present.${l}.encoder.${kv}`), boundary, []);
      }
    } else {
      emit(`present.${l}.encoder.key`, ck);
      emit(`present.${l}.encoder.value`, cv);
    }
  });
  if (g.outputs.length !== io.outputs.length) throw new Error('the branch outputs do not match the If outputs');
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
  const table = g.gatherWeight('quantizer.codebooks', [K * rows, C], 1);
  const embedded = g.gather(table, g.op('Add', [squeezed, offsets]));
  const summed = g.op('ReduceSum', [embedded, g.ints([1])], { keepdims: 0 });
  const channelsFirst = g.op('Transpose', [summed], { perm: [0, 2, 1] });
  const kernel = g.weight('decoder.conv_transpose.weight', [C, 1, hop], Math.sqrt(3 / (C * K)));
  const wave = g.op('ConvTranspose', [channelsFirst, kernel], { kernel_shape: [hop], strides: [hop] });
  toIo(g, g.op('Tanh', [wave]), ioType(dims), 'audio_values');
  g.output('audio_values', ioType(dims), ['batch_size', 1, 'sequence_length']);
}
