/**
 * NVIDIA GPUs through `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`, the way Jan's
 * monitoring extension does it (anchors §3.1), but with the architecture read from `compute_cap`
 * instead of guessed from the name, and every failure turned into a status and a sentence.
 *
 * What the parser tolerates, all seen in the wild: `[N/A]`, `[Not Supported]` and other bracketed
 * refusals; decimal commas (`70,12`) from some locales, which stay apart from the `, ` separator;
 * units left in (`81559 MiB`); CRLF line ends; driver warnings between the rows; several GPUs;
 * drivers older than 510 that reject `compute_cap` (exit 2, `Field "compute_cap" is not a valid
 * field to query.`): the query is then repeated without it.
 */
import type { NvidiaGpu, NvidiaSmiReport } from '../../../src-shared/schemas/gpu.js';
import { execFileRunner, type CommandResult, type CommandRunner } from './command-runner.js';

/** The fields asked for, in order. `compute_cap` must stay the only one old drivers reject. */
export const NVIDIA_SMI_FIELDS = [
  'index',
  'name',
  'driver_version',
  'memory.total',
  'memory.used',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'utilization.gpu',
  'compute_cap',
  'uuid',
] as const;
export type NvidiaSmiField = (typeof NVIDIA_SMI_FIELDS)[number];

const FIELDS_WITHOUT_COMPUTE_CAP = NVIDIA_SMI_FIELDS.filter((f) => f !== 'compute_cap');

export function nvidiaSmiArgs(fields: readonly NvidiaSmiField[] = NVIDIA_SMI_FIELDS): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

export interface QueryNvidiaSmiOptions {
  platform?: NodeJS.Platform;
  timeoutMs?: number;
}

/**
 * Oldest driver of each platform whose CUDA version is 12.0 (NVIDIA's CUDA toolkit release notes,
 * "minor version compatibility"): any 12.x runtime runs on it.
 */
export const CUDA12_MIN_DRIVER = { linux: '525.60.13', win32: '527.41' } as const;

const WINDOWS_FALLBACK = 'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe';

/** Runs nvidia-smi and parses its answer. Never throws. */
export async function queryNvidiaSmi(
  run: CommandRunner = execFileRunner,
  options: QueryNvidiaSmiOptions = {},
): Promise<NvidiaSmiReport> {
  const platform = options.platform ?? process.platform;
  try {
    let tool = 'nvidia-smi';
    let fields: readonly NvidiaSmiField[] = NVIDIA_SMI_FIELDS;
    // LC_ALL=C asks for a dot as decimal mark; the parser copes when a platform ignores it.
    const runOnce = (): Promise<CommandResult> =>
      run(tool, nvidiaSmiArgs(fields), { timeoutMs: options.timeoutMs ?? 10_000, env: { LC_ALL: 'C' } });

    let result = await runOnce();
    // Drivers before about 2021 install nvidia-smi outside PATH on Windows.
    if (result.kind === 'not-found' && platform === 'win32') {
      tool = WINDOWS_FALLBACK;
      result = await runOnce();
    }
    if (result.kind === 'exited' && result.code !== 0 && rejectsComputeCap(result)) {
      fields = FIELDS_WITHOUT_COMPUTE_CAP;
      result = await runOnce();
    }
    return interpretNvidiaSmi(result, fields, platform);
  } catch (error) {
    // A runner that throws is a bug elsewhere; the diagnostics must still come back.
    return emptyReport('failed', `nvidia-smi could not be run: ${errorText(error)}`, true);
  }
}

function rejectsComputeCap(result: { stdout: string; stderr: string }): boolean {
  return /compute_cap/i.test(result.stdout + result.stderr) && /not a valid field/i.test(result.stdout + result.stderr);
}

