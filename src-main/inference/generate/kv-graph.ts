/**
 * A boundary-only rewrite of the merged MusicGen decoder so that the self-attention cache can
 * live in one time-major buffer that only grows (issue #14):
 *
 *   past_key_values.L.decoder.{key,value}  [B, H, t, Dh]    becomes the input
 *   past_key_values.L.decoder.{key,value}.time_major  [t, B, H, Dh] + a Transpose back, and
 *   present.L.decoder.{key,value}  [B, H, t + 1, Dh]        becomes the output
 *   present.L.decoder.{key,value}.last_frame  [B, H, 1, Dh] (a Slice of the last frame).
 *
 * Why: onnxruntime-node 1.30 copies every fetched output into a fresh JavaScript buffer, also a
 * pre-allocated one (measured: a 51 MB pre-allocated output still costs 12.5k page faults per
 * run), so a graph that returns the whole cache makes every step allocate and copy it. Returning
 * one frame and reading the past as a prefix view of a time-major buffer (inputs are borrowed
 * without a copy) leaves the O(cache) work inside onnxruntime, whose arena reuses its memory.
 *
 * Only graph inputs, outputs, two kinds of new nodes and three constants change; the body is
 * untouched, so the rewrite does not depend on how an exporter wrote the attention. It works on
 * the protobuf bytes directly (ModelProto.graph = 7; GraphProto node = 1, initializer = 5,
 * input = 11, output = 12), copying every other field as it is.
 */
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readOnnxGraphSummary } from '../../models/onnx-graph.js';
import { GenerationError } from './errors.js';

export const TIME_MAJOR_SUFFIX = '.time_major';
export const LAST_FRAME_SUFFIX = '.last_frame';
const PAST = /^past_key_values\.(\d+)\.decoder\.(key|value)$/;
const PRESENT = /^present\.(\d+)\.decoder\.(key|value)$/;
const CONSTANT_PREFIX = 'bittaudio_kv_time_major';

/** Beside the original when the weights are external (they are found relative to the file). */
export const TIME_MAJOR_FILE_SUFFIX = '.kv-time-major.onnx';
/** Rewritten in memory up to this size; larger files are written once beside the original. */
const IN_MEMORY_LIMIT = 64 * 2 ** 20;

export interface Field {
  no: number;
  wire: number;
  /** The whole field: key and value. */
  bytes: Uint8Array;
  /** For length-delimited fields, the payload. */
  payload: Uint8Array;
}

export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length; i++) {
    const byte = buf[i] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
    if (shift > 63n) break;
  }
  throw new Error('a varint runs past the end of its message');
}

/** The top-level fields of one protobuf message. */
export function fieldsOf(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [key, afterKey] = readVarint(buf, pos);
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    let end: number;
    let payload = buf.subarray(afterKey, afterKey);
    if (wire === 0) end = readVarint(buf, afterKey)[1];
    else if (wire === 1) end = afterKey + 8;
    else if (wire === 5) end = afterKey + 4;
    else if (wire === 2) {
      const [length, afterLength] = readVarint(buf, afterKey);
      end = afterLength + Number(length);
      payload = buf.subarray(afterLength, end);
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (end > buf.length) throw new Error('a field runs past the end of its message');
    out.push({ no, wire, bytes: buf.subarray(start, end), payload });
    pos = end;
  }
  return out;
}

export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

// Buffer.concat: one copy of the parts, as a Uint8Array.
export const concat = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);

export const lengthField = (no: number, payload: Uint8Array): Uint8Array =>
  concat([Uint8Array.from([...varint((no << 3) | 2), ...varint(payload.length)]), payload]);
export const varintField = (no: number, value: number | bigint): Uint8Array =>
  Uint8Array.from([...varint(no << 3), ...varint(value)]);
export const stringField = (no: number, text: string): Uint8Array => lengthField(no, new TextEncoder().encode(text));

