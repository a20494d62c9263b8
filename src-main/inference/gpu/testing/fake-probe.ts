/**
 * A stand-in for the real probe child (which will create a tiny onnxruntime session): a small
 * .mjs file that follows the child protocol of ep-probe.ts, or breaks it on purpose. The behaviour
 * is the first argument after the provider name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORT_CUDA_ERROR, ORT_CUDA_STDERR_MISSING_CUBLASLT } from './fixtures.js';

export type FakeProbeMode =
  | 'ok'
  | 'ok-with-noise'
  | 'cuda-library-missing'
  | 'abort'
  | 'segfault'
  | 'exit-139'
  | 'hang'
  | 'garbage'
  | 'silent'
  | 'throws'
  | 'ok-then-abort'
  | 'wrong-ep'
  | 'ok-exit-1'
  | 'env';

const SOURCE = `
import { writeFileSync } from 'node:fs';
const [ep, mode, pidFile] = process.argv.slice(2);
const say = (value) => process.stdout.write(JSON.stringify(value) + '\\n');
if (pidFile) writeFileSync(pidFile, String(process.pid));
switch (mode) {
  case 'ok':
    say({ ok: true, ep, details: { ortVersion: '1.30.0', sessionMs: 12.5 } });
    break;
  case 'ok-with-noise':
    console.log('2025-11-25 21:40:12 [W:onnxruntime:, session_state.cc:1280] Some nodes were not assigned to the preferred execution providers');
    say({ ok: true, ep, details: { adapter: 'llvmpipe (LLVM 15.0.6, 256 bits)' } });
    console.log('Dawn: warning: a trailing line from a native library');
    break;
  case 'cuda-library-missing':
    process.stderr.write(${JSON.stringify(ORT_CUDA_STDERR_MISSING_CUBLASLT)});
    say({ ok: false, ep, error: ${JSON.stringify(ORT_CUDA_ERROR)}, details: { ortVersion: '1.30.0' } });
    break;
  case 'abort':
    process.abort();
    break;
  case 'segfault':
    process.kill(process.pid, 'SIGSEGV');
    setInterval(() => {}, 1000);
    break;
  case 'exit-139':
    process.exit(139);
    break;
  case 'hang':
    setInterval(() => {}, 1000);
    break;
  case 'garbage':
    console.log('hello from a native library');
    console.log('{"ok": tru');
    console.log(JSON.stringify({ ok: 'yes', ep }));
    break;
  case 'silent':
    break;
  case 'throws':
    throw new Error("Cannot find package 'onnxruntime-node' imported from /app/probe.mjs");
  case 'ok-then-abort':
    say({ ok: true, ep });
    process.abort();
    break;
  case 'wrong-ep':
    say({ ok: true, ep: ep === 'cpu' ? 'cuda' : 'cpu' });
    break;
  case 'ok-exit-1':
    say({ ok: true, ep });
    process.exitCode = 1;
    break;
  case 'env':
    say({ ok: true, ep, details: { runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null, probeEp: process.env.BITTAUDIO_PROBE_EP ?? null, extra: process.env.FAKE_PROBE_EXTRA ?? null } });
    break;
  default:
    process.stderr.write('unknown mode ' + mode + '\\n');
    process.exit(2);
}
`;

/** Writes the fake probe into `dir` and returns its path. */
export function writeFakeProbe(dir: string): string {
  const path = join(dir, 'fake-probe.mjs');
  writeFileSync(path, SOURCE);
  return path;
}
