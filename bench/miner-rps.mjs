// Requests per second the miner sustains on the tiny MusicGen model with the whole path (issue #10):
// a validator's dendrite (real sr25519 signatures, its own nonces) → the miner's axon → the work
// scheduler → the inference worker process → the signed response; on the in-process devnet chain
// (registration, serve_axon and the metagraph are real). Also the worker's added latency against
// generating in the miner's own process: the same sequential requests through the same path, once
// with MusicGen in process and once in the worker (ratio, one run).
//
// The worker is the built one (`npm run build` first: dist/main/inference-worker.js); the miner,
// the devnet and the dendrite are bundled from the sources with esbuild into .tmp/ (the dist has
// no library entry for them).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOKENS = Number(process.env.BENCH_TOKENS ?? 253); // 5 s of audio, the worker bench's length
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 20);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
// The miner's default decode loop; `ort` is our own (bench/generation.mjs compares them).
const DECODER = process.env.BENCH_DECODER ?? 'transformers';
const LOCAL_IP = '127.0.0.2'; // the chain refuses 127.0.0.1; Linux routes all of 127/8 to loopback

const workerEntry = join(root, 'dist', 'main', 'inference-worker.js');
if (!existsSync(workerEntry)) {
  console.error(`${workerEntry} is missing: run \`npm run build\` first.`);
  process.exit(1);
}

const out = join(root, '.tmp', `bench-miner-${process.pid}`);
mkdirSync(out, { recursive: true });
try {
  const entry = join(out, 'entry.ts');
  writeFileSync(
    entry,
    `export { Miner } from '${root}/src-main/neuron/miner.ts';
export { createDemoDevnet } from '${root}/src-main/devnet/index.ts';
export { Dendrite } from '${root}/src-main/net/dendrite.ts';
export { MusicgenGenerator } from '${root}/src-main/inference/generate/musicgen.ts';
export { forkWorker } from '${root}/src-main/inference/worker/worker-client.ts';
export { WorkerPool } from '${root}/src-main/inference/worker/worker-pool.ts';
export { LogRoot } from '${root}/src-main/log/logger.ts';
export { musicGeneration } from '${root}/src-shared/synapse/music-generation.ts';`,
  );
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: join(out, 'miner.mjs'),
    packages: 'external',
    logLevel: 'warning',
  });
  const m = await import(pathToFileURL(join(out, 'miner.mjs')).href);
  const source = { dir: join(root, 'models/tiny/musicgen'), dtype: 'fp32' };
  const devnet = await m.createDemoDevnet({ miners: 1, validatorStake: 20_000n * 1_000_000_000n });
  const hotkey = devnet.miners[0].hotkey;

  /** A miner on `generator`, serving until `run` is done. */
  async function withMiner(generator, run) {
    const miner = new m.Miner({
      chain: devnet.chain,
      netuid: devnet.netuid,
      hotkey,
      generator,
      maxQueued: 64,
      log: new m.LogRoot(() => undefined).logger('miner'),
      axon: { port: 0, host: LOCAL_IP, externalIp: LOCAL_IP },
    });
    const status = await miner.start();
    try {
      return await run({ hotkey: hotkey.address, ip: LOCAL_IP, port: status.axon.port }, miner);
    } finally {
      await miner.stop();
    }
  }

  const synapse = (i) => m.musicGeneration({ text_input: `calm piano ${i}`, duration: TOKENS });
  let sent = 0;

  /** `count` requests from `concurrency` dendrites (one request at a time each, as the protocol's nonces ask). */
  async function load(target, count, concurrency) {
    const dendrites = Array.from({ length: concurrency }, () => new m.Dendrite({ hotkey: devnet.validator.hotkey }));
    const latencies = [];
    const codes = {};
    let issued = 0;
    const started = performance.now();
    await Promise.all(
      dendrites.map(async (dendrite) => {
        while (issued < count) {
          issued++;
          const t = performance.now();
          const reply = await dendrite.call(target, synapse(sent++), { timeoutSeconds: 60 });
          latencies.push(performance.now() - t);
          const code = reply.dendrite.status_code;
          codes[code] = (codes[code] ?? 0) + 1;
          if (code === 200 && reply.music_output.length !== (TOKENS - 3) * 640) throw new Error('short audio');
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const dendrite of dendrites) dendrite.close();
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return { count, concurrency, codes, seconds, rps: (codes[200] ?? 0) / seconds, median: at(0.5), p95: at(0.95) };
  }

  // In process: MusicGen in the miner's own process.
  const local = new m.MusicgenGenerator(source, { decoder: DECODER });
  const inProcess = await withMiner(local, async (target) => {
    await load(target, 3, 1); // load the model, warm up
    return load(target, SEQUENTIAL, 1);
  });
  await local.dispose();

  // Through the worker process(es): sequential for the ratio, then concurrent for requests/s.
  const slots = Array.from({ length: WORKERS }, (_, i) => ({ gpu: null, device: 'cpu', label: `cpu:${i}` }));
  const pool = new m.WorkerPool({ slots, spawn: () => m.forkWorker(workerEntry) });
  const [viaWorker, throughput] = await withMiner(pool.executors(source, { decoder: DECODER }), async (target) => {
    await load(target, 3 * WORKERS, WORKERS); // every worker loads the model
    return [await load(target, SEQUENTIAL, 1), await load(target, REQUESTS, CONCURRENCY)];
  });
  await pool.close();
  await devnet.chain.close?.();

  const ms = (x) => `${x.toFixed(1)} ms`;
  const codes = (r) =>
    Object.entries(r.codes)
      .map(([code, n]) => `${code} × ${n}`)
      .join(', ');
  console.log(
    `\nMiner, whole path (dendrite → axon → scheduler → worker → signed response), devnet chain, tiny MusicGen, ` +
      `${TOKENS} tokens, ${DECODER} decoder — ${cpus()[0]?.model} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
  );
  console.log('| run | requests | concurrency | statuses | requests/s | median latency | p95 latency |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const row = (name, r) =>
    console.log(
      `| ${name} | ${r.count} | ${r.concurrency} | ${codes(r)} | ${r.rps.toFixed(2)} | ${ms(r.median)} | ${ms(r.p95)} |`,
    );
  row('MusicGen in the miner process', inProcess);
  row(`inference worker (${WORKERS})`, viaWorker);
  row(`inference worker (${WORKERS}), sustained`, throughput);
  console.log(
    `\nWorker ÷ in process (median latency, sequential): ${(viaWorker.median / inProcess.median).toFixed(3)} ` +
      `(adds ${ms(viaWorker.median - inProcess.median)})`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
