/**
 * Does an onnxruntime execution provider really work here? `listSupportedBackends()` cannot say:
 * it lists what the binding was compiled with, and reports `cuda` with no CUDA library on the
 * machine (musicgen spec §5). The only honest test is to create a tiny session on the provider and
 * run it once — in a child process, because a broken driver can segfault or hang, and that must
 * not take the app down.
 *
 * The child protocol:
 * - The parent runs `<node> <probeScript> <ep> [...args]` with stdin closed and
 *   `ELECTRON_RUN_AS_NODE=1` (so Electron's binary behaves as Node) and `BITTAUDIO_PROBE_EP=<ep>`.
 * - The child writes one line of JSON to stdout — `{"ok":true,"ep":"cuda","details":{…}}`, or
 *   `{"ok":false,"ep":"cuda","error":"<message>","details":{…}}` when it caught a failure — and
 *   exits with code 0 in both cases. `details` is free-form (onnxruntime version, timings, the
 *   adapter's name) and is shown as it is.
 * - Native libraries may print to stdout as well, so the parent takes the last line that parses
 *   as such an object and names the rest "output"; stderr is kept (its tail) because that is where
 *   onnxruntime names the shared library it could not open.
 * - The parent kills the child (SIGKILL) at the time limit. A signal or a crash exit code means
 *   "crashed", even after a success line: a provider that brings its process down at exit would
 *   bring the app down too.
 */
import { spawn } from 'node:child_process';
import { constants as osConstants, tmpdir } from 'node:os';
import type { ExecutionProvider, EpProbeResult } from '../../../src-shared/schemas/gpu.js';
import { ProbeLineSchema, type ProbeLine } from '../../../src-shared/schemas/gpu.js';
import { nodeFileSystem, type FileSystemProbe } from './file-system.js';

export const EP_LABEL: Record<ExecutionProvider, string> = { cuda: 'CUDA', webgpu: 'WebGPU', cpu: 'CPU' };

/** The first CUDA session loads cuBLAS/cuDNN and may JIT kernels: give it time. */
export const DEFAULT_PROBE_TIMEOUT_MS: Record<ExecutionProvider, number> = {
  cuda: 60_000,
  webgpu: 30_000,
  cpu: 20_000,
};

export interface ProbeOptions {
  /** The script the child runs (a .mjs/.js file). */
  probeScript: string;
  timeoutMs?: number;
  /** Passed after the provider name, e.g. the path of a tiny model. */
  args?: readonly string[];
  /** The Node (or Electron) binary; the current one by default. */
  execPath?: string;
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  /** The child's working folder; the temp folder by default, so a crash's core file lands there. */
  cwd?: string;
  fs?: FileSystemProbe;
}

/** What one child run produced, before interpretation. */
export interface ProbeRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** Set when the child could not be started at all. */
  spawnError?: string;
}

const KEEP_STDOUT_CHARS = 256 * 1024;
const KEEP_STDERR_CHARS = 64 * 1024;
const STDERR_TAIL_CHARS = 4000;
/** After `exit`, how long to wait for the pipes to close (a grandchild may hold them open). */
const CLOSE_GRACE_MS = 1000;

/** Runs the probe child for one provider. Never throws; every failure is a result. */
export async function probeExecutionProvider(ep: ExecutionProvider, options: ProbeOptions): Promise<EpProbeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS[ep];
  const fs = options.fs ?? nodeFileSystem;
  try {
    if (!(await fs.exists(options.probeScript))) {
      return interpretProbeRun(ep, {
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        durationMs: 0,
        spawnError: `the probe script ${options.probeScript} does not exist`,
      });
    }
    const run = await runChild(ep, options, timeoutMs);
    return interpretProbeRun(ep, run, { timeoutMs });
  } catch (error) {
    return interpretProbeRun(ep, {
      exitCode: null,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      durationMs: 0,
      spawnError: error instanceof Error ? error.message : String(error),
    });
  }
}

