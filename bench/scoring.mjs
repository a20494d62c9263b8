// The validator's scoring cost on CPU with scoring models at their real sizes (random weights of
// the real shapes, scripts/tiny-musicgen/scoring-models.mjs --real-dims, written once to
// .cache/bench-models): seconds per 15 s clip for each step of a score, then a round of answers
// scored by ModelRoundScorer with the round's shared work (text embedding, the reference's CLAP
// embedding and class probabilities) done once, against the same answers scored one round each
// (the shared work recomputed per answer). Builds the scoring code with esbuild into .tmp/ (no
// `npm run build`). FAD is left out: there is no VGGish runner yet.
//
//   node bench/scoring.mjs        BENCH_ANSWERS=10 BENCH_RUNS=3 BENCH_MODELS=.cache/bench-models
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { writeScoringModels } from '../scripts/tiny-musicgen/scoring-models.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MODELS = resolve(root, process.env.BENCH_MODELS ?? '.cache/bench-models');
const RATE = 32_000;
const SECONDS = 15;

if (
  !existsSync(join(MODELS, 'clap', 'onnx', 'text_model.onnx')) ||
  !existsSync(join(MODELS, 'ast', 'onnx', 'model.onnx'))
) {
  console.log(`Writing real-size random scoring models to ${MODELS} (once)…`);
  writeScoringModels(MODELS, { realDims: true });
}

