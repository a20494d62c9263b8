/**
 * The second rewrite level of the merged MusicGen decoder (issue #14): on top of the time-major
 * boundary of kv-graph.ts, each decoder layer's self-attention reads the past where it lies, in
 * the time-major buffer the loop feeds, instead of a [B, H, t, Dh] copy of it.
 *
 * Level 1 (kv-graph.ts) still moves the whole cache several times per step inside onnxruntime: a
 * Transpose of the time-major past back to [B, H, t, Dh], the Concat of past and new frame into
 * `present`, and the transpose of K for the scores. The merged decoder is laid out as optimum's
 * `merge_decoders` writes it (musicgen spec §2): one If(use_cache_branch) whose then-branch is the
 * whole decoder with a past, reading the past inputs from the outer scope. In that branch, for
 * each layer, the pattern
 *
 *   k = Concat(past_k, k_new, axis 2) → (Identity →) the branch's present.L.decoder.key
 *   scores = MatMul(q, Transpose(k, [0, 1, 3, 2]) (· s));  … Softmax … → probs
 *   v = Concat(past_v, v_new, axis 2) → (Identity →) the branch's present.L.decoder.value
 *   out = MatMul(probs, v)
 *
 * becomes, with K, V the time-major inputs [t, B, H, Dh]:
 *
 *   scores = Concat(FusedMatMul(q, K, transB, transBatchB) (· s), MatMul(q, k_newᵀ (· s)), axis −1)
 *   out = FusedMatMul(probs[…, :t], V, transBatchB) + MatMul(probs[…, t:], v_new)
 *   present.L.decoder.{key,value} = the new frames only (level 1 returns their last frame).
 *
 * onnxruntime's CPU FusedMatMul reads a time-major B through strides (checked on 1.30: outputs
 * identical to Transpose + MatMul, no allocation of cache size). It divides by zero on an empty
 * past (SIGFPE, the whole process dies), so the If's condition becomes "use_cache_branch and
 * every past has frames" (one check per step in the main graph, not one per layer): with an empty
 * past the no-past branch runs, which reads no past. That branch is left as it is. The
 * past inputs the rest of the graph reads (the position offset comes from their shape) are handed
 * a zero-width slice [B, H, t, 0] of the same buffer: the right frame count, no bytes. The
 * rewrite checks that nothing reads those values except Identity / Cast (passing them on) and
 * Shape nodes that stop before the last axis (or whole Shapes read only by Gathers of constant
 * indices before it: torch.onnx's `past.shape[2]`), and throws otherwise, so a graph it does not
 * understand is refused rather than changed in meaning.
 *
 * The optional `· s` is what torch.onnx writes for scaled_dot_product_attention (q and kᵀ each
 * multiplied by the scale's root, computed from q's shape at run time; a constant where it was
 * folded): a constant becomes FusedMatMul's alpha, a computed factor multiplies the past's scores.
 * The eager attention scales q only.
 *
 * BART-style eager attention (MusicGen's before SDPA) first reshapes k and v to [B·H, t, Dh] for
 * 3-D MatMuls; there the reshapes read k_new / v_new instead, and the past's share runs on 4-D
 * views of the 3-D query and probabilities (their shapes from the time-major past's).
 *
 * Float32 caches only (fp32 and q8 exports). Checked on the committed fixture, which mirrors the
 * export's layout (scripts/tiny-musicgen/graphs.mjs), in all three attention styles; the real
 * export's attention has not been seen here (the files cannot be downloaded): a pattern this
 * matcher does not know is refused, and the loader keeps level 1.
 */
import {
  concat,
  fieldsOf,
  int64Constant,
  lengthField,
  readVarint,
  nameOf,
  rewrittenDecoder,
  stringField,
  tensorType,
  TIME_MAJOR_SUFFIX,
  timeMajorDecoder,
  toTimeMajorCache,
  varintField,
  type Field,
} from './kv-graph.js';
import { messageOf } from './errors.js';
import {
  intAttribute,
  intsAttribute,
  parseGraph,
  parseNode,
  text,
  varintValues,
  type OnnxGraph,
  type OnnxNode,
} from './onnx-nodes.js';

