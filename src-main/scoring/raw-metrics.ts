/**
 * Raw metrics of generated clips against a prompt and a reference clip, as `bittaudio score`
 * prints them (issue #11): the CLAP cosine (mean over deterministic 10 s windows, scoring spec
 * §3.1), the AudioSet KL term and FAD (docs/fad.md): the Fréchet distance between the reference's
 * and the clip's VGGish embeddings, or, with no VGGish configured, between their CLAP window
 * embeddings (10 s windows 1 s apart, spec §2.3; another scale, so the reference's FAD thresholds
 * do not apply to it). Model work goes through a `ModelTaskRunner` (the inference
 * worker's `run`); resampling and the KL formula are injected, since they belong to the audio
 * layer (torchaudio's kernel) and the metric maths. Per call the prompt's text embedding is
 * computed once, and the reference's class probabilities once per common length.
 */
import type { ModelTask, ModelTaskKind, ModelTaskResults, ModelTaskSource } from '../inference/worker/protocol.js';
import { removeDc } from '../audio/channels.js';
import { dot } from './cosine.js';
import { frameStatistics, frechetDistanceFromStatistics, type FrameStatistics } from './frechet.js';
import { VGGISH_SAMPLE_RATE } from './vggish-frontend.js';

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
  /** Receives every embedding and probability matrix the metrics were computed from. */
  onArrays?: MetricArraysSink;
}

export interface RawMetricsInput {
  prompt: string;
  reference: MonoClip;
  generated: readonly { name: string; clip: MonoClip }[];
  /** Without `vggish`, FAD falls back to CLAP window embeddings. */
  models: FadModels & { classifier: ModelTaskSource };
  /** Rates the models take (48 kHz CLAP, 16 kHz AST); from their preprocessor configs. */
  rates?: { clap: number; classifier: number };
  /** The reference's FAD embeddings, computed before with `fadReference` (e.g. once per round). */
  fadReference?: FadReference;
}

/** Which embedding a FAD was computed on. */
export type FadEmbedding = 'vggish' | 'clap-frames';

export interface FadModels {
  clap: ModelTaskSource;
  vggish?: ModelTaskSource;
}

/** A clip's FAD frames: one VGGish embedding per 0.96 s, or one unit CLAP embedding per 10 s window. */
export interface FadFrames {
  embedding: FadEmbedding;
  frames: Float32Array[];
}

/** The reference clip's FAD frames and their statistics, computed once and compared with every clip. */
export interface FadReference extends FadFrames {
  statistics: FrameStatistics;
}

/** Arrays behind the metrics, for `--dump-embeddings`: per clip, or for the round when `clip` is null. */
export type MetricArrayKind =
  'clap-text' | 'clap-audio' | 'classifier-probs' | 'reference-classifier-probs' | FadEmbedding;
export type MetricArraysSink = (clip: string | null, kind: MetricArrayKind, rows: readonly Float32Array[]) => void;

/** The fallback's CLAP window hop: fadtk's clap-laion-music protocol, 10 s windows 1 s apart (scoring spec §1.6, §2.3). */
export const CLAP_FAD_HOP_SECONDS = 1;

export interface RawMetricsRow {
  name: string;
  seconds: number;
  /** Mean cosine of the unit text embedding with each window's unit audio embedding; null on failure. */
  clapCosine: number | null;
  clapWindows: number;
  /** kld_both against the reference; null without `kldBoth` or on failure. */
  kld: number | null;
  /** Fréchet distance to the reference, clamped at 0; null on failure. */
  fad: number | null;
  /** The embedding the FAD was computed on; null when it failed before one was chosen. */
  fadEmbedding: FadEmbedding | null;
  /** Frames of this clip and of the reference that went into the FAD (0 when it failed). */
  fadFrames: number;
  fadReferenceFrames: number;
  /** Why a metric is missing, when one failed. */
  error?: string;
}

const DEFAULT_RATES = { clap: 48_000, classifier: 16_000 };

/**
 * A clip's FAD frames. VGGish, as audioldm_eval prepares it (scoring spec §1.3): the mean removed,
 * resampled to 16 kHz, zero-padded to 2 s (by the runner), one embedding per 0.96 s example. The
 * clip is the mono mix (the reference takes channel 0; the spec allows either). Without VGGish:
 * unit CLAP embeddings of 10 s windows 1 s apart, so a clip needs to be longer than 10 s to give
 * the 2 frames a covariance needs.
 */
