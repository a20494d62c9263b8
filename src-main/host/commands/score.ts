/**
 * `bittaudio score`: the validator's raw judgement of clips from a terminal, for anyone who wants
 * to check what a miner's music would score: the CLAP prompt adherence (mean cosine over
 * deterministic 10 s windows), the AudioSet KL divergence and FAD against a reference clip
 * (docs/fad.md), then the normalised KLD and FAD and whether the CLAP gate passes under a scoring
 * profile. `--dump-embeddings` writes the arrays behind those numbers as .npy files, so anyone can
 * recompute them with numpy. The files are decoded
 * (WAV, FLAC, MP3), mixed to mono and resampled with torchaudio's kernel for each model. The
 * models run in this process: the CLI is its own process, so nothing else shares a crash.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SCORING_PROFILES, ScoringProfileSchema, type ScoringProfile } from '../../../src-shared/schemas/scoring.js';
import { COMMAND_GROUPS } from '../../command-groups.js';
import { decodeAudio, mixToMono, resample } from '../../audio/index.js';
import { CLAP_GATE, normalizeFad, normalizeKld } from '../../scoring/aggregation.js';
import { kldBoth } from '../../scoring/kl-divergence.js';
import { encodeNpyMatrix } from '../../scoring/npy.js';
import {
  fadReference,
  formatRawMetrics,
  formatTable,
  rawMetrics,
  type FadModels,
  type MetricArrayKind,
  type MonoClip,
  type ModelTaskRunner,
  type RawMetricsRow,
} from '../../scoring/raw-metrics.js';
import { createModelTaskHandler } from '../../scoring/worker-tasks.js';

export interface ScoreCliIo {
  out(text: string): void;
  err(text: string): void;
}

interface ScoreFlags {
  prompt: string;
  reference: string;
  clap: string;
  classifier: string;
  /** A VGGish folder for FAD; without it FAD is measured on CLAP windows. */
  vggish?: string;
  /** Where to write the .npy arrays behind the metrics. */
  dumpEmbeddings?: string;
  profile: ScoringProfile;
  json?: boolean;
}

/** One clip's row with what the profile makes of it. */
export interface ScoreRow extends RawMetricsRow {
  normalizedKld: number | null;
  /** Only for a VGGish FAD: the profile's thresholds (5, 10) mean nothing on CLAP frames. */
  normalizedFad: number | null;
  clapGate: boolean | null;
}

