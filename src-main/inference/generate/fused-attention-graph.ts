/**
 * The second, opt-in rewrite level of the merged MusicGen decoder (issue #14): on top of the
 * time-major boundary of kv-graph.ts, each decoder layer's self-attention reads the past where it
 * lies, in the time-major buffer the loop feeds, instead of a [B, H, t, Dh] copy of it.
 *
 * Level 1 (kv-graph.ts) still moves the whole cache several times per step inside onnxruntime: a
 * Transpose of the time-major past back to [B, H, t, Dh], the merged decoder's copies of the past
 * through its If branch, the Concat of past and new frame into `present`, and the transpose of K
 * for the scores. Here, for each layer, the pattern
 *
 *   k = Concat(past_k, k_new, axis 2) → Identity → present.L.decoder.key
 *   scores = MatMul(q, Transpose(k, [0, 1, 3, 2]));  … Softmax … → probs
 *   v = Concat(past_v, v_new, axis 2) → Identity → present.L.decoder.value
 *   out = MatMul(probs, v)
 *
 * becomes, with K, V the time-major inputs [t, B, H, Dh]:
 *
 *   scores = Concat(FusedMatMul(q, K, transB, transBatchB), MatMul(q, k_newᵀ), axis −1)
 *   out = FusedMatMul(probs[…, :t], V, transBatchB) + MatMul(probs[…, t:], v_new)
 *   present.L.decoder.{key,value} = the new frames only (level 1 returns their last frame).
 *
 * onnxruntime's CPU FusedMatMul reads a time-major B through strides (checked on 1.30: outputs
 * identical to Transpose + MatMul, no allocation of cache size). It divides by zero on an empty
 * past (SIGFPE, the whole process dies), so each past term sits in an If on "this past has
 * frames". The past inputs the rest of the graph reads (the fixture's If copies them, and reads
 * the position offset from their shape) are handed a zero-width slice [B, H, t, 0] of the same
 * buffer: the right frame count, no bytes. The rewrite checks that nothing reads those values
 * except Identity / Cast (passing them on) and Shape nodes that stop before the last axis, and
 * throws otherwise, so a graph it does not understand is refused rather than changed in meaning.
 *
 * Float32 caches only (fp32 and q8 exports); the attention must sit in the main graph, as in the
 * committed fixture (scripts/tiny-musicgen/graphs.mjs). The real optimum export keeps each
 * branch's whole decoder inside the If (musicgen spec §2), where this rewrite does not look: it
 * refuses such a graph, and the loader keeps level 1 (`decoderForLoop`).
 */
import {
  concat,
  fieldsOf,
  int64Constant,
  lengthField,
  nameOf,
  readVarint,
  rewrittenDecoder,
  stringField,
  tensorType,
  TIME_MAJOR_SUFFIX,
  timeMajorDecoder,
  toTimeMajorCache,
  valueInfo,
  varintField,
  type Field,
} from './kv-graph.js';
import { messageOf } from './errors.js';

/** Beside the original when the weights are external, as kv-graph.ts's level-1 copy. */
export const FUSED_ATTENTION_FILE_SUFFIX = '.kv-fused-attention.onnx';
const PREFIX = 'bittaudio_fused';
const MS_DOMAIN = 'com.microsoft';
const FLOAT = 1n;
const INT64_MAX = 0x7fffffffffffffffn;

/** One NodeProto of a graph, with the fields the matcher reads (input = 1, output = 2, op_type = 4, attribute = 5, domain = 7). */
interface OnnxNode {
  bytes: Uint8Array;
  inputs: string[];
  outputs: string[];
  op: string;
  domain: string;
  attributes: Map<string, Field[]>;
  /** Subgraphs of its attributes (If branches, Loop bodies). */
  subgraphs: OnnxGraph[];
}