function runChild(ep: ExecutionProvider, options: ProbeOptions, timeoutMs: number): Promise<ProbeRun> {
  return new Promise<ProbeRun>((resolve) => {
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const child = spawn(options.execPath ?? process.execPath, [options.probeScript, ep, ...(options.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.cwd ?? tmpdir(),
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1', BITTAUDIO_PROBE_EP: ep },
      windowsHide: true,
    });
    const finish = (run: Omit<ProbeRun, 'stdout' | 'stderr' | 'timedOut' | 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      clearTimeout(graceTimer);
      resolve({ ...run, stdout, stderr, timedOut, durationMs: Date.now() - started });
    };
    const limit = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout = (stdout + chunk).slice(-KEEP_STDOUT_CHARS);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-KEEP_STDERR_CHARS);
    });
    child.on('error', (error) => finish({ exitCode: null, signal: null, spawnError: error.message }));
    child.on('exit', (code, signal) => {
      graceTimer = setTimeout(() => finish({ exitCode: code, signal }), CLOSE_GRACE_MS);
    });
    child.on('close', (code, signal) => finish({ exitCode: code, signal }));
  });
}

/** Turns one child run into a result with a human reason. Pure; exported for tests. */
export function interpretProbeRun(
  ep: ExecutionProvider,
  run: ProbeRun,
  context: { timeoutMs?: number; platform?: NodeJS.Platform } = {},
): EpProbeResult {
  const label = EP_LABEL[ep];
  const line = findResultLine(run.stdout, ep);
  const crash = describeCrash(run.exitCode, run.signal, context.platform ?? process.platform);
  const missingLibrary = findMissingLibrary(`${line?.error ?? ''}\n${run.stderr}`);
  const base = {
    ep,
    error: line?.error ?? null,
    missingLibrary,
    details: line?.details ?? {},
    exitCode: run.exitCode,
    signal: run.signal,
    durationMs: Math.max(0, run.durationMs),
    stderrTail: run.stderr.slice(-STDERR_TAIL_CHARS),
  };
  const fail = (outcome: EpProbeResult['outcome'], reason: string): EpProbeResult => ({
    ...base,
    ok: false,
    outcome,
    reason,
  });

  if (run.spawnError !== undefined) {
    return fail('not-started', `The ${label} probe could not be started: ${run.spawnError}.`);
  }
  if (run.timedOut) {
    const seconds = context.timeoutMs === undefined ? '' : ` within ${formatSeconds(context.timeoutMs)}`;
    return fail(
      'timeout',
      `The ${label} probe did not finish${seconds} and was stopped (a hung driver, or a first initialisation slower than the limit).`,
    );
  }
  if (crash) {
    const after = line?.ok ? 'reported success, then ' : '';
    const said = line && !line.ok && line.error ? ` after reporting: ${firstLine(line.error)}` : '';
    return fail('crashed', `The ${label} probe ${after}crashed (${crash})${said}.`);
  }
  if (line) {
    if (line.ok && run.exitCode === 0) {
      return { ...base, ok: true, outcome: 'ok', reason: `${label} works: a test session ran on it.` };
    }
    if (line.ok) {
      return fail('error', `The ${label} probe reported success but exited with code ${String(run.exitCode)}.`);
    }
    return fail('error', failureReason(label, line.error ?? 'no error message', missingLibrary));
  }
  if (run.exitCode !== 0) {
    const message = stderrMessage(run.stderr);
    return fail(
      'error',
      failureReason(
        label,
        message ? `exited with code ${String(run.exitCode)}: ${message}` : `exited with code ${String(run.exitCode)}`,
        missingLibrary,
      ),
    );
  }
  const shown = run.stdout.trim().slice(0, 200);
  return fail(
    'bad-output',
    shown
      ? `The ${label} probe printed no result line; its output began with: ${JSON.stringify(shown)}.`
      : `The ${label} probe exited without printing a result.`,
  );
}

/** A result for a probe that was not run. */
export function skippedProbe(ep: ExecutionProvider, reason: string): EpProbeResult {
  return {
    ep,
    ok: false,
    outcome: 'skipped',
    reason,
    error: null,
    missingLibrary: null,
    details: {},
    exitCode: null,
    signal: null,
    durationMs: 0,
    stderrTail: '',
  };
}

