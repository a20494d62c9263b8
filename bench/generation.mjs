// Benchmark of MusicGen generation on this machine's CPU (issues #5, #14): steps/s, real-time factor,
// per-step time early and late, peak RSS and page faults for 15 s and 30 s of audio, on the committed
// tiny model and on a same-shape random-weight musicgen-small decoder (q8), compared with the
// memory-bandwidth floor of musicgen spec §6, for both decode loops (transformers.js generate() and
// our own on onnxruntime-node, issue #14) in the same run, with their ratio.
//
// Builds src-main/inference/generate with esbuild into a temporary folder (no `npm run build`
// needed), writes the random musicgen-small (q8 only) into another temporary folder and deletes it
// afterwards, measures the memory bandwidth in a child process, and runs every generation in a
// fresh child process (peak RSS = VmHWM of that process). Prints a Markdown table for
// bench/RESULTS.md.
//
// Env: BENCH_TINY_SECONDS (default "15,30"), BENCH_SMALL_SECONDS (default "3": measured, then
// extrapolated to 15 s and 30 s; "15,30" measures them, ~3 and ~8 min on 2 cores),
// BENCH_SMALL=0 skips the small model, BENCH_EXTRAPOLATE (default "15,30"), BENCH_JSON=<file>
// also writes the raw runs (per-step times included), BENCH_DECODERS (default "transformers,ort,ort-fused"),
// BENCH_SMALL_DIR=<folder> uses an existing same-shape small model instead of writing one,
// BENCH_IDENTITY=<dtype>:<seconds> (e.g. "fp32:5") first decodes greedily with both loops in one
// process on the small model at that dtype and reports whether the audio is bit-identical,
// BENCH_IDENTITY_DECODERS (default "transformers,ort") names the two loops it compares.
// Decoder names: transformers, ort (our loop on the time-major decoder) and ort-fused (our loop on
// the fused self-attention rewrite, fused-attention-graph.ts; the loop's default on the CPU). The ratio table divides every other
// decoder by the first one of BENCH_DECODERS.
// BENCH_WEBGPU_SECONDS (default "5"; empty skips) decodes the tiny model greedily on WebGPU (any
// adapter, software lavapipe included: correctness and bytes, not speed) with the KV cache on the
// host and on the device (the device cache with the tokens chosen on the host and on the device),
// against the CPU loop: same codes?, host↔device bytes per step counted by the loop
// (DecodeResult.transfers). BENCH_WEBGPU_SMALL_STEPS=<n> adds the same-shape small model
// (BENCH_WEBGPU_SMALL_DTYPE, default fp32) for n steps.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const list = (v, d) => (v ?? d).split(',').filter(Boolean).map(Number);
const TINY_SECONDS = list(process.env.BENCH_TINY_SECONDS, '15,30');
const SMALL_SECONDS = list(process.env.BENCH_SMALL_SECONDS, '3');
const EXTRAPOLATE = list(process.env.BENCH_EXTRAPOLATE, '15,30');
const WITH_SMALL = process.env.BENCH_SMALL !== '0';
const DECODERS = (process.env.BENCH_DECODERS ?? 'transformers,ort,ort-fused').split(',').filter(Boolean);
const SMALL_DIR = process.env.BENCH_SMALL_DIR ? resolve(process.env.BENCH_SMALL_DIR) : null;
const IDENTITY = process.env.BENCH_IDENTITY ? process.env.BENCH_IDENTITY.split(':') : null;
const IDENTITY_DECODERS = (process.env.BENCH_IDENTITY_DECODERS ?? 'transformers,ort').split(',').slice(0, 2);

