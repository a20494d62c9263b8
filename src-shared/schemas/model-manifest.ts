/**
 * Model manifests: which models the app offers, where their files come from, and how to check
 * them. A manifest is data (models/manifests/*.json), parsed here before anything trusts it.
 * Folder layout, file names per dtype and config fields follow musicgen.md §2.
 */
import { z } from 'zod';

/** The dtypes transformers.js knows, and the suffix each gives a session's file (musicgen.md §2). */
export const ModelDtypeSchema = z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']);
export type ModelDtype = z.infer<typeof ModelDtypeSchema>;

export const DTYPE_FILE_SUFFIX: Readonly<Record<ModelDtype, string>> = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
});

/** The ONNX file transformers.js opens for one session at one dtype, relative to the model folder. */
export function sessionFileName(session: string, dtype: ModelDtype): string {
  return `onnx/${session}${DTYPE_FILE_SUFFIX[dtype]}.onnx`;
}

/** Lowercase hex SHA-256, as the hub reports an LFS object id. */
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lowercase hex digits');

/**
 * A path inside a model folder: forward slashes, no empty or hidden segments (so no `.` or `..`),
 * no leading slash or drive letter, nothing a file system treats specially. It is joined to a
 * local folder and put into a URL, so anything that could leave the folder is refused here. Hidden
 * names and the `.part` suffix stay free for the store's own sidecar and temp files.
 */
export const ModelFilePathSchema = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (path) =>
      path.split('/').every((segment) => segment !== '' && !segment.startsWith('.')) &&
      !/[\\:*?"<>|]/.test(path) &&
      ![...path].some((char) => char.charCodeAt(0) < 0x20) &&
      !path.endsWith('.part'),
    'a model file path is relative, uses forward slashes, has no empty, hidden or `..` segments and does not end in .part',
  );

export const ModelFileSchema = z.strictObject({
  path: ModelFilePathSchema,
  /** Exact size in bytes; null when not known offline (the downloader takes the hub's `X-Linked-Size`). */
  size: z.number().int().nonnegative().nullable(),
  /** SHA-256 of the content; null when not known offline (the downloader takes the hub's LFS object id). */
  sha256: Sha256HexSchema.nullable(),
  /** A rounded size for the UI before anything is fetched, e.g. from the hub's file listing. */
  approxSize: z.number().int().nonnegative().optional(),
  /** Used when present (external weights of a large export), not required for the model to be ready. */
  optional: z.boolean().optional(),
});
export type ModelFile = z.infer<typeof ModelFileSchema>;

const SessionNameSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a session name is snake_case');

export const ModelVariantSchema = z
  .strictObject({
    /** transformers.js `dtype` per session, e.g. the q8 recipe keeps EnCodec at fp32. */
    sessions: z.record(SessionNameSchema, ModelDtypeSchema),
    /** The variant's own files (the ONNX graphs); the manifest's `files` are shared by every variant. */
    files: z.array(ModelFileSchema).min(1),
    /** A caveat shown next to the choice, e.g. a reported loading failure. */
    note: z.string().optional(),
  })
  .superRefine((variant, ctx) => {
    const paths = new Set(variant.files.map((file) => file.path));
    for (const [session, dtype] of Object.entries(variant.sessions)) {
      const expected = sessionFileName(session, dtype);
      if (!paths.has(expected)) {
        ctx.addIssue({
          code: 'custom',
          path: ['files'],
          message: `session ${session} at ${dtype} needs the file ${expected}`,
        });
      }
    }
    if (Object.keys(variant.sessions).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'a variant needs at least one session' });
    }
  });
export type ModelVariant = z.infer<typeof ModelVariantSchema>;

/** The MusicGen decoder shape that config.json must declare and the ONNX graphs must have (musicgen.md §2). */
export const MusicgenArchitectureSchema = z.strictObject({
  numHiddenLayers: z.number().int().positive(),
  numAttentionHeads: z.number().int().positive(),
  hiddenSize: z.number().int().positive(),
  numCodebooks: z.number().int().positive(),
  samplingRate: z.number().int().positive(),
});
export type MusicgenArchitecture = z.infer<typeof MusicgenArchitectureSchema>;

export const ModelLicenseSchema = z.strictObject({
  /** SPDX identifier, e.g. `CC-BY-NC-4.0`. */
  spdx: z.string().min(1),
  url: z.url(),
  /** One sentence a person reads before downloading. */
  summary: z.string().min(1),
  /** True when the weights may not be used commercially; the UI says so. */
  nonCommercial: z.boolean(),
});
export type ModelLicense = z.infer<typeof ModelLicenseSchema>;

/** A Hugging Face repo id: `owner/name`, each part safe as a folder name. */
export const HubRepoSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/, 'a repo id is owner/name')
  .refine((repo) => !repo.includes('..'), 'a repo id has no `..`');