/** Turns one run's result into a report. Exported for tests on captured outputs. */
export function interpretNvidiaSmi(
  result: CommandResult,
  fields: readonly NvidiaSmiField[] = NVIDIA_SMI_FIELDS,
  platform: NodeJS.Platform = process.platform,
): NvidiaSmiReport {
  const computeCapQueried = fields.includes('compute_cap');
  switch (result.kind) {
    case 'not-found':
      return emptyReport(
        'not-installed',
        'No NVIDIA driver/tool found: nvidia-smi is not installed or not on PATH.',
        computeCapQueried,
      );
    case 'timeout':
      return emptyReport(
        'timeout',
        'nvidia-smi did not answer in time; the driver may be hung or a GPU may have fallen off the bus.',
        computeCapQueried,
      );
    case 'signal':
      return emptyReport('failed', `nvidia-smi was killed by ${result.signal}.`, computeCapQueried);
    case 'error':
      return emptyReport('failed', `nvidia-smi could not be run: ${result.message}`, computeCapQueried);
    case 'exited':
      break;
  }
  const toolText = firstLines(`${result.stdout}\n${result.stderr}`);
  if (result.code !== 0) {
    if (/no devices were found/i.test(toolText)) {
      return emptyReport('no-devices', 'The NVIDIA driver is loaded but found no GPU.', computeCapQueried);
    }
    if (
      /couldn't communicate with the nvidia driver|driver\/library version mismatch|failed to initialize nvml/i.test(
        toolText,
      )
    ) {
      return emptyReport('driver-error', toolText, computeCapQueried);
    }
    const failure = toolText
      ? `nvidia-smi exited with code ${result.code}: ${toolText}`
      : `nvidia-smi exited with code ${result.code}.`;
    // One lost GPU makes the whole command fail while the other rows are still good: keep them.
    const partial = parseNvidiaSmiCsv(result.stdout, fields);
    if (partial.gpus.length === 0) return emptyReport('failed', failure, computeCapQueried);
    return okReport(partial, computeCapQueried, platform, failure);
  }
  const parsed = parseNvidiaSmiCsv(result.stdout, fields);
  if (parsed.gpus.length === 0 && parsed.warnings.length === 0) {
    return emptyReport('no-devices', 'nvidia-smi listed no GPU.', computeCapQueried);
  }
  return okReport(parsed, computeCapQueried, platform, null);
}

function okReport(
  { gpus, warnings }: { gpus: NvidiaGpu[]; warnings: string[] },
  computeCapQueried: boolean,
  platform: NodeJS.Platform,
  failure: string | null,
): NvidiaSmiReport {
  const driverVersion = gpus.find((g) => g.driverVersion)?.driverVersion ?? null;
  return {
    status: 'ok',
    message: failure ?? (gpus.length === 0 ? 'nvidia-smi answered, but no row could be read.' : null),
    gpus,
    driverVersion,
    driverSupportsCuda12: driverVersion === null ? null : driverSupportsCuda12(driverVersion, platform),
    computeCapQueried,
    warnings,
  };
}

function emptyReport(status: NvidiaSmiReport['status'], message: string, computeCapQueried: boolean): NvidiaSmiReport {
  return {
    status,
    message,
    gpus: [],
    driverVersion: null,
    driverSupportsCuda12: null,
    computeCapQueried,
    warnings: [],
  };
}

/** The tool's own words, without its blank lines and usage tail, in one line. */
function firstLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^see 'nvidia-smi/i.test(l))
    .slice(0, 3)
    .join(' ');
}

/** Parses `--format=csv,noheader,nounits` output for the given fields. Never throws. */
export function parseNvidiaSmiCsv(
  text: string,
  fields: readonly NvidiaSmiField[] = NVIDIA_SMI_FIELDS,
): { gpus: NvidiaGpu[]; warnings: string[] } {
  const gpus: NvidiaGpu[] = [];
  const warnings: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line) continue;
    const cells = splitRow(line, fields.length, fields.indexOf('name'));
    if (!cells || !/^\d+$/.test(cells[fields.indexOf('index')] ?? '')) {
      warnings.push(line);
      continue;
    }
    gpus.push(gpuFromCells(cells, fields));
  }
  return { gpus, warnings };
}

/**
 * Splits a row into exactly `count` cells. nvidia-smi separates with `, `; a decimal comma has no
 * space after it, so splitting on comma-plus-space keeps `70,12` whole. A name that itself holds
 * `, ` makes too many cells: the extra ones are given back to the name, the only free-text field.
 */