/** MusicgenGenerator options for a decoder name of this bench, and a logger that keeps its warnings. */
function generatorOptions(decoder, warnings) {
  const logger = {
    debug() {},
    info() {},
    warn: (message, fields) => warnings.push({ message, fields }),
    error: (message, fields) => warnings.push({ message, fields }),
    child() {
      return logger;
    },
  };
  // Both levels by name: the loop's own default is the fused level on the CPU.
  if (decoder === 'ort-fused') return { decoder: 'ort', cacheRewrite: 'fused-attention', logger };
  if (decoder === 'ort') return { decoder: 'ort', cacheRewrite: 'time-major', logger };
  return { decoder, logger };
}
const PROMPT = 'Lo-fi hip hop beat with mellow piano and soft rain';
const SEED = 1234;
const CFG = 2; // guidance 3: conditional + unconditional rows in one batch
const WEBGPU_SECONDS = list(process.env.BENCH_WEBGPU_SECONDS, '5');
const WEBGPU_SMALL_STEPS = Number(process.env.BENCH_WEBGPU_SMALL_STEPS ?? 0);
const WEBGPU_SMALL_DTYPE = process.env.BENCH_WEBGPU_SMALL_DTYPE ?? 'fp32';

/** musicgen-small's decoder (scripts/tiny-musicgen SIZES, the same numbers). */
const SHAPES = {
  tiny: { codebooks: 4, vocab: 64, width: 32, ffn: 64, layers: 2 },
  small: { codebooks: 4, vocab: 2048, width: 1024, ffn: 4096, layers: 24 },
};
const WEIGHT_BYTES = { fp32: 4, q8: 1 };

/**
 * Bytes read by one decoder step at past length `t` (musicgen spec §6 "Memory bound per step"):
 * the weights once per step (batch 2 for CFG shares them) + the KV caches, both CFG rows.
 *   weights = (L·(6·D² + 2·D·F) + K·D·V) · bytes/weight
 *     per layer: self q,k,v,out + cross q,out (6·D²) and fc1, fc2 (2·D·F); the K lm-heads.
 *     Not counted: cross-attention K/V projections (step 1 only), embedding tables (4 rows
 *     gathered), LayerNorms and biases (<0.1 %).
 *   KV = 2 (K and V) · L · 2 rows · D · (t + S) · 4 bytes (the q8 export keeps float32 I/O and
 *     caches), t = past self-attention frames, S = encoder tokens of the prompt.
 */
function bytesPerStep(shape, dtype, t, encoderTokens) {
  const { codebooks: K, vocab: V, width: D, ffn: F, layers: L } = shape;
  const weights = (L * (6 * D * D + 2 * D * F) + K * D * V) * WEIGHT_BYTES[dtype];
  const kv = 2 * L * CFG * D * (t + encoderTokens) * 4;
  return { weights, kv, total: weights + kv };
}

