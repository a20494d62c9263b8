// The inference worker's cost: the same greedy generations on the tiny MusicGen model in this
// process and through the worker process (IPC, structured clone of the audio), after both have
// loaded the model. Builds the generator and the worker with esbuild into .tmp/ (no `npm run build`).
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 253); // 5 s of audio
const out = join(root, '.tmp', `bench-worker-${process.pid}`);
mkdirSync(out, { recursive: true });
try {
  const common = { bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' };
  await build({
    ...common,
    entryPoints: [join(root, 'src-main/host/inference-worker-entry.ts')],
    outfile: join(out, 'worker.mjs'),
  });
  await build({
    ...common,
    entryPoints: {
      client: join(root, 'src-main/inference/worker/worker-client.ts'),
      generator: join(root, 'src-main/inference/generate/musicgen.ts'),
    },
    outdir: out,
    outExtension: { '.js': '.mjs' },
  });
  const { InferenceWorker, forkWorker } = await import(pathToFileURL(join(out, 'client.mjs')).href);
  const { MusicgenGenerator } = await import(pathToFileURL(join(out, 'generator.mjs')).href);
  const source = { dir: join(root, 'models/tiny/musicgen'), dtype: 'fp32' };
  const request = { prompt: 'calm piano', durationTokens: TOKENS, decoding: 'greedy' };

  const time = async (generator) => {
    await generator.generate(request); // load and warm up
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await generator.generate(request);
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    return samples[samples.length >> 1];
  };
  const local = await time(new MusicgenGenerator(source));
  const worker = new InferenceWorker({ spawn: forkWorker(join(out, 'worker.mjs')) });
  const remote = await time(worker.generator(source));
  await worker.close();
  console.log(
    `\nInference worker, tiny MusicGen, ${TOKENS} tokens greedy, median of ${RUNS} — ${cpus()[0]?.model} × ${cpus().length}, Node ${process.version}\n`,
  );
  console.log('| where | median per generation |');
  console.log('| --- | --- |');
  console.log(`| in process | ${local.toFixed(1)} ms |`);
  console.log(`| worker process | ${remote.toFixed(1)} ms |`);
  console.log(`| worker ÷ in process | ${(remote / local).toFixed(3)} (adds ${(remote - local).toFixed(1)} ms) |`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