export const ModelSourceSchema = z.discriminatedUnion('kind', [
  /** Downloaded from the hub (or `HF_ENDPOINT`): `{endpoint}/{repo}/resolve/{revision}/{path}`. */
  z.strictObject({ kind: z.literal('hub'), revision: z.string().min(1).max(255) }),
  /** No public export exists: a person imports a folder they exported themselves. */
  z.strictObject({ kind: z.literal('import'), instructions: z.string().min(1) }),
]);
export type ModelSource = z.infer<typeof ModelSourceSchema>;

/** What a model is for: MusicGen generates; the others score (scoring spec §2). */
export const ModelKindSchema = z.enum(['musicgen', 'clap', 'audio-classifier', 'vggish']);
export type ModelKind = z.infer<typeof ModelKindSchema>;

/** The kinds a validator scores with; everything else generates. */
export const SCORING_KINDS: readonly ModelKind[] = Object.freeze(['clap', 'audio-classifier', 'vggish']);
export function isScoringKind(kind: ModelKind): boolean {
  return SCORING_KINDS.includes(kind);
}

/** A CLAP model's shape as its config files declare it (scoring spec §2.1). */
export const ClapArchitectureSchema = z.strictObject({
  /** config.json `projection_dim`: the shared text/audio embedding size (512 for LAION CLAP). */
  projectionDim: z.number().int().positive(),
  /** preprocessor_config.json `sampling_rate` (48 000). */
  samplingRate: z.number().int().positive(),
  /** preprocessor_config.json `feature_size`: mel bands (64). */
  melBins: z.number().int().positive(),
});
export type ClapArchitecture = z.infer<typeof ClapArchitectureSchema>;

/** An AudioSet classifier's shape (scoring spec §2.2): AST takes 1024 frames of 128 bins at 16 kHz. */
export const AudioClassifierArchitectureSchema = z.strictObject({
  /** Labels in config.json `id2label` (527 for AudioSet). */
  numLabels: z.number().int().positive(),
  samplingRate: z.number().int().positive(),
  /** preprocessor_config.json `num_mel_bins`. */
  melBins: z.number().int().positive(),
  /** preprocessor_config.json `max_length`: frames per window. */
  maxFrames: z.number().int().positive(),
});
export type AudioClassifierArchitecture = z.infer<typeof AudioClassifierArchitectureSchema>;

/** VGGish (scoring spec §1.3, §2.3): 0.96 s examples of 96 × 64 log-mel at 16 kHz → 128-d pre-ReLU embeddings. */
export const VggishArchitectureSchema = z.strictObject({
  embeddingSize: z.number().int().positive(),
  samplingRate: z.number().int().positive(),
});
export type VggishArchitecture = z.infer<typeof VggishArchitectureSchema>;

const manifestFields = {
  format: z.literal(1),
  /** Stable id the app and the UI use, e.g. `musicgen-small`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a model id is lowercase words joined by dashes'),
  displayName: z.string().min(1),
  /** Hub repo; also the folder under the models folder, so transformers.js finds it by this id. */
  repo: HubRepoSchema,
  /** The upstream model the weights come from. */
  baseModel: z.string().min(1),
  /** The SN50 `model_name` this model answers to (wire-protocol §7), or null when the protocol has none. */
  protocolModelName: z.string().nullable(),
  source: ModelSourceSchema,
  license: ModelLicenseSchema,
  /** Files every variant needs: configs and the tokenizer. */
  files: z.array(ModelFileSchema),
  variants: z.partialRecord(ModelDtypeSchema, ModelVariantSchema),
  defaultDtype: ModelDtypeSchema,
};

/** One schema per kind; a manifest without `kind` is a MusicGen manifest (written before kinds existed). */
export const ModelManifestSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      ...manifestFields,
      kind: z.literal('musicgen').default('musicgen'),
      architecture: MusicgenArchitectureSchema,
    }),
    z.strictObject({ ...manifestFields, kind: z.literal('clap'), architecture: ClapArchitectureSchema }),
    z.strictObject({
      ...manifestFields,
      kind: z.literal('audio-classifier'),
      architecture: AudioClassifierArchitectureSchema,
    }),
    z.strictObject({ ...manifestFields, kind: z.literal('vggish'), architecture: VggishArchitectureSchema }),
  ])
  .superRefine((manifest, ctx) => {
    if (!manifest.variants[manifest.defaultDtype]) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultDtype'],
        message: `the default dtype ${manifest.defaultDtype} has no variant`,
      });
    }
    for (const [dtype, variant] of Object.entries(manifest.variants)) {
      const seen = new Set<string>();
      for (const file of [...manifest.files, ...(variant?.files ?? [])]) {
        if (seen.has(file.path)) {
          ctx.addIssue({
            code: 'custom',
            path: ['variants', dtype, 'files'],
            message: `${file.path} is listed twice for ${dtype}`,
          });
        }
        seen.add(file.path);
      }
    }
  });
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type MusicgenManifest = Extract<ModelManifest, { kind: 'musicgen' }>;

