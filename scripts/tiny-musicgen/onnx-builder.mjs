/**
 * A minimal ONNX graph builder over onnx-proto (ONNX v1.10 schema, protobufjs): just enough to
 * write the MusicGen stand-in graphs (musicgen spec §7). Weights are raw little-endian bytes,
 * either inside the model file or in one external data file (`<file>.onnx_data`) for the
 * real-size benchmark model, whose decoder is too big to encode as one protobuf message.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** `TensorProto.DataType`. */
export const DT = Object.freeze({ FLOAT: 1, INT8: 3, INT64: 7, BOOL: 9, FLOAT16: 10 });

const ATTR = Object.freeze({ FLOAT: 1, INT: 2, GRAPH: 5, INTS: 7, TENSOR: 4 });

function valueInfo(name, elemType, dims) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name, value) {
  if (value instanceof Graph) return { name, type: ATTR.GRAPH, g: value.toProto() };
  if (typeof value === 'object' && value !== null && 'tensor' in value)
    return { name, type: ATTR.TENSOR, t: value.tensor };
  if (Array.isArray(value)) return { name, type: ATTR.INTS, ints: value };
  if (typeof value === 'object' && value !== null && 'float' in value)
    return { name, type: ATTR.FLOAT, f: value.float };
  if (Number.isInteger(value)) return { name, type: ATTR.INT, i: value };
  return { name, type: ATTR.FLOAT, f: value };
}

/** Names are unique across the whole model (the main graph and its If branches). */
class NameSource {
  count = 0;
  next(hint) {
    this.count += 1;
    return `${hint}_${this.count}`;
  }
}

export class Graph {
  /**
   * @param {string} name
   * @param {{ names?: NameSource, weights?: WeightStore }} [shared]
   */
  constructor(name, shared = {}) {
    this.name = name;
    this.names = shared.names ?? new NameSource();
    this.weights = shared.weights ?? null;
    this.nodes = [];
    this.initializers = [];
    this.inputs = [];
    this.outputs = [];
    this.constants = new Map();
  }

  /** A branch subgraph that shares this graph's name source and may read its values. */
  subgraph(name) {
    return new Graph(name, { names: this.names, weights: this.weights });
  }