/**
 * Beside the original when the weights are external, as kv-graph.ts's level-1 copy. The number is
 * the rewrite's version: a copy made by an earlier one is replaced, not reused.
 */
export const FUSED_ATTENTION_FILE_SUFFIX = '.kv-fused-attention-2.onnx';
/** What earlier versions wrote (version 1: the per-layer guards, the fixture's old layout). */
const EARLIER_FUSED_SUFFIXES = ['.kv-fused-attention.onnx'];
const PREFIX = 'bittaudio_fused';
const MS_DOMAIN = 'com.microsoft';
const FLOAT = 1n;
const INT64_MAX = 0x7fffffffffffffffn;

/** The node's bytes with its inputs and outputs replaced (the other fields as they are). */
function renamed(node: OnnxNode, inputs: string[], outputs: string[]): Uint8Array {
  let i = 0;
  let o = 0;
  return concat(
    fieldsOf(node.bytes).map((f) => {
      if (f.no === 1 && f.wire === 2) return stringField(1, inputs[i++] as string);
      if (f.no === 2 && f.wire === 2) return stringField(2, outputs[o++] as string);
      return f.bytes;
    }),
  );
}

type Attribute = Uint8Array;
// AttributeProto { name = 1; i = 3; g = 6; type = 20 (INT = 2, GRAPH = 5) }
const intAttr = (name: string, value: number): Attribute =>
  concat([stringField(1, name), varintField(3, value), varintField(20, 2)]);
const graphAttr = (name: string, graph: Uint8Array): Attribute =>
  concat([stringField(1, name), lengthField(6, graph), varintField(20, 5)]);
// AttributeProto { f = 2 (fixed32); type = 20 (FLOAT = 1) }
const floatAttr = (name: string, value: number): Attribute => {
  const f = Buffer.alloc(5);
  f[0] = (2 << 3) | 5;
  f.writeFloatLE(value, 1);
  return concat([stringField(1, name), f, varintField(20, 1)]);
};

/**
 * A constant's TensorProto fields: an initializer of one of `graphs` (TensorProto name = 8) or a
 * Constant node's `value`, searched in order; undefined when `name` is neither.
 */
function constantTensor(name: string, graphs: OnnxGraph[]): Field[] | undefined {
  for (const graph of graphs) {
    for (const f of graph.fields) {
      if (f.no !== 5 || f.wire !== 2) continue;
      const fields = fieldsOf(f.payload);
      const own = fields.find((g) => g.no === 8 && g.wire === 2);
      if (own && text(own.payload) === name) return fields;
    }
    const constant = graph.nodes.find((n) => n.op === 'Constant' && n.domain === '' && n.outputs[0] === name);
    const value = constant?.attributes.get('value')?.find((a) => a.no === 5 && a.wire === 2);
    if (value) return fieldsOf(value.payload);
  }
  return undefined;
}

/** TensorProto data_type = 2 (FLOAT = 1, INT64 = 7) and raw_data = 9. */
const dataType = (t: Field[]): bigint | undefined => {
  const type = t.find((f) => f.no === 2 && f.wire === 0);
  return type ? readVarint(type.bytes, 1)[0] : undefined;
};
const rawData = (t: Field[]): Buffer | undefined => {
  const raw = t.find((f) => f.no === 9 && f.wire === 2)?.payload;
  return raw ? Buffer.from(raw) : undefined;
};

/** The value of a float32 scalar constant (dims = 1, float_data = 4), or undefined. */
function scalarConstant(name: string, graphs: OnnxGraph[]): number | undefined {
  const t = constantTensor(name, graphs);
  if (!t || dataType(t) !== FLOAT) return undefined;
  if (t.filter((f) => f.no === 1).reduce((n, f) => n * Number(readVarint(f.bytes, 1)[0]), 1) !== 1) return undefined;
  const raw = rawData(t);
  if (raw?.length === 4) return raw.readFloatLE(0);
  const packed = t.find((f) => f.no === 4);
  if (packed?.wire === 2 && packed.payload.length === 4) return Buffer.from(packed.payload).readFloatLE(0);
  if (packed?.wire === 5) return Buffer.from(packed.bytes.subarray(1)).readFloatLE(0);
  return undefined;
}