export async function fadFrames(
  clip: MonoClip,
  models: FadModels,
  deps: Pick<RawMetricsDeps, 'run' | 'resample'>,
  clapRate = DEFAULT_RATES.clap,
): Promise<FadFrames> {
  const at = (samples: Float32Array, rate: number): Float32Array =>
    clip.sampleRate === rate ? samples : deps.resample(samples, clip.sampleRate, rate);
  if (models.vggish) {
    const audio = at(removeDc(clip.samples), VGGISH_SAMPLE_RATE);
    const { windows } = await deps.run({
      kind: 'embed-frames',
      model: models.vggish,
      audio,
      sampleRate: VGGISH_SAMPLE_RATE,
    });
    return { embedding: 'vggish', frames: windows };
  }
  const { windows } = await deps.run({
    kind: 'embed-audio',
    model: models.clap,
    audio: at(clip.samples, clapRate),
    sampleRate: clapRate,
    hopSeconds: CLAP_FAD_HOP_SECONDS,
  });
  return { embedding: 'clap-frames', frames: windows };
}

/** The reference clip's FAD frames and statistics: compute once per round, pass to every `rawMetrics` call. */
export async function fadReference(
  reference: MonoClip,
  models: FadModels,
  deps: Pick<RawMetricsDeps, 'run' | 'resample'>,
  clapRate = DEFAULT_RATES.clap,
): Promise<FadReference> {
  const frames = await fadFrames(reference, models, deps, clapRate);
  return { ...frames, statistics: frameStatistics(frames.frames, `reference's ${frames.embedding}`) };
}

export async function rawMetrics(input: RawMetricsInput, deps: RawMetricsDeps): Promise<RawMetricsRow[]> {
  const rates = input.rates ?? DEFAULT_RATES;
  const at = (clip: MonoClip, rate: number): Float32Array =>
    clip.sampleRate === rate ? clip.samples : deps.resample(clip.samples, clip.sampleRate, rate);
  const [text] = (await deps.run({ kind: 'embed-text', model: input.models.clap, texts: [input.prompt] })).embeddings;
  if (!text) throw new Error('CLAP returned no text embedding');
  deps.onArrays?.(null, 'clap-text', [text]);

  // The reference's FAD frames once, as given or on first use; a failure fails every clip's FAD.
  const wanted: FadEmbedding = input.models.vggish ? 'vggish' : 'clap-frames';
  let fadRef: Promise<FadReference> | null = input.fadReference ? Promise.resolve(input.fadReference) : null;
  const referenceFad = (): Promise<FadReference> => {
    fadRef ??= fadReference(input.reference, input.models, deps, rates.clap).then((ref) => {
      deps.onArrays?.(null, ref.embedding, ref.frames);
      return ref;
    });
    return fadRef;
  };

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
      fad: null,
      fadEmbedding: null,
      fadFrames: 0,
      fadReferenceFrames: 0,
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
      deps.onArrays?.(name, 'clap-audio', audio.windows);
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
        deps.onArrays?.(name, 'classifier-probs', gen.windows);
        deps.onArrays?.(name, 'reference-classifier-probs', ref);
        row.kld = deps.kldBoth(gen.windows, ref);
      } catch (error) {
        errors.push(`KL: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    try {
      const ref = await referenceFad();
      if (ref.embedding !== wanted) {
        throw new Error(`the reference's frames are ${ref.embedding} but the clips get ${wanted}`);
      }
      row.fadEmbedding = wanted;
      const own = await fadFrames(clip, input.models, deps, rates.clap);
      deps.onArrays?.(name, own.embedding, own.frames);
      const terms = frechetDistanceFromStatistics(ref.statistics, frameStatistics(own.frames, `clip's ${wanted}`));
      row.fad = terms.distance;
      row.fadFrames = own.frames.length;
      row.fadReferenceFrames = ref.frames.length;
    } catch (error) {
      errors.push(`FAD: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (errors.length > 0) row.error = errors.join('; ');
    rows.push(row);
  }
  return rows;
}

/** The rows as a fixed-width table, one line per clip: what `bittaudio score` prints. */
export function formatRawMetrics(rows: readonly RawMetricsRow[]): string {
  return formatTable(
    ['file', 'seconds', 'clap_cosine', 'windows', 'kld_both', 'fad', 'fad_embedding', 'fad_frames', 'error'],
    rows.map((r) => [
      r.name,
      r.seconds.toFixed(2),
      r.clapCosine === null ? '-' : r.clapCosine.toFixed(6),
      String(r.clapWindows),
      r.kld === null ? '-' : r.kld.toFixed(6),
      r.fad === null ? '-' : r.fad.toFixed(6),
      r.fadEmbedding ?? '-',
      r.fad === null ? '-' : `${r.fadFrames}/${r.fadReferenceFrames}`,
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