const out = join(root, '.tmp', `bench-scoring-${process.pid}`);
mkdirSync(out, { recursive: true });
try {
  await build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    entryPoints: { scoring: join(root, 'bench/scoring-entry.ts') },
    outdir: out,
    outExtension: { '.js': '.mjs' },
  });
  const s = await import(pathToFileURL(join(out, 'scoring.mjs')).href);
  const models = { clap: { dir: join(MODELS, 'clap') }, classifier: { dir: join(MODELS, 'ast') } };
  const handler = s.createModelTaskHandler();
  const run = (task) => handler(task);
  const clip = (seed) => s.gain(s.syntheticMusic(seed, SECONDS, RATE), 0.5);
  const reference = clip(1000);
  const load = [];
  const sampleLoad = () => load.push(loadavg()[0]);

  /** Median seconds of `RUNS` calls (after one warm-up call). */
  const time = async (work) => {
    await work(0);
    const samples = [];
    for (let i = 1; i <= RUNS; i++) {
      const started = performance.now();
      await work(i);
      samples.push((performance.now() - started) / 1000);
      sampleLoad();
    }
    samples.sort((a, b) => a - b);
    return samples[samples.length >> 1];
  };

  console.log(`Loading the models from ${MODELS}…`);
  const loadStarted = performance.now();
  await run({ kind: 'embed-text', model: models.clap, texts: ['warm up'] });
  await run({ kind: 'classify', model: models.classifier, audio: new Float32Array(16_000), sampleRate: 16_000 });
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const at48 = s.resample(reference, RATE, 48_000);
  const at16 = s.resample(reference, RATE, 16_000);
  const steps = [];
  const step = async (name, per, work) => {
    const seconds = await time(work);
    steps.push({ name, per, seconds });
    console.log(`  ${name}: ${seconds.toFixed(3)} s`);
  };
  console.log('Steps (median of each):');
  await step('signal checks + exact hash (sha256 of peak-normalised float32)', 'answer', (i) => {
    const x = clip(i);
    s.checkSignal({ channelData: [x], sampleRate: RATE });
    s.exactAudioHash(x);
  });
  await step('resample 32 → 48 kHz and 32 → 16 kHz (torchaudio kernel)', 'answer', (i) => {
    const x = clip(i);
    s.resample(x, RATE, 48_000);
    s.resample(x, RATE, 16_000);
  });
  await step('near-duplicate fingerprint', 'answer', (i) => s.audioFingerprint(clip(i), RATE));
  const index = new s.NearDuplicateIndex();
  for (let i = 0; i < 50; i++) index.add(`past-${i}`, s.audioFingerprint(clip(5000 + i), RATE));
  const probe = s.audioFingerprint(clip(7), RATE);
  await step('near-duplicate search against 50 recent outputs', 'answer', () => index.findMatch(probe));
  await step('CLAP text embedding (77 tokens)', 'round', () =>
    run({ kind: 'embed-text', model: models.clap, texts: ['lofi hip hop beat with warm piano and vinyl crackle'] }),
  );
  await step('CLAP audio embedding (3 windows of 10 s)', 'answer', () =>
    run({ kind: 'embed-audio', model: models.clap, audio: at48, sampleRate: 48_000 }),
  );
  let windows = [];
  await step('AST class probabilities (2 windows of 10.24 s)', 'answer', async () => {
    windows = (await run({ kind: 'classify', model: models.classifier, audio: at16, sampleRate: 16_000 })).windows;
  });
  await step('KL maths (kld_both over the window pairs)', 'answer', () => s.kldBoth(windows, windows));
  // FAD without a VGGish export: CLAP embeddings of 10 s windows every 1 s (raw-metrics' fallback).
  let frames = [];
  await step('FAD frames, CLAP fallback (10 s windows, 1 s hop)', 'answer', async () => {
    frames = (await run({ kind: 'embed-audio', model: models.clap, audio: at48, sampleRate: 48_000, hopSeconds: 1 }))
      .windows;
  });
  await step('FAD maths (Fréchet distance of the two frame sets)', 'answer', () =>
    s.frechetDistanceFromFrames(frames, frames),
  );

  const decoded = (samples) => ({ container: 'wav', sampleRate: RATE, channelData: [samples] });
  const answers = Array.from({ length: ANSWERS }, (_, i) => ({
    uid: i,
    hotkey: `5Miner${i}`,
    id: `answer-${i}`,
    audio: decoded(clip(100 + i)),
  }));
  const scorer = () =>
    new s.ModelRoundScorer({ run, ledger: new s.MemoryLedger(), index: new s.NearDuplicateIndex(), models });
  const input = (list) => ({
    prompt: 'lofi hip hop beat with warm piano and vinyl crackle',
    reference: decoded(reference),
    profile: 'bittaudio-1.1.3',
    answers: list,
    time: new Date().toISOString(),
  });
  console.log(`A round of ${ANSWERS} answers, shared work once…`);
  // CPU seconds of this process (onnxruntime's threads included) beside the wall clock: on a shared
  // machine the load can change between the two runs, and CPU time moves much less with it.
  const cpuSeconds = (since) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  let started = performance.now();
  let cpu = process.cpuUsage();
  const shared = await scorer().scoreRound(input(answers));
  const sharedSeconds = (performance.now() - started) / 1000;
  const sharedCpu = cpuSeconds(cpu);
  sampleLoad();
  console.log(`  ${sharedSeconds.toFixed(1)} s`);
  console.log(`The same ${ANSWERS} answers, one round each (shared work recomputed)…`);
  started = performance.now();
  cpu = process.cpuUsage();
  const alone = [];
  for (const answer of answers) alone.push(...(await scorer().scoreRound(input([answer]))));
  const aloneSeconds = (performance.now() - started) / 1000;
  const aloneCpu = cpuSeconds(cpu);
  sampleLoad();
  console.log(`  ${aloneSeconds.toFixed(1)} s`);
  const failed = [...shared, ...alone].filter((a) => a.rejection !== null || a.errors.length > 0);
  if (failed.length > 0)
    throw new Error(`answers not scored: ${JSON.stringify(failed.map((a) => [a.id, a.rejection, a.errors]))}`);
  for (let i = 0; i < ANSWERS; i++) {
    if (Math.abs((shared[i]?.raw?.clap ?? NaN) - (alone[i]?.raw?.clap ?? NaN)) > 1e-6)
      throw new Error('the two ways disagree');
  }

  const perMinute = (seconds) => (ANSWERS / seconds) * 60;
  console.log(
    `\nScoring on CPU, real-size random CLAP (HTSAT-base + RoBERTa-base shapes) and AST — ${cpus()[0]?.model} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} during the run; models loaded in ${loadSeconds.toFixed(1)} s\n`,
  );
  console.log('| step | per | seconds (15 s clip, median of ' + RUNS + ') |');
  console.log('| --- | --- | --- |');
  for (const st of steps) console.log(`| ${st.name} | ${st.per} | ${st.seconds.toFixed(3)} |`);
  const perAnswer = sharedSeconds / ANSWERS;
  console.log(
    `| whole score of one answer in a round of ${ANSWERS} (round time ÷ answers) | answer | ${perAnswer.toFixed(3)} |`,
  );
  console.log(
    `\n| round of ${ANSWERS} answers | wall seconds | clips per minute | CPU seconds | clips per CPU minute |`,
  );
  console.log('| --- | --- | --- | --- | --- |');
  const row = (name, wall, cpuTime) =>
    console.log(
      `| ${name} | ${wall.toFixed(1)} | ${perMinute(wall).toFixed(2)} | ${cpuTime.toFixed(1)} | ${perMinute(cpuTime).toFixed(2)} |`,
    );
  row('shared reference work once (ModelRoundScorer)', sharedSeconds, sharedCpu);
  row('shared work recomputed per answer', aloneSeconds, aloneCpu);
  console.log(
    `| reused ÷ recomputed (throughput) | | ${(aloneSeconds / sharedSeconds).toFixed(2)}× | | ${(aloneCpu / sharedCpu).toFixed(2)}× |`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
