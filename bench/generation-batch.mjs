// Batch against sequential (issue #14): N concurrent requests decoded as one batch by our own decode
// loop (OrtMusicgen takes several prompts: B prompts make a decoder batch of 2·B with guidance)
// against the same N requests one after another, and against N generate() calls started together on
// the same sessions (what an executor allowing concurrency would do). Seconds for each and the
// throughput ratio sequential ÷ batch, on the CPU provider.
//
// Builds src-main/inference/generate with esbuild into a temporary folder and runs each model in a
// fresh child process (load and a warm-up generation first, not counted). Prints a Markdown table
// for bench/RESULTS.md.
//
// Env: BENCH_BATCH_N (default "1,2,4"), BENCH_BATCH_SECONDS (default 5), BENCH_BATCH_SMALL=1 also
// runs the same-shape random musicgen-small q8 (written into a temporary folder, or
// BENCH_SMALL_DIR=<folder>; ~1 min per 5 s generation on 2 idle cores, so off by default),
// BENCH_BATCH_CONCURRENT=0 skips the concurrent column (BENCH_BATCH_SMALL_CONCURRENT=1 adds it for the
// small model), BENCH_BATCH_REPEATS (default 3, tiny model only;
// the small model runs each way once) takes medians.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const NS = (process.env.BENCH_BATCH_N ?? '1,2,4').split(',').filter(Boolean).map(Number);
const SECONDS = Number(process.env.BENCH_BATCH_SECONDS ?? 5);
const WITH_SMALL = process.env.BENCH_BATCH_SMALL === '1';
const WITH_CONCURRENT = process.env.BENCH_BATCH_CONCURRENT !== '0';
const SMALL_CONCURRENT = WITH_CONCURRENT && process.env.BENCH_BATCH_SMALL_CONCURRENT === '1';
const SMALL_DIR = process.env.BENCH_SMALL_DIR ? resolve(process.env.BENCH_SMALL_DIR) : null;
const PROMPTS = [
  'Lo-fi hip hop beat with mellow piano and soft rain',
  'Energetic rock with distorted guitars and fast drums',
  'Calm ambient pads with a slow evolving melody',
  'Jazz trio with upright bass, brushed drums and piano',
];
const FRAME_RATE = 50;
const REPEATS = Number(process.env.BENCH_BATCH_REPEATS ?? 3);

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function cpuMs() {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

// ---------------------------------------------------------------------------------------------------
// Child: one model, all N, in one process after a warm-up

async function batchChild(genPath, dir, dtype, repeats, withConcurrent) {
  const { OrtMusicgen, checkModelFolder, sessionDtypes } = await import(pathToFileURL(genPath).href);
  const dtypes = sessionDtypes(dtype);
  const checked = await checkModelFolder(dir, dtypes);
  const model = await OrtMusicgen.load(dir, dtypes, checked.config, 'cpu');
  // Steps of `SECONDS` of audio: frames + the delay pattern's codebooks − 1 (request.ts maxNewTokens).
  const steps = Math.round(SECONDS * FRAME_RATE) + checked.config.decoder.num_codebooks - 1;
  const settings = (seed) => ({ steps, guidanceScale: 3, greedy: false, topK: 250, temperature: 1, seed });
  const timed = async (work) => {
    const t = performance.now();
    const c = cpuMs();
    const out = await work();
    return { ms: performance.now() - t, cpuMs: cpuMs() - c, out };
  };
  await model.generate([PROMPTS[0]], { ...settings(1), steps: Math.min(steps, 20) }); // warm-up
  const rows = [];
  for (const n of NS) {
    const prompts = Array.from({ length: n }, (_, i) => PROMPTS[i % PROMPTS.length]);
    // Each way `repeats` times, interleaved, so that a neighbour's load on a shared machine hits all three; medians.
    const runs = { sequential: [], batch: [], concurrent: [] };
    let batch = null;
    for (let r = 0; r < repeats; r++) {
      runs.sequential.push(
        await timed(async () => {
          for (let i = 0; i < n; i++) await model.generate([prompts[i]], settings(1234 + i));
        }),
      );
      batch = await timed(() => model.generate(prompts, settings(1234)));
      runs.batch.push(batch);
      if (withConcurrent) {
        runs.concurrent.push(
          await timed(() => Promise.all(prompts.map((p, i) => model.generate([p], settings(1234 + i))))),
        );
      }
    }
    const mid = (xs) =>
      xs.length > 0 ? { ms: median(xs.map((x) => x.ms)), cpuMs: median(xs.map((x) => x.cpuMs)) } : null;
    const sequential = mid(runs.sequential);
    const concurrent = mid(runs.concurrent);
    if (batch.out.audio.length !== n) throw new Error(`a batch of ${n} returned ${batch.out.audio.length} clips`);
    rows.push({
      n,
      steps,
      repeats,
      sequential,
      batch: mid(runs.batch),
      concurrent,
      samples: batch.out.audio[0].length,
    });
    process.stderr.write(
      `${dtype} N=${n}: sequential ${sequential.ms.toFixed(0)} ms, batch ${mid(runs.batch).ms.toFixed(0)} ms\n`,
    );
  }
  await model.dispose();
  process.stdout.write(JSON.stringify({ rows }));
}

// ---------------------------------------------------------------------------------------------------
// Parent

function run(args, timeoutMs = 60 * 60_000) {
  const r = spawnSync(process.execPath, [self, ...args], {
    cwd: root,
    env: process.env,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed (${r.status ?? r.signal})`);
  return JSON.parse(r.stdout);
}

async function main() {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'bittaudio-bench-batch-'));
  const started = performance.now();
  const load = [loadavg()[0]];
  try {
    const genPath = join(dir, 'ort.mjs');
    await build({
      stdin: {
        contents:
          "export { OrtMusicgen } from './src-main/inference/generate/ort-decoder.ts';\n" +
          "export { checkModelFolder, sessionDtypes } from './src-main/inference/generate/model-files.ts';\n",
        resolveDir: root,
        loader: 'ts',
      },
      outfile: genPath,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      // The bundle lives in a temporary folder: packages are imported by absolute path.
      plugins: [
        {
          name: 'absolute-packages',
          setup(b) {
            b.onResolve({ filter: /^(@huggingface\/transformers|onnxruntime-node)$/ }, (args) => ({
              path: fileURLToPath(import.meta.resolve(args.path)),
              external: true,
            }));
          },
        },
      ],
    });
    const results = [];
    results.push({
      model: 'tiny',
      dtype: 'fp32',
      ...run([
        'child',
        genPath,
        join(root, 'models/tiny/musicgen'),
        'fp32',
        String(REPEATS),
        WITH_CONCURRENT ? '1' : '0',
      ]),
    });
    load.push(loadavg()[0]);
    if (WITH_SMALL) {
      const smallDir = SMALL_DIR ?? join(dir, 'musicgen-small');
      if (!SMALL_DIR) {
        const gen = spawnSync(
          process.execPath,
          [join(root, 'scripts/tiny-musicgen/generate.mjs'), smallDir, '--size', 'small', '--dtypes', 'q8'],
          { cwd: root, encoding: 'utf8' },
        );
        if (gen.status !== 0) throw new Error(`writing musicgen-small failed:\n${gen.stderr}`);
      }
      try {
        results.push({
          model: 'musicgen-small shape, random',
          dtype: 'q8',
          ...run(['child', genPath, smallDir, 'q8', '1', SMALL_CONCURRENT ? '1' : '0']),
        });
      } finally {
        if (!SMALL_DIR) rmSync(smallDir, { recursive: true, force: true });
      }
      load.push(loadavg()[0]);
    }
    report(results, load, (performance.now() - started) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(results, load, wallSeconds) {
  const cpu = cpus();
  const s = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const head = [
    'model (dtype)',
    'N',
    'audio',
    'N one after another',
    'one batch of N',
    'throughput batch ÷ sequential',
    'CPU time batch ÷ sequential',
    ...(WITH_CONCURRENT ? ['N started together', 'throughput together ÷ sequential'] : []),
  ];
  const lines = [
    `Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length} cores, ${(totalmem() / 2 ** 20).toFixed(0)} MiB RAM, Node ${process.versions.node}, ${new Date().toISOString()}; 1-min load average ${load.map((l) => l.toFixed(1)).join(' → ')}.`,
    `Our decode loop (OrtMusicgen, CPU provider), seeded top-k 250 sampling, guidance 3 (decoder batch 2·N), ${SECONDS} s of audio per request, N different prompts; text encoder + decoding + EnCodec, after a warm-up; medians of ${REPEATS} interleaved runs on the tiny model, one run on the small one. Bench wall time ${wallSeconds.toFixed(0)} s.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
  ];
  for (const { model, dtype, rows } of results) {
    for (const r of rows) {
      const cells = [
        `${model} (${dtype})`,
        String(r.n),
        `${r.n} × ${(r.samples / 32000).toFixed(2)} s`,
        s(r.sequential.ms),
        s(r.batch.ms),
        `${(r.sequential.ms / r.batch.ms).toFixed(2)}×`,
        `${(r.batch.cpuMs / r.sequential.cpuMs).toFixed(2)}×`,
      ];
      if (WITH_CONCURRENT) {
        cells.push(r.concurrent ? s(r.concurrent.ms) : '—');
        cells.push(r.concurrent ? `${(r.sequential.ms / r.concurrent.ms).toFixed(2)}×` : '—');
      }
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  console.log(lines.join('\n'));
}

if (process.argv[2] === 'child') {
  const [, , , genPath, dir, dtype, repeats, concurrent] = process.argv;
  await batchChild(genPath, dir, dtype, Number(repeats), concurrent === '1');
} else {
  await main();
}
