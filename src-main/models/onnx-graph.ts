/**
 * Reads what an imported model needs checking from an ONNX file without loading it: the names
 * and element types of the graph's inputs and outputs, and the external data files its weights
 * live in. ONNX is a protobuf `ModelProto`; this walks only the fields below and skips the rest
 * (weights included) by their length, so a multi-GB file costs a few hundred small reads.
 *
 *   ModelProto   { GraphProto graph = 7; }
 *   GraphProto   { TensorProto initializer = 5; ValueInfoProto input = 11; output = 12; }
 *   TensorProto  { StringStringEntryProto external_data = 13; DataLocation data_location = 14; }
 *   ValueInfoProto { string name = 1; TypeProto type = 2; }
 *   TypeProto    { Tensor tensor_type = 1; }   Tensor { int32 elem_type = 1; }
 *   StringStringEntryProto { string key = 1; string value = 2; }
 */
import { open } from 'node:fs/promises';

/** `TensorProto.DataType` values the checks use. */
export const ONNX_ELEM_TYPE = Object.freeze({ FLOAT: 1, INT64: 7, BOOL: 9, FLOAT16: 10 });

export interface OnnxValueInfo {
  name: string;
  /** `TensorProto.DataType`, or null for a non-tensor or untyped value. */
  elemType: number | null;
}

export interface OnnxGraphSummary {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** `location`s of initializers stored outside the file, relative to the file's folder. */
  externalData: string[];
}

export class OnnxFormatError extends Error {
  override readonly name = 'OnnxFormatError';
}

/** Positioned reads with a small window cache; `read` past the end is a format error. */
interface ByteSource {
  size: number;
  read(position: number, length: number): Promise<Uint8Array>;
}

const WINDOW = 64 * 1024;
/** Value infos and tensor headers are small; anything larger is not a sane ONNX file. */
const MAX_SMALL_MESSAGE = 1 << 20;

export async function readOnnxGraphSummary(path: string): Promise<OnnxGraphSummary> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    let windowStart = 0;
    let window = new Uint8Array(0);
    const source: ByteSource = {
      size,
      async read(position, length) {
        if (position < 0 || position + length > size) throw new OnnxFormatError('the file is truncated');
        if (position >= windowStart && position + length <= windowStart + window.byteLength) {
          return window.subarray(position - windowStart, position - windowStart + length);
        }
        const buffer = Buffer.alloc(Math.max(length, Math.min(WINDOW, size - position)));
        const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, position);
        windowStart = position;
        window = buffer.subarray(0, bytesRead);
        if (bytesRead < length) throw new OnnxFormatError('the file is truncated');
        return window.subarray(0, length);
      },
    };
    return await summarize(source);
  } finally {
    await handle.close();
  }
}

/** The same from bytes in memory (tests and fuzzing). */
export async function parseOnnxGraphSummary(bytes: Uint8Array): Promise<OnnxGraphSummary> {
  return summarize({
    size: bytes.byteLength,
    read: async (position, length) => {
      if (position < 0 || position + length > bytes.byteLength) throw new OnnxFormatError('the file is truncated');
      return bytes.subarray(position, position + length);
    },
  });
}

async function summarize(source: ByteSource): Promise<OnnxGraphSummary> {
  const summary: OnnxGraphSummary = { inputs: [], outputs: [], externalData: [] };
  let sawGraph = false;
  await walk(source, 0, source.size, async (field, start, end) => {
    if (field !== 7) return;
    sawGraph = true;
    await walk(source, start, end, async (graphField, a, b) => {
      if (graphField === 11 || graphField === 12) {
        const info = parseValueInfo(await readSmall(source, a, b));
        (graphField === 11 ? summary.inputs : summary.outputs).push(info);
      } else if (graphField === 5) {
        const location = await externalLocation(source, a, b);
        if (location !== null && !summary.externalData.includes(location)) summary.externalData.push(location);
      }
    });
  });
  if (!sawGraph) throw new OnnxFormatError('no graph in the file (is it an ONNX model?)');
  return summary;
}

/** Calls `onMessage` for each length-delimited field of the message in [start, end); skips the others. */
async function walk(
  source: ByteSource,
  start: number,
  end: number,
  onMessage: (field: number, start: number, end: number) => Promise<void>,
): Promise<void> {
  let at = start;
  while (at < end) {
    const [key, afterKey] = await readVarintAt(source, at, end);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new OnnxFormatError('a protobuf field number is 0');
    switch (wire) {
      case 0:
        at = (await readVarintAt(source, afterKey, end))[1];
        break;
      case 1:
        at = afterKey + 8;
        break;
      case 5:
        at = afterKey + 4;
        break;
      case 2: {
        const [length, afterLength] = await readVarintAt(source, afterKey, end);
        const valueEnd = afterLength + length;
        if (valueEnd > end) throw new OnnxFormatError('a protobuf field runs past its message');
        await onMessage(field, afterLength, valueEnd);
        at = valueEnd;
        break;
      }
      default:
        throw new OnnxFormatError(`unsupported protobuf wire type ${wire}`);
    }
    if (at > end) throw new OnnxFormatError('a protobuf field runs past its message');
  }
}