export function nameOf(valueInfo: Uint8Array): string {
  const name = fieldsOf(valueInfo).find((f) => f.no === 1 && f.wire === 2);
  return name ? new TextDecoder().decode(name.payload) : '';
}

/** ValueInfoProto.type → TypeProto.tensor_type → (elem_type, the dims of its shape as raw fields). */
export function tensorType(valueInfo: Uint8Array): { elemType: bigint; dims: Uint8Array[] } {
  const type = fieldsOf(valueInfo).find((f) => f.no === 2 && f.wire === 2);
  const tensor = type && fieldsOf(type.payload).find((f) => f.no === 1 && f.wire === 2);
  if (!tensor) throw new Error(`${nameOf(valueInfo)} is not a tensor`);
  const fields = fieldsOf(tensor.payload);
  const elem = fields.find((f) => f.no === 1 && f.wire === 0);
  const shape = fields.find((f) => f.no === 2 && f.wire === 2);
  const dims = shape ? fieldsOf(shape.payload).filter((f) => f.no === 1) : [];
  return { elemType: elem ? readVarint(elem.bytes, 1)[0] : 0n, dims: dims.map((d) => d.bytes) };
}

export function valueInfo(name: string, elemType: bigint, dims: Uint8Array[] | null): Uint8Array {
  const tensor = concat([varintField(1, elemType), ...(dims ? [lengthField(2, concat(dims))] : [])]);
  return concat([stringField(1, name), lengthField(2, lengthField(1, tensor))]);
}

function node(op: string, inputs: string[], output: string, attribute?: Uint8Array): Uint8Array {
  return lengthField(
    1,
    concat([
      ...inputs.map((i) => stringField(1, i)),
      stringField(2, output),
      stringField(3, `${CONSTANT_PREFIX}.${output}`),
      stringField(4, op),
      ...(attribute ? [lengthField(5, attribute)] : []),
    ]),
  );
}

export function int64Constant(name: string, value: bigint): Uint8Array {
  const raw = new Uint8Array(8);
  new DataView(raw.buffer).setBigInt64(0, value, true);
  // TensorProto { dims = 1; data_type = 2 (INT64 = 7); name = 8; raw_data = 9 }
  return lengthField(5, concat([varintField(1, 1), varintField(2, 7), stringField(8, name), lengthField(9, raw)]));
}

/**
 * Rewrites the decoder's ModelProto bytes (see the module comment). Throws when the graph does
 * not have the 2·layers self-attention inputs and outputs of the merged MusicGen decoder.
 */
export function toTimeMajorCache(model: Uint8Array, layers: number): Uint8Array {
  const top = fieldsOf(model);
  const graphField = top.find((f) => f.no === 7 && f.wire === 2);
  if (!graphField) throw new Error('the file has no graph');
  const pasts = new Set<string>();
  const presents = new Set<string>();
  const graph: Uint8Array[] = [];
  const transposes: Uint8Array[] = [];
  const slices: Uint8Array[] = [];
  const starts = `${CONSTANT_PREFIX}.starts`;
  const ends = `${CONSTANT_PREFIX}.ends`;
  const axes = `${CONSTANT_PREFIX}.axes`;
  // AttributeProto { name = 1; ints = 8; type = 20 (INTS = 7) }: [t, B, H, Dh] → [B, H, t, Dh].
  const perm = concat([stringField(1, 'perm'), ...[1, 2, 0, 3].map((p) => varintField(8, p)), varintField(20, 7)]);
  for (const field of fieldsOf(graphField.payload)) {
    const name = field.wire === 2 && (field.no === 11 || field.no === 12) ? nameOf(field.payload) : '';
    if (field.no === 11 && PAST.test(name)) {
      const { elemType, dims } = tensorType(field.payload);
      if (dims.length !== 4) throw new Error(`${name} has ${dims.length} dimensions, not 4`);
      const [b, h, t, d] = dims as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
      graph.push(lengthField(11, valueInfo(`${name}${TIME_MAJOR_SUFFIX}`, elemType, [t, b, h, d])));
      transposes.push(node('Transpose', [`${name}${TIME_MAJOR_SUFFIX}`], name, perm));
      pasts.add(name);
    } else if (field.no === 12 && PRESENT.test(name)) {
      const { elemType } = tensorType(field.payload);
      graph.push(lengthField(12, valueInfo(`${name}${LAST_FRAME_SUFFIX}`, elemType, null)));
      slices.push(node('Slice', [name, starts, ends, axes], `${name}${LAST_FRAME_SUFFIX}`));
      presents.add(name);
    } else {
      graph.push(field.bytes);
    }
  }
  for (let l = 0; l < layers; l++) {
    for (const part of ['key', 'value']) {
      for (const [set, name] of [
        [pasts, `past_key_values.${l}.decoder.${part}`],
        [presents, `present.${l}.decoder.${part}`],
      ] as const) {
        if (!set.has(name)) throw new Error(`the graph has no ${name}`);
      }
    }
  }
  const constants = [int64Constant(starts, -1n), int64Constant(ends, 0x7fffffffffffffffn), int64Constant(axes, 2n)];
  // New nodes around the body: the Transposes read graph inputs only, the Slices read body values.
  const newGraph = concat([...transposes, ...graph, ...slices, ...constants]);
  return concat(top.map((f) => (f === graphField ? lengthField(7, newGraph) : f.bytes)));
}

