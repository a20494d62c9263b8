/**
 * Our own MusicGen decode loop on onnxruntime-node sessions (issue #14), in place of
 * transformers.js's `generate()`: text encoder once, then one merged-decoder run per step with
 * the codebook delay pattern, classifier-free guidance as one batch of 2·B, greedy or seeded
 * top-k sampling (sampling.ts), a KV cache allocated once per generation (kv-cache.ts) on a
 * decoder rewritten to return one frame per step (kv-graph.ts), and EnCodec once. On WebGPU the
 * cache stays in GPU memory instead (device-kv-cache.ts), the logits too, and the token choice
 * runs there as well (device-sampler.ts), so only the sampled tokens come back; the bytes that
 * cross per step are counted in `DecodeResult.transfers` (transfer-stats.ts).
 * transformers.js is kept for the tokenizer only.
 *
 * Everything a generation needs lives in the generation (its cache, its buffers, its random
 * generator), so generations need no process-wide lock; onnxruntime sessions may run
 * concurrently. Heavy packages are imported on first load, not when this module is imported.
 *
 * Greedy decoding reproduces transformers.js 4.3.1's tokens exactly (the identity tests in
 * ort-decoder.test.ts); the feeds follow musicgen spec §1 and §2.
 */
import { join } from 'node:path';
import type * as OrtModuleNamespace from 'onnxruntime-node';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import { sessionFileName } from '../../../src-shared/schemas/model-manifest.js';
import type { MusicgenConfig } from '../../models/model-folder.js';
import { halfToFloat, tensorToFloat32 } from '../../audio/samples.js';
import { GenerationError, messageOf, throwIfAborted } from './errors.js';
import { DeviceKvCache, presentNames, release } from './device-kv-cache.js';
import { DeviceSampler } from './device-sampler.js';
import { KvCache, type CacheFloat, type TensorConstructor } from './kv-cache.js';
import { TIME_MAJOR_SUFFIX } from './kv-graph.js';
import { decoderForLoop, type CacheRewrite } from './fused-attention-graph.js';
import { readAfterFirstStep, readMainGraphNodes } from './decoder-reads.js';
import { ioFloatType, type SessionDtypes } from './model-files.js';
import {
  applyGuidance,
  applyTemperature,
  argmax,
  checkTemperature,
  sampleTopK,
  SeededRandom,
  TopKScratch,
} from './sampling.js';
import { TransferStats, type TransferSummary } from './transfer-stats.js';

/**
 * Where the decoder's KV cache lives between steps: `host` in one time-major buffer per part
 * (kv-cache.ts, the whole past is fed every step, so on a GPU it crosses to the device every
 * step), `device` in the GPU's memory (device-kv-cache.ts, WebGPU only).
 */
export type KvCacheLocation = 'host' | 'device';

/**
 * Where the tokens are chosen from the logits: `host` (sampling.ts, the logits are downloaded
 * every step) or `device` (device-sampler.ts, on the GPU beside a device cache; only the tokens
 * are downloaded). Greedy tokens agree; sampled ones may differ at rare float32/float64
 * boundaries (sampler-graph.ts), each reproducible with its seed.
 */
export type SamplingLocation = 'host' | 'device';

export interface DecodeSettings {
  /** Decoding steps (`max_new_tokens`). */
  steps: number;
  /** Classifier-free guidance; 1 turns it off. */
  guidanceScale: number;
  /** Argmax at every step when true; top-k sampling with `seed` otherwise. */
  greedy: boolean;
  topK: number;
  temperature: number;
  /**
   * Required when sampling (unless every row gives its own). Each prompt samples from its own
   * generator seeded with this (or its row's seed), so a prompt's draws do not depend on its
   * neighbours in the batch.
   */
  seed: number | null;
}

export interface DecodeHooks {
  signal?: AbortSignal;
  /** Called with 0 after the text encoder, then with s after decoding step s (1 … steps). */
  onStep?: (step: number) => void;
}

/**
 * One prompt's own seed, cancellation and progress inside a batch (one scheduler job per prompt).
 * Aborting drops only this prompt, at the next step; the batch runs on for the others and stops
 * when every prompt in it has stopped.
 */
export interface DecodeRow {
  /** This prompt's seed; default `DecodeSettings.seed`. */
  seed?: number;
  signal?: AbortSignal;
  /** As `DecodeHooks.onStep`, for this prompt only (not called once it is dropped). */
  onStep?: (step: number) => void;
  /** Called once, at the step boundary where the prompt is dropped, with its `aborted` error. */
  onDropped?: (error: GenerationError) => void;
}