export function registerScoreCommand(program: Command, io: ScoreCliIo = terminalIo()): void {
  program
    .command('score')
    .description(COMMAND_GROUPS.score)
    .argument('<generated...>', 'the clips to score (WAV, FLAC or MP3)')
    .requiredOption('--prompt <text>', 'the text the clips were generated from')
    .requiredOption('--reference <file>', 'the reference clip of the round (KL divergence is measured against it)')
    .requiredOption('--clap <dir>', 'a CLAP ONNX export folder (e.g. Xenova/larger_clap_music_and_speech)')
    .requiredOption(
      '--classifier <dir>',
      'an AudioSet classifier ONNX export folder (e.g. Xenova/ast-finetuned-audioset-10-10-0.4593)',
    )
    .option('--vggish <dir>', 'a VGGish ONNX folder (onnx/model.onnx, pre-ReLU 128-d embeddings) for FAD')
    .option(
      '--dump-embeddings <dir>',
      'write the embeddings and class probabilities behind the metrics as .npy files (float32) to this folder',
    )
    .option(
      '--profile <name>',
      `the scoring profile: ${SCORING_PROFILES.join(' or ')}`,
      parseProfile,
      'bittaudio-1.1.3',
    )
    .option('--json', 'print the rows as JSON instead of tables')
    .addHelpText(
      'after',
      `
Prints two tables, as the reference validator logs them: the raw metrics per clip (CLAP cosine,
its window count, kld_both, FAD with the embedding it used and the clip/reference frame counts)
and the profile's view (normalised KLD and FAD, whether the CLAP cosine passes the ${CLAP_GATE} gate).
FAD is measured on VGGish embeddings with --vggish, otherwise on CLAP windows 1 s apart (another
scale: not normalised). A clip that cannot be read or scored gets its reason in the error column;
the others are still scored.

--dump-embeddings DIR writes, per clip, <file>.clap-audio.npy, <file>.classifier-probs.npy,
<file>.reference-classifier-probs.npy and <file>.vggish.npy (or .clap-frames.npy); for the round,
prompt.clap-text.npy and reference/<reference file>.vggish.npy (or .clap-frames.npy). Each is a
float32 matrix, one row per window or frame; docs/fad.md shows how to recompute FAD from them.`,
    )
    .action(async (generated: string[], flags: ScoreFlags) => {
      const rows = await scoreFiles(generated, flags);
      if (flags.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
      else io.out(formatScoreTables(rows, flags.profile));
    });
}

/** Decodes, scores and judges the files; a clip that fails keeps its place with the reason. */
export async function scoreFiles(files: readonly string[], flags: Omit<ScoreFlags, 'json'>): Promise<ScoreRow[]> {
  const reference = await readClip(flags.reference).catch((error: unknown) => {
    throw new Error(`The reference ${flags.reference} cannot be used: ${messageOf(error)}`);
  });
  const handler = createModelTaskHandler();
  const run: ModelTaskRunner = (task) => handler(task) as never;
  const resampleClip = (samples: Float32Array, from: number, to: number): Float32Array => resample(samples, from, to);
  const fadModels: FadModels = {
    clap: { dir: resolve(flags.clap) },
    ...(flags.vggish ? { vggish: { dir: resolve(flags.vggish) } } : {}),
  };
  const dump = flags.dumpEmbeddings ? resolve(flags.dumpEmbeddings) : null;
  const arrays: { file: string; rows: readonly Float32Array[] }[] = [];
  const keep = (clip: string | null, kind: MetricArrayKind, rows: readonly Float32Array[]): void => {
    const file =
      clip !== null
        ? `${clip}.${kind}.npy`
        : kind === 'clap-text'
          ? 'prompt.clap-text.npy'
          : join('reference', `${basename(flags.reference)}.${kind}.npy`);
    arrays.push({ file, rows });
  };
  // The reference's FAD frames once, before the clips; a failure there shows in every clip's FAD.
  const fadRef = await fadReference(reference, fadModels, { run, resample: resampleClip }).then(
    (ref) => {
      keep(null, ref.embedding, ref.frames);
      return ref;
    },
    () => undefined,
  );
  const readable: { name: string; clip: MonoClip }[] = [];
  const unreadable = new Map<string, string>();
  for (const file of files) {
    try {
      readable.push({ name: basename(file), clip: await readClip(file) });
    } catch (error) {
      unreadable.set(basename(file), messageOf(error));
    }
  }
  const scored = await rawMetrics(
    {
      prompt: flags.prompt,
      reference,
      generated: readable,
      models: { ...fadModels, classifier: { dir: resolve(flags.classifier) } },
      ...(fadRef ? { fadReference: fadRef } : {}),
    },
    {
      run,
      resample: resampleClip,
      kldBoth: (generated, ref) => kldBoth(generated, ref).kldBoth,
      ...(dump ? { onArrays: keep } : {}),
    },
  );
  if (dump) {
    await mkdir(join(dump, 'reference'), { recursive: true });
    for (const { file, rows } of arrays) await writeFile(join(dump, file), encodeNpyMatrix(rows));
  }
  const byName = new Map(scored.map((row) => [row.name, row]));
  return files.map((file) => {
    const name = basename(file);
    const row = byName.get(name) ?? {
      name,
      seconds: 0,
      clapCosine: null,
      clapWindows: 0,
      kld: null,
      fad: null,
      fadEmbedding: null,
      fadFrames: 0,
      fadReferenceFrames: 0,
      error: unreadable.get(name) ?? 'not scored',
    };
    return {
      ...row,
      normalizedKld: row.kld === null ? null : normalizeKld(flags.profile, row.kld),
      normalizedFad: row.fad === null || row.fadEmbedding !== 'vggish' ? null : normalizeFad(flags.profile, row.fad),
      clapGate: row.clapCosine === null ? null : row.clapCosine > CLAP_GATE,
    };
  });
}

/** The raw table, then the profile's table. */
export function formatScoreTables(rows: readonly ScoreRow[], profile: ScoringProfile): string {
  const raw = formatRawMetrics(rows);
  const judged = formatTable(
    ['file', 'normalized_kld', `clap_gate(>${CLAP_GATE})`, 'normalized_fad'],
    rows.map((r) => [
      r.name,
      fixed(r.normalizedKld),
      r.clapGate === null ? '-' : r.clapGate ? 'pass' : 'closed',
      fixed(r.normalizedFad),
    ]),
  );
  return `Raw metrics\n${raw}\nProfile ${profile}\n${judged}`;
}

async function readClip(file: string): Promise<MonoClip> {
  const decoded = await decodeAudio(new Uint8Array(await readFile(file)));
  return { samples: mixToMono(decoded.channelData), sampleRate: decoded.sampleRate };
}

function fixed(value: number | null): string {
  return value === null ? '-' : value.toFixed(6);
}

function parseProfile(value: string): ScoringProfile {
  const parsed = ScoringProfileSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`choose ${SCORING_PROFILES.join(' or ')}`);
  return parsed.data;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function terminalIo(): ScoreCliIo {
  return { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };
}
