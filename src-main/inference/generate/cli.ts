/**
 * `bittaudio generate "prompt" --seconds 15 --model DIR --out file.wav`: one MusicGen generation
 * from the terminal, with a progress bar on stderr and Ctrl-C to stop at the next step.
 */
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ExecutionProviderSchema, type ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import { ModelDtypeSchema, type ModelDtype } from '../../../src-shared/schemas/model-manifest.js';
import { peakNormalize } from '../../audio/samples.js';
import { writeWavFile, type WavSampleFormat } from '../../audio/wav.js';
import { COMMAND_GROUPS } from '../../command-groups.js';
import { whyCudaCannotRun } from '../gpu/cuda-readiness.js';
import {
  MUSICGEN_DECODERS,
  MusicgenGenerator,
  type DecodingPath,
  type GenerationProgress,
  type MusicgenDecoder,
  type MusicGenerator,
  type MusicgenSource,
} from './musicgen.js';
import { MAX_DURATION_SECONDS, type MusicRequest } from './request.js';
import type { SessionDtypes } from './model-files.js';
import { CACHE_REWRITES, type CacheRewrite } from './fused-attention-graph.js';

export interface GenerateCliIo {
  /** A finished line for stdout. */
  out(text: string): void;
  /** Progress text for stderr; `\r` rewrites the line on a terminal. */
  err(text: string): void;
  /** Whether stderr is a terminal (a redrawn bar) or a log (a line every 10 %). */
  interactive: boolean;
  /** Calls `stop` on Ctrl-C; returns the unsubscribe function. */
  onInterrupt(stop: () => void): () => void;
  createGenerator(
    source: MusicgenSource,
    options: { device: ExecutionProvider; decoder: MusicgenDecoder; cacheRewrite?: CacheRewrite },
  ): MusicGenerator & {
    dispose?(): Promise<void>;
  };
  /** Why the CUDA provider cannot start here, or null (checked from files, before loading anything). */
  whyCudaCannotRun(): Promise<string | null>;
}

export function terminalGenerateIo(): GenerateCliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
    onInterrupt: (stop) => {
      process.once('SIGINT', stop);
      return () => process.off('SIGINT', stop);
    },
    createGenerator: (source, options) => new MusicgenGenerator(source, options),
    whyCudaCannotRun: () => whyCudaCannotRun(),
  };
}

/**
 * The dtype per session for `--dtype`: q8 keeps EnCodec at fp32, as the Xenova/musicgen-small
 * card does (it publishes no quantised EnCodec; musicgen spec §2, §3).
 */
export function cliDtypes(dtype: ModelDtype): SessionDtypes {
  const encodec: ModelDtype = dtype === 'fp16' || dtype === 'q4f16' ? 'fp16' : 'fp32';
  return { text_encoder: dtype, decoder_model_merged: dtype, encodec_decode: encodec };
}

interface GenerateFlags {
  seconds?: number;
  tokens?: number;
  model: string;
  out: string;
  dtype: ModelDtype;
  device: ExecutionProvider;
  decoder: MusicgenDecoder;
  cacheRewrite?: CacheRewrite;
  seed?: number;
  guidance: number;
  topK: number;
  temperature: number;
  greedy?: boolean;
  format: WavSampleFormat;
  normalize?: boolean;
}

function numberArg(check: (n: number) => boolean, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !check(n)) throw new InvalidArgumentError(what);
    return n;
  };
}