/** Every file of one variant: the shared ones first, then the variant's own. Undefined if the dtype is not offered. */
export function variantFiles(manifest: ModelManifest, dtype: ModelDtype): ModelFile[] | undefined {
  const variant = manifest.variants[dtype];
  return variant ? [...manifest.files, ...variant.files] : undefined;
}

/** The dtypes a manifest offers, in the schema's order. */
export function manifestDtypes(manifest: ModelManifest): ModelDtype[] {
  return ModelDtypeSchema.options.filter((dtype) => manifest.variants[dtype] !== undefined);
}

/**
 * - `missing`: none of its files are there;
 * - `partial`: some files or temp files are there, or some cannot be checked yet; a download finishes it;
 * - `ready`: every required file is present and matches its hash;
 * - `corrupt`: a file is there but its size or hash is wrong; it is never loaded.
 */
export const ModelStateSchema = z.enum(['missing', 'partial', 'ready', 'corrupt']);
export type ModelState = z.infer<typeof ModelStateSchema>;

export const ModelFileStateSchema = z.enum(['ok', 'missing', 'partial', 'corrupt', 'unverified']);
export type ModelFileState = z.infer<typeof ModelFileStateSchema>;

export const ModelFileStatusSchema = z.object({
  path: z.string(),
  state: ModelFileStateSchema,
  optional: z.boolean(),
  /** Bytes on disk: the file, or its temp file while partial. */
  bytes: z.number().int().nonnegative(),
  expectedSize: z.number().int().nonnegative().nullable(),
  /** Why the file is not `ok`, in words. */
  reason: z.string().optional(),
});
export type ModelFileStatus = z.infer<typeof ModelFileStatusSchema>;

/** One model at one dtype, as the store sees it. */
export const ModelEntrySchema = z.object({
  id: z.string(),
  /** What the model is for: `musicgen` generates, the other kinds score. */
  kind: ModelKindSchema,
  displayName: z.string(),
  repo: z.string(),
  dtype: ModelDtypeSchema,
  state: ModelStateSchema,
  sourceKind: z.enum(['hub', 'import']),
  protocolModelName: z.string().nullable(),
  license: ModelLicenseSchema,
  dir: z.string(),
  bytesPresent: z.number().int().nonnegative(),
  /** Sum of the exact sizes when all are known, else null (see `approxBytes`). */
  bytesTotal: z.number().int().nonnegative().nullable(),
  approxBytes: z.number().int().nonnegative().nullable(),
  note: z.string().optional(),
  files: z.array(ModelFileStatusSchema),
});
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

/** Progress of a download or import: bytes of the whole operation. */
export const ModelTransferProgressSchema = z.object({
  id: z.string(),
  dtype: ModelDtypeSchema,
  /** The file being transferred now. */
  file: z.string(),
  filesDone: z.number().int().nonnegative(),
  filesTotal: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  /** Seconds left at the current speed; null until a speed is known. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export type ModelTransferProgress = z.infer<typeof ModelTransferProgressSchema>;

/** One row of `models.list`: the store's entry, plus how to import it when it cannot be downloaded. */
export const ModelListEntrySchema = ModelEntrySchema.extend({
  /** For `sourceKind: 'import'`: what a person does to get the model (from the manifest); else null. */
  importInstructions: z.string().nullable(),
});
export type ModelListEntry = z.infer<typeof ModelListEntrySchema>;

/**
 * - `running`: the download goes on (progress, throttled to ~5 per second);
 * - `done`: every file is there and checked (`entry` says its state now);
 * - `failed`: stopped on an error (`error`); finished files and temp files are kept for a retry;
 * - `cancelled`: stopped by `models.cancel`; temp files are kept so a new download resumes.
 */
export const ModelDownloadStateSchema = z.enum(['running', 'done', 'failed', 'cancelled']);
export type ModelDownloadState = z.infer<typeof ModelDownloadStateSchema>;

/** The `model` event: one download of one model at one dtype. */
export const ModelDownloadEventSchema = z.object({
  id: z.string(),
  dtype: ModelDtypeSchema,
  state: ModelDownloadStateSchema,
  /** The file being transferred now; null before the first byte. */
  file: z.string().nullable(),
  filesDone: z.number().int().nonnegative(),
  filesTotal: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** Bytes of the whole download; 0 while not known yet. */
  total: z.number().int().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  /** For `failed` (and `cancelled`): why, in words, and the store's code. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** For `done`: the entry as the store sees it after the download. */
  entry: ModelEntrySchema.optional(),
});
export type ModelDownloadEvent = z.infer<typeof ModelDownloadEventSchema>;
