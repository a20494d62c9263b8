// Benchmark of the synapse body codec (src-main/net/body-codec.ts, issue #4): a 30 s SN50 response
// (960 000 float32 samples) serialized by the axon and parsed by the dendrite, ours against naive
// JSON.stringify / JSON.parse of the same synapse with music_output as number[].
//
// Builds the codec with esbuild into a temporary folder (no `npm run build` needed), times every
// variant in one child process (median of RUNS runs, variants interleaved, gc before each run),
// and measures memory in a fresh child process per variant. Prints a Markdown table to paste into
// bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 960_000); // 30 s at 32 kHz
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const NONCE = 1_717_171_717_123_456_789n;

/** Seeded random audio in [-1, 1] (mulberry32), so every process builds the same samples. */
function audio(n) {
  let s = 0x5eed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

function terminal(nonce) {
  return {
    status_code: null,
    status_message: null,
    process_time: null,
    ip: '203.0.113.7',
    port: null,
    version: 10002000,
    nonce,
    uuid: '5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a',
    hotkey: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
    signature: `0x${'ab'.repeat(64)}`,
  };
}

/** The SN50 response synapse (TV-6 layout). Naive JSON cannot write a bigint: its nonce is a (rounded) number. */
function synapse(music, naive) {
  return {
    name: 'MusicGeneration',
    timeout: 200,
    total_size: 3506,
    header_size: 0,
    dendrite: terminal(naive ? Number(NONCE) : NONCE),
    axon: { ...terminal(null), status_code: 200, status_message: 'Success', process_time: 12.5 },
    computed_body_hash: '',
    text_input: 'Lo-fi hip hop beat with mellow piano and soft rain',
    model_name: 'facebook/musicgen-medium',
    music_output: music,
    duration: 1510,
  };
}

/** What a Python axon sends: json.dumps style (", " and ": "), each sample as the repr of a double. */
function pythonBody(samples) {
  const head = JSON.stringify(synapse(null, true)).replace(/,"/g, ', "').replace(/":/g, '": ');
  return Buffer.from(head.replace('"music_output": null', `"music_output": [${Array.from(samples).join(', ')}]`));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

// ---------------------------------------------------------------------------------------------------
// Child processes

async function child(task, codecPath, dataDir) {
  const { encodeSynapseBody, decodeSynapseBody } = await import(pathToFileURL(codecPath).href);
  const gc = globalThis.gc;
  const samples = audio(SAMPLES);

  if (task === 'time') {
    const oursObject = synapse(samples, false);
    const oursArrayObject = synapse(Array.from(samples), false);
    const naiveObject = synapse(Array.from(samples), true);
    const oursBytes = encodeSynapseBody(oursObject);
    const naiveText = JSON.stringify(naiveObject);
    const naiveBytes = Buffer.from(naiveText);
    const pyBytes = pythonBody(samples);
    const pyText = pyBytes.toString();
    let sink = 0;
    const scan = (buf) => {
      let s = 0;
      for (let i = 0; i < buf.length; i++) s += buf[i];
      sink += s;
    };
    const write = (buf) => {
      for (let i = 0; i < buf.length; i++) buf[i] = 48 + (i & 7);
      sink += buf[0];
    };
    const scratch = Buffer.allocUnsafeSlow(naiveBytes.length);
    const variants = {
      'ours encode (Float32Array)': () => encodeSynapseBody(oursObject),
      'ours encode (number[])': () => encodeSynapseBody(oursArrayObject),
      'naive encode (JSON.stringify + UTF-8)': () => Buffer.from(JSON.stringify(naiveObject)),
      'naive encode, string only': () => JSON.stringify(naiveObject),
      'ours decode': () => decodeSynapseBody(oursBytes),
      'naive decode (UTF-8 + JSON.parse)': () => JSON.parse(naiveBytes.toString()),
      'naive decode, string only': () => JSON.parse(naiveText),
      'ours end to end': () => decodeSynapseBody(encodeSynapseBody(oursObject)),
      'naive end to end': () => JSON.parse(Buffer.from(JSON.stringify(naiveObject)).toString()),
      'naive end to end, string only': () => JSON.parse(JSON.stringify(naiveObject)),
      'ours decode of a Python body': () => decodeSynapseBody(pyBytes),
      'JSON.parse of a Python body (UTF-8 + parse)': () => JSON.parse(pyBytes.toString()),
      'JSON.parse of a Python body, string only': () => JSON.parse(pyText),
      'JS byte scan, our bytes': () => scan(oursBytes),
      'JS byte scan, naive bytes': () => scan(naiveBytes),
      'JS byte write, our size': () => write(scratch.subarray(0, oursBytes.length)),
      'native memchr (indexOf), our bytes': () => oursBytes.indexOf(0x07),
    };
    const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let r = -2; r < RUNS; r++) {
      for (const [name, fn] of Object.entries(variants)) {
        gc?.();
        const t = performance.now();
        fn();
        const dt = performance.now() - t;
        if (r >= 0) times[name].push(dt);
      }
    }
    // Correctness of what was timed: same samples, exact nonce.
    const back = decodeSynapseBody(oursBytes);
    const same = back.music_output.every((x, i) => Object.is(x, samples[i]));
    const fromPython = decodeSynapseBody(pyBytes).music_output.every((x, i) => Object.is(x, samples[i]));
    const naiveNonce = JSON.parse(naiveText).dendrite.nonce;
    const result = {
      medians: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])),
      bytes: { ours: oursBytes.length, naive: naiveBytes.length, python: pyBytes.length },
      checks: {
        oursExact: same,
        pythonExact: fromPython,
        oursNonce: String(back.dendrite.nonce),
        naiveNonce: String(BigInt(naiveNonce)),
      },
      sink,
    };
    process.stdout.write(JSON.stringify(result));
    return;
  }

  // Memory: one operation in this fresh process. Inputs are built (or read) first, then gc; the
  // peak is the process's max RSS after the operation minus its RSS before it.
  const [side, op] = task.split(':');
  const ours = side === 'ours';
  let input;
  if (op === 'decode') input = readFileSync(join(dataDir, ours ? 'ours.json' : 'naive.json'));
  else input = synapse(ours ? samples : Array.from(samples), !ours);
  const encode = ours ? encodeSynapseBody : (o) => Buffer.from(JSON.stringify(o));
  const decode = ours ? decodeSynapseBody : (b) => JSON.parse(b.toString());
  gc();
  gc();
  const before = process.memoryUsage();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const t = performance.now();
  let output;
  if (op === 'encode') output = encode(input);
  else if (op === 'decode') output = decode(input);
  else output = decode(encode(input));
  const ms = performance.now() - t;
  const peak = process.resourceUsage().maxRSS * 1024;
  gc();
  gc();
  const after = process.memoryUsage();
  const held = (m) => m.heapUsed + m.external;
  process.stdout.write(
    JSON.stringify({
      ms,
      peakRss: peak - Math.max(before.rss, 0),
      peakAbove: peak > peakBefore,
      retained: held(after) - held(before),
      kept: output === undefined ? 0 : 1,
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Parent

function run(args, env) {
  const r = spawnSync(process.execPath, ['--expose-gc', self, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function main() {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'bittaudio-bench-codec-'));
  try {
    const codecPath = join(dir, 'body-codec.mjs');
    await build({
      entryPoints: [join(root, 'src-main/net/body-codec.ts')],
      outfile: codecPath,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    const { encodeSynapseBody } = await import(pathToFileURL(codecPath).href);
    const samples = audio(SAMPLES);
    writeFileSync(join(dir, 'ours.json'), encodeSynapseBody(synapse(samples, false)));
    writeFileSync(join(dir, 'naive.json'), JSON.stringify(synapse(Array.from(samples), true)));

    const timing = run(['child', 'time', codecPath, dir]);
    const memory = {};
    for (const side of ['ours', 'naive'])
      for (const op of ['encode', 'decode', 'e2e'])
        memory[`${side}:${op}`] = run(['child', `${side}:${op}`, codecPath, dir]);
    report(timing, memory);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report({ medians: m, bytes, checks }, memory) {
  const ms = (x) => `${x.toFixed(1)} ms`;
  const mb = (x) => `${(x / 1e6).toFixed(1)} MB`;
  const mib = (x) => `${(x / 2 ** 20).toFixed(0)} MiB`;
  const cpu = cpus();
  const scanRate = bytes.ours / m['JS byte scan, our bytes']; // bytes per ms
  const writeRate = bytes.ours / m['JS byte write, our size'];
  const floorDecode = bytes.ours / scanRate;
  const floorE2e = floorDecode + bytes.ours / writeRate;
  const rows = [
    ['measure', 'ours', 'naive', 'naive ÷ ours'],
    ['--- ', '---', '---', '---'],
    ['body size', mb(bytes.ours), mb(bytes.naive), (bytes.naive / bytes.ours).toFixed(2) + '×'],
    ['bytes per sample', (bytes.ours / SAMPLES).toFixed(2), (bytes.naive / SAMPLES).toFixed(2), ''],
    [
      'axon serialize (to bytes)',
      ms(m['ours encode (Float32Array)']),
      ms(m['naive encode (JSON.stringify + UTF-8)']),
      (m['naive encode (JSON.stringify + UTF-8)'] / m['ours encode (Float32Array)']).toFixed(2) + '×',
    ],
    [
      'axon serialize, samples given as number[]',
      ms(m['ours encode (number[])']),
      ms(m['naive encode (JSON.stringify + UTF-8)']),
      (m['naive encode (JSON.stringify + UTF-8)'] / m['ours encode (number[])']).toFixed(2) + '×',
    ],
    [
      'dendrite parse (from bytes)',
      ms(m['ours decode']),
      ms(m['naive decode (UTF-8 + JSON.parse)']),
      (m['naive decode (UTF-8 + JSON.parse)'] / m['ours decode']).toFixed(2) + '×',
    ],
    [
      '**end to end** (serialize + parse)',
      `**${ms(m['ours end to end'])}**`,
      `**${ms(m['naive end to end'])}**`,
      `**${(m['naive end to end'] / m['ours end to end']).toFixed(2)}×**`,
    ],
    [
      'end to end, naive without the UTF-8 steps',
      ms(m['ours end to end']),
      ms(m['naive end to end, string only']),
      (m['naive end to end, string only'] / m['ours end to end']).toFixed(2) + '×',
    ],
    ['peak RSS increase: serialize', mib(memory['ours:encode'].peakRss), mib(memory['naive:encode'].peakRss), ''],
    ['peak RSS increase: parse', mib(memory['ours:decode'].peakRss), mib(memory['naive:decode'].peakRss), ''],
    ['peak RSS increase: end to end', mib(memory['ours:e2e'].peakRss), mib(memory['naive:e2e'].peakRss), ''],
    [
      'allocated for the result (V8 heap + external): body / parsed synapse',
      `${mib(memory['ours:encode'].retained)} / ${mib(memory['ours:decode'].retained)}`,
      `${mib(memory['naive:encode'].retained)} / ${mib(memory['naive:decode'].retained)}`,
      '',
    ],
    ['nonce after the round trip', checks.oursNonce, checks.naiveNonce, ''],
  ];
  const python = [
    ['parse a Python axon body', 'time'],
    ['---', '---'],
    [`body (json.dumps style, repr of doubles): ${mb(bytes.python)}`, ''],
    ['ours (into Float32Array, exact)', ms(m['ours decode of a Python body'])],
    ['JSON.parse (UTF-8 + parse)', ms(m['JSON.parse of a Python body (UTF-8 + parse)'])],
    ['JSON.parse, string only', ms(m['JSON.parse of a Python body, string only'])],
  ];
  const floor = [
    ['floor (our bytes)', 'time'],
    ['---', '---'],
    [`JS byte scan: ${(scanRate / 1e6).toFixed(2)} GB/s → parse floor`, ms(floorDecode)],
    [`JS byte write: ${(writeRate / 1e6).toFixed(2)} GB/s → serialize + parse floor`, ms(floorE2e)],
    ['native memchr over our bytes (memory bandwidth bound)', ms(m['native memchr (indexOf), our bytes'])],
  ];
  const table = (rs) => rs.map((r) => `| ${r.join(' | ')} |`).join('\n');
  const lines = [
    `Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length} cores, ${mib(totalmem())} RAM, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`,
    `Input: ${SAMPLES.toLocaleString('en')} float32 samples (30 s at 32 kHz, seeded uniform random in [-1, 1]) in a full SN50 response synapse; medians of ${RUNS} runs.`,
    `Exact: ours ${checks.oursExact ? 'returns every sample bit-exact' : 'MISMATCH'}, ours from a Python body ${checks.pythonExact ? 'bit-exact' : 'MISMATCH'}.`,
    '',
    table(rows),
    '',
    table(python),
    '',
    table(floor),
  ];
  console.log(lines.join('\n'));
}

if (process.argv[2] === 'child') await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