/** The last stdout line that is a protocol object for this provider. */
function findResultLine(stdout: string, ep: ExecutionProvider): ProbeLine | null {
  const lines = stdout.split(/\r?\n/).reverse();
  for (const raw of lines) {
    const text = raw.trim();
    if (!text.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    const parsed = ProbeLineSchema.safeParse(value);
    if (parsed.success && parsed.data.ep === ep) return parsed.data;
  }
  return null;
}

const SIGNAL_MEANING: Record<string, string> = {
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'arithmetic exception',
  SIGKILL: 'killed, often by the out-of-memory killer',
  SIGTERM: 'terminated',
  SIGTRAP: 'trap',
};

/** Windows exceptions that end a process with an NTSTATUS exit code. */
const NTSTATUS_MEANING: Record<number, string> = {
  0xc0000005: 'access violation',
  0xc000001d: 'illegal instruction',
  0xc00000fd: 'stack overflow',
  0xc0000374: 'heap corruption',
  0xc0000409: 'fail-fast abort',
};

/** Signals a shell or wrapper reports as 128 + n. */
const CRASH_SIGNALS = ['SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGSEGV'];

/** "SIGSEGV: segmentation fault", or null for an ordinary exit. */
export function describeCrash(
  exitCode: number | null,
  signal: string | null,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (signal) return `${signal}: ${SIGNAL_MEANING[signal] ?? 'killed by a signal'}`;
  if (exitCode === null || exitCode === 0) return null;
  if (platform === 'win32') {
    const status = exitCode >>> 0;
    const meaning = NTSTATUS_MEANING[status];
    if (meaning) return `exit code 0x${status.toString(16).toUpperCase()}: ${meaning}`;
    // The C runtime's abort() exits with 3 on Windows.
    if (exitCode === 3) return 'exit code 3: aborted';
    return null;
  }
  for (const name of CRASH_SIGNALS) {
    const number = (osConstants.signals as Record<string, number | undefined>)[name];
    if (number !== undefined && exitCode === 128 + number)
      return `exit code ${exitCode} (${name}): ${SIGNAL_MEANING[name]}`;
  }
  return null;
}

/** The shared library the loader could not open, if the text names one. */
export function findMissingLibrary(text: string): string | null {
  const match = /([\w.+-]+?\.so(?:\.\d+)*)\s*:\s*cannot open shared object file/.exec(text);
  return match?.[1] ?? null;
}

function failureReason(label: string, error: string, missingLibrary: string | null): string {
  const message = `The ${label} probe failed: ${firstLine(error)}`;
  if (!missingLibrary) return `${message}.`;
  return `${message}. The dynamic loader could not open ${missingLibrary}: ${libraryHint(missingLibrary)}.`;
}

function libraryHint(soname: string): string {
  if (soname.startsWith('libonnxruntime_providers'))
    return 'the CUDA provider is not installed, run `npm run cuda:install`';
  if (soname.startsWith('libcudnn')) return 'install cuDNN 9 for CUDA 12';
  if (soname.startsWith('libcuda.so')) return 'install the NVIDIA driver';
  if (/^lib(cudart|cublas|cublasLt|cufft|curand|nvrtc|nvJitLink)\b/.test(soname))
    return 'install the CUDA 12 runtime libraries';
  return 'it is missing or not on the loader path';
}

/** The error line of an uncaught exception, or the last line that says something. */
function stderrMessage(stderr: string): string | null {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const errorLine = lines.find((l) => /^([A-Z]\w*)?Error( \[[\w-]+\])?:\s/.test(l));
  if (errorLine) return errorLine;
  const said = lines.filter((l) => !/^at\s/.test(l) && !/^Node\.js v\d/.test(l));
  return said.at(-1) ?? null;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim()) ?? text;
  const trimmed = line.trim().replace(/[.\s]+$/, '');
  return trimmed.length > 400 ? `${trimmed.slice(0, 400)}…` : trimmed;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
