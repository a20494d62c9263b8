// Benchmarks of the foundation, run against the built daemon (`npm run build` first):
// start-up time to the printed link, Host API round trips over HTTP and WebSocket, and memory.
// Prints a Markdown table to paste into bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(name, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return {
    name,
    n: samples.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    perSecond: (samples.length / total) * 1000,
  };
}

async function startDaemon() {
  const dataDir = mkdtempSync(join(tmpdir(), 'bittaudio-bench-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, ['dist/main/cli.js', 'daemon', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const m = /Open the app: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`daemon exited ${code}`)));
  });
  return { child, dataDir, url: new URL(url), startupMs: performance.now() - t0 };
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

if (!existsSync('dist/main/cli.js')) throw new Error('Build first: npm run build');
const daemon = await startDaemon();
const token = new URLSearchParams(daemon.url.hash.slice(1)).get('token');
const origin = daemon.url.origin;
const rssIdle = rssMiB(daemon.child.pid);

const http = [];
for (let i = 0; i < CALLS; i++) {
  const t = performance.now();
  const r = await fetch(`${origin}/api/v1/commands/status.get`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  await r.json();
  http.push(performance.now() - t);
}

const ws = new WebSocket(`${origin.replace('http', 'ws')}/api/v1/ws`, ['bittaudio.v1', `bittaudio-token.${token}`]);
const pending = new Map();
ws.on('message', (data) => {
  const m = JSON.parse(String(data));
  if (m.type === 'welcome') pending.get('welcome')?.();
  if (m.type === 'result') pending.get(m.id)?.();
});
await new Promise((r) => ws.once('open', r));
await new Promise((r) => {
  pending.set('welcome', r);
  ws.send(JSON.stringify({ type: 'hello', protocol: 1, client: 'bench' }));
});
const wsSamples = [];
for (let i = 0; i < CALLS; i++) {
  const t = performance.now();
  await new Promise((r) => {
    pending.set(i, r);
    ws.send(JSON.stringify({ type: 'call', id: i, command: 'logs.list', input: { limit: 200 } }));
  });
  pending.delete(i);
  wsSamples.push(performance.now() - t);
}
ws.close();
const rssAfter = rssMiB(daemon.child.pid);
daemon.child.kill('SIGTERM');
await new Promise((r) => daemon.child.once('exit', r));
rmSync(daemon.dataDir, { recursive: true, force: true });

const rows = [
  summary('HTTP POST status.get', http),
  summary('WebSocket logs.list (limit 200, fresh store)', wsSamples),
];
console.log(
  `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log('');
console.log('| measure | value |');
console.log('| --- | --- |');
console.log(`| daemon start to printed link | ${daemon.startupMs.toFixed(0)} ms |`);
console.log(`| daemon RSS idle / after ${2 * CALLS} calls | ${rssIdle.toFixed(0)} MiB / ${rssAfter.toFixed(0)} MiB |`);
for (const r of rows) {
  console.log(
    `| ${r.name}: p50 / p99 (n=${r.n}) | ${r.p50.toFixed(2)} ms / ${r.p99.toFixed(2)} ms (${r.perSecond.toFixed(0)} calls/s sequential) |`,
  );
}
