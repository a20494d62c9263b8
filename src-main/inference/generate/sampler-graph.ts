/**
 * The token choice of our decode loop as a small ONNX graph, so that on WebGPU it runs beside the
 * decoder and only the sampled tokens cross to the host (issue #14): a step downloads rows × 8
 * bytes of int64 instead of the logits. onnxruntime-node 1.30 feeds a `gpu-buffer` output of the
 * decoder session to this separate session without a copy (checked with a probe: an output kept
 * on the GPU by one WebGPU session is a valid input of another in the same process).
 *
 * The graph follows sampling.ts step by step:
 *   logits [Bt·K, 1, V] (float32 or float16, cast exactly to float32)
 *   → guidance u + (c − u)·scale over the two halves (when guided)
 *   → greedy: the first maximum, as argmax (counted with a cumulative sum of the maxima, so
 *     ties resolve the host's way on any provider)
 *   → sampling: ÷ temperature; the k-th largest value (TopK); kept = the values above it and, in
 *     index order, as many equal to it as fit (sampleTopK's rule); weights exp(x − max) over the
 *     kept ones, walked as sampleTopK walks them (the ones above in index order, then the kept
 *     ties in index order), and the first whose cumulative weight exceeds u·total, u one uniform
 *     draw per row fed by the host from its SeededRandom; when rounding leaves u·total at or past
 *     the total, the last kept tie (as on the host).
 *   → a row with any non-finite value after guidance and temperature gets the token V + its
 *     choice: out of range, which the loop reports as bad output.
 *
 * Why the device may differ from the host at rare boundaries: the host computes the guidance, the
 * temperature and the weights in float64 and rounds once to float32 (the weights stay float64),
 * the device rounds to float32 after every operation (WebGPU has no float64), and the uniform draw
 * is rounded to float32. Two candidates within a rounding of each other can therefore swap.
 * Greedy decoding of the tiny and same-shape models gives the host's tokens (the WebGPU tests);
 * the contract is greedy = host at those shapes and seeded sampling reproducible run to run.
 *
 * Every op is one the WebGPU provider runs: the session is created with CPU fallback disabled,
 * so a node that would silently run on the CPU (and copy the logits across) refuses to load.
 */
import { concat, lengthField, stringField, valueInfo, varintField } from './kv-graph.js';

export type SamplerFloat = 'float32' | 'float16';

export interface SamplerVariant {
  /** Logits of 2·rows (conditional, then unconditional) combined by classifier-free guidance. */
  guided: boolean;
  /** Argmax when true; top-k sampling with a uniform draw per row otherwise. */
  greedy: boolean;
  float: SamplerFloat;
  /** The vocabulary size, the logits' last dimension. */
  vocab: number;
}

/** The graph's input and output names (the decode loop feeds them). */
export const SAMPLER = {
  logits: 'logits',
  guidanceScale: 'guidance_scale',
  temperature: 'temperature',
  topK: 'top_k',
  /** k again, as a float32: the provider casts int64 on the CPU. */
  topKFloat: 'top_k_float',
  uniform: 'uniform',
  tokens: 'tokens',
} as const;

// TensorProto.DataType
const FLOAT = 1n;
const INT64 = 7n;
const FLOAT16 = 10n;

