// Issue #12: one validator round of 10 answers scored as the validator scores it — the real round
// scorer (CLAP, AST, VGGish FAD, duplicate ledger and fingerprint index in SQLite) with its model
// tasks in a real inference worker process — on the tiny models of models/tiny/, 15 s clips.
// Reports the scoring time per answer and the share of the round spent on the shared per-round
// work (text embedding, the reference's embeddings, probabilities and FAD frames), measured as a
// round with no answers (only the shared work) against the round of 10, median of BENCH_RUNS.
//
//   node bench/validator-round.mjs        BENCH_ANSWERS=10 BENCH_RUNS=3
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RATE = 32_000;
const SECONDS = 15;

const out = join(root, '.tmp', `bench-validator-round-${process.pid}`);
mkdirSync(out, { recursive: true });
let parts;
try {
  await build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    entryPoints: {
      round: join(root, 'bench/validator-round-entry.ts'),
      // The real worker entry, bundled as the build does.
      'inference-worker': join(root, 'src-main/host/inference-worker-entry.ts'),
    },
    outdir: out,
    outExtension: { '.js': '.mjs' },
  });
  const v = await import(pathToFileURL(join(out, 'round.mjs')).href);
  const models = v.findTinyScoringModels(join(root, 'src-main', 'neuron'));
  if (!models) throw new Error('models/tiny/{clap,ast,vggish} are missing');
  const db = v.openDatabase(out, { file: ':memory:' });
  const log = new v.LogRoot(() => undefined).logger('bench');
  // A chain is not used by the scorer; the weight setter is built but never called.
  parts = v.createValidatorParts({
    db,
    chain: {},
    netuid: 50,
    hotkey: { address: '5Bench' },
    log,
    models,
    spawnWorker: v.forkWorker(join(out, 'inference-worker.mjs')),
  });
  const clip = (seed) => v.gain(v.syntheticMusic(seed, SECONDS, RATE), 0.5);
  const decoded = (samples) => ({ container: 'wav', sampleRate: RATE, channelData: [samples] });
  let n = 0;
  const round = (count) => {
    n += 1;
    return {
      prompt: 'lofi hip hop beat with warm piano and vinyl crackle',
      reference: decoded(clip(1000 + n)),
      profile: 'bittaudio-1.1.3',
      // New clips each round: the exact-hash ledger would call repeats duplicates.
      answers: Array.from({ length: count }, (_, i) => ({
        uid: i,
        hotkey: `5Miner${i}`,
        id: `a-${n}-${i}`,
        audio: decoded(clip(n * 100 + i)),
      })),
      time: new Date().toISOString(),
    };
  };
  const load = [];
  const median = async (count) => {
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      const input = round(count);
      const started = performance.now();
      const scored = await parts.scorer.scoreRound(input);
      samples.push((performance.now() - started) / 1000);
      load.push(loadavg()[0]);
      const failed = scored.filter((a) => a.rejection !== null || a.errors.length > 0);
      if (failed.length > 0)
        throw new Error(`answers not scored: ${JSON.stringify(failed.map((a) => [a.id, a.rejection, a.errors]))}`);
    }
    samples.sort((a, b) => a - b);
    return samples[samples.length >> 1];
  };
  console.log('Warming the worker up (loads CLAP, AST, VGGish)…');
  let started = performance.now();
  await parts.scorer.scoreRound(round(1));
  const warm = (performance.now() - started) / 1000;
  const sharedOnly = await median(0);
  const full = await median(ANSWERS);
  const perAnswer = (full - sharedOnly) / ANSWERS;
  console.log(
    `\nValidator round on the tiny models in the inference worker (CPU) — ${cpus()[0]?.model} × ${cpus().length}, Node ${process.version}, load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}; first round (model loads) ${warm.toFixed(1)} s\n`,
  );
  console.log('| measure | value |');
  console.log('| --- | --- |');
  console.log(`| round of ${ANSWERS} answers (15 s clips), median of ${RUNS} | ${full.toFixed(2)} s |`);
  console.log(`| shared per-round work alone (round with no answers) | ${sharedOnly.toFixed(2)} s |`);
  console.log(`| scoring time per answer ((round − shared) ÷ ${ANSWERS}) | ${perAnswer.toFixed(3)} s |`);
  console.log(`| share of the round in shared work | ${((sharedOnly / full) * 100).toFixed(1)} % |`);
} finally {
  await parts?.close();
  rmSync(out, { recursive: true, force: true });
}