/** What became of one prompt of `generateRows`. */
export type RowOutcome = { audio: Float32Array } | { error: GenerationError };

export interface DecodeRowsResult extends Omit<DecodeResult, 'audio'> {
  /** One per prompt, in order: its waveform, or why it was dropped. */
  rows: RowOutcome[];
}

export interface DecodeResult {
  /** One mono waveform per prompt, in order. */
  audio: Float32Array[];
  /**
   * The codes of every prompt, [1, B, K, frames] flattened (after the delay pattern is undone);
   * EnCodec receives those of the prompts that were not dropped (empty when every prompt was).
   */
  codes: BigInt64Array;
  frames: number;
  timings: { encodeMs: number; decodeMs: number; audioMs: number };
  /** Host ↔ device bytes of each decoder step (transfer-stats.ts). */
  transfers: TransferSummary;
}

interface Tokenized {
  ids: BigInt64Array;
  mask: BigInt64Array;
  length: number;
}

type Tokenize = (prompts: readonly string[]) => Tokenized;

export interface OrtMusicgenOptions {
  /**
   * How far the decoder is rewritten (fused-attention-graph.ts): `fused-attention` (the default
   * on the CPU), which falls back to `time-major` where the graph or the device does not allow it
   * (the reason is in `OrtMusicgen.cacheRewrite.refused`), or `time-major` (the default elsewhere).
   */
  cacheRewrite?: CacheRewrite;
  /**
   * Default: `device` on WebGPU, `host` elsewhere: the CPU has no device, and onnxruntime-node's
   * CUDA provider cannot return outputs in device memory (musicgen spec §9).
   */
  kvCache?: KvCacheLocation;
  /** Default: `device` with a device cache, `host` otherwise (a device sampler needs a device cache). */
  sampling?: SamplingLocation;
}
type OrtModule = typeof OrtModuleNamespace;

export class OrtMusicgen {
  private constructor(
    private readonly ort: OrtModule,
    private readonly tokenize: Tokenize,
    private readonly textEncoder: InferenceSession,
    private readonly decoder: InferenceSession,
    private readonly encodec: InferenceSession,
    private readonly config: MusicgenConfig,
    private readonly float: CacheFloat,
    private readonly layout: { heads: number; headDim: number },
    /** The decoder rewrite this model runs on, and why a requested fused level was refused. */
    readonly cacheRewrite: { level: CacheRewrite; refused?: string },
    /** Where the KV cache lives between steps. */
    readonly kvCache: KvCacheLocation,
    /**
     * Whether encoder_hidden_states is fed on the first step only (decoder-reads.ts): the graph's
     * with-past branch does not read it, so later steps get a zero-length tensor.
     */
    readonly encoderStatesOnce: boolean,
    /** Chooses tokens on the device when `sampling` is `device`. */
    private readonly sampler: DeviceSampler | null,
  ) {}

  /** Where the tokens are chosen. */
  get sampling(): SamplingLocation {
    return this.sampler ? 'device' : 'host';
  }

