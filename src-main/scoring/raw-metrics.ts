/**
 * Raw metrics of generated clips against a prompt and a reference clip, as `bittaudio score`
 * prints them (issue #11): the CLAP cosine (mean over deterministic 10 s windows, scoring spec
 * §3.1) and the AudioSet KL term. Model work goes through a `ModelTaskRunner` (the inference
 * worker's `run`); resampling and the KL formula are injected, since they belong to the audio
 * layer (torchaudio's kernel) and the metric maths. Per call the prompt's text embedding is
 * computed once, and the reference's class probabilities once per common length.
 */
import type { ModelTask, ModelTaskKind, ModelTaskResults, ModelTaskSource } from '../inference/worker/protocol.js';
import { dot } from './cosine.js';

export type ModelTaskRunner = <K extends ModelTaskKind>(
  task: Extract<ModelTask, { kind: K }>,
) => Promise<ModelTaskResults[K]>;

/** Mono samples at their own rate. */
export interface MonoClip {
  samples: Float32Array;
  sampleRate: number;
}

export interface RawMetricsDeps {
  run: ModelTaskRunner;
  /** torchaudio-equivalent resampling (src-main/audio); called only when the rates differ. */
  resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array;
  /**
   * kld_both over window pairs (scoring spec §1.2: KL(ref‖gen) + KL(gen‖ref), 1e-6 epsilon,
   * averaged over pairs), from the metric maths. Without it the KL column is left empty.
   */
  kldBoth?: (generated: readonly Float32Array[], reference: readonly Float32Array[]) => number;
}

export interface RawMetricsInput {
  prompt: string;
  reference: MonoClip;
  generated: readonly { name: string; clip: MonoClip }[];
  models: { clap: ModelTaskSource; classifier: ModelTaskSource };
  /** Rates the models take (48 kHz CLAP, 16 kHz AST); from their preprocessor configs. */
  rates?: { clap: number; classifier: number };
}

export interface RawMetricsRow {
  name: string;
  seconds: number;
  /** Mean cosine of the unit text embedding with each window's unit audio embedding; null on failure. */
  clapCosine: number | null;
  clapWindows: number;
  /** kld_both against the reference; null without `kldBoth` or on failure. */
  kld: number | null;
  /** Why a metric is missing, when one failed. */
  error?: string;
}

const DEFAULT_RATES = { clap: 48_000, classifier: 16_000 };

export async function rawMetrics(input: RawMetricsInput, deps: RawMetricsDeps): Promise<RawMetricsRow[]> {
  const rates = input.rates ?? DEFAULT_RATES;
  const at = (clip: MonoClip, rate: number): Float32Array =>
    clip.sampleRate === rate ? clip.samples : deps.resample(clip.samples, clip.sampleRate, rate);
  const [text] = (await deps.run({ kind: 'embed-text', model: input.models.clap, texts: [input.prompt] })).embeddings;
  if (!text) throw new Error('CLAP returned no text embedding');

  // The reference at the classifier's rate once; its probabilities once per truncation length.
  const reference = deps.kldBoth ? at(input.reference, rates.classifier) : null;
  const referenceByLength = new Map<number, Promise<Float32Array[]>>();
  const referenceWindows = (length: number): Promise<Float32Array[]> => {
    let known = referenceByLength.get(length);
    if (!known && reference) {
      known = deps
        .run({
          kind: 'classify',
          model: input.models.classifier,
          audio: reference.subarray(0, length),
          sampleRate: rates.classifier,
        })
        .then((r) => r.windows);
      referenceByLength.set(length, known);
    }
    return known ?? Promise.resolve([]);
  };

  const rows: RawMetricsRow[] = [];
  for (const { name, clip } of input.generated) {
    const row: RawMetricsRow = {
      name,
      seconds: clip.samples.length / clip.sampleRate,
      clapCosine: null,
      clapWindows: 0,
      kld: null,
    };
    const errors: string[] = [];
    try {
      const audio = await deps.run({
        kind: 'embed-audio',
        model: input.models.clap,
        audio: at(clip, rates.clap),
        sampleRate: rates.clap,
      });
      row.clapCosine = dot(audio.mean, text);
      row.clapWindows = audio.windows.length;
    } catch (error) {
      errors.push(`CLAP: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (deps.kldBoth && reference) {
      try {
        // Both truncated to the common length, as the reference validator does (scoring spec §1.2).
        const generated = at(clip, rates.classifier);
        const length = Math.min(generated.length, reference.length);
        const [gen, ref] = await Promise.all([
          deps.run({
            kind: 'classify',
            model: input.models.classifier,
            audio: generated.subarray(0, length),
            sampleRate: rates.classifier,
          }),
          referenceWindows(length),
        ]);
        row.kld = deps.kldBoth(gen.windows, ref);
      } catch (error) {
        errors.push(`KL: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (errors.length > 0) row.error = errors.join('; ');
    rows.push(row);
  }
  return rows;
}

/** The rows as a fixed-width table, one line per clip: what `bittaudio score` prints. */
export function formatRawMetrics(rows: readonly RawMetricsRow[]): string {
  return formatTable(
    ['file', 'seconds', 'clap_cosine', 'windows', 'kld_both', 'error'],
    rows.map((r) => [
      r.name,
      r.seconds.toFixed(2),
      r.clapCosine === null ? '-' : r.clapCosine.toFixed(6),
      String(r.clapWindows),
      r.kld === null ? '-' : r.kld.toFixed(6),
      r.error ?? '',
    ]),
  );
}

/** Left-aligned columns two spaces apart, as wide as their widest cell. */
export function formatTable(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}