function splitRow(line: string, count: number, nameAt: number): string[] | null {
  let cells = line.split(/,\s+/).map((c) => c.trim());
  if (cells.length > count && nameAt >= 0) {
    const extra = cells.length - count;
    cells = [
      ...cells.slice(0, nameAt),
      cells.slice(nameAt, nameAt + extra + 1).join(', '),
      ...cells.slice(nameAt + extra + 1),
    ];
  }
  if (cells.length === count) return cells;
  // A tool that writes bare commas (no decimal commas possible then).
  const bare = line.split(',').map((c) => c.trim());
  return bare.length === count ? bare : null;
}

type Measure = { value: number | null; refusal: string | null };

/** A number, or why there is none. `[N/A]` and `[Not Supported]` are normal and not remarked on. */
function measure(cell: string | undefined): Measure {
  const text = (cell ?? '').trim();
  const number = /^(-?\d+(?:[.,]\d+)?)\s*(?:MiB|W|%|C)?$/i.exec(text);
  if (number?.[1]) return { value: Number(number[1].replace(',', '.')), refusal: null };
  if (text === '' || /^\[?(N\/A|Not Supported)\]?$/i.test(text)) return { value: null, refusal: null };
  return { value: null, refusal: text };
}

function textCell(cell: string | undefined): string | null {
  const text = (cell ?? '').trim();
  return text === '' || text.startsWith('[') || /^N\/A$/i.test(text) ? null : text;
}

const FIELD_LABEL: Partial<Record<NvidiaSmiField, string>> = {
  'memory.total': 'memory total',
  'memory.used': 'memory used',
  'temperature.gpu': 'temperature',
  'power.draw': 'power draw',
  'power.limit': 'power limit',
  'utilization.gpu': 'utilisation',
};

function gpuFromCells(cells: string[], fields: readonly NvidiaSmiField[]): NvidiaGpu {
  const cell = (field: NvidiaSmiField): string | undefined => {
    const at = fields.indexOf(field);
    return at < 0 ? undefined : cells[at];
  };
  const notes: string[] = [];
  const number = (field: NvidiaSmiField, validate: (n: number) => boolean = (n) => n >= 0): number | null => {
    const { value, refusal } = measure(cell(field));
    if (refusal) notes.push(`${FIELD_LABEL[field] ?? field}: ${refusal}`);
    return value !== null && validate(value) ? value : null;
  };
  const computeCapability = normaliseComputeCap(cell('compute_cap'));
  if (!fields.includes('compute_cap')) notes.push('compute capability: not reported by this driver');
  return {
    index: Number(cell('index')),
    name: textCell(cell('name')) ?? 'unknown NVIDIA GPU',
    driverVersion: textCell(cell('driver_version')),
    memoryTotalMiB: number('memory.total'),
    memoryUsedMiB: number('memory.used'),
    temperatureC: number('temperature.gpu', () => true),
    powerDrawW: number('power.draw'),
    powerLimitW: number('power.limit'),
    utilizationPercent: number('utilization.gpu', (n) => n >= 0 && n <= 100),
    computeCapability,
    uuid: textCell(cell('uuid')),
    notes,
  };
}

function normaliseComputeCap(cell: string | undefined): string | null {
  const match = /^(\d+)[.,](\d+)$/.exec((cell ?? '').trim());
  return match ? `${match[1]}.${match[2]}` : null;
}

/** Whether a driver version is at least the first with CUDA 12 on this platform; null if unreadable. */
export function driverSupportsCuda12(version: string, platform: NodeJS.Platform = process.platform): boolean | null {
  const have = versionParts(version);
  if (!have) return null;
  const need = versionParts(platform === 'win32' ? CUDA12_MIN_DRIVER.win32 : CUDA12_MIN_DRIVER.linux) ?? [];
  for (let i = 0; i < Math.max(have.length, need.length); i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function versionParts(version: string): number[] | null {
  return /^\d+(\.\d+)*$/.test(version.trim()) ? version.trim().split('.').map(Number) : null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