async function readVarintAt(source: ByteSource, at: number, end: number): Promise<[number, number]> {
  const bytes = await source.read(at, Math.min(10, end - at));
  const [value, used] = decodeVarint(bytes, 0);
  return [value, at + used];
}

function decodeVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const byte = bytes[at + i];
    if (byte === undefined) throw new OnnxFormatError('a protobuf varint is truncated');
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      if (!Number.isSafeInteger(value)) throw new OnnxFormatError('a protobuf varint is too large');
      return [value, i + 1];
    }
    scale *= 128;
  }
  throw new OnnxFormatError('a protobuf varint is too long');
}

async function readSmall(source: ByteSource, start: number, end: number): Promise<Uint8Array> {
  if (end - start > MAX_SMALL_MESSAGE) throw new OnnxFormatError('a graph input or output description is too large');
  return source.read(start, end - start);
}

/** Length-delimited and varint fields of a small message held in memory. */
function fields(bytes: Uint8Array): { field: number; value: Uint8Array | number }[] {
  const out: { field: number; value: Uint8Array | number }[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    const [key, keyLength] = decodeVarint(bytes, at);
    at += keyLength;
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new OnnxFormatError('a protobuf field number is 0');
    if (wire === 0) {
      const [value, used] = decodeVarint(bytes, at);
      out.push({ field, value });
      at += used;
    } else if (wire === 2) {
      const [length, used] = decodeVarint(bytes, at);
      at += used;
      if (at + length > bytes.byteLength) throw new OnnxFormatError('a protobuf field runs past its message');
      out.push({ field, value: bytes.subarray(at, at + length) });
      at += length;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else {
      throw new OnnxFormatError(`unsupported protobuf wire type ${wire}`);
    }
    if (at > bytes.byteLength) throw new OnnxFormatError('a protobuf field runs past its message');
  }
  return out;
}

const text = new TextDecoder('utf-8', { fatal: false });

function parseValueInfo(bytes: Uint8Array): OnnxValueInfo {
  let name = '';
  let elemType: number | null = null;
  for (const { field, value } of fields(bytes)) {
    if (field === 1 && value instanceof Uint8Array) name = text.decode(value);
    if (field === 2 && value instanceof Uint8Array) {
      for (const t of fields(value)) {
        if (t.field !== 1 || !(t.value instanceof Uint8Array)) continue;
        for (const tensor of fields(t.value)) {
          if (tensor.field === 1 && typeof tensor.value === 'number') elemType = tensor.value;
        }
      }
    }
  }
  return { name, elemType };
}

/** The `location` of an initializer kept in an external file, or null when its data is inline. */
async function externalLocation(source: ByteSource, start: number, end: number): Promise<string | null> {
  let location: string | null = null;
  let external = false;
  let at = start;
  // Walk the tensor's fields by hand: raw_data (9) may be gigabytes and is skipped, never read.
  while (at < end) {
    const [key, afterKey] = await readVarintAt(source, at, end);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      const [value, next] = await readVarintAt(source, afterKey, end);
      if (field === 14) external = value === 1;
      at = next;
    } else if (wire === 2) {
      const [length, afterLength] = await readVarintAt(source, afterKey, end);
      if (afterLength + length > end) throw new OnnxFormatError('a protobuf field runs past its message');
      if (field === 13) {
        let key13 = '';
        let value13 = '';
        for (const entry of fields(await readSmall(source, afterLength, afterLength + length))) {
          if (entry.field === 1 && entry.value instanceof Uint8Array) key13 = text.decode(entry.value);
          if (entry.field === 2 && entry.value instanceof Uint8Array) value13 = text.decode(entry.value);
        }
        if (key13 === 'location') location = value13;
      }
      at = afterLength + length;
    } else if (wire === 1 || wire === 5) {
      at = afterKey + (wire === 1 ? 8 : 4);
    } else {
      throw new OnnxFormatError(`unsupported protobuf wire type ${wire}`);
    }
    if (at > end) throw new OnnxFormatError('a protobuf field runs past its message');
  }
  return external ? location : null;
}