  /**
   * Creates the three sessions from `dir` (transformers.js layout, musicgen spec §2) on `device`
   * and the tokenizer; the folder is expected to have passed `checkModelFolder`.
   */
  static async load(
    dir: string,
    dtypes: SessionDtypes,
    config: MusicgenConfig,
    device: ExecutionProvider,
    loop: OrtMusicgenOptions = {},
  ): Promise<OrtMusicgen> {
    const kvCache = loop.kvCache ?? (device === 'webgpu' ? 'device' : 'host');
    if (kvCache === 'device' && device !== 'webgpu') {
      throw new GenerationError(
        'invalid_request',
        `A device-resident KV cache needs the WebGPU provider; ${device} keeps it on the host.`,
      );
    }
    const sampling = loop.sampling ?? kvCache;
    if (sampling === 'device' && kvCache !== 'device') {
      throw new GenerationError(
        'invalid_request',
        'Sampling on the device needs the KV cache on the device (WebGPU): the logits would cross anyway.',
      );
    }
    const ort = await import('onnxruntime-node');
    const { AutoTokenizer } = await import('@huggingface/transformers');
    const { exclusive } = await import('../transformers-runtime.js');
    // A tokenizer load reads transformers.js's process-wide `env`: it takes the runtime's lock.
    const tokenizer = await exclusive(() => AutoTokenizer.from_pretrained(dir, { local_files_only: true })).catch(
      (error: unknown) => {
        throw new GenerationError('corrupt_file', `The tokenizer in ${dir} could not be loaded: ${messageOf(error)}`, {
          cause: error,
        });
      },
    );
    const tokenize: Tokenize = (prompts) => {
      const out = prompts.length === 1 ? tokenizer(prompts[0] as string) : tokenizer([...prompts], { padding: true });
      const ids = out.input_ids as { data: unknown; dims: number[] };
      const mask = out.attention_mask as { data: unknown; dims: number[] };
      if (!(ids.data instanceof BigInt64Array) || !(mask.data instanceof BigInt64Array)) {
        throw new GenerationError('generation_failed', 'The tokenizer returned no int64 input ids.');
      }
      return { ids: ids.data, mask: mask.data, length: ids.dims[1] ?? 0 };
    };
    // The same options transformers.js passes (its default graph optimisation), so kernels and
    // numbers match its path.
    const options: InferenceSession.SessionOptions = { executionProviders: [device], logSeverityLevel: 3 };
    const layers = config.decoder.num_hidden_layers;
    const path = (session: keyof SessionDtypes): string =>
      join(dir, ...sessionFileName(session, dtypes[session]).split('/'));
    // FusedMatMul with strided batches is a CPU kernel; elsewhere its nodes would fall back to the CPU.
    // The device cache runs the exporter's decoder: its `present.*` outputs stay on the GPU and are
    // fed back as they are (device-kv-cache.ts); the rewrites are for a host cache.
    // The fused level by default on the CPU (half the decode time of the time-major level on the
    // same-shape small model, bench/RESULTS.md); a graph it does not know keeps the time-major level.
    const wanted = loop.cacheRewrite ?? (device === 'cpu' ? 'fused-attention' : 'time-major');
    const rewrite: { source: string | Uint8Array; level: CacheRewrite; refused?: string } =
      kvCache === 'device'
        ? { source: path('decoder_model_merged'), level: 'time-major' }
        : await decoderForLoop(path('decoder_model_merged'), layers, device === 'cpu' ? wanted : 'time-major');
    if (wanted !== rewrite.level && !rewrite.refused)
      rewrite.refused = `the fused attention runs on the CPU only, not ${device}`;
    const decoderSource = rewrite.source;
    const deviceOutputs: InferenceSession.SessionOptions = {
      ...options,
      // With the device sampler the logits stay on the GPU too: it reads them there.
      preferredOutputLocation: Object.fromEntries(
        [...presentNames(layers), ...(sampling === 'device' ? ['logits'] : [])].map((name) => [
          name,
          'gpu-buffer' as const,
        ]),
      ),
    };
    const open = (session: keyof SessionDtypes): Promise<InferenceSession> => {
      if (session !== 'decoder_model_merged') return ort.InferenceSession.create(path(session), options);
      if (kvCache === 'device') return ort.InferenceSession.create(path(session), deviceOutputs);
      return typeof decoderSource === 'string'
        ? ort.InferenceSession.create(decoderSource, options)
        : ort.InferenceSession.create(decoderSource, options);
    };
    // Unknown (an unreadable graph is the session's to report): fed every step, as before.
    const encoderStatesOnce = await readMainGraphNodes(path('decoder_model_merged')).then(
      (nodes) => !readAfterFirstStep(nodes, 'encoder_hidden_states'),
      () => false,
    );
    // In parallel (as transformers.js does); on a failure, release the sessions that did open.
    const opened = await Promise.allSettled([
      open('text_encoder'),
      open('decoder_model_merged'),
      open('encodec_decode'),
    ]);
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) {
      await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.release() : undefined)));
      throw failed.reason;
    }
    const [textEncoder, decoder, encodec] = opened.map(
      (o) => (o as PromiseFulfilledResult<InferenceSession>).value,
    ) as [InferenceSession, InferenceSession, InferenceSession];
    for (let i = 0; i < layers; i++) {
      for (const name of [`past_key_values.${i}.encoder.key`, `present.${i}.encoder.key`]) {
        const names = name.startsWith('past') ? decoder.inputNames : decoder.outputNames;
        if (!names.includes(name)) {
          throw new GenerationError(
            'corrupt_file',
            `${sessionFileName('decoder_model_merged', dtypes.decoder_model_merged)} has no ${name}, but config.json ` +
              `declares ${layers} decoder layers; the graph and the config do not belong together.`,
          );
        }
      }
    }
    // Heads and head size from the graph where it states them, else from the config.
    const meta = decoder.inputMetadata.find(
      (m) => m.name === `past_key_values.0.decoder.key${kvCache === 'device' ? '' : TIME_MAJOR_SUFFIX}`,
    );
    // [t, B, H, Dh] time-major; [B, H, t, Dh] as exported, read in the same order.
    const dims = meta?.isTensor ? meta.shape : [];
    const shape = kvCache === 'device' ? [dims[2], dims[0], dims[1], dims[3]] : dims;
    const fromConfig = {
      heads: config.decoder.num_attention_heads,
      headDim: config.decoder.hidden_size / config.decoder.num_attention_heads,
    };
    const layout = {
      heads: typeof shape[2] === 'number' ? shape[2] : fromConfig.heads,
      headDim: typeof shape[3] === 'number' ? shape[3] : fromConfig.headDim,
    };
    return new OrtMusicgen(
      ort,
      tokenize,
      textEncoder,
      decoder,
      encodec,
      config,
      ioFloatType(dtypes.decoder_model_merged),
      layout,
      { level: rewrite.level, ...(rewrite.refused ? { refused: rewrite.refused } : {}) },
      kvCache,
      encoderStatesOnce,
      sampling === 'device' ? new DeviceSampler(ort, device, ioFloatType(dtypes.decoder_model_merged)) : null,
    );
  }

  /** Decodes `prompts` as one batch; an abort through `hooks.signal` stops all of them. */
  async generate(prompts: readonly string[], settings: DecodeSettings, hooks: DecodeHooks = {}): Promise<DecodeResult> {
    const { rows, ...rest } = await this.decode(prompts, settings, hooks, []);
    // Without row hooks no row is dropped alone: the batch either ends whole or throws.
    return { ...rest, audio: rows.map((row) => ('audio' in row ? row.audio : new Float32Array(0))) };
  }

  /**
   * Decodes `prompts` as one batch with a seed, a signal and progress per prompt (`rows[i]` for
   * `prompts[i]`): one prompt's abort drops it alone at the next step, and the batch stops early
   * only when every prompt has been dropped. `hooks.signal` still stops the whole batch.
   *
   * At fp32 a prompt's codes do not depend on its neighbours: with its seed, a prompt decodes to
   * the same codes in any batch of the same size and alone (ort-decoder.test.ts), because each
   * row of the decoder's matrix products is computed on its own. At q8 they do depend on them:
   * the activations are quantised dynamically with one scale per tensor, taken over every row of
   * the batch, so a neighbour changes the numbers (and, over enough steps, the sampled codes).
   */
  generateRows(
    prompts: readonly string[],
    settings: DecodeSettings,
    rows: readonly DecodeRow[],
    hooks: DecodeHooks = {},
  ): Promise<DecodeRowsResult> {
    if (rows.length !== prompts.length) {
      return Promise.reject(
        new GenerationError('invalid_request', `${rows.length} row hooks were given for ${prompts.length} prompts.`),
      );
    }
    return this.decode(prompts, settings, hooks, rows);
  }

  private async decode(
    prompts: readonly string[],
    settings: DecodeSettings,
    hooks: DecodeHooks,
    rowHooks: readonly DecodeRow[],
  ): Promise<DecodeRowsResult> {
    const { steps, guidanceScale, greedy, topK, temperature, seed } = settings;
    const K = this.config.decoder.num_codebooks;
    const pad = this.config.decoder.pad_token_id;
    if (prompts.length === 0) throw new GenerationError('invalid_request', 'Invalid generation request: no prompt.');
    if (!Number.isInteger(steps) || steps < K) {
      throw new GenerationError(
        'invalid_request',
        `Invalid generation request: ${steps} steps make no audio with ${K} codebooks.`,
      );
    }
    const seeds = prompts.map((_, b) => rowHooks[b]?.seed ?? seed);
    if (!greedy && seeds.some((s) => s === null)) {
      throw new GenerationError('invalid_request', 'Sampling needs a seed.');
    }
    // One generator per prompt: a batch of one draws exactly as a lone generation always did.
    const randoms = greedy ? null : seeds.map((s) => new SeededRandom(s ?? 0));
    // The host sampler checks the temperature at its first step; the device one gets it as a number.
    if (randoms && this.sampler) checkTemperature(temperature);
    const { Tensor } = this.ort;
    const started = performance.now();
    throwIfAborted(hooks.signal);

    // Text encoder (musicgen spec §1): once per generation.
    const B = prompts.length;
    const text = this.tokenize(prompts);
    const S = text.length;
    const encoded = await this.run(this.textEncoder, {
      input_ids: new Tensor('int64', text.ids, [B, S]),
      attention_mask: new Tensor('int64', text.mask, [B, S]),
    });
    const hidden = encoded.last_hidden_state;
    if (!hidden || hidden.dims.length !== 3 || hidden.dims[0] !== B || hidden.dims[1] !== S) {
      throw new GenerationError(
        'bad_output',
        `The text encoder returned last_hidden_state of shape [${hidden?.dims.join(', ')}].`,
      );
    }
    const E = hidden.dims[2] as number;

    // Classifier-free guidance: one batch of 2·B, the second half with zero hidden states and mask.
    const cfg = guidanceScale > 1;
    const Bt = cfg ? 2 * B : B;
    const hiddenAll = widenBatch(hidden, this.float, Bt * S * E);
    const maskAll = new BigInt64Array(Bt * S);
    maskAll.set(text.mask);
    const constantFeeds = {
      encoder_hidden_states: new Tensor(this.float, hiddenAll, [Bt, S, E]),
      encoder_attention_mask: new Tensor('int64', maskAll, [Bt, S]),
    };
    const laterFeeds = this.encoderStatesOnce
      ? { ...constantFeeds, encoder_hidden_states: new Tensor(this.float, hiddenAll.subarray(0, 0), [Bt, 0, E]) }
      : constantFeeds;
    const encodeEnd = performance.now();
    // Per prompt: null while it runs, its `aborted` error once dropped.
    const dropped: (GenerationError | null)[] = prompts.map(() => null);
    const transfers = new TransferStats();
    // Every prompt dropped: no decoding, or no more of it, and no EnCodec.
    const none = (): DecodeRowsResult => {
      const end = performance.now();
      return {
        rows: dropped.map((error) => ({ error: error as GenerationError })),
        codes: new BigInt64Array(0),
        frames: 0,
        timings: { encodeMs: encodeEnd - started, decodeMs: end - encodeEnd, audioMs: 0 },
        transfers: transfers.summary(),
      };
    };
    if (!stepRows(hooks, rowHooks, dropped, 0, steps)) return none();

    // Decoding (musicgen spec §1 "Delay pattern"): `tokens` holds, per unguided row b·K + k,
    // the start token and then one sampled code per step.
    const rows = B * K;
    const decoderRows = Bt * K;
    const seq = steps + 1;
    const tokens = new Int32Array(rows * seq).fill(pad);
    const inputIds = new BigInt64Array(decoderRows);
    const cacheShape = { layers: this.config.decoder.num_hidden_layers, batch: Bt, ...this.layout, float: this.float };
    const cache =
      this.kvCache === 'device'
        ? new DeviceKvCache(
            cacheShape,
            (float, dims) => new Tensor(float, float === 'float16' ? new Uint16Array(0) : new Float32Array(0), dims),
          )
        : new KvCache({ ...cacheShape, steps }, Tensor as unknown as TensorConstructor);
    const useCache = new Uint8Array(1);
    let vocab = 0;
    let logits32: Float32Array | null = null;
    let scores: Float32Array | null = null;
    let scratch: TopKScratch | null = null;
    const deviceRandoms = this.sampler && randoms ? rowRandoms(randoms, rows, K) : null;
    try {
      for (let n = 0; n < steps; n++) {
        // The input of codebook k at step n is its last code, or pad while the delay holds it (n ≤ k).
        for (let r = 0; r < decoderRows; r++) {
          const i = r % rows;
          inputIds[r] = BigInt(i % K >= n ? pad : (tokens[i * seq + n] as number));
        }
        useCache[0] = n === 0 ? 0 : 1;
        const { feeds, fetches } = cache.bind();
        const stepFeeds = {
          ...feeds,
          ...(n === 0 ? constantFeeds : laterFeeds),
          input_ids: new Tensor('int64', inputIds, [decoderRows, 1]),
          use_cache_branch: new Tensor('bool', useCache, [1]),
        };
        const out = await this.run(this.decoder, stepFeeds, fetches ? { ...fetches, logits: null } : undefined);
        // With the device sampler a step is recorded once its tokens are back.
        if (!this.sampler) transfers.record(stepFeeds, out);
        try {
          cache.store(out);
        } catch (error) {
          // Nothing of a refused step was taken by the cache: its device outputs are released here.
          for (const tensor of Object.values(out)) release(tensor);
          throw new GenerationError('bad_output', `The decoder's cache outputs at step ${n + 1}: ${messageOf(error)}`, {
            cause: error,
          });
        }
        const logits = out.logits;
        const dims = logits?.dims ?? [];
        if (dims.length !== 3 || dims[0] !== decoderRows || dims[1] !== 1 || (vocab > 0 && dims[2] !== vocab)) {
          release(logits);
          throw new GenerationError('bad_output', `The decoder returned logits of shape [${dims.join(', ')}].`);
        }
        if (this.sampler) {
          vocab = dims[2] as number;
          await this.chooseOnDevice(out.logits as OrtTensor, n, {
            rows,
            vocab,
            guidanceScale: cfg ? guidanceScale : null,
            sampling: deviceRandoms ? { temperature, topK, randoms: deviceRandoms } : null,
            tokens,
            seq,
            transfers,
            stepFeeds,
            out,
          });
        } else {
          if (vocab === 0) {
            vocab = dims[2] as number;
            logits32 = this.float === 'float16' ? new Float32Array(decoderRows * vocab) : null;
            scores = cfg ? new Float32Array(rows * vocab) : null;
            scratch = greedy ? null : new TopKScratch(vocab);
          }
          let raw = logits?.data as Float32Array;
          if (logits32) {
            const half = logits?.data as Uint16Array;
            for (let j = 0; j < half.length; j++) logits32[j] = halfToFloat(half[j] as number);
            raw = logits32;
          }
          let next = raw;
          if (scores) {
            applyGuidance(raw, rows, vocab, guidanceScale, scores);
            next = scores;
          }
          // transformers.js applies the temperature only when sampling.
          if (randoms) applyTemperature(next, temperature, 0, rows * vocab);
          for (let i = 0; i < rows; i++) {
            // Row i is codebook i % K of prompt ⌊i / K⌋, which draws from that prompt's generator.
            const random = randoms?.[Math.floor(i / K)];
            const token =
              random && scratch
                ? sampleTopK(next, i * vocab, vocab, topK, random, scratch)
                : argmax(next, i * vocab, vocab);
            if (token < 0) {
              throw new GenerationError(
                'bad_output',
                `The decoder returned non-finite logits at step ${n + 1} (row ${i}).`,
              );
            }
            tokens[i * seq + n + 1] = token;
          }
        }
        // A dropped prompt's rows stay in the batch (shrinking it would mean compacting the
        // cache) until the batch ends; when every prompt is dropped it ends here.
        if (!stepRows(hooks, rowHooks, dropped, n + 1, steps)) return none();
      }
    } finally {
      // The device cache's GPU memory is not the garbage collector's: released also on a cancel or a failure.
      if (cache instanceof DeviceKvCache) cache.dispose();
    }
    const decodeEnd = performance.now();

    // Undo the delay pattern: codebook k's frame f is the code sampled at position k + 1 + f.
    const frames = seq - K;
    const codes = new BigInt64Array(rows * frames);
    for (let i = 0; i < rows; i++) {
      const k = i % K;
      for (let f = 0; f < frames; f++) codes[i * frames + f] = BigInt(tokens[i * seq + k + 1 + f] as number);
    }
    // EnCodec only for the prompts still wanted.
    const kept = dropped.flatMap((error, b) => (error === null ? [b] : []));
    const keptCodes = kept.length === B ? codes : new BigInt64Array(kept.length * K * frames);
    if (keptCodes !== codes) {
      kept.forEach((b, j) => keptCodes.set(codes.subarray(b * K * frames, (b + 1) * K * frames), j * K * frames));
    }
    const decoded = await this.run(this.encodec, {
      audio_codes: new Tensor('int64', keptCodes, [1, kept.length, K, frames]),
    });
    const values = decoded.audio_values;
    if (!values || values.dims[0] !== kept.length) {
      throw new GenerationError(
        'bad_output',
        `EnCodec returned audio of shape [${values?.dims.join(', ')}] for a batch of ${kept.length}.`,
      );
    }
    const outcomes = dropped.map((error, b): RowOutcome =>
      error ? { error } : { audio: tensorToFloat32(values, kept.indexOf(b)) },
    );
    const audioEnd = performance.now();
    return {
      rows: outcomes,
      codes,
      frames,
      timings: { encodeMs: encodeEnd - started, decodeMs: decodeEnd - encodeEnd, audioMs: audioEnd - decodeEnd },
      transfers: transfers.summary(),
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([
      this.textEncoder.release(),
      this.decoder.release(),
      this.encodec.release(),
      this.sampler?.dispose(),
    ]);
  }

  /**
   * One step's token choice on the device: the sampler reads the logits where the decoder left
   * them, the step's transfers are recorded with the sampler's feeds and tokens, the logits are
   * released (also on a failure), and a token outside the vocabulary (a non-finite row) is bad output.
   */
  private async chooseOnDevice(
    logits: OrtTensor,
    n: number,
    step: {
      rows: number;
      vocab: number;
      guidanceScale: number | null;
      sampling: { temperature: number; topK: number; randoms: readonly SeededRandom[] } | null;
      tokens: Int32Array;
      seq: number;
      transfers: TransferStats;
      stepFeeds: Record<string, OrtTensor>;
      out: Record<string, OrtTensor | undefined>;
    },
  ): Promise<void> {
    const { rows, vocab, tokens, seq } = step;
    let chosen: Awaited<ReturnType<DeviceSampler['choose']>>;
    try {
      chosen = await (this.sampler as DeviceSampler).choose(logits, step);
    } finally {
      release(logits);
    }
    step.transfers.record({ ...step.stepFeeds, ...chosen.feeds }, { ...step.out, ...chosen.outputs });
    for (let i = 0; i < rows; i++) {
      const token = Number(chosen.tokens[i]);
      if (!(token >= 0 && token < vocab)) {
        throw new GenerationError('bad_output', `The decoder returned non-finite logits at step ${n + 1} (row ${i}).`);
      }
      tokens[i * seq + n + 1] = token;
    }
  }

  private async run(
    session: InferenceSession,
    feeds: Record<string, OrtTensor>,
    fetches?: Record<string, OrtTensor | null>,
  ): Promise<Record<string, OrtTensor | undefined>> {
    try {
      const out = fetches ? await session.run(feeds, fetches) : await session.run(feeds);
      return out as Record<string, OrtTensor | undefined>;
    } catch (error) {
      throw new GenerationError('generation_failed', `MusicGen failed during generation: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
}

/**
 * At a step boundary: throws when the whole batch is aborted (the message the transformers.js path
 * gives), drops each prompt whose own signal fired, reports the step to the batch and to each
 * prompt still running. False when no prompt runs any more.
 */
function stepRows(
  hooks: DecodeHooks,
  rows: readonly DecodeRow[],
  dropped: (GenerationError | null)[],
  done: number,
  steps: number,
): boolean {
  throwIfAborted(hooks.signal, done, steps);
  let running = 0;
  for (const [b, row] of rows.entries()) {
    if (dropped[b]) continue;
    try {
      throwIfAborted(row.signal, done, steps);
    } catch (error) {
      const stopped = error as GenerationError;
      dropped[b] = stopped;
      row.onDropped?.(stopped);
      continue;
    }
    running++;
  }
  hooks.onStep?.(done);
  for (const [b, row] of rows.entries()) if (!dropped[b]) row.onStep?.(done);
  return rows.length === 0 || running > 0;
}

/** The generator of each unguided row: row i is codebook i % K of prompt ⌊i / K⌋. */
function rowRandoms(randoms: readonly SeededRandom[], rows: number, K: number): SeededRandom[] {
  return Array.from({ length: rows }, (_, i) => randoms[Math.floor(i / K)] as SeededRandom);
}

/** A zero-filled copy of the encoder output with room for `size` elements (the unconditional half stays 0). */
function widenBatch(hidden: OrtTensor, float: CacheFloat, size: number): Float32Array | Uint16Array {
  const data = hidden.data;
  if (float === 'float32' && data instanceof Float32Array) {
    const out = new Float32Array(size);
    out.set(data);
    return out;
  }
  if (float === 'float16' && data instanceof Uint16Array) {
    const out = new Uint16Array(size);
    out.set(data);
    return out;
  }
  throw new GenerationError(
    'dtype_mismatch',
    `The text encoder returned ${hidden.type} hidden states, but the decoder takes ${float} (musicgen spec §2).`,
  );
}
