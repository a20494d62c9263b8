// Start-up of the built CLI (`npm run build` first): `bittaudio --version` and the daemon's time
// to its printed link, each against a bare `node -e 0` in the same run, so the numbers can be
// read on a noisy machine. Goals (issue: lazy loading): --version ≤ 150 ms, daemon link ≤ 400 ms.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

/** Milliseconds from spawn to exit, or to the first stdout match when `until` is given. */
function timeRun(args, until) {
  return new Promise((resolve, reject) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bittaudio-bench-start-'));
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, BITTAUDIO_DATA_DIR: dataDir },
    });
    let out = '';
    let ms = null;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (until && ms === null && until.test(out)) {
        ms = performance.now() - started;
        child.kill('SIGTERM');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      if (ms === null && code !== 0) reject(new Error(`${args.join(' ')} exited with ${code}`));
      else resolve(ms ?? performance.now() - started);
    });
  });
}

async function measure(name, args, until) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timeRun(args, until));
  samples.sort((a, b) => a - b);
  return { name, min: samples[0], median: samples[samples.length >> 1], max: samples.at(-1) };
}

if (!existsSync('dist/main/cli.js')) throw new Error('Build first: npm run build');
const rows = [
  await measure('node -e 0 (baseline)', ['-e', '0']),
  await measure('bittaudio --version', ['dist/main/cli.js', '--version']),
  await measure('bittaudio --help', ['dist/main/cli.js', '--help']),
  await measure('daemon start to printed link', ['dist/main/cli.js', 'daemon', '--port', '0'], /Open the app: http/),
];
console.log(
  `\nStart-up, ${RUNS} runs each — ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.version}\n`,
);
console.log('| what | min | median | max |');
console.log('| --- | --- | --- | --- |');
for (const r of rows)
  console.log(`| ${r.name} | ${r.min.toFixed(0)} ms | ${r.median.toFixed(0)} ms | ${r.max.toFixed(0)} ms |`);