/** The ModelProto bytes of one sampler variant (opset 17). */
export function samplerModel(variant: SamplerVariant): Uint8Array {
  const { guided, greedy, float, vocab } = variant;
  if (!Number.isInteger(vocab) || vocab < 1 || vocab > 2 ** 24) {
    // Indices are counted in float32: exact up to 2^24.
    throw new RangeError(`the sampler needs a vocabulary from 1 to 2^24, not ${vocab}`);
  }
  const g = new GraphBuilder();
  const rows = dimParam('rows');
  const logitRows = guided ? dimParam('logit_rows') : rows;
  const v = dimValue(vocab);
  g.input(SAMPLER.logits, float === 'float16' ? FLOAT16 : FLOAT, [logitRows, dimValue(1), v]);
  g.output(SAMPLER.tokens, INT64, [rows]);

  const axis1 = g.int64s('axis1', [1n]);
  const logits32 = float === 'float16' ? g.node('Cast', [SAMPLER.logits], [attrInt('to', FLOAT)]) : SAMPLER.logits;
  const flat = g.node('Squeeze', [logits32, axis1]);
  let scores = flat;
  if (guided) {
    g.input(SAMPLER.guidanceScale, FLOAT, []);
    const [cond, uncond] = g.nodeN('Split', [flat], 2, [attrInt('axis', 0n)]) as [string, string];
    const diff = g.node('Sub', [cond, uncond]);
    scores = g.node('Add', [uncond, g.node('Mul', [diff, SAMPLER.guidanceScale])]);
  }
  const zero = g.floatScalar('zero', 0);
  const one = g.floatScalar('one', 1);
  const vocabF = g.floatScalar('vocab', vocab);
  let choice: string;
  // The provider runs int64 arithmetic on the CPU (ArgMax's int64 output, a Cast of k, a Squeeze):
  // indices are counted in float32 instead, and cast to int64 once, as the graph's last node.
  const countPast = (sum: string, bound: string): string =>
    g.node(
      'ReduceSum',
      [g.node('Cast', [g.node('Greater', [sum, bound])], [attrInt('to', FLOAT)]), axis1],
      [attrInt('keepdims', 1n)],
    );
  if (greedy) {
    // The first maximum, as argmax: V minus the count of indices at or after it.
    const max = g.node('ReduceMax', [scores], [attrInts('axes', [1n]), attrInt('keepdims', 1n)]);
    const isMax = g.node('Cast', [g.node('Equal', [scores, max])], [attrInt('to', FLOAT)]);
    choice = g.node('Sub', [vocabF, countPast(g.node('CumSum', [isMax, g.int64Scalar('max_axis', 1n)]), zero)]);
  } else {
    g.input(SAMPLER.temperature, FLOAT, []);
    g.input(SAMPLER.topK, INT64, [dimValue(1)]);
    g.input(SAMPLER.topKFloat, FLOAT, []);
    g.input(SAMPLER.uniform, FLOAT, [rows, dimValue(1)]);
    scores = g.node('Div', [scores, SAMPLER.temperature]);
    const [topValues] = g.nodeN('TopK', [scores, SAMPLER.topK], 2, [attrInt('axis', 1n)]) as [string, string];
    const threshold = g.node('ReduceMin', [topValues], [attrInts('axes', [1n]), attrInt('keepdims', 1n)]);
    const above = g.node('Cast', [g.node('Greater', [scores, threshold])], [attrInt('to', FLOAT)]);
    const equal = g.node('Cast', [g.node('Equal', [scores, threshold])], [attrInt('to', FLOAT)]);
    // Ties with the k-th value are kept in index order while they fit: rank among the equal ones.
    const room = g.node('Sub', [SAMPLER.topKFloat, g.node('ReduceSum', [above, axis1], [attrInt('keepdims', 1n)])]);
    const equalRank = g.node('CumSum', [equal, g.int64Scalar('axis_scalar', 1n)]);
    const overflow = g.node('Cast', [g.node('Greater', [equalRank, room])], [attrInt('to', FLOAT)]);
    const keptEqual = g.node('Mul', [equal, g.node('Sub', [one, overflow])]);
    const max = g.node('ReduceMax', [topValues], [attrInts('axes', [1n]), attrInt('keepdims', 1n)]);
    const exp = g.node('Exp', [g.node('Sub', [scores, max])]);
    // sampleTopK walks the values above the threshold in index order, then the kept ties in index
    // order: two cumulative sums, the ties' offset by the total of the ones above.
    const cumulative = (kept: string, name: string): [string, string] => {
      const sum = g.node('CumSum', [g.node('Mul', [exp, kept]), g.int64Scalar(name, 1n)]);
      const total = g.node('Slice', [
        sum,
        g.int64s(`${name}_start`, [-1n]),
        g.int64s(`${name}_end`, [2n ** 62n]),
        axis1,
      ]);
      return [sum, total];
    };
    const [aboveSum, aboveTotal] = cumulative(above, 'above_axis');
    const [equalSum, equalTotal] = cumulative(keptEqual, 'equal_axis');
    const target = g.node('Mul', [SAMPLER.uniform, g.node('Add', [aboveTotal, equalTotal])]);
    // Each cumulative sum only grows, so the first index past the target is V minus the count past it.
    const firstPast = (sum: string): string => g.node('Sub', [vocabF, countPast(sum, target)]);
    const inAbove = g.node('Cast', [g.node('Greater', [aboveTotal, target])], [attrInt('to', FLOAT)]);
    const iota = g.floats(
      'iota',
      Float32Array.from({ length: vocab }, (_, i) => i),
    );
    // Rounding can leave the target at or past the total: the last kept tie takes it (there is
    // always one: the k-th value itself).
    const lastTie = g.node(
      'ReduceMax',
      [g.node('Mul', [keptEqual, iota])],
      [attrInts('axes', [1n]), attrInt('keepdims', 1n)],
    );
    const inTies = g.node('Min', [firstPast(g.node('Add', [equalSum, aboveTotal])), lastTie]);
    choice = g.node('Add', [
      g.node('Mul', [inAbove, firstPast(aboveSum)]),
      g.node('Mul', [g.node('Sub', [one, inAbove]), inTies]),
    ]);
  }
  // x − x is 0 for every finite x and NaN otherwise: a row with one non-finite value is flagged.
  const finite = g.node('Cast', [g.node('Equal', [g.node('Sub', [scores, scores]), zero])], [attrInt('to', FLOAT)]);
  const allFinite = g.node('ReduceMin', [finite], [attrInts('axes', [1n]), attrInt('keepdims', 1n)]);
  const flagged = g.node('Add', [choice, g.node('Mul', [g.node('Sub', [one, allFinite]), vocabF])]);
  const tokens = g.node('Cast', [g.node('Squeeze', [flagged, axis1])], [attrInt('to', INT64)]);
  g.rename(tokens, SAMPLER.tokens);
  return g.model();
}