/** The values of an int64 constant (int64_data = 7), or undefined. */
function intConstant(name: string, graphs: OnnxGraph[]): bigint[] | undefined {
  const t = constantTensor(name, graphs);
  if (!t || dataType(t) !== 7n) return undefined;
  const raw = rawData(t);
  if (raw) {
    if (raw.length % 8 !== 0) return undefined;
    return Array.from({ length: raw.length / 8 }, (_, i) => raw.readBigInt64LE(i * 8));
  }
  const values = varintValues(t.filter((f) => f.no === 7));
  return values.length > 0 ? values : undefined;
}

const graphReads = (graph: OnnxGraph, value: string): boolean =>
  graph.nodes.some((n) => n.inputs.includes(value) || n.subgraphs.some((s) => graphReads(s, value)));

/** A NodeProto (not wrapped in its graph field). */
function nodeProto(
  op: string,
  inputs: string[],
  outputs: string[],
  attributes: Attribute[] = [],
  domain = '',
): Uint8Array {
  return concat([
    ...inputs.map((i) => stringField(1, i)),
    ...outputs.map((o) => stringField(2, o)),
    stringField(3, `${PREFIX}.${outputs[0] ?? op}`),
    stringField(4, op),
    ...attributes.map((a) => lengthField(5, a)),
    ...(domain ? [stringField(7, domain)] : []),
  ]);
}

/** The node's bytes with the graph of attribute `name` replaced (If branches, Loop bodies). */
function withGraphAttribute(node: OnnxNode, name: string, graph: Uint8Array): Uint8Array {
  return concat(
    fieldsOf(node.bytes).map((f) => {
      if (f.no !== 5 || f.wire !== 2) return f.bytes;
      const nameField = fieldsOf(f.payload).find((a) => a.no === 1 && a.wire === 2);
      return nameField && text(nameField.payload) === name ? lengthField(5, graphAttr(name, graph)) : f.bytes;
    }),
  );
}

/** A graph's bytes with nodes replaced or removed, `prepend` nodes first and `append` fields last. */
function rebuiltGraph(
  graph: OnnxGraph,
  edit: { replace: Map<OnnxNode, Uint8Array[]>; remove?: Set<OnnxNode>; prepend?: Uint8Array[]; append?: Uint8Array[] },
): Uint8Array {
  const body: Uint8Array[] = [];
  let n = 0;
  for (const f of graph.fields) {
    if (f.no !== 1 || f.wire !== 2) {
      body.push(f.bytes);
      continue;
    }
    const node = graph.nodes[n++] as OnnxNode;
    if (edit.remove?.has(node)) continue;
    const with_ = edit.replace.get(node);
    body.push(...(with_ ? with_.map((b) => lengthField(1, b)) : [f.bytes]));
  }
  return concat([...(edit.prepend ?? []).map((b) => lengthField(1, b)), ...body, ...(edit.append ?? [])]);
}

interface LayerMatch {
  layer: number;
  /**
   * `scale`: the factor of a Mul between the transposed keys and the scores (torch.onnx's
   * scaled_dot_product_attention): its value when it is a float constant, else the factor's name.
   */
  key: { concat: OnnxNode; transpose: OnnxNode; scores: OnnxNode; scale?: number | string; reshape?: OnnxNode };
  /** `reshape`: BART-style attention reshapes K and V to [B·H, t, Dh] for 3-D MatMuls. */
  value: { concat: OnnxNode; output: OnnxNode; reshape?: OnnxNode };
}

/**
 * Rewrites a decoder that `toTimeMajorCache` has rewritten (see the module comment). Throws,
 * naming what it did not find, when the graph is not the pattern it knows.
 */
