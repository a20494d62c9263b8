/**
 * MusicGen text-to-music on onnxruntime-node through transformers.js 4.3.1
 * (`MusicgenForConditionalGeneration.generate` + `AutoTokenizer`; musicgen spec §1, §3):
 * fully local, per-session dtypes, seeded top-k sampling or greedy decoding, progress per step,
 * cancellation at the next step.
 *
 * transformers.js keeps its settings (`env`) and its sampling random generator in module-wide
 * state, so every load and generation of every instance takes the worker's one transformers.js
 * lock (transformers-runtime.ts, shared with the scoring models): a seeded run is then
 * reproducible even while other generations wait.
 *
 * `decoder: 'ort'` (the default) decodes with our own loop on onnxruntime-node sessions instead
 * (ort-decoder.ts, issue #14): the same requests and results, greedy tokens identical, its own
 * seeded sampler, no queue, a fraction of the decode time and memory. `transformers`
 * keeps transformers.js's `generate()` selectable for comparison (the bench, `--decoder`).
 */
import { randomInt } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import {
  AutoTokenizer,
  BaseStreamer,
  MusicgenForConditionalGeneration,
  Tensor,
  type PreTrainedModel,
  type TextStreamer,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import type { ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import type { ModelDtype } from '../../../src-shared/schemas/model-manifest.js';
import type { Logger } from '../../log/logger.js';
import type { LoadableModel } from '../../models/store.js';
import type { KvCacheLocation, OrtMusicgen, SamplingLocation } from './ort-decoder.js';
import type { CacheRewrite } from './fused-attention-graph.js';
import { firstNonFinite, tensorToFloat32 } from '../../audio/samples.js';
import { hideSoftwareAdapters } from '../gpu/software-adapters.js';
import { exclusive, withLocalModels, withSeed } from '../transformers-runtime.js';
import { GenerationError, messageOf, throwIfAborted } from './errors.js';
import { checkModelFolder, sessionDtypes, type CheckedFolder, type SessionDtypes } from './model-files.js';
import {
  batchKey,
  expectedSamples,
  maxNewTokens,
  MusicRequestSchema,
  type MusicRequest,
  type ParsedMusicRequest,
} from './request.js';

/** The settings every request of a batch must share: one `generate` call runs them all. */
const SHARED_SETTINGS = [
  'durationSeconds',
  'durationTokens',
  'guidanceScale',
  'topK',
  'temperature',
  'decoding',
  'seed',
] as const satisfies readonly (keyof ParsedMusicRequest)[];

export interface GenerationProgress {
  /** Decoding steps done, 0 … steps. */
  step: number;
  steps: number;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
}

export interface GeneratedAudio {
  /** Mono samples in [-1, 1]. */
  audio: Float32Array;
  sampleRate: number;
  /** The model id (repo id or folder name). */
  model: string;
  dtype: SessionDtypes;
  device: ExecutionProvider;
  /** Decoding steps (`max_new_tokens`). */
  steps: number;
  /** The sampling seed (null for greedy decoding, which draws no random numbers). */
  seed: number | null;
  /**
   * How it was decoded: the loop, and for ours its decoder rewrite and where the KV cache lived;
   * absent where no decoder made the audio (the local network's scripted miners, test doubles).
   */
  decoding?: DecodingPath;
  timings: {
    /** Set on the call that loaded the model. */
    loadMs?: number;
    /** Tokenizer and text encoder. */
    encodeMs: number;
    /** The decoding steps. */
    decodeMs: number;
    /** EnCodec, tokens to waveform. */
    audioMs: number;
    totalMs: number;
  };
}

export type DecodingPath =
  | { loop: 'transformers' }
  | {
      loop: 'ort';
      cacheRewrite: CacheRewrite;
      kvCache: KvCacheLocation;
      refused?: string;
      /** Where the tokens were chosen (absent: on the host). */
      sampling?: SamplingLocation;
    };

/** The decoding path of a loaded engine, as results report it. */
function decodingPath(engine: Engine): DecodingPath {
  if (engine.kind === 'transformers') return { loop: 'transformers' };
  const { level, refused } = engine.model.cacheRewrite;
  return {
    loop: 'ort',
    cacheRewrite: level,
    kvCache: engine.model.kvCache,
    ...(refused ? { refused } : {}),
    ...(engine.model.sampling === 'device' ? { sampling: 'device' as const } : {}),
  };
}

/** One request of `generateJobs`, with its own cancellation and progress. */
export interface BatchJob {
  request: MusicRequest;
  options?: GenerateOptions;
}

export interface MusicGenerator {
  generate(request: MusicRequest, options?: GenerateOptions): Promise<GeneratedAudio>;
  /** Whether `generateJobs` decodes several requests in one run; absent or false: one at a time. */
  readonly canBatch?: boolean;
  /**
   * Decodes requests that share a `batchKey` (request.ts) as one batch, each with its own seed,
   * signal and progress: one promise per job, in order, each settling on its own (an aborted job
   * fails at the next step while the others run on). All settle before the device is idle.
   */
  generateJobs?(jobs: readonly BatchJob[]): Promise<GeneratedAudio>[];
}

/** Where the model is: a model store entry (`ModelStore.loadable`) or a plain folder. */
export type MusicgenSource =
  | (Pick<LoadableModel, 'localModelPath' | 'modelId' | 'dtype'> & Partial<Pick<LoadableModel, 'externalData'>>)
  | { dir: string; dtype: ModelDtype | Partial<Record<string, ModelDtype>>; externalData?: Record<string, boolean> };

/** Which decode loop runs the steps: transformers.js `generate()` or our own (ort-decoder.ts). */
export const MUSICGEN_DECODERS = ['transformers', 'ort'] as const;
export type MusicgenDecoder = (typeof MUSICGEN_DECODERS)[number];

export interface MusicgenGeneratorOptions {
  /** Default `ort`: our own loop (issue #14); `transformers` keeps transformers.js `generate()`. */
  decoder?: MusicgenDecoder;
  /** From the gpu module's `chooseDevice`; default `cpu`. */
  device?: ExecutionProvider;
  /** When the device fails to create the sessions, load on the CPU instead (default true; musicgen spec §3: no fallback inside onnxruntime). */
  fallbackToCpu?: boolean;
  logger?: Logger;
  /** Our loop's decoder rewrite (ort-decoder.ts `OrtMusicgenOptions`); default `fused-attention` on the CPU, `time-major` elsewhere. */
  cacheRewrite?: CacheRewrite;
}

type Engine =
  | { kind: 'transformers'; model: PreTrainedModel; tokenizer: PreTrainedTokenizer }
  | { kind: 'ort'; model: OrtMusicgen };

interface Loaded {
  engine: Engine;
  checked: CheckedFolder;
  device: ExecutionProvider;
}

/** What a decode loop hands back: one waveform per prompt and where the time went. */
interface Decoded {
  rows: Float32Array[];
  encodeMs: number;
  decodeMs: number;
  audioMs: number;
}

export class MusicgenGenerator implements MusicGenerator {
  readonly localModelPath: string;
  readonly modelId: string;
  readonly dir: string;
  readonly dtype: SessionDtypes;
  readonly decoder: MusicgenDecoder;
  private readonly externalData: Record<string, boolean>;
  private loading: Promise<{ loaded: Loaded; loadMs: number }> | null = null;
  private loaded: Loaded | null = null;

  constructor(
    source: MusicgenSource,
    private readonly options: MusicgenGeneratorOptions = {},
  ) {
    if ('dir' in source) {
      this.localModelPath = dirname(source.dir);
      this.modelId = basename(source.dir);
    } else {
      this.localModelPath = source.localModelPath;
      this.modelId = source.modelId;
    }
    this.dir = join(this.localModelPath, ...this.modelId.split('/'));
    this.dtype = sessionDtypes(source.dtype);
    this.externalData = { ...source.externalData };
    this.decoder = options.decoder ?? 'ort';
  }

  /** Our own loop decodes a batch with a seed, a signal and progress per request; transformers.js's cannot. */
  get canBatch(): boolean {
    return this.decoder === 'ort';
  }

  /** The device the sessions run on, once loaded. */
  get device(): ExecutionProvider | null {
    return this.loaded?.device ?? null;
  }

  /** Checks the folder and creates the sessions; `generate` does this on its first call. */
  async load(): Promise<{ loadMs: number }> {
    const { loadMs } = await this.ensureLoaded();
    return { loadMs };
  }

  async generate(request: MusicRequest, options: GenerateOptions = {}): Promise<GeneratedAudio> {
    const [result] = await this.generateBatch([request], options);
    if (!result) throw new GenerationError('bad_output', 'MusicGen returned no audio.');
    return result;
  }

  /**
   * Several prompts in ONE `generate` call (musicgen spec §7 "Batch of 2 with padding"): the
   * tokenizer pads the prompts to the longest, classifier-free guidance doubles the rows, and
   * EnCodec returns `[B, 1, samples]`, split here into one result per prompt, in order.
   * All requests must share duration, guidance, top-k, temperature, decoding and seed; the
   * progress and the cancellation are those of the one batched run.
   */
  async generateBatch(requests: readonly MusicRequest[], options: GenerateOptions = {}): Promise<GeneratedAudio[]> {
    if (requests.length === 0) {
      throw new GenerationError('invalid_request', 'Invalid generation request: the batch is empty.');
    }
    const parsedRequests = parseAll(requests);
    const req = parsedRequests[0] as ParsedMusicRequest;
    for (const [index, other] of parsedRequests.entries()) {
      for (const key of SHARED_SETTINGS) {
        if (other[key] !== req[key]) {
          throw new GenerationError(
            'invalid_request',
            `Invalid generation request: a batch shares one setting per run, but request ${index} has ` +
              `${key} ${String(other[key])} and request 0 has ${String(req[key])}; ` +
              `generate requests with different ${SHARED_SETTINGS.join('/')} separately.`,
          );
        }
      }
    }
    throwIfAborted(options.signal);
    const started = performance.now();
    const wasLoaded = this.loaded !== null;
    const { loaded, loadMs } = await this.ensureLoaded();
    const sampleRate = loaded.checked.config.audio_encoder.sampling_rate;
    const codebooks = loaded.checked.config.decoder.num_codebooks;
    const steps = maxNewTokens(req, sampleRate / loaded.checked.hop);
    const greedy = req.decoding === 'greedy';
    const seed = greedy ? null : (req.seed ?? randomInt(0, 0x100000000));
    const prompts = parsedRequests.map((r) => r.prompt);

    const engine = loaded.engine;
    const settings = {
      steps,
      greedy,
      seed,
      guidanceScale: req.guidanceScale,
      topK: req.topK,
      temperature: req.temperature,
    };
    const { rows, encodeMs, decodeMs, audioMs } =
      engine.kind === 'ort'
        ? await decodeWithOrt(engine.model, prompts, settings, options)
        : await withSeed(seed, () => decodeWithTransformers(engine, prompts, settings, options));
    for (const [row, audio] of rows.entries()) {
      const bad = firstNonFinite(audio);
      if (bad >= 0) {
        const where = rows.length > 1 ? ` of batch row ${row}` : '';
        throw new GenerationError('bad_output', `The generated audio${where} has a non-finite sample at index ${bad}.`);
      }
    }
    const wanted = expectedSamples(steps, loaded.checked.hop, codebooks);
    const got = rows[0]?.length ?? 0;
    if (got !== wanted) {
      this.options.logger?.warn('Unexpected audio length', { samples: got, expected: wanted, steps });
    }
    const timings = {
      ...(wasLoaded ? {} : { loadMs }),
      encodeMs,
      decodeMs,
      audioMs,
      totalMs: performance.now() - started,
    };
    return rows.map((audio) => ({
      audio,
      sampleRate,
      model: this.modelId,
      dtype: { ...this.dtype },
      device: loaded.device,
      steps,
      seed,
      decoding: decodingPath(loaded.engine),
      timings: { ...timings },
    }));
  }

  generateJobs(jobs: readonly BatchJob[]): Promise<GeneratedAudio>[] {
    const settle = jobs.map(() => {
      let resolve!: (audio: GeneratedAudio) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<GeneratedAudio>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject, settled: false };
    });
    const fail = (index: number, error: unknown): void => {
      const job = settle[index];
      if (!job || job.settled) return;
      job.settled = true;
      job.reject(error);
    };
    const succeed = (index: number, audio: GeneratedAudio): void => {
      const job = settle[index];
      if (!job || job.settled) return;
      job.settled = true;
      job.resolve(audio);
    };
    this.runJobs(jobs, fail, succeed).then(
      () => settle.forEach((_, i) => fail(i, new GenerationError('bad_output', 'MusicGen returned no audio.'))),
      (error: unknown) => settle.forEach((_, i) => fail(i, error)),
    );
    return settle.map((job) => job.promise);
  }

  /** The body of `generateJobs`: settles each job through `fail`/`succeed`; a throw fails the rest. */
  private async runJobs(
    jobs: readonly BatchJob[],
    fail: (index: number, error: unknown) => void,
    succeed: (index: number, audio: GeneratedAudio) => void,
  ): Promise<void> {
    if (jobs.length === 0) throw new GenerationError('invalid_request', 'Invalid generation request: no job.');
    const parsed = parseAll(jobs.map((job) => job.request));
    if (jobs.length === 1 && !this.canBatch) {
      const [job] = jobs as [BatchJob];
      succeed(0, await this.generate(job.request, job.options));
      return;
    }
    if (!this.canBatch) {
      throw new GenerationError(
        'invalid_request',
        `The ${this.decoder} decoder cannot decode requests as one batch; give it one job at a time.`,
      );
    }
    const started = performance.now();
    const wasLoaded = this.loaded !== null;
    const { loaded, loadMs } = await this.ensureLoaded();
    if (loaded.engine.kind !== 'ort') throw new GenerationError('invalid_request', 'Only our own loop can batch.');
    const sampleRate = loaded.checked.config.audio_encoder.sampling_rate;
    const frameRate = sampleRate / loaded.checked.hop;
    const key = batchKey(parsed[0] as ParsedMusicRequest, frameRate);
    for (const [index, other] of parsed.entries()) {
      if (batchKey(other, frameRate) !== key) {
        throw new GenerationError(
          'invalid_request',
          `Invalid generation request: request ${index} differs from request 0 in its length or its decode ` +
            'settings (guidance, top-k, temperature, decoding); only requests that share them can share a batch.',
        );
      }
    }
    const req = parsed[0] as ParsedMusicRequest;
    const steps = maxNewTokens(req, frameRate);
    const greedy = req.decoding === 'greedy';
    const seeds = parsed.map((r) => (greedy ? null : (r.seed ?? randomInt(0, 0x100000000))));
    const { rows, timings } = await loaded.engine.model.generateRows(
      parsed.map((r) => r.prompt),
      { steps, greedy, seed: null, guidanceScale: req.guidanceScale, topK: req.topK, temperature: req.temperature },
      jobs.map((job, index) => {
        const seed = seeds[index];
        const { signal, onProgress } = job.options ?? {};
        return {
          ...(seed === null || seed === undefined ? {} : { seed }),
          ...(signal ? { signal } : {}),
          onStep: (step: number) => onProgress?.({ step, steps }),
          onDropped: (error: GenerationError) => fail(index, error),
        };
      }),
    );
    const totalMs = performance.now() - started;
    const wanted = expectedSamples(steps, loaded.checked.hop, loaded.checked.config.decoder.num_codebooks);
    for (const [index, row] of rows.entries()) {
      if ('error' in row) {
        fail(index, row.error);
        continue;
      }
      const bad = firstNonFinite(row.audio);
      if (bad >= 0) {
        fail(index, new GenerationError('bad_output', `The generated audio has a non-finite sample at index ${bad}.`));
        continue;
      }
      if (row.audio.length !== wanted) {
        this.options.logger?.warn('Unexpected audio length', { samples: row.audio.length, expected: wanted, steps });
      }
      succeed(index, {
        audio: row.audio,
        sampleRate,
        model: this.modelId,
        dtype: { ...this.dtype },
        device: loaded.device,
        steps,
        seed: seeds[index] ?? null,
        decoding: decodingPath(loaded.engine),
        timings: { ...(wasLoaded ? {} : { loadMs }), ...timings, totalMs },
      });
    }
  }

  /** Releases the onnxruntime sessions. */
  async dispose(): Promise<void> {
    const loading = this.loading;
    this.loading = null;
    this.loaded = null;
    if (!loading) return;
    try {
      const { loaded } = await loading;
      await loaded.engine.model.dispose();
    } catch {
      // a failed load has nothing to release
    }
  }

  private ensureLoaded(): Promise<{ loaded: Loaded; loadMs: number }> {
    if (!this.loading) {
      this.loading = this.loadOnce();
      this.loading.then(
        ({ loaded }) => (this.loaded = loaded),
        () => (this.loading = null), // a later call may try again (e.g. after the files are fixed)
      );
    }
    return this.loading;
  }

  private async loadOnce(): Promise<{ loaded: Loaded; loadMs: number }> {
    const started = performance.now();
    const checked = await checkModelFolder(this.dir, this.dtype, this.externalData);
    // Our own loop touches no transformers.js global state, so it loads outside the queue.
    const queued = this.decoder === 'ort' ? <T>(work: () => Promise<T>) => work() : exclusive;
    return queued(async () => {
      const wanted = this.options.device ?? 'cpu';
      const log = this.options.logger;
      let device = wanted;
      let engine: Engine;
      const tokenizer = await this.loadTokenizer();
      try {
        engine = await this.createEngine(wanted, checked, tokenizer);
      } catch (error) {
        if (wanted === 'cpu' || this.options.fallbackToCpu === false) throw this.loadError(error, wanted);
        log?.warn('Could not load MusicGen on the chosen device; using the CPU', {
          device: wanted,
          error: messageOf(error),
        });
        device = 'cpu';
        try {
          engine = await this.createEngine('cpu', checked, tokenizer);
        } catch (cpuError) {
          throw this.loadError(cpuError, 'cpu');
        }
      }
      const loadMs = performance.now() - started;
      log?.info('MusicGen loaded', {
        model: this.modelId,
        dtype: this.dtype,
        device,
        decoder: this.decoder,
        loadMs: Math.round(loadMs),
      });
      return { loaded: { engine, checked, device }, loadMs };
    });
  }

  /** transformers.js's tokenizer, for its own path (our loop loads one inside OrtMusicgen). */
  private async loadTokenizer(): Promise<PreTrainedTokenizer | null> {
    if (this.decoder === 'ort') return null;
    return this.withLocalEnv(() => AutoTokenizer.from_pretrained(this.modelId, { local_files_only: true })).catch(
      (error: unknown) => {
        throw new GenerationError(
          'corrupt_file',
          `The tokenizer in ${this.dir} could not be loaded: ${messageOf(error)}`,
          {
            cause: error,
          },
        );
      },
    );
  }

  private async createEngine(
    device: ExecutionProvider,
    checked: CheckedFolder,
    tokenizer: PreTrainedTokenizer | null,
  ): Promise<Engine> {
    // A software Vulkan adapter would be accepted and run ~30× slower than the CPU provider.
    if (device === 'webgpu') hideSoftwareAdapters();
    if (this.decoder === 'ort' || !tokenizer) {
      const { OrtMusicgen } = await import('./ort-decoder.js');
      const model = await OrtMusicgen.load(this.dir, this.dtype, checked.config, device, {
        ...(this.options.cacheRewrite ? { cacheRewrite: this.options.cacheRewrite } : {}),
      });
      const { refused } = model.cacheRewrite;
      // Only a fused attention asked for by name is worth a warning; the default falls back quietly.
      if (refused && this.options.cacheRewrite === 'fused-attention')
        this.options.logger?.warn('The fused attention is not used', { reason: refused });
      else if (refused) this.options.logger?.info('Decoding on the time-major cache', { reason: refused });
      return { kind: 'ort', model };
    }
    return { kind: 'transformers', model: await this.createSessions(device), tokenizer };
  }

  private createSessions(device: ExecutionProvider): Promise<PreTrainedModel> {
    const external = Object.fromEntries(Object.entries(this.externalData).map(([s, on]) => [s, on ? 1 : 0]));
    return this.withLocalEnv(() =>
      MusicgenForConditionalGeneration.from_pretrained(this.modelId, {
        local_files_only: true,
        device,
        dtype: { ...this.dtype },
        ...(Object.values(external).some(Boolean) ? { use_external_data_format: external } : {}),
      }),
    );
  }

  private loadError(error: unknown, device: ExecutionProvider): GenerationError {
    if (error instanceof GenerationError) return error;
    const message = messageOf(error);
    const missing = /not found locally at (\S+)/.exec(message)?.[1];
    if (missing) return new GenerationError('missing_file', `${missing} is missing.`, { cause: error });
    return new GenerationError(
      'load_failed',
      `MusicGen in ${this.dir} (${describeDtypes(this.dtype)}) could not be loaded on ${device}: ${message}`,
      { cause: error },
    );
  }

  /** Points transformers.js at this model's parent folder, offline, for the duration of `work` (one load at a time). */
  private withLocalEnv<T>(work: () => Promise<T>): Promise<T> {
    return withLocalModels(this.localModelPath, work);
  }
}

/** Counts decoding steps through transformers.js's streamer hook and stops at the next step when aborted. */
class StepStreamer extends BaseStreamer {
  private calls = 0;
  firstAt: number | null = null;
  endAt: number | null = null;

  constructor(
    private readonly steps: number,
    private readonly options: GenerateOptions,
  ) {
    super();
  }

  // The first call carries the decoder start ids (after the text encoder ran); each later call is one step.
  override put(_value: bigint[][]): void {
    if (this.calls === 0) this.firstAt = performance.now();
    const step = this.calls;
    this.calls += 1;
    throwIfAborted(this.options.signal, step, this.steps);
    this.options.onProgress?.({ step, steps: this.steps });
  }

  override end(): void {
    this.endAt = performance.now();
  }
}

/** Parses every request; the first invalid one fails them all, named by its index in a batch. */
function parseAll(requests: readonly MusicRequest[]): ParsedMusicRequest[] {
  return requests.map((request, index) => {
    const parsed = MusicRequestSchema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = requests.length > 1 ? `request ${index}: ` : '';
      throw new GenerationError(
        'invalid_request',
        `Invalid generation request: ${where}${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}.`,
      );
    }
    return parsed.data;
  });
}

