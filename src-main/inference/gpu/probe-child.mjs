#!/usr/bin/env node
/**
 * The execution-provider probe child (protocol in ep-probe.ts): creates a tiny onnxruntime-node
 * session on the provider named by the first argument, runs it once, checks the numbers against
 * a CPU computation, and prints one JSON line:
 *   {"ok":true,"ep":"cuda","details":{…}}   or   {"ok":false,"ep":"cuda","error":"…","details":{…}}
 * It exits 0 in both cases; a crash or a hang is the parent's to judge.
 *
 *   node probe-child.mjs <cpu|cuda|webgpu> [model.onnx]
 *
 * With no model path it runs a built-in graph, y = x·W + b with x [1, 8], W [8, 8], encoded
 * here by hand (this file ships with the app, where no ONNX builder is installed). A model path
 * (e.g. the tiny MusicGen decoder) is only loaded, not run, because its inputs vary.
 */
const EP_NAMES = { cpu: 'cpu', cuda: 'cuda', webgpu: 'webgpu' };
const N = 8;

// --- a minimal protobuf writer, for the built-in model --------------------------------------

function varint(value) {
  const out = [];
  let v = BigInt(value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, value) => Buffer.concat([key(field, 0), varint(value)]);
const bytes = (field, value) => {
  const body = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([key(field, 2), varint(body.length), body]);
};
const message = (field, ...parts) => bytes(field, Buffer.concat(parts));

function floatBytes(values) {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

/** ValueInfoProto { name = 1; type = 2 { tensor_type = 1 { elem_type = 1; shape = 2 { dim = 1 { dim_value = 1 } } } } } */
function floatValueInfo(field, name, dims) {
  const shape = Buffer.concat(dims.map((d) => message(1, int(1, d))));
  return message(field, bytes(1, name), message(2, message(1, int(1, 1), bytes(2, shape))));
}

/** TensorProto { dims = 1; data_type = 2; name = 8; raw_data = 9 } */
function floatTensor(field, name, dims, values) {
  return message(field, ...dims.map((d) => int(1, d)), int(2, 1), bytes(8, name), bytes(9, floatBytes(values)));
}

/** NodeProto { input = 1; output = 2; name = 3; op_type = 4 } */
function node(op, inputs, outputs, name = op) {
  return message(
    1,
    ...inputs.map((i) => bytes(1, i)),
    ...outputs.map((o) => bytes(2, o)),
    bytes(3, name),
    bytes(4, op),
  );
}

export function probeModel() {
  const w = Array.from({ length: N * N }, (_, i) => ((i * 37) % 17) / 17 - 0.5);
  const b = Array.from({ length: N }, (_, i) => i / N);
  const graph = Buffer.concat([
    node('MatMul', ['x', 'W'], ['xw']),
    node('Add', ['xw', 'b'], ['y']),
    bytes(2, 'probe'),
    floatTensor(5, 'W', [N, N], w),
    floatTensor(5, 'b', [N], b),
    floatValueInfo(11, 'x', [1, N]),
    floatValueInfo(12, 'y', [1, N]),
  ]);
  // ModelProto { ir_version = 1; graph = 7; opset_import = 8 { domain = 1; version = 2 } }
  const model = Buffer.concat([
    int(1, 8),
    bytes(2, 'bittaudio-probe'),
    bytes(7, graph),
    message(8, bytes(1, ''), int(2, 17)),
  ]);
  return { model, w, b };
}

/**
 * The speed test: x [8, 512] through a chain of eight 512×512 MatMuls, about what one decoder
 * step of a small model does per layer (8 rows: a batch with classifier-free guidance). Its time
 * per run is what the device choice compares, so a slow GPU provider loses to a fast CPU.
 */
export const BENCH = { rows: 8, width: 512, layers: 8, warmup: 2, runs: 5 };

export function benchModel() {
  const { width, layers, rows } = BENCH;
  // Small weights keep the activations bounded through the chain.
  const w = Array.from({ length: width * width }, (_, i) => (((i * 7919) % 1000) / 1000 - 0.5) / width);
  const nodes = [];
  for (let layer = 0; layer < layers; layer++) {
    const input = layer === 0 ? 'x' : `h${layer}`;
    const output = layer === layers - 1 ? 'y' : `h${layer + 1}`;
    nodes.push(node('MatMul', [input, 'W'], [output], `MatMul${layer}`));
  }
  const graph = Buffer.concat([
    ...nodes,
    bytes(2, 'bench'),
    floatTensor(5, 'W', [width, width], w),
    floatValueInfo(11, 'x', [rows, width]),
    floatValueInfo(12, 'y', [rows, width]),
  ]);
  return Buffer.concat([int(1, 8), bytes(2, 'bittaudio-bench'), bytes(7, graph), message(8, bytes(1, ''), int(2, 17))]);
}

/** Median milliseconds per run of the speed test on one provider. */
async function bench(ort, name) {
  const { rows, width, warmup, runs } = BENCH;
  const session = await ort.InferenceSession.create(benchModel(), { executionProviders: [name] });
  try {
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: rows * width }, (_, i) => (i % 5) - 2),
      [rows, width],
    );
    const times = [];
    for (let i = 0; i < warmup + runs; i++) {
      const started = performance.now();
      const { y } = await session.run({ x });
      // Reading the output makes a GPU provider finish its work and copy it back, as decoding must.
      if (!Number.isFinite(y.data[0])) throw new Error('the speed test produced a non-finite number');
      if (i >= warmup) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return round(times[times.length >> 1]);
  } finally {
    await session.release();
  }
}