export function toFusedAttention(timeMajorModel: Uint8Array, layers: number): Uint8Array {
  const top = fieldsOf(timeMajorModel);
  const graphField = top.find((f) => f.no === 7 && f.wire === 2);
  if (!graphField) throw new Error('the file has no graph');
  const main = parseGraph(graphField.payload);

  const inputs = new Set(main.fields.filter((f) => f.no === 11 && f.wire === 2).map((f) => nameOf(f.payload)));
  for (let l = 0; l < layers; l++) {
    for (const p of ['key', 'value']) {
      const name = `past_key_values.${l}.decoder.${p}${TIME_MAJOR_SUFFIX}`;
      if (!inputs.has(name)) throw new Error(`the graph has no ${name} (rewrite it with toTimeMajorCache first)`);
    }
  }
  for (const f of main.fields) {
    if (f.no !== 11 || f.wire !== 2 || !nameOf(f.payload).endsWith(TIME_MAJOR_SUFFIX)) continue;
    const { elemType } = tensorType(f.payload);
    if (elemType !== FLOAT) {
      throw new Error(
        `${nameOf(f.payload)} is not float32 (element type ${elemType}); the fused attention reads float32 caches only`,
      );
    }
  }

  // The merged decoder's If and its with-past branch, whose outputs map to the If's by position.
  const merged = main.nodes.find(
    (n) => n.op === 'If' && n.domain === '' && n.outputs.includes('present.0.decoder.key'),
  );
  const withPast = merged?.branches.get('then_branch');
  if (!merged || !withPast) {
    throw new Error("present.0.decoder.key does not come from an If's with-past branch (optimum's merged layout)");
  }
  const producer = new Map<string, OnnxNode>();
  for (const n of withPast.nodes) for (const o of n.outputs) producer.set(o, n);
  // Readers in the branch, counting a node whose subgraphs read a value as its reader.
  const readers = new Map<string, OnnxNode[]>();
  const read = (value: string, reader: OnnxNode): void => {
    const list = readers.get(value);
    if (list) list.push(reader);
    else readers.set(value, [reader]);
  };
  const addReads = (reader: OnnxNode, graph: { nodes: OnnxNode[] }): void => {
    for (const n of graph.nodes) {
      for (const i of n.inputs) read(i, reader);
      for (const g of n.subgraphs) addReads(reader, g);
    }
  };
  for (const n of withPast.nodes) {
    for (const i of n.inputs) read(i, n);
    for (const g of n.subgraphs) addReads(n, g);
  }
  const readBy = (value: string): OnnxNode[] => [...new Set(readers.get(value) ?? [])];

  const matches: LayerMatch[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const part = (kind: 'key' | 'value'): { concat: OnnxNode; other: OnnxNode } => {
      const name = `present.${layer}.decoder.${kind}`;
      const index = merged.outputs.indexOf(name);
      const branchOutput = index < 0 ? undefined : withPast.outputNames[index];
      if (branchOutput === undefined) throw new Error(`the with-past branch returns no ${name}`);
      // The Concat's output is the branch output itself (the torch exporter's naming), or an Identity's input.
      let made = producer.get(branchOutput);
      const identity = made?.op === 'Identity' && made.domain === '' ? made : undefined;
      if (identity) made = producer.get(identity.inputs[0] ?? '');
      const axis = made && intAttribute(made, 'axis');
      if (!made || made.op !== 'Concat' || made.inputs.length !== 2 || (axis !== 2n && axis !== -2n)) {
        throw new Error(`${name} is not a Concat of the past and the new frames on axis 2`);
      }
      const others = readBy(made.outputs[0] ?? '').filter((n) => n !== identity);
      if (others.length !== 1) {
        throw new Error(`the concatenated ${name} is read by ${others.length} nodes besides the output, not 1`);
      }
      return { concat: made, other: others[0] as OnnxNode };
    };
    // [B, H, t, Dh] read as it is, or first reshaped to [B·H, t, Dh] (BART-style attention).
    const reshapedBy = (made: OnnxNode, other: OnnxNode): { reshape?: OnnxNode; next: OnnxNode } => {
      if (other.op !== 'Reshape' || other.domain !== '' || other.inputs[0] !== made.outputs[0]) return { next: other };
      const r = readBy(other.outputs[0] ?? '');
      if (r.length !== 1 || !r[0])
        throw new Error(`layer ${layer}: a reshaped cache is read by ${r.length} nodes, not 1`);
      return { reshape: other, next: r[0] };
    };
    const k = part('key');
    const { reshape: reshapeK, next: transpose } = reshapedBy(k.concat, k.other);
    const perm = intsAttribute(transpose, 'perm')?.join(',');
    if (transpose.op !== 'Transpose' || perm !== (reshapeK ? '0,2,1' : '0,1,3,2')) {
      throw new Error(`layer ${layer}: the keys are not transposed for the scores (${transpose.op} ${perm ?? ''})`);
    }
    // kᵀ → MatMul, or kᵀ → Mul(·, factor) → MatMul.
    let keys = transpose.outputs[0] ?? '';
    let scale: number | string | undefined;
    const first = readBy(keys);
    const mul = first[0];
    if (first.length === 1 && mul?.op === 'Mul' && mul.domain === '' && mul.inputs.length === 2) {
      const factor = (mul.inputs[0] === keys ? mul.inputs[1] : mul.inputs[0]) ?? '';
      scale = scalarConstant(factor, [withPast, main]) ?? factor;
      keys = mul.outputs[0] ?? '';
    }
    const scoreReaders = readBy(keys);
    const scores = scoreReaders[0];
    if (scoreReaders.length !== 1 || !scores || scores.op !== 'MatMul' || scores.inputs[1] !== keys) {
      throw new Error(`layer ${layer}: the transposed keys do not feed one MatMul as its right side`);
    }
    const v = part('value');
    const { reshape: reshapeV, next: output } = reshapedBy(v.concat, v.other);
    if (output.op !== 'MatMul' || output.inputs[1] !== (reshapeV ?? v.concat).outputs[0]) {
      throw new Error(`layer ${layer}: the values do not feed a MatMul as its right side`);
    }
    if (!reshapeK !== !reshapeV) throw new Error(`layer ${layer}: the keys and the values are not laid out alike`);
    matches.push({
      layer,
      key: {
        concat: k.concat,
        transpose,
        scores,
        ...(scale === undefined ? {} : { scale }),
        ...(reshapeK ? { reshape: reshapeK } : {}),
      },
      value: { concat: v.concat, output, ...(reshapeV ? { reshape: reshapeV } : {}) },
    });
  }

  // What the past inputs become: values of the right frame count and no bytes. Follow them
  // through the graph (and into If branches and out of their outputs) until nothing new is found;
  // anything that reads their contents, other than the Concats replaced here, refuses the graph.
  const replaced = new Set(matches.flatMap((m) => [m.key.concat, m.value.concat]));
  const empty = new Set<string>();
  for (let l = 0; l < layers; l++) for (const p of ['key', 'value']) empty.add(`past_key_values.${l}.decoder.${p}`);
  const visit = (graph: OnnxGraph, parent: OnnxNode | null): boolean => {
    let grew = false;
    const add = (name: string): void => {
      if (!empty.has(name)) {
        empty.add(name);
        grew = true;
      }
    };
    for (const n of graph.nodes) {
      for (const g of n.subgraphs) grew = visit(g, n) || grew;
      if (!n.inputs.some((i) => empty.has(i)) || replaced.has(n)) continue;
      if ((n.op === 'Identity' || n.op === 'Cast') && n.domain === '') n.outputs.forEach(add);
      else if (n.op === 'Shape' && n.domain === '') {
        // [B, H, t, 0]: every axis but the last keeps its size.
        const end = intAttribute(n, 'end');
        const start = intAttribute(n, 'start') ?? 0n;
        const norm = (x: bigint): bigint => (x < 0n ? x + 4n : x);
        const readsLastAxis = (): Error =>
          new Error(`a past cache input reaches a Shape node that reads its last axis (${n.outputs[0]})`);
        if (norm(start) > 3n) throw readsLastAxis();
        if (end === undefined || norm(end) > 3n) {
          // The whole shape (torch.onnx writes `past.shape[2]` as Shape → Gather): every reader must
          // be a Gather of constant indices that pick axes before the last.
          const from = norm(start);
          const shape = n.outputs[0] ?? '';
          const picks = graph.nodes.filter((r) => r.inputs.includes(shape));
          const nested = graph.nodes.some((r) => r.subgraphs.some((s) => graphReads(s, shape)));
          const before = (r: OnnxNode): boolean => {
            if (r.op !== 'Gather' || r.domain !== '' || r.inputs[0] !== shape || (intAttribute(r, 'axis') ?? 0n) !== 0n)
              return false;
            const indices = intConstant(r.inputs[1] ?? '', [graph, withPast, main]);
            return indices?.every((i) => from + (i < 0n ? 4n - from + i : i) <= 2n) ?? false;
          };
          if (nested || !picks.every(before)) throw readsLastAxis();
        }
      } else {
        throw new Error(`a past cache input is read by a ${n.op} node (${n.outputs[0]}), which needs its contents`);
      }
    }
    graph.outputNames.forEach((o, i) => {
      if (!parent || !empty.has(o)) return;
      // An If's outputs are its branches' outputs, in order; other subgraphs (Loop, Scan) map differently.
      if (parent.op !== 'If' || parent.domain !== '') throw new Error(`a past cache input leaves a ${parent.op} body`);
      const outer = parent.outputs[i];
      if (outer) add(outer);
    });
    return grew;
  };
  while (visit(main, null));
  for (const m of matches) {
    for (const c of [m.key.concat, m.value.concat]) {
      if (!empty.has(c.inputs[0] ?? '')) {
        throw new Error(`layer ${m.layer}: ${c.outputs[0]} does not concatenate the past cache input`);
      }
    }
  }

  // The new nodes: the pasts' zero-width slices and frame counts in the main graph, the attention in the branch.
  const c = (what: string): string => `${PREFIX}.${what}`;
  const zero = c('zero');
  const end = c('end');
  const lastAxis = c('axis3');
  const minusOne = c('axis_last');
  const constants = [
    int64Constant(zero, 0n),
    int64Constant(end, INT64_MAX),
    int64Constant(lastAxis, 3n),
    int64Constant(minusOne, -1n),
  ];
  const before: Uint8Array[] = [];
  const mainEdits = new Map<OnnxNode, Uint8Array[]>();
  for (let l = 0; l < layers; l++) {
    for (const p of ['key', 'value']) {
      const tm = `past_key_values.${l}.decoder.${p}${TIME_MAJOR_SUFFIX}`;
      before.push(nodeProto('Slice', [tm, zero, zero, lastAxis], [c(`${l}.${p}.no_bytes`)]));
    }
    for (const p of ['key', 'value']) {
      const tm = `past_key_values.${l}.decoder.${p}${TIME_MAJOR_SUFFIX}`;
      before.push(nodeProto('Shape', [tm], [c(`${l}.${p}.frames`)], [intAttr('start', 0), intAttr('end', 1)]));
    }
  }
  // FusedMatMul on an empty past kills the process, so the with-past branch runs only when every
  // past has frames; otherwise the first-step branch runs, which reads no past.
  const allFrames = Array.from({ length: layers }, (_, l) => [c(`${l}.key.frames`), c(`${l}.value.frames`)]).flat();
  const cond = c('use_past');
  before.push(
    nodeProto('Concat', allFrames, [c('frames')], [intAttr('axis', 0)]),
    nodeProto('ReduceMin', [c('frames')], [c('fewest_frames')], [intAttr('keepdims', 0)]),
    nodeProto('Greater', [c('fewest_frames'), zero], [c('has_past')]),
    nodeProto('And', [merged.inputs[0] ?? '', c('has_past')], [cond]),
  );
  // Level 1's Transposes of the pasts now transpose the zero-width slices.
  for (const n of main.nodes) {
    const m = /^past_key_values\.(\d+)\.decoder\.(key|value)$/.exec(n.outputs[0] ?? '');
    if (m && n.op === 'Transpose' && n.inputs[0] === `${m[0]}${TIME_MAJOR_SUFFIX}`) {
      mainEdits.set(n, [renamed(n, [c(`${m[1]}.${m[2]}.no_bytes`)], n.outputs)]);
    }
  }
  const branchEdits = new Map<OnnxNode, Uint8Array[]>();
  for (const { layer: l, key, value } of matches) {
    const K = `past_key_values.${l}.decoder.key${TIME_MAJOR_SUFFIX}`;
    const V = `past_key_values.${l}.decoder.value${TIME_MAJOR_SUFFIX}`;
    const kNew = key.concat.inputs[1] as string;
    const vNew = value.concat.inputs[1] as string;
    const q = key.scores.inputs[0] as string;
    const newScores = c(`${l}.new_scores`);
    const probs = value.output.inputs[0] as string;
    const frames = c(`${l}.value.frames`);
    // The presents become the new frames; the past is read where it lies.
    branchEdits.set(key.concat, [nodeProto('Identity', [kNew], key.concat.outputs)]);
    branchEdits.set(value.concat, [nodeProto('Identity', [vNew], value.concat.outputs)]);
    // The new frame's own terms read k_new / v_new where the Concat's output was read.
    if (key.reshape)
      branchEdits.set(key.reshape, [renamed(key.reshape, [kNew, ...key.reshape.inputs.slice(1)], key.reshape.outputs)]);
    else branchEdits.set(key.transpose, [renamed(key.transpose, [kNew], key.transpose.outputs)]);
    const vNewRead = value.reshape ? (value.reshape.outputs[0] as string) : vNew;
    if (value.reshape)
      branchEdits.set(value.reshape, [
        renamed(value.reshape, [vNew, ...value.reshape.inputs.slice(1)], value.reshape.outputs),
      ]);
    const fused = (inputs: string[], output: string, attributes: Attribute[]): Uint8Array =>
      nodeProto('FusedMatMul', inputs, [output], attributes, MS_DOMAIN);
    const scoreAttributes = [
      intAttr('transB', 1),
      intAttr('transBatchB', 1),
      // A constant factor on kᵀ becomes FusedMatMul's alpha: alpha·(q·Kᵀ) = q·(s·Kᵀ) up to rounding.
      ...(typeof key.scale === 'number' ? [floatAttr('alpha', key.scale)] : []),
    ];
    // A factor computed at run time multiplies the past's scores instead (O(t) per layer). Not the
    // query: onnxruntime's MatMulScaleFusion then removed a query both products read (seen on 1.30).
    const runtimeScale = typeof key.scale === 'string' ? key.scale : undefined;
    const pastScores = (out: string): { fusedOut: string; nodes: Uint8Array[] } =>
      runtimeScale
        ? { fusedOut: `${out}_unscaled`, nodes: [nodeProto('Mul', [`${out}_unscaled`, runtimeScale], [out])] }
        : { fusedOut: out, nodes: [] };
    const past4 = pastScores(c(`${l}.past_scores`));
    const pastBmm = pastScores(c(`${l}.past_scores_4d`));
    const shape = (x: string, start: number, end: number, out: string): Uint8Array =>
      nodeProto('Shape', [x], [out], [intAttr('start', start), intAttr('end', end)]);
    if (!key.reshape) {
      branchEdits.set(key.scores, [
        renamed(key.scores, key.scores.inputs, [newScores]),
        fused([q, K], past4.fusedOut, scoreAttributes),
        ...past4.nodes,
        nodeProto('Concat', [c(`${l}.past_scores`), newScores], key.scores.outputs, [intAttr('axis', -1)]),
      ]);
      branchEdits.set(value.output, [
        nodeProto('Slice', [probs, zero, frames, lastAxis], [c(`${l}.past_probs`)]),
        nodeProto('Slice', [probs, frames, end, lastAxis], [c(`${l}.new_probs`)]),
        fused([c(`${l}.past_probs`), V], c(`${l}.past_out`), [intAttr('transBatchB', 1)]),
        nodeProto('MatMul', [c(`${l}.new_probs`), vNewRead], [c(`${l}.new_out`)]),
        nodeProto('Add', [c(`${l}.past_out`), c(`${l}.new_out`)], value.output.outputs),
      ]);
      continue;
    }
    // 3-D [B·H, T, ·] terms: the past's share runs on 4-D views [B, H, T, ·] (B, H from the
    // time-major past's shape) and is flattened back; only q, the scores and the probabilities move.
    const p = (what: string): string => c(`${l}.${what}`);
    branchEdits.set(key.scores, [
      renamed(key.scores, key.scores.inputs, [newScores]),
      shape(K, 1, 3, p('batch_heads')),
      shape(q, 1, 3, p('query_rest')),
      nodeProto('Concat', [p('batch_heads'), p('query_rest')], [p('query_4d_shape')], [intAttr('axis', 0)]),
      nodeProto('Reshape', [q, p('query_4d_shape')], [p('query_4d')]),
      fused([p('query_4d'), K], pastBmm.fusedOut, scoreAttributes),
      ...pastBmm.nodes,
      shape(q, 0, 1, p('rows')),
      shape(p('past_scores_4d'), 2, 4, p('past_scores_rest')),
      nodeProto('Concat', [p('rows'), p('past_scores_rest')], [p('past_scores_3d_shape')], [intAttr('axis', 0)]),
      nodeProto('Reshape', [p('past_scores_4d'), p('past_scores_3d_shape')], [p('past_scores')]),
      nodeProto('Concat', [p('past_scores'), newScores], key.scores.outputs, [intAttr('axis', -1)]),
    ]);
    branchEdits.set(value.output, [
      nodeProto('Slice', [probs, zero, frames, minusOne], [p('past_probs')]),
      nodeProto('Slice', [probs, frames, end, minusOne], [p('new_probs')]),
      shape(V, 1, 3, p('value_batch_heads')),
      shape(p('past_probs'), 1, 3, p('past_probs_rest')),
      nodeProto(
        'Concat',
        [p('value_batch_heads'), p('past_probs_rest')],
        [p('past_probs_4d_shape')],
        [intAttr('axis', 0)],
      ),
      nodeProto('Reshape', [p('past_probs'), p('past_probs_4d_shape')], [p('past_probs_4d')]),
      fused([p('past_probs_4d'), V], p('past_out_4d'), [intAttr('transBatchB', 1)]),
      shape(probs, 0, 1, p('value_rows')),
      shape(p('past_out_4d'), 2, 4, p('past_out_rest')),
      nodeProto('Concat', [p('value_rows'), p('past_out_rest')], [p('past_out_3d_shape')], [intAttr('axis', 0)]),
      nodeProto('Reshape', [p('past_out_4d'), p('past_out_3d_shape')], [p('past_out')]),
      nodeProto('MatMul', [p('new_probs'), vNewRead], [p('new_out')]),
      nodeProto('Add', [p('past_out'), p('new_out')], value.output.outputs),
    ]);
  }
  const ifNode = parseNode(withGraphAttribute(merged, 'then_branch', rebuiltGraph(withPast, { replace: branchEdits })));
  mainEdits.set(merged, [renamed(ifNode, [cond], merged.outputs)]);
  const newGraph = rebuiltGraph(main, { replace: mainEdits, prepend: before, append: constants });
  // ModelProto.opset_import = 8: OperatorSetIdProto { domain = 1; version = 2 }.
  const imports = top.filter((f) => f.no === 8 && f.wire === 2);
  const hasMs = imports.some((f) => fieldsOf(f.payload).some((g) => g.no === 1 && text(g.payload) === MS_DOMAIN));
  const msImport = hasMs ? [] : [lengthField(8, concat([stringField(1, MS_DOMAIN), varintField(2, 1)]))];
  return concat([...top.map((f) => (f === graphField ? lengthField(7, newGraph) : f.bytes)), ...msImport]);
}