  input(name, elemType, dims) {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name, elemType, dims) {
    this.outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Adds one node; returns its output name (or names when `outputs` is a number > 1). */
  op(opType, inputs, attrs = {}, outputs = 1) {
    const names =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.names.next(opType.toLowerCase()))
        : outputs;
    this.nodes.push({
      opType,
      name: this.names.next(`n_${opType}`),
      input: inputs,
      output: names,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return names.length === 1 && typeof outputs === 'number' ? names[0] : names;
  }

  /** A named output of a node (for graph outputs, which need fixed names). */
  opNamed(opType, inputs, output, attrs = {}) {
    this.op(opType, inputs, attrs, [output]);
    return output;
  }

  /** An int64 constant, stored once per graph as an initializer. */
  ints(values) {
    const key = `i64:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.names.next('const_i64');
    const bytes = Buffer.alloc(values.length * 8);
    values.forEach((v, i) => bytes.writeBigInt64LE(BigInt(v), i * 8));
    this.initializers.push({ name, dataType: DT.INT64, dims: [values.length], rawData: bytes });
    this.constants.set(key, name);
    return name;
  }

  /** A float32 constant (scalar when `dims` is []), stored once per graph. */
  floats(values, dims = [values.length]) {
    const key = `f32:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.names.next('const_f32');
    this.initializers.push({ name, dataType: DT.FLOAT, dims, rawData: f32Bytes(Float32Array.from(values)) });
    this.constants.set(key, name);
    return name;
  }

  /** A float32 weight from the weight store (int8 + DequantizeLinear in q8 mode). */
  weight(name, dims, scale) {
    if (!this.weights) throw new Error('this graph has no weight store');
    return this.weights.add(this, name, dims, scale);
  }

  /**
   * The right-hand weight of a MatMul: float32, or in q8 mode int8 with a scale, to be used with
   * `matmul` (the dynamic quantisation that onnxruntime's quantize_dynamic writes).
   */
  matmulWeight(name, dims, scale) {
    if (!this.weights) throw new Error('this graph has no weight store');
    return this.weights.addMatmul(this, name, dims, scale);
  }

  /**
   * An embedding table read by `gather`: float32, or in q8 mode int8 with one scale (what
   * onnxruntime's quantize_dynamic makes of a Gather's table).
   */
  gatherWeight(name, dims, scale) {
    if (!this.weights) throw new Error('this graph has no weight store');
    return this.weights.addMatmul(this, name, dims, scale);
  }

  /** Rows of a `gatherWeight` table; q8: the int8 rows are gathered first, then dequantised (only those rows). */
  gather(table, indices) {
    if (table.kind === 'float') return this.op('Gather', [table.name, indices], { axis: 0 });
    const rows = this.op('Gather', [table.q, indices], { axis: 0 });
    return this.op('DequantizeLinear', [rows, table.scale, table.zero]);
  }

  /** x · W for a `matmulWeight`; q8: DynamicQuantizeLinear(x) → MatMulInteger → rescale. */
  matmul(x, w) {
    if (w.kind === 'float') return this.op('MatMul', [x, w.name]);
    const [xq, xScale, xZero] = this.op('DynamicQuantizeLinear', [x], {}, 3);
    const product = this.op('MatMulInteger', [xq, w.q, xZero, w.zero]);
    const scale = this.op('Mul', [xScale, w.scale]);
    return this.op('Mul', [this.op('Cast', [product], { to: DT.FLOAT }), scale]);
  }

  toProto() {
    return {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }
}

export function f32Bytes(array) {
  const bytes = Buffer.alloc(array.length * 4);
  for (let i = 0; i < array.length; i++) bytes.writeFloatLE(array[i], i * 4);
  return bytes;
}

/** FNV-1a of a string: turns (seed, weight name) into a PRNG seed, so each weight is independent of order. */
function hashSeed(seed, name) {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0 || 1;
}

/** Uniform values in [-scale, scale] from xorshift32, written into `out`. */
export function fillUniform(out, seed, scale) {
  let x = seed >>> 0 || 1;
  const k = (2 * scale) / 4294967296;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x * k - scale;
  }
  return out;
}

/**
 * Where weights go: inline initializers, or one external data file. In `q8` mode every weight of
 * rank ≥ 2 is stored as int8 with one scale: MatMul weights feed MatMulInteger after a
 * DynamicQuantizeLinear of the activations (what onnxruntime's dynamic quantisation writes), embedding
 * tables are gathered as int8 and their rows dequantised, the others (the EnCodec kernel) a
 * DequantizeLinear node. The `_quantized` file
 * thus holds 8-bit weights while its inputs and outputs stay float32 (musicgen spec §2).
 */
export class WeightStore {
  /**
   * @param {{ seed: number, quantize: boolean, external?: { location: string, write: (bytes: Uint8Array) => void } }} options
   */
  constructor(options) {
    this.seed = options.seed;
    this.quantize = options.quantize;
    this.external = options.external ?? null;
    this.offset = 0;
  }

  tensor(name, dataType, dims, bytes) {
    if (!this.external || bytes.length < 1024) return { name, dataType, dims, rawData: bytes };
    // onnxruntime can map page-aligned external data; keep every tensor at a 4 KiB offset.
    const pad = (4096 - (this.offset % 4096)) % 4096;
    if (pad) this.external.write(Buffer.alloc(pad));
    this.offset += pad;
    const entry = {
      name,
      dataType,
      dims,
      dataLocation: 1,
      externalData: [
        { key: 'location', value: this.external.location },
        { key: 'offset', value: String(this.offset) },
        { key: 'length', value: String(bytes.length) },
      ],
    };
    this.external.write(bytes);
    this.offset += bytes.length;
    return entry;
  }

  add(graph, name, dims, scale) {
    if (!this.quantize || dims.length < 2) {
      this.addFloat(graph, name, dims, scale);
      return name;
    }
    const q = this.addInt8(graph, name, dims, scale);
    graph.op('DequantizeLinear', [q.q, q.scale, q.zero], {}, [name]);
    return name;
  }

  addMatmul(graph, name, dims, scale) {
    if (!this.quantize) return { kind: 'float', name: this.addFloat(graph, name, dims, scale) };
    return { kind: 'int8', ...this.addInt8(graph, name, dims, scale) };
  }

  values(name, dims, scale) {
    const count = dims.reduce((a, b) => a * b, 1);
    return fillUniform(new Float32Array(count), hashSeed(this.seed, name), scale);
  }

  addFloat(graph, name, dims, scale) {
    const values = this.values(name, dims, scale);
    graph.initializers.push(
      this.tensor(name, DT.FLOAT, dims, Buffer.from(values.buffer, values.byteOffset, values.byteLength)),
    );
    return name;
  }

  /** Symmetric per-tensor int8: one scale, zero point 0. */
  addInt8(graph, name, dims, scale) {
    const values = this.values(name, dims, scale);
    const count = values.length;
    let max = 0;
    for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
    const step = max / 127 || 1;
    const q = new Int8Array(count);
    for (let i = 0; i < values.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(values[i] / step)));
    const qName = `${name}_quantized`;
    graph.initializers.push(this.tensor(qName, DT.INT8, dims, Buffer.from(q.buffer)));
    const scaleName = `${name}_scale`;
    graph.initializers.push({ name: scaleName, dataType: DT.FLOAT, dims: [], rawData: f32Bytes([step]) });
    const zeroName = `${name}_zero_point`;
    graph.initializers.push({ name: zeroName, dataType: DT.INT8, dims: [], rawData: Buffer.from([0]) });
    return { q: qName, scale: scaleName, zero: zeroName };
  }
}

/** Encodes a model: IR 8, opset 17 (accepted by onnxruntime 1.30, musicgen spec §7). */
export function encodeModel(graph) {
  const model = {
    irVersion: 8,
    producerName: 'bittaudio-tiny-musicgen',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: 17 }],
    graph: graph.toProto(),
  };
  const error = onnx.ModelProto.verify(model);
  if (error) throw new Error(`invalid ONNX model ${graph.name}: ${error}`);
  return Buffer.from(onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish());
}