// --- the probe ------------------------------------------------------------------------------

async function probe(ep, modelPath) {
  const details = { platform: process.platform, arch: process.arch, node: process.versions.node };
  const name = EP_NAMES[ep];
  if (!name) return { ok: false, ep, error: `unknown execution provider ${JSON.stringify(ep)}`, details };
  let ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    return { ok: false, ep, error: `onnxruntime-node could not be loaded: ${messageOf(error)}`, details };
  }
  details.ortVersion = ort.env?.versions?.node ?? ort.env?.versions?.common ?? null;
  try {
    const started = performance.now();
    if (modelPath) {
      const session = await ort.InferenceSession.create(modelPath, { executionProviders: [name] });
      details.sessionMs = round(performance.now() - started);
      details.model = modelPath;
      details.inputs = session.inputNames.length;
      await session.release();
      return { ok: true, ep, details };
    }
    const { model, w, b } = probeModel();
    const session = await ort.InferenceSession.create(model, { executionProviders: [name] });
    details.sessionMs = round(performance.now() - started);
    const x = Float32Array.from({ length: N }, (_, i) => (i % 3) - 1);
    const runStarted = performance.now();
    const { y } = await session.run({ x: new ort.Tensor('float32', x, [1, N]) });
    details.runMs = round(performance.now() - runStarted);
    const got = y.data;
    let maxError = 0;
    for (let j = 0; j < N; j++) {
      let want = b[j];
      for (let i = 0; i < N; i++) want += x[i] * w[i * N + j];
      maxError = Math.max(maxError, Math.abs(got[j] - want));
    }
    details.maxAbsError = maxError;
    await session.release();
    if (!(maxError < 1e-3)) {
      return { ok: false, ep, error: `the test graph gave wrong numbers (max error ${maxError})`, details };
    }
    details.benchMs = await bench(ort, name);
    return { ok: true, ep, details };
  } catch (error) {
    return { ok: false, ep, error: messageOf(error), details };
  }
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}

function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

const isMain = process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href;
if (isMain) {
  const ep = process.argv[2] ?? process.env.BITTAUDIO_PROBE_EP ?? 'cpu';
  const result = await probe(ep, process.argv[3]);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