interface OnnxGraph {
  nodes: OnnxNode[];
  outputNames: string[];
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function parseNode(bytes: Uint8Array): OnnxNode {
  const node: OnnxNode = { bytes, inputs: [], outputs: [], op: '', domain: '', attributes: new Map(), subgraphs: [] };
  for (const f of fieldsOf(bytes)) {
    if (f.wire !== 2) continue;
    if (f.no === 1) node.inputs.push(text(f.payload));
    else if (f.no === 2) node.outputs.push(text(f.payload));
    else if (f.no === 4) node.op = text(f.payload);
    else if (f.no === 7) node.domain = text(f.payload);
    else if (f.no === 5) {
      // AttributeProto { name = 1; g = 6; graphs = 11 }
      const fields = fieldsOf(f.payload);
      const name = fields.find((a) => a.no === 1 && a.wire === 2);
      node.attributes.set(name ? text(name.payload) : '', fields);
      for (const a of fields)
        if ((a.no === 6 || a.no === 11) && a.wire === 2) node.subgraphs.push(parseGraph(a.payload));
    }
  }
  return node;
}

function parseGraph(bytes: Uint8Array): OnnxGraph {
  const graph: OnnxGraph = { nodes: [], outputNames: [] };
  for (const f of fieldsOf(bytes)) {
    if (f.no === 1 && f.wire === 2) graph.nodes.push(parseNode(f.payload));
    else if (f.no === 12 && f.wire === 2) graph.outputNames.push(nameOf(f.payload));
  }
  return graph;
}

/** An INT attribute (AttributeProto.i = 3), or undefined. */
function intAttribute(node: OnnxNode, name: string): bigint | undefined {
  const f = node.attributes.get(name)?.find((a) => a.no === 3 && a.wire === 0);
  return f ? BigInt.asIntN(64, readVarint(f.bytes, 1)[0]) : undefined;
}

/** An INTS attribute (AttributeProto.ints = 8, packed or not), or undefined. */
function intsAttribute(node: OnnxNode, name: string): bigint[] | undefined {
  const fields = node.attributes.get(name)?.filter((a) => a.no === 8);
  if (!fields || fields.length === 0) return undefined;
  const out: bigint[] = [];
  for (const f of fields) {
    if (f.wire === 0) out.push(BigInt.asIntN(64, readVarint(f.bytes, 1)[0]));
    else
      for (let pos = 0; pos < f.payload.length;) {
        const [v, next] = readVarint(f.payload, pos);
        out.push(BigInt.asIntN(64, v));
        pos = next;
      }
  }
  return out;
}

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

/** An If branch: its nodes and one float output (rank-less, as the fixture's branches). */
function branch(name: string, nodes: Uint8Array[], output: string): Uint8Array {
  return concat([
    ...nodes.map((n) => lengthField(1, n)),
    stringField(2, name),
    lengthField(12, valueInfo(output, FLOAT, null)),
  ]);
}

interface LayerMatch {
  layer: number;
  key: { present: OnnxNode; concat: OnnxNode; transpose: OnnxNode; scores: OnnxNode };
  value: { present: OnnxNode; concat: OnnxNode; output: OnnxNode };
}

/**
 * Rewrites a decoder that `toTimeMajorCache` has rewritten (see the module comment). Throws,
 * naming what it did not find, when the graph is not the pattern it knows.
 */
export function toFusedAttention(timeMajorModel: Uint8Array, layers: number): Uint8Array {
  const top = fieldsOf(timeMajorModel);
  const graphField = top.find((f) => f.no === 7 && f.wire === 2);
  if (!graphField) throw new Error('the file has no graph');
  const graphFields = fieldsOf(graphField.payload);
  const nodes = graphFields.filter((f) => f.no === 1 && f.wire === 2).map((f) => parseNode(f.payload));

  const inputs = new Set(graphFields.filter((f) => f.no === 11 && f.wire === 2).map((f) => nameOf(f.payload)));
  for (let l = 0; l < layers; l++) {
    for (const p of ['key', 'value']) {
      const name = `past_key_values.${l}.decoder.${p}${TIME_MAJOR_SUFFIX}`;
      if (!inputs.has(name)) throw new Error(`the graph has no ${name} (rewrite it with toTimeMajorCache first)`);
    }
  }
  for (const f of graphFields) {
    if (f.no !== 11 || f.wire !== 2 || !nameOf(f.payload).endsWith(TIME_MAJOR_SUFFIX)) continue;
    const { elemType } = tensorType(f.payload);
    if (elemType !== FLOAT) {
      throw new Error(
        `${nameOf(f.payload)} is not float32 (element type ${elemType}); the fused attention reads float32 caches only`,
      );
    }
  }

  const producer = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  // Readers in the main graph, counting a node whose subgraphs read a value as its reader.
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
  for (const n of nodes) {
    for (const i of n.inputs) read(i, n);
    for (const g of n.subgraphs) addReads(n, g);
  }
  const only = (value: string, want: number): OnnxNode[] => {
    const r = [...new Set(readers.get(value) ?? [])];
    if (r.length !== want) throw new Error(`${value} is read by ${r.length} nodes, not ${want}`);
    return r;
  };

  const matches: LayerMatch[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const part = (kind: 'key' | 'value'): { present: OnnxNode; concat: OnnxNode; others: OnnxNode[] } => {
      const name = `present.${layer}.decoder.${kind}`;
      const present = producer.get(name);
      if (!present || present.op !== 'Identity' || present.domain !== '') {
        throw new Error(`${name} does not come from an Identity node in the main graph`);
      }
      const all = present.inputs[0] ?? '';
      const cat = producer.get(all);
      const axis = cat && intAttribute(cat, 'axis');
      if (!cat || cat.op !== 'Concat' || cat.inputs.length !== 2 || (axis !== 2n && axis !== -2n)) {
        throw new Error(`${name} is not a Concat of the past and the new frames on axis 2`);
      }
      return { present, concat: cat, others: only(all, 2).filter((n) => n !== present) };
    };
    const k = part('key');
    const transpose = k.others[0] as OnnxNode;
    const perm = intsAttribute(transpose, 'perm')?.join(',');
    if (transpose.op !== 'Transpose' || perm !== '0,1,3,2') {
      throw new Error(`layer ${layer}: the keys are not transposed for the scores (${transpose.op} ${perm ?? ''})`);
    }
    const scores = only(transpose.outputs[0] ?? '', 1)[0] as OnnxNode;
    if (scores.op !== 'MatMul' || scores.inputs[1] !== transpose.outputs[0]) {
      throw new Error(`layer ${layer}: the transposed keys do not feed a MatMul as its right side`);
    }
    const v = part('value');
    const output = v.others[0] as OnnxNode;
    if (output.op !== 'MatMul' || output.inputs[1] !== v.concat.outputs[0]) {
      throw new Error(`layer ${layer}: the values do not feed a MatMul as its right side`);
    }
    matches.push({
      layer,
      key: { present: k.present, concat: k.concat, transpose, scores },
      value: { present: v.present, concat: v.concat, output },
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
        if (end === undefined || norm(end) > 3n || norm(start) > 3n) {
          throw new Error(`a past cache input reaches a Shape node that reads its last axis (${n.outputs[0]})`);
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
  const main: OnnxGraph = { nodes, outputNames: [] };
  while (visit(main, null));
  for (const m of matches) {
    for (const c of [m.key.concat, m.value.concat]) {
      if (!empty.has(c.inputs[0] ?? '')) {
        throw new Error(`layer ${m.layer}: ${c.outputs[0]} does not concatenate the past cache input`);
      }
    }
  }

  // The new nodes.
  const c = (what: string): string => `${PREFIX}.${what}`;
  const zero = c('zero');
  const end = c('end');
  const lastAxis = c('axis3');
  const constants = [int64Constant(zero, 0n), int64Constant(end, INT64_MAX), int64Constant(lastAxis, 3n)];
  const before: Uint8Array[] = [];
  const replace = new Map<OnnxNode, Uint8Array[]>();
  const remove = new Set<OnnxNode>();
  for (let l = 0; l < layers; l++) {
    for (const p of ['key', 'value']) {
      const tm = `past_key_values.${l}.decoder.${p}${TIME_MAJOR_SUFFIX}`;
      before.push(nodeProto('Slice', [tm, zero, zero, lastAxis], [c(`${l}.${p}.no_bytes`)]));
      before.push(nodeProto('Shape', [tm], [c(`${l}.${p}.frames`)], [intAttr('start', 0), intAttr('end', 1)]));
      before.push(nodeProto('Greater', [c(`${l}.${p}.frames`), zero], [c(`${l}.${p}.has_past`)]));
    }
  }
  // Level 1's Transposes of the pasts now transpose the zero-width slices.
  for (const n of nodes) {
    const m = /^past_key_values\.(\d+)\.decoder\.(key|value)$/.exec(n.outputs[0] ?? '');
    if (m && n.op === 'Transpose' && n.inputs[0] === `${m[0]}${TIME_MAJOR_SUFFIX}`) {
      replace.set(n, [renamed(n, [c(`${m[1]}.${m[2]}.no_bytes`)], n.outputs)]);
    }
  }
  for (const { layer: l, key, value } of matches) {
    const K = `past_key_values.${l}.decoder.key${TIME_MAJOR_SUFFIX}`;
    const V = `past_key_values.${l}.decoder.value${TIME_MAJOR_SUFFIX}`;
    const kNew = key.concat.inputs[1] as string;
    const vNew = value.concat.inputs[1] as string;
    const q = key.scores.inputs[0] as string;
    const scores = key.scores.outputs[0] as string;
    const newScores = c(`${l}.new_scores`);
    const probs = value.output.inputs[0] as string;
    const out = value.output.outputs[0] as string;
    remove.add(key.concat);
    remove.add(value.concat);
    replace.set(key.present, [renamed(key.present, [kNew], key.present.outputs)]);
    replace.set(value.present, [renamed(value.present, [vNew], value.present.outputs)]);
    replace.set(key.transpose, [renamed(key.transpose, [kNew], key.transpose.outputs)]);
    const pastScores = branch(
      c(`${l}.scores.past`),
      [
        nodeProto(
          'FusedMatMul',
          [q, K],
          [c(`${l}.past_scores`)],
          [intAttr('transB', 1), intAttr('transBatchB', 1)],
          MS_DOMAIN,
        ),
        nodeProto('Concat', [c(`${l}.past_scores`), newScores], [c(`${l}.all_scores`)], [intAttr('axis', -1)]),
      ],
      c(`${l}.all_scores`),
    );
    const noPastScores = branch(
      c(`${l}.scores.no_past`),
      [nodeProto('Identity', [newScores], [c(`${l}.only_new_scores`)])],
      c(`${l}.only_new_scores`),
    );
    replace.set(key.scores, [
      renamed(key.scores, key.scores.inputs, [newScores]),
      nodeProto(
        'If',
        [c(`${l}.key.has_past`)],
        [scores],
        [graphAttr('then_branch', pastScores), graphAttr('else_branch', noPastScores)],
      ),
    ]);
    const frames = c(`${l}.value.frames`);
    const pastOut = branch(
      c(`${l}.out.past`),
      [
        nodeProto('Slice', [probs, zero, frames, lastAxis], [c(`${l}.past_probs`)]),
        nodeProto('Slice', [probs, frames, end, lastAxis], [c(`${l}.new_probs`)]),
        nodeProto(
          'FusedMatMul',
          [c(`${l}.past_probs`), V],
          [c(`${l}.past_out`)],
          [intAttr('transBatchB', 1)],
          MS_DOMAIN,
        ),
        nodeProto('MatMul', [c(`${l}.new_probs`), vNew], [c(`${l}.new_out`)]),
        nodeProto('Add', [c(`${l}.past_out`), c(`${l}.new_out`)], [c(`${l}.all_out`)]),
      ],
      c(`${l}.all_out`),
    );
    const noPastOut = branch(
      c(`${l}.out.no_past`),
      [nodeProto('MatMul', [probs, vNew], [c(`${l}.only_new_out`)])],
      c(`${l}.only_new_out`),
    );
    replace.set(value.output, [
      nodeProto(
        'If',
        [c(`${l}.value.has_past`)],
        [out],
        [graphAttr('then_branch', pastOut), graphAttr('else_branch', noPastOut)],
      ),
    ]);
  }

  const body: Uint8Array[] = [];
  let n = 0;
  for (const f of graphFields) {
    if (f.no !== 1 || f.wire !== 2) {
      body.push(f.bytes);
      continue;
    }
    const node = nodes[n++] as OnnxNode;
    if (remove.has(node)) continue;
    const with_ = replace.get(node);
    body.push(...(with_ ? with_.map((b) => lengthField(1, b)) : [f.bytes]));
  }
  const newGraph = concat([...before.map((b) => lengthField(1, b)), ...body, ...constants]);
  // ModelProto.opset_import = 8: OperatorSetIdProto { domain = 1; version = 2 }.
  const imports = top.filter((f) => f.no === 8 && f.wire === 2);
  const hasMs = imports.some((f) => fieldsOf(f.payload).some((g) => g.no === 1 && text(g.payload) === MS_DOMAIN));
  const msImport = hasMs ? [] : [lengthField(8, concat([stringField(1, MS_DOMAIN), varintField(2, 1)]))];
  return concat([...top.map((f) => (f === graphField ? lengthField(7, newGraph) : f.bytes)), ...msImport]);
}

/** The rewrite levels of the decoder our loop runs on. */
export type CacheRewrite = 'time-major' | 'fused-attention';

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