function describeDtypes(dtypes: SessionDtypes): string {
  const values = new Set(Object.values(dtypes));
  if (values.size === 1) return [...values][0] ?? 'fp32';
  return Object.entries(dtypes)
    .map(([s, d]) => `${s} ${d}`)
    .join(', ');
}

interface DecodeRequest {
  steps: number;
  greedy: boolean;
  seed: number | null;
  guidanceScale: number;
  topK: number;
  temperature: number;
}

/** Our own loop (ort-decoder.ts); progress 0 … steps and cancellation at each step, as below. */
async function decodeWithOrt(
  model: OrtMusicgen,
  prompts: string[],
  settings: DecodeRequest,
  options: GenerateOptions,
): Promise<Decoded> {
  const { audio, timings } = await model.generate(prompts, settings, {
    ...(options.signal ? { signal: options.signal } : {}),
    onStep: (step) => options.onProgress?.({ step, steps: settings.steps }),
  });
  return { rows: audio, ...timings };
}

/** transformers.js `generate()`, run by withSeed (transformers-runtime.ts: its RNG is module-wide). */
async function decodeWithTransformers(
  engine: Extract<Engine, { kind: 'transformers' }>,
  prompts: string[],
  settings: DecodeRequest,
  options: GenerateOptions,
): Promise<Decoded> {
  const { steps, greedy } = settings;
  throwIfAborted(options.signal);
  const queuedAt = performance.now();
  const inputs =
    prompts.length === 1 ? engine.tokenizer(prompts[0] as string) : engine.tokenizer(prompts, { padding: true });
  const streamer = new StepStreamer(steps, options);
  let output: unknown;
  try {
    output = await engine.model.generate({
      ...inputs,
      max_new_tokens: steps,
      do_sample: !greedy,
      guidance_scale: settings.guidanceScale,
      top_k: settings.topK,
      temperature: settings.temperature,
      // The typings intersect BaseStreamer with TextStreamer; generate only calls put() and end().
      streamer: streamer as unknown as TextStreamer,
    });
  } catch (error) {
    if (error instanceof GenerationError) throw error;
    throw new GenerationError('generation_failed', `MusicGen failed during generation: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const finished = performance.now();
  if (!(output instanceof Tensor)) {
    throw new GenerationError('bad_output', 'MusicGen returned no audio tensor.');
  }
  if (output.dims[0] !== prompts.length) {
    throw new GenerationError(
      'bad_output',
      `MusicGen returned audio of shape [${output.dims.join(', ')}] for a batch of ${prompts.length}.`,
    );
  }
  const rows = prompts.map((_, row) => tensorToFloat32(output, row));
  const encodeEnd = streamer.firstAt ?? finished;
  const decodeEnd = streamer.endAt ?? finished;
  return { rows, encodeMs: encodeEnd - queuedAt, decodeMs: decodeEnd - encodeEnd, audioMs: finished - decodeEnd };
}