/** Floor of a run of `steps` steps in ms: Σ bytes(t) ÷ bandwidth, t = 0 … steps−1. */
function floorMs(shape, dtype, steps, encoderTokens, bytesPerMs) {
  const w = bytesPerStep(shape, dtype, 0, encoderTokens);
  const perFrame = 2 * shape.layers * CFG * shape.width * 4;
  const total = steps * w.total + (perFrame * steps * (steps - 1)) / 2;
  return total / bytesPerMs;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function vmHwm() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

// ---------------------------------------------------------------------------------------------------
// Child: memory bandwidth

const BW_BYTES = 1024 * 2 ** 20;

/** Sums a slice of a Float64Array with four accumulators (read bandwidth, not an add chain). */
const READ_SOURCE = `
  const { parentPort, workerData } = require('node:worker_threads');
  const a = new Float64Array(workerData.buffer, workerData.offset, workerData.length);
  parentPort.on('message', () => {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < a.length; i += 4) { s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3]; }
    parentPort.postMessage(s0 + s1 + s2 + s3);
  });
`;

async function bandwidthChild() {
  const runs = 7;
  const shared = new SharedArrayBuffer(BW_BYTES);
  const a = new Float64Array(shared);
  for (let i = 0; i < a.length; i++) a[i] = i & 1023;
  const threads = cpus().length;
  const per = a.length / threads;
  const workers = Array.from(
    { length: threads },
    (_, i) =>
      new Worker(READ_SOURCE, {
        eval: true,
        workerData: { buffer: shared, offset: i * per * 8, length: per },
      }),
  );
  const round = () => Promise.all(workers.map((w) => new Promise((ok) => (w.once('message', ok), w.postMessage(0)))));
  const read = [];
  for (let r = -1; r < runs; r++) {
    const t = performance.now();
    await round();
    if (r >= 0) read.push(BW_BYTES / (performance.now() - t) / 1e6);
  }
  await Promise.all(workers.map((w) => w.terminate()));
  // One thread: the JS read loop and a native memcpy (read + write, counted as 2 × bytes).
  const one = [];
  for (let r = -1; r < runs; r++) {
    const t = performance.now();
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // prettier-ignore
    for (let i = 0; i < a.length; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    if (s0 + s1 + s2 + s3 < 0) throw new Error('unreachable');
    if (r >= 0) one.push(BW_BYTES / (performance.now() - t) / 1e6);
  }
  const dst = new Float64Array(a.length);
  const copy = [];
  for (let r = -1; r < runs; r++) {
    const t = performance.now();
    dst.set(a);
    if (r >= 0) copy.push((2 * BW_BYTES) / (performance.now() - t) / 1e6);
  }
  process.stdout.write(
    JSON.stringify({ readAll: median(read), readOne: median(one), copyOne: median(copy), threads, runs }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Child: one generation in a fresh process

function faults() {
  const u = process.resourceUsage();
  return u.minorPageFault + u.majorPageFault;
}

async function generationChild(genPath, dir, dtype, seconds, decoder) {
  const { MusicgenGenerator } = await import(pathToFileURL(genPath).href);
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(dir)}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(dir.split('/').pop(), { local_files_only: true });
  const encoderTokens = tokenizer(PROMPT).input_ids.dims[1];

  const warnings = [];
  const generator = new MusicgenGenerator({ dir, dtype }, generatorOptions(decoder, warnings));
  const rssBeforeLoad = process.memoryUsage().rss;
  const { loadMs } = await generator.load();
  const rssLoaded = process.memoryUsage().rss;
  const stamps = [];
  const cpu = [];
  let faultsAtStart = 0;
  const result = await generator.generate(
    { prompt: PROMPT, durationSeconds: seconds, guidanceScale: 3, seed: SEED },
    {
      onProgress: ({ step }) => {
        stamps[step] = performance.now();
        const c = process.cpuUsage();
        cpu[step] = (c.user + c.system) / 1000;
        if (step === 0) faultsAtStart = faults();
      },
    },
  );
  const decodeFaults = faults() - faultsAtStart;
  // stamps[0] follows the text encoder; stamps[s] ends decoding step s (past length s − 1).
  // CPU time (all threads of the process) per step is less disturbed by other work on a shared machine.
  const stepMs = [];
  const stepCpuMs = [];
  for (let s = 1; s < stamps.length; s++) {
    stepMs.push(stamps[s] - stamps[s - 1]);
    stepCpuMs.push(cpu[s] - cpu[s - 1]);
  }
  process.stdout.write(
    JSON.stringify({
      seconds,
      decoder,
      audioSeconds: result.audio.length / result.sampleRate,
      steps: result.steps,
      device: result.device,
      dtype: result.dtype.decoder_model_merged,
      timings: { ...result.timings, loadMs },
      stepMs,
      stepCpuMs,
      decodeFaults,
      encoderTokens,
      rssBeforeLoad,
      rssLoaded,
      peakRss: vmHwm(),
      warnings,
    }),
  );
  await generator.dispose();
}

// ---------------------------------------------------------------------------------------------------
// Child: greedy identity of the two decode loops in one process

async function identityChild(genPath, dir, dtype, seconds) {
  const { MusicgenGenerator } = await import(pathToFileURL(genPath).href);
  const request = { prompt: PROMPT, durationSeconds: seconds, guidanceScale: 3, decoding: 'greedy' };
  const out = {};
  const warnings = [];
  for (const decoder of IDENTITY_DECODERS) {
    const generator = new MusicgenGenerator({ dir, dtype }, generatorOptions(decoder, warnings));
    const result = await generator.generate(request);
    out[decoder] = { audio: result.audio, decodeMs: result.timings.decodeMs, steps: result.steps };
    await generator.dispose();
  }
  const [nameA, nameB] = IDENTITY_DECODERS;
  const a = out[nameA].audio;
  const b = out[nameB].audio;
  let firstDifference = a.length === b.length ? -1 : Math.min(a.length, b.length);
  for (let i = 0; i < Math.min(a.length, b.length) && firstDifference < 0; i++) {
    if (Object.is(a[i], b[i]) === false) firstDifference = i;
  }
  process.stdout.write(
    JSON.stringify({
      dtype,
      seconds,
      steps: out[nameB].steps,
      decoders: IDENTITY_DECODERS,
      warnings,
      samples: [a.length, b.length],
      identical: firstDifference < 0,
      firstDifference,
      decodeMs: { [nameA]: out[nameA].decodeMs, [nameB]: out[nameB].decodeMs },
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Child: WebGPU, KV cache on the host and on the device, against the CPU loop (issue #14)

async function webgpuChild(ortPath, dir, dtype, steps) {
  // Dawn warns on every start without a runtime folder (musicgen spec §9).
  if (!process.env.XDG_RUNTIME_DIR) {
    process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'bittaudio-xdg-'));
  }
  const { OrtMusicgen, checkModelFolder, sessionDtypes } = await import(pathToFileURL(ortPath).href);
  const dtypes = sessionDtypes(dtype);
  const checked = await checkModelFolder(dir, dtypes);
  const settings = { steps, guidanceScale: 3, greedy: true, topK: 250, temperature: 1, seed: null };
  const decode = async (device, kvCache, sampling) => {
    let model;
    try {
      model = await OrtMusicgen.load(dir, dtypes, checked.config, device, { kvCache, sampling });
    } catch (error) {
      if (device === 'webgpu' && /no supported adapters|failed to get a webgpu adapter/i.test(String(error)))
        return null;
      throw error;
    }
    try {
      const r = await model.generate([PROMPT], settings);
      return { codes: Array.from(r.codes, Number), decodeMs: r.timings.decodeMs, transfers: r.transfers };
    } finally {
      await model.dispose();
    }
  };
  const cpu = await decode('cpu', 'host', 'host');
  const out = { dtype, steps, runs: [] };
  for (const [kvCache, sampling] of [
    ['host', 'host'],
    ['device', 'host'],
    ['device', 'device'],
  ]) {
    const r = await decode('webgpu', kvCache, sampling);
    if (!r) {
      out.skipped = 'no WebGPU adapter';
      break;
    }
    const sameCodes = r.codes.length === cpu.codes.length && r.codes.every((c, i) => c === cpu.codes[i]);
    out.runs.push({ kvCache, sampling, sameCodes, decodeMs: r.decodeMs, transfers: r.transfers });
  }
  process.stdout.write(JSON.stringify(out));
}

/** The WebGPU rows: bytes each way at steps 1, 50 and the last, and for the whole generation. */
function webgpuReport(results) {
  const head = [
    'model (dtype), steps',
    'KV cache',
    'tokens chosen on',
    'greedy codes = CPU loop',
    'host → device per step: step 1 / 50 / last',
    'device → host per step: step 1 / 50 / last',
    'both ways, whole generation',
    'decode (software Vulkan: not a speed figure)',
  ];
  const rows = [head, head.map(() => '---')];
  const bytes = (n) =>
    n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
  const at = (xs) => [xs[0], xs[49], xs.at(-1)].map((x) => (x === undefined ? '—' : bytes(x))).join(' / ');
  const skipped = [];
  for (const { model, result } of results) {
    if (result.skipped) skipped.push(`${model}: ${result.skipped}`);
    for (const r of result.runs) {
      const sum = (xs) => xs.reduce((p, q) => p + q, 0);
      rows.push([
        `${model} (${result.dtype}), ${result.steps}`,
        r.kvCache,
        r.sampling ?? 'host',
        r.sameCodes ? 'yes' : '**NO**',
        at(r.transfers.uploadBytes),
        at(r.transfers.downloadBytes),
        bytes(sum(r.transfers.uploadBytes) + sum(r.transfers.downloadBytes)),
        `${(r.decodeMs / 1000).toFixed(1)} s`,
      ]);
    }
  }
  const lines = ['', 'WebGPU (our loop, greedy, guidance 3; bytes counted from the tensors fed and returned):', ''];
  lines.push(rows.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  if (skipped.length > 0) lines.push('', `WebGPU skipped: ${skipped.join('; ')}.`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Parent

function run(args, timeoutMs = 30 * 60_000) {
  const r = spawnSync(process.execPath, [self, ...args], {
    cwd: root,
    env: process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Least squares ms(step) = a + b·step over the steps after the first 5 (warm-up). */
function fit(stepMs) {
  const pts = stepMs.map((y, i) => [i + 1, y]).slice(5);
  const n = pts.length;
  const mx = pts.reduce((s, [x]) => s + x, 0) / n;
  const my = pts.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

async function main() {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'bittaudio-bench-generation-'));
  const started = performance.now();
  try {
    const genPath = join(dir, 'generate.mjs');
    await build({
      entryPoints: [join(root, 'src-main/inference/generate/index.ts')],
      outfile: genPath,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      // The bundle lives in a temporary folder: it imports transformers.js and onnxruntime-node
      // by absolute path, the same module instances the child (and transformers.js) import.
      plugins: [
        {
          name: 'external-packages',
          setup(b) {
            b.onResolve({ filter: /^(@huggingface\/transformers|onnxruntime-node)$/ }, (args) => ({
              path: fileURLToPath(import.meta.resolve(args.path)),
              external: true,
            }));
          },
        },
      ],
    });

    // Our decode loop itself, for the WebGPU rows (it reports its host↔device bytes).
    const ortPath = join(dir, 'ort.mjs');
    await build({
      stdin: {
        contents:
          "export { OrtMusicgen } from './src-main/inference/generate/ort-decoder.ts';\n" +
          "export { checkModelFolder, sessionDtypes } from './src-main/inference/generate/model-files.ts';\n",
        resolveDir: root,
        loader: 'ts',
      },
      outfile: ortPath,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      plugins: [
        {
          name: 'external-packages',
          setup(b) {
            b.onResolve({ filter: /^(@huggingface\/transformers|onnxruntime-node)$/ }, (args) => ({
              path: fileURLToPath(import.meta.resolve(args.path)),
              external: true,
            }));
          },
        },
      ],
    });

    const bw = run(['child', 'bandwidth']);
    log(
      `bandwidth: ${bw.readAll.toFixed(1)} GB/s read (${bw.threads} threads), ${bw.readOne.toFixed(1)} GB/s read, ${bw.copyOne.toFixed(1)} GB/s memcpy (1 thread)`,
    );
    const rows = [];
    const tinyDir = join(root, 'models/tiny/musicgen');
    // Both loops per length, the order alternating, so that drift on a shared machine hits both.
    const both = (model, modelDir, dtype, s, index) => {
      const order = index % 2 === 0 ? DECODERS : [...DECODERS].reverse();
      for (const decoder of order) {
        const r = run(['child', 'generate', genPath, modelDir, dtype, String(s), decoder]);
        log(`${model} ${dtype} ${s} s, ${decoder}: ${r.steps} steps in ${(r.timings.decodeMs / 1000).toFixed(1)} s`);
        for (const w of r.warnings ?? []) log(`  warning: ${w.message} ${JSON.stringify(w.fields ?? {})}`);
        rows.push({ model, ...r });
      }
    };
    TINY_SECONDS.forEach((s, i) => both('tiny', tinyDir, 'fp32', s, i));
    const webgpu = [];
    for (const s of WEBGPU_SECONDS) {
      const steps = Math.round(s * 50) + 3;
      webgpu.push({ model: 'tiny', result: run(['child', 'webgpu', ortPath, tinyDir, 'fp32', String(steps)]) });
      log(
        `tiny fp32 WebGPU ${s} s: ${JSON.stringify(webgpu.at(-1).result.runs.map((r) => [r.kvCache, r.sampling, r.sameCodes]))}`,
      );
    }
    let identity = null;
    if (WITH_SMALL && (SMALL_SECONDS.length > 0 || IDENTITY || WEBGPU_SMALL_STEPS > 0)) {
      const smallDir = SMALL_DIR ?? join(dir, 'musicgen-small');
      if (!SMALL_DIR) {
        const t = performance.now();
        const extra = [IDENTITY?.[0], WEBGPU_SMALL_STEPS > 0 ? WEBGPU_SMALL_DTYPE : undefined];
        const dtypes = ['q8', ...new Set(extra.filter((d) => d && d !== 'q8'))].join(',');
        const gen = spawnSync(
          process.execPath,
          [join(root, 'scripts/tiny-musicgen/generate.mjs'), smallDir, '--size', 'small', '--dtypes', dtypes],
          { cwd: root, encoding: 'utf8' },
        );
        if (gen.status !== 0) throw new Error(`writing musicgen-small failed:\n${gen.stderr}`);
        log(`wrote the random musicgen-small (${dtypes}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      }
      try {
        if (IDENTITY) {
          identity = run(['child', 'identity', genPath, smallDir, IDENTITY[0], IDENTITY[1] ?? '5']);
          log(`identity ${JSON.stringify(identity)}`);
        }
        SMALL_SECONDS.forEach((s, i) => both('small', smallDir, 'q8', s, i));
        if (WEBGPU_SMALL_STEPS > 0) {
          const args = ['child', 'webgpu', ortPath, smallDir, WEBGPU_SMALL_DTYPE, String(WEBGPU_SMALL_STEPS)];
          webgpu.push({ model: 'musicgen-small shape, random', result: run(args) });
        }
      } finally {
        if (!SMALL_DIR) rmSync(smallDir, { recursive: true, force: true });
      }
    }
    if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ bw, rows, identity, webgpu }));
    report(bw, rows, identity, (performance.now() - started) / 1000);
    if (webgpu.length > 0) console.log(webgpuReport(webgpu));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function log(line) {
  process.stderr.write(`${line}\n`);
}

/** Median of `xs[from … to)` (clamped), or NaN when empty. */
function medianOf(xs, from, to) {
  const part = xs.slice(Math.max(0, from), Math.min(xs.length, to));
  return part.length > 0 ? median(part) : Number.NaN;
}

/** Per-step time near step 50 and over the last 20 steps (wall and CPU ms), with their floors. */
function earlyLate(r, bytesPerMs) {
  const shape = SHAPES[r.model];
  const lateFrom = r.stepMs.length - 20;
  // stepMs[i] is step i + 1, whose past holds i frames.
  const early = { step: 50, wall: medianOf(r.stepMs, 40, 60), cpu: medianOf(r.stepCpuMs ?? [], 40, 60) };
  const late = {
    step: lateFrom + 10,
    wall: medianOf(r.stepMs, lateFrom, r.stepMs.length),
    cpu: medianOf(r.stepCpuMs ?? [], lateFrom, r.stepMs.length),
  };
  early.floor = bytesPerStep(shape, r.dtype, 49, r.encoderTokens).total / bytesPerMs;
  late.floor = bytesPerStep(shape, r.dtype, late.step - 1, r.encoderTokens).total / bytesPerMs;
  return { early, late };
}

function report(bw, rows, identity, wallSeconds) {
  const bytesPerMs = bw.readAll * 1e6; // GB/s → bytes per ms
  const mib = (x) => `${(x / 2 ** 20).toFixed(0)} MiB`;
  const ortVersion = JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
  const tjsVersion = JSON.parse(
    readFileSync(join(root, 'node_modules/@huggingface/transformers/package.json'), 'utf8'),
  ).version;
  const cpu = cpus();
  const head = [
    'model (decoder dtype, device)',
    'decode loop',
    'audio',
    'steps',
    'decode',
    'ms/step',
    'step 50: ms wall / CPU (floor)',
    'late steps: ms wall / CPU (floor)',
    'real-time factor',
    'peak RSS',
    'page faults/step',
    'measured ÷ floor',
  ];
  const out = [head, head.map(() => '---')];
  const table = (rs) => rs.map((r) => `| ${r.join(' | ')} |`).join('\n');
  const name = (r) => (r.model === 'tiny' ? 'tiny' : 'musicgen-small shape, random');
  const digits = (r) => (r.model === 'tiny' ? 3 : 1);
  const notes = [];
  for (const r of rows) {
    const shape = SHAPES[r.model];
    const decodeMs = r.timings.decodeMs;
    const wallMs = r.timings.encodeMs + decodeMs + r.timings.audioMs;
    const floor = floorMs(shape, r.dtype, r.steps, r.encoderTokens, bytesPerMs);
    const { early, late } = earlyLate(r, bytesPerMs);
    const at = (x) =>
      Number.isNaN(x.wall)
        ? '—'
        : `${x.wall.toFixed(digits(r))} / ${x.cpu.toFixed(digits(r))} (${x.floor.toFixed(digits(r) + 1)})` +
          (x === late ? ` at step ~${x.step}` : '');
    out.push([
      `${name(r)} (${r.dtype}, ${r.device})`,
      r.decoder,
      `${r.audioSeconds.toFixed(2)} s`,
      String(r.steps),
      `${(decodeMs / 1000).toFixed(1)} s`,
      (decodeMs / r.steps).toFixed(2),
      at(early),
      at(late),
      `${(r.audioSeconds / (wallMs / 1000)).toFixed(3)}×`,
      mib(r.peakRss),
      r.decodeFaults === undefined ? '—' : String(Math.round(r.decodeFaults / r.steps)),
      `${(decodeMs / floor).toFixed(r.model === 'tiny' ? 0 : 2)}×`,
    ]);
    const longest = rows
      .filter((x) => x.model === 'small' && x.decoder === r.decoder)
      .sort((x, y) => y.steps - x.steps)[0];
    if (r === longest) {
      const { a, b } = fit(r.stepMs);
      notes.push({ r, a, b });
      const kvPerFrame = 2 * shape.layers * CFG * shape.width * 4;
      for (const s of EXTRAPOLATE) {
        if (rows.some((x) => x.model === 'small' && x.seconds === s)) continue;
        const steps = Math.round(s * 50) + 3;
        const decode = steps * a + (b * steps * (steps + 1)) / 2;
        const wall = r.timings.encodeMs + decode + (r.timings.audioMs * (steps - 3)) / (r.steps - 3);
        const fl = floorMs(shape, r.dtype, steps, r.encoderTokens, bytesPerMs);
        // The caches grow by kvPerFrame per step; two copies of the self-attention cache are alive
        // during a step (past and present; our loop's two ping-pong buffers).
        const rss = r.peakRss + 2 * kvPerFrame * (steps - r.steps);
        out.push([
          `${name(r)} (${r.dtype}, ${r.device}) — *extrapolated*`,
          r.decoder,
          `*${s.toFixed(2)} s*`,
          `*${steps}*`,
          `*${(decode / 1000).toFixed(0)} s*`,
          `*${(decode / steps).toFixed(1)}*`,
          '',
          '',
          `*${(s / (wall / 1000)).toFixed(3)}×*`,
          `*~${mib(rss)}*`,
          '',
          `*${(decode / fl).toFixed(2)}×*`,
        ]);
      }
    }
  }
  // Every other loop against the first of BENCH_DECODERS, for every model and length that ran both.
  const [base, ...others] = DECODERS;
  const over = (what) => `${what} ${others.join(', ')} ÷ ${base}`;
  const ratioHead = [
    'model, audio',
    over('decode time'),
    over('decode CPU time'),
    over('late step wall'),
    over('peak RSS'),
    over('page faults'),
  ];
  const ratios = [ratioHead, ratioHead.map(() => '---')];
  for (const r of rows.filter((x) => others.includes(x.decoder))) {
    const t = rows.find((x) => x.decoder === base && x.model === r.model && x.seconds === r.seconds);
    if (!t) continue;
    const sum = (xs) => (xs ?? []).reduce((p, q) => p + q, 0);
    const lateR = earlyLate(r, bytesPerMs).late.wall / earlyLate(t, bytesPerMs).late.wall;
    ratios.push([
      `${name(r)} (${r.dtype}), ${r.audioSeconds.toFixed(2)} s${others.length > 1 ? `, ${r.decoder}` : ''}`,
      `${(r.timings.decodeMs / t.timings.decodeMs).toFixed(2)}×`,
      `${(sum(r.stepCpuMs) / sum(t.stepCpuMs)).toFixed(2)}×`,
      Number.isNaN(lateR) ? '—' : `${lateR.toFixed(2)}×`,
      `${(r.peakRss / t.peakRss).toFixed(2)}×`,
      t.decodeFaults ? `${(r.decodeFaults / t.decodeFaults).toFixed(3)}×` : '—',
    ]);
  }
  const small = rows.find((r) => r.model === 'small');
  const w = bytesPerStep(SHAPES.small, 'q8', 0, small?.encoderTokens ?? 0);
  const lines = [
    `Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length} cores, ${mib(totalmem())} RAM, Node ${process.versions.node}, onnxruntime-node ${ortVersion} (CPU EP), @huggingface/transformers ${tjsVersion}, ${new Date().toISOString().slice(0, 10)}`,
    `Memory bandwidth (median of ${bw.runs}, 1 GiB Float64Array): read ${bw.readAll.toFixed(1)} GB/s with ${bw.threads} threads (the floor uses this), ${bw.readOne.toFixed(1)} GB/s with 1 thread; memcpy ${bw.copyOne.toFixed(1)} GB/s (read + write).`,
    `Generation: "${PROMPT}" (${rows[0]?.encoderTokens ?? '?'} encoder tokens), seed ${SEED}, guidance 3 (batch 2), top-k 250, each run in a fresh process (peak RSS = VmHWM, model load included). Real-time factor = audio s ÷ (text encoder + decoding + EnCodec) s, load excluded. Decode loops: transformers = transformers.js generate(), ort = our own loop (issue #14), ort-fused = the same on the fused self-attention; seeded sampling draws differ between the loops, greedy tokens are identical.`,
    `Per-step columns: medians of steps 41–60 and of the last 20 steps, wall ms / CPU ms of the process (all threads), and the bandwidth floor of that step in brackets. Page faults: minor + major during decoding, per step.`,
    `Bytes per step (spec §6): (L·(6·D²+2·D·F) + K·D·V)·bytes/weight + 2·L·2·D·(t+S)·4 B; musicgen-small q8: ${(w.weights / 1e6).toFixed(0)} MB weights + ${((2 * 24 * 2 * 1024 * 4) / 1e3).toFixed(0)} KB of KV per past frame (t) and per encoder token (S).`,
    `Bench wall time: ${wallSeconds.toFixed(0)} s.`,
    '',
    table(out),
  ];
  if (ratios.length > 2) lines.push('', table(ratios));
  if (identity) {
    lines.push(
      '',
      `Greedy identity, same-shape musicgen-small ${identity.dtype}, ${identity.seconds} s (${identity.steps} steps), both loops in one process: ` +
        (identity.identical
          ? `audio bit-identical (${identity.samples[0]} samples).`
          : `audio DIFFERS, first at sample ${identity.firstDifference} (lengths ${identity.samples.join(' / ')}).`) +
        ` Decode ${identity.decoders.map((d) => `${(identity.decodeMs[d] / 1000).toFixed(1)} s (${d})`).join(' / ')}.`,
    );
  }
  for (const { r, a, b } of notes) {
    lines.push(
      '',
      `Extrapolation (${r.decoder}) from the measured ${r.audioSeconds.toFixed(2)} s run: least-squares ms(step) = ${a.toFixed(1)} + ${b.toFixed(4)}·step over steps 6…${r.steps}; EnCodec scaled by frames; RSS + 2 × KV growth.`,
    );
  }
  console.log(lines.join('\n'));
}

if (process.argv[2] === 'child') {
  const [, , , kind, genPath, dir, dtype, seconds, decoder] = process.argv;
  if (kind === 'bandwidth') await bandwidthChild();
  else if (kind === 'webgpu') await webgpuChild(genPath, dir, dtype, Number(seconds));
  else if (kind === 'identity') await identityChild(genPath, dir, dtype, Number(seconds));
  else await generationChild(genPath, dir, dtype, Number(seconds), decoder);
} else {
  await main();
}