/** The rewrite levels of the decoder our loop runs on. */
export const CACHE_REWRITES = ['fused-attention', 'time-major'] as const;
export type CacheRewrite = (typeof CACHE_REWRITES)[number];

/**
 * The decoder for our loop at the requested level: `fused-attention` when asked for and the
 * graph has the pattern, else `time-major` with the reason the fused level was refused.
 */
export async function decoderForLoop(
  path: string,
  layers: number,
  level: CacheRewrite,
  inMemoryLimit?: number,
): Promise<{ source: string | Uint8Array; level: CacheRewrite; refused?: string }> {
  if (level === 'fused-attention') {
    try {
      const source = await rewrittenDecoder(path, {
        rewrite: (bytes) => toFusedAttention(toTimeMajorCache(bytes, layers), layers),
        fileSuffix: FUSED_ATTENTION_FILE_SUFFIX,
        replaces: EARLIER_FUSED_SUFFIXES,
        what: 'take the fused self-attention',
        ...(inMemoryLimit === undefined ? {} : { inMemoryLimit }),
      });
      return { source, level };
    } catch (error) {
      const source = await timeMajorDecoder(path, layers, inMemoryLimit);
      return { source, level: 'time-major', refused: messageOf(error) };
    }
  }
  return { source: await timeMajorDecoder(path, layers, inMemoryLimit), level: 'time-major' };
}