export function registerGenerateCommand(program: Command, io: GenerateCliIo = terminalGenerateIo()): void {
  program
    .command('generate')
    .description(COMMAND_GROUPS.generate)
    .argument('<prompt>', 'what the music should be, e.g. "lofi beat with piano"')
    .requiredOption('--model <dir>', 'the model folder (config.json, tokenizer.json, onnx/…)')
    .requiredOption('--out <file>', 'the WAV file to write')
    .option(
      '--seconds <s>',
      `length in seconds, up to ${MAX_DURATION_SECONDS} (default 15)`,
      numberArg(
        (n) => Number.isFinite(n) && n > 0 && n <= MAX_DURATION_SECONDS,
        `a length from 0 to ${MAX_DURATION_SECONDS} seconds`,
      ),
    )
    .option(
      '--tokens <n>',
      'length as max_new_tokens (50 per second + 3), instead of --seconds',
      numberArg((n) => Number.isInteger(n) && n >= 4, 'a whole number of at least 4'),
    )
    .addOption(
      new Option('--dtype <dtype>', 'precision of the ONNX files').choices(ModelDtypeSchema.options).default('fp32'),
    )
    .addOption(
      new Option('--device <device>', 'execution provider (falls back to the CPU)')
        .choices(ExecutionProviderSchema.options)
        .default('cpu'),
    )
    .addOption(
      new Option('--decoder <loop>', 'decode loop: transformers.js generate() or our own on onnxruntime-node')
        .choices(MUSICGEN_DECODERS)
        .default('ort'),
    )
    .addOption(cacheRewriteOption())
    .option(
      '--seed <n>',
      'sampling seed, for a reproducible result',
      numberArg((n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'a whole number from 0 to 4294967295'),
    )
    .option(
      '--guidance <scale>',
      'classifier-free guidance scale (1 turns it off)',
      numberArg((n) => n >= 1, 'a number of at least 1'),
      3,
    )
    .option(
      '--top-k <k>',
      'sample among the k likeliest codes',
      numberArg((n) => Number.isInteger(n) && n >= 1, 'a whole number of at least 1'),
      250,
    )
    .option(
      '--temperature <t>',
      'sampling temperature',
      numberArg((n) => n > 0, 'a positive number'),
      1,
    )
    .option('--greedy', 'take the likeliest code at every step (deterministic)')
    .addOption(new Option('--format <format>', 'WAV sample format').choices(['pcm16', 'float32']).default('pcm16'))
    .option('--normalize', 'scale the audio to a 0.99 peak')
    .action(async (prompt: string, flags: GenerateFlags) => {
      if (flags.seconds !== undefined && flags.tokens !== undefined) {
        throw new InvalidArgumentError('give --seconds or --tokens, not both');
      }
      const request: MusicRequest = {
        prompt,
        ...(flags.tokens !== undefined ? { durationTokens: flags.tokens } : { durationSeconds: flags.seconds ?? 15 }),
        guidanceScale: flags.guidance,
        topK: flags.topK,
        temperature: flags.temperature,
        decoding: flags.greedy ? 'greedy' : 'sample',
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      };
      let device = flags.device;
      if (device === 'cuda') {
        const why = await io.whyCudaCannotRun();
        if (why) {
          io.err(`CUDA is not available: ${why} Generating on the CPU.\n`);
          device = 'cpu';
        }
      }
      const generator = io.createGenerator(
        { dir: resolve(flags.model), dtype: cliDtypes(flags.dtype) },
        { device, decoder: flags.decoder, ...(flags.cacheRewrite ? { cacheRewrite: flags.cacheRewrite } : {}) },
      );
      const controller = new AbortController();
      const unsubscribe = io.onInterrupt(() => controller.abort());
      const bar = new ProgressBar(io);
      try {
        io.err(`Loading ${flags.model} (${flags.dtype}) on ${DEVICE_NAME[device]}…\n`);
        const result = await generator.generate(request, {
          signal: controller.signal,
          onProgress: (p) => bar.update(p),
        });
        bar.finish();
        if (result.device !== device) {
          io.err(`${DEVICE_NAME[device]} could not start this model, so it ran on ${DEVICE_NAME[result.device]}.\n`);
        }
        if (result.decoding) io.err(`${describeDecoding(result.decoding)}\n`);
        const audio = flags.normalize ? peakNormalize(result.audio) : result.audio;
        const bytes = await writeWavFile(resolve(flags.out), audio, result.sampleRate, flags.format);
        const t = result.timings;
        io.out(
          `Wrote ${flags.out}: ${(audio.length / result.sampleRate).toFixed(2)} s at ${result.sampleRate} Hz, ` +
            `${bytes} bytes; ${result.steps} steps on ${result.device}` +
            `${result.seed !== null ? `, seed ${result.seed}` : ', greedy'}; ` +
            `${t.loadMs !== undefined ? `load ${ms(t.loadMs)}, ` : ''}encode ${ms(t.encodeMs)}, decode ${ms(t.decodeMs)} ` +
            `(${((result.steps / Math.max(t.decodeMs, 1)) * 1000).toFixed(1)} steps/s), audio ${ms(t.audioMs)}, total ${ms(t.totalMs)}.`,
        );
      } catch (error) {
        bar.abandon();
        throw error;
      } finally {
        unsubscribe();
        await generator.dispose?.();
      }
    });
}

const DEVICE_NAME: Record<ExecutionProvider, string> = { cpu: 'the CPU', cuda: 'CUDA', webgpu: 'WebGPU' };

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

const BAR_WIDTH = 30;

/** `[#########.....................]  30%  226/753 steps  41.2 steps/s` on stderr. */
class ProgressBar {
  private started: number | null = null;
  private lastDecile = -1;
  private drawn = false;

  constructor(private readonly io: GenerateCliIo) {}

  update({ step, steps }: GenerationProgress): void {
    const now = performance.now();
    if (step === 0 || this.started === null) this.started = now;
    const fraction = steps > 0 ? step / steps : 1;
    const rate = step > 0 ? (step / Math.max(now - this.started, 1)) * 1000 : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const line =
      `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%` +
      `  ${step}/${steps} steps${rate > 0 ? `  ${rate.toFixed(1)} steps/s` : ''}`;
    if (this.io.interactive) {
      this.io.err(`\r${line}`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.io.err(`${line}\n`);
    }
  }

  finish(): void {
    if (this.drawn) this.io.err('\n');
    this.drawn = false;
  }

  abandon(): void {
    this.finish();
  }
}

/** `--cache-rewrite`, shared by `generate` and `miner`: no default, so the loop picks by device. */
export function cacheRewriteOption(): Option {
  return new Option(
    '--cache-rewrite <level>',
    'how our loop rewrites the decoder graph: fused-attention (default on the CPU) or time-major (default elsewhere)',
  ).choices(CACHE_REWRITES);
}

/** One line on how a clip was decoded, for `generate`'s stderr. */
export function describeDecoding(path: DecodingPath): string {
  if (path.loop === 'transformers') return 'Decoded with transformers.js generate().';
  const how = path.cacheRewrite === 'fused-attention' ? 'fused self-attention' : 'time-major KV cache';
  const where =
    path.kvCache !== 'device'
      ? ''
      : path.sampling === 'device'
        ? ', the cache and the token choice on the GPU'
        : ', the cache on the GPU';
  return `Decoded with our loop (${how}${where})${path.refused ? `; the fused attention was not used: ${path.refused}` : ''}.`;
}