/** A graph assembled as protobuf bytes (GraphProto node = 1, name = 2, initializer = 5, input = 11, output = 12). */
class GraphBuilder {
  private readonly nodes: { op: string; inputs: string[]; outputs: string[]; attributes: Uint8Array[] }[] = [];
  private readonly initializers: Uint8Array[] = [];
  private readonly inputs: Uint8Array[] = [];
  private readonly outputs: Uint8Array[] = [];
  private count = 0;

  input(name: string, elemType: bigint, dims: Uint8Array[]): void {
    this.inputs.push(lengthField(11, valueInfo(name, elemType, dims)));
  }

  output(name: string, elemType: bigint, dims: Uint8Array[]): void {
    this.outputs.push(lengthField(12, valueInfo(name, elemType, dims)));
  }

  node(op: string, inputs: string[], attributes: Uint8Array[] = []): string {
    return this.nodeN(op, inputs, 1, attributes)[0] as string;
  }

  nodeN(op: string, inputs: string[], outputs: number, attributes: Uint8Array[] = []): string[] {
    const names = Array.from({ length: outputs }, (_, i) => `${op.toLowerCase()}_${this.count}_${i}`);
    this.count++;
    this.nodes.push({ op, inputs, outputs: names, attributes });
    return names;
  }

  /** Gives the value `from` the graph output's name. */
  rename(from: string, to: string): void {
    for (const node of this.nodes) node.outputs = node.outputs.map((o) => (o === from ? to : o));
  }

  int64s(name: string, values: bigint[]): string {
    const raw = new Uint8Array(8 * values.length);
    const view = new DataView(raw.buffer);
    values.forEach((value, i) => view.setBigInt64(8 * i, value, true));
    return this.tensor(name, INT64, [values.length], raw);
  }

  int64Scalar(name: string, value: bigint): string {
    const raw = new Uint8Array(8);
    new DataView(raw.buffer).setBigInt64(0, value, true);
    return this.tensor(name, INT64, [], raw);
  }

  floatScalar(name: string, value: number): string {
    return this.tensor(name, FLOAT, [], new Uint8Array(Float32Array.of(value).buffer));
  }

  floats(name: string, values: Float32Array): string {
    return this.tensor(
      name,
      FLOAT,
      [values.length],
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    );
  }

  /** TensorProto { dims = 1; data_type = 2; name = 8; raw_data = 9 } (raw data is little-endian). */
  private tensor(name: string, dataType: bigint, dims: number[], raw: Uint8Array): string {
    this.initializers.push(
      lengthField(
        5,
        concat([
          ...dims.map((d) => varintField(1, d)),
          varintField(2, dataType),
          stringField(8, name),
          lengthField(9, raw),
        ]),
      ),
    );
    return name;
  }

  /** ModelProto { ir_version = 1; graph = 7; opset_import = 8 { version = 2 } }. */
  model(): Uint8Array {
    const nodes = this.nodes.map((n, i) =>
      lengthField(
        1,
        concat([
          ...n.inputs.map((input) => stringField(1, input)),
          ...n.outputs.map((output) => stringField(2, output)),
          stringField(3, `sampler_${i}`),
          stringField(4, n.op),
          ...n.attributes.map((a) => lengthField(5, a)),
        ]),
      ),
    );
    const graph = concat([
      ...nodes,
      stringField(2, 'bittaudio_sampler'),
      ...this.initializers,
      ...this.inputs,
      ...this.outputs,
    ]);
    return concat([varintField(1, 8), lengthField(7, graph), lengthField(8, varintField(2, 17))]);
  }
}

/** TensorShapeProto.Dimension { dim_value = 1 } as a shape's dim field. */
function dimValue(value: number): Uint8Array {
  return lengthField(1, varintField(1, value));
}

/** TensorShapeProto.Dimension { dim_param = 2 } as a shape's dim field. */
function dimParam(name: string): Uint8Array {
  return lengthField(1, stringField(2, name));
}

/** AttributeProto { name = 1; i = 3; type = 20 (INT = 2) }. */
function attrInt(name: string, value: bigint): Uint8Array {
  return concat([stringField(1, name), varintField(3, value), varintField(20, 2)]);
}

/** AttributeProto { name = 1; ints = 8; type = 20 (INTS = 7) }. */
function attrInts(name: string, values: bigint[]): Uint8Array {
  return concat([stringField(1, name), ...values.map((v) => varintField(8, v)), varintField(20, 7)]);
}