/**
 * The decoder for our loop: the rewritten bytes for a small self-contained file, else the path
 * of a rewritten copy beside the original (its external weights are found relative to it),
 * written once and rewritten when the original is newer.
 */
export async function timeMajorDecoder(
  path: string,
  layers: number,
  inMemoryLimit = IN_MEMORY_LIMIT,
): Promise<string | Uint8Array> {
  return rewrittenDecoder(path, {
    rewrite: (bytes) => toTimeMajorCache(bytes, layers),
    fileSuffix: TIME_MAJOR_FILE_SUFFIX,
    what: 'take a time-major KV cache',
    inMemoryLimit,
  });
}

export interface DecoderRewrite {
  rewrite: (model: Uint8Array) => Uint8Array;
  /** Replaces `.onnx` in the name of the copy written beside a large original. */
  fileSuffix: string;
  /** For the error: "<path> cannot <what>: <reason>". */
  what: string;
  /**
   * Suffixes of copies an earlier version of the rewrite wrote: removed when this one is written,
   * so an update neither reuses an outdated graph nor leaves a stale copy of a large decoder behind.
   */
  replaces?: readonly string[];
  inMemoryLimit?: number;
}

/** One decoder rewrite, in memory or as a file beside the original (see `timeMajorDecoder`). */
export async function rewrittenDecoder(path: string, how: DecoderRewrite): Promise<string | Uint8Array> {
  const fail = (error: unknown): never => {
    throw new GenerationError(
      'corrupt_file',
      `${path} cannot ${how.what}: ${error instanceof Error ? error.message : String(error)}.`,
      { cause: error },
    );
  };
  const source = await stat(path);
  const { externalData } = await readOnnxGraphSummary(path);
  if (externalData.length === 0 && source.size <= (how.inMemoryLimit ?? IN_MEMORY_LIMIT)) {
    try {
      return how.rewrite(await readFile(path));
    } catch (error) {
      return fail(error);
    }
  }
  const target = path.replace(/\.onnx$/, how.fileSuffix);
  const existing = await stat(target).catch(() => null);
  if (existing && existing.mtimeMs >= source.mtimeMs) return target;
  let bytes: Uint8Array;
  try {
    bytes = how.rewrite(await readFile(path));
  } catch (error) {
    return fail(error);
  }
  // A name of its own, so that two loads at once cannot interleave their writes.
  const partial = `${target}.${process.pid}.${Date.now()}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, target);
  for (const suffix of how.replaces ?? []) await rm(path.replace(/\.onnx$/, suffix), { force: true });
  return target;
}
