/**
 * VGGish embeddings for FAD (scoring spec §1.3, §2.3): our JS log-mel front end
 * (vggish-frontend.ts) feeds a VGGish ONNX on a raw onnxruntime-node session (no transformers.js
 * class exists for VGGish), which returns one 128-d embedding per 0.96 s example. The reference
 * needs the pre-ReLU layer; a graph that keeps the final ReLU still runs, but its FAD is not the
 * reference's (spec §3.2), and the folder check cannot see that: check a new export by looking for
 * negative outputs. Runs in the inference worker.
 *
 * The folder holds `onnx/model.onnx` and, optionally, `config.json` (`sampling_rate`,
 * `example_frames`, `num_mel_bins`, `embedding_size`, as the tiny model writes it); a config that
 * disagrees with the front end is refused. The graph's input `input_features [N, 1, 96, 64]` and
 * output `embeddings [N, 128]` are our names; a graph with one input and one output under other
 * names (e.g. ailia-models' `vggish.onnx`) is used through those.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as OrtModuleNamespace from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';
import { z } from 'zod';
import type { ModelTaskResults, ModelTaskSource } from '../inference/worker/protocol.js';
import { ModelTaskError } from '../inference/worker/task-error.js';
import { checkAudio, messageOf } from './model-loading.js';
import {
  padToFadMinimum,
  VGGISH_EXAMPLE_FRAMES,
  VGGISH_HOP_SAMPLES,
  VGGISH_MEL_BINS,
  VGGISH_SAMPLE_RATE,
  vggishExamples,
} from './vggish-frontend.js';

/** Examples per session run: a long clip does not become one huge batch. */
const BATCH_EXAMPLES = 32;
/** Seconds per example: 96 frames at a 10 ms hop. */
const EXAMPLE_SECONDS = (VGGISH_EXAMPLE_FRAMES * VGGISH_HOP_SAMPLES) / VGGISH_SAMPLE_RATE;

const VggishConfigSchema = z.object({
  sampling_rate: z.literal(VGGISH_SAMPLE_RATE).optional(),
  example_frames: z.literal(VGGISH_EXAMPLE_FRAMES).optional(),
  num_mel_bins: z.literal(VGGISH_MEL_BINS).optional(),
  embedding_size: z.number().int().positive().optional(),
});

type OrtModule = typeof OrtModuleNamespace;

export class VggishRunner {
  private constructor(
    private readonly source: ModelTaskSource,
    private readonly ort: OrtModule,
    private readonly session: InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
    /** From config.json when it says; otherwise whatever the graph returns. */
    readonly embeddingSize: number | null,
  ) {}

  static async load(source: ModelTaskSource): Promise<VggishRunner> {
    const what = `The VGGish model in ${source.dir}`;
    const model = join(source.dir, 'onnx', 'model.onnx');
    const found = await stat(model).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!found) throw new ModelTaskError('missing_file', `The VGGish model: ${model} is missing.`);
    const config = await readConfig(join(source.dir, 'config.json'), what);
    const ort = await import('onnxruntime-node');
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, {
        executionProviders: [source.device ?? 'cpu'],
        logSeverityLevel: 3,
      });
    } catch (error) {
      throw new ModelTaskError('load_failed', `${what} could not be loaded: ${messageOf(error)}`, { cause: error });
    }
    const pick = (names: readonly string[], wanted: string): string | undefined =>
      names.includes(wanted) ? wanted : names.length === 1 ? names[0] : undefined;
    const inputName = pick(session.inputNames, 'input_features');
    const outputName = pick(session.outputNames, 'embeddings');
    if (!inputName || !outputName) {
      await session.release();
      throw new ModelTaskError(
        'load_failed',
        `${what} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; ` +
          'it needs input_features and embeddings, or exactly one of each.',
      );
    }
    return new VggishRunner(source, ort, session, inputName, outputName, config.embedding_size ?? null);
  }

  /**
   * One embedding per 0.96 s example of `audio` (16 kHz mono), zero-padded to at least 2 s first
   * as audioldm_eval does, so every clip gives at least 2 embeddings (a covariance needs 2).
   */
  async embedFrames(audio: Float32Array, sampleRate: number): Promise<ModelTaskResults['embed-frames']> {
    checkAudio('VGGish', audio, sampleRate, VGGISH_SAMPLE_RATE);
    const { count, data } = vggishExamples(padToFadMinimum(audio));
    const exampleSize = VGGISH_EXAMPLE_FRAMES * VGGISH_MEL_BINS;
    const windows: Float32Array[] = [];
    for (let first = 0; first < count; first += BATCH_EXAMPLES) {
      const n = Math.min(BATCH_EXAMPLES, count - first);
      const input = new this.ort.Tensor('float32', data.subarray(first * exampleSize, (first + n) * exampleSize), [
        n,
        1,
        VGGISH_EXAMPLE_FRAMES,
        VGGISH_MEL_BINS,
      ]);
      let output: InferenceSession.OnnxValueMapType;
      try {
        output = await this.session.run({ [this.inputName]: input });
      } catch (error) {
        throw new ModelTaskError(
          'inference_failed',
          `The VGGish model in ${this.source.dir} failed: ${messageOf(error)}`,
          {
            cause: error,
          },
        );
      }
      windows.push(...this.rows(output[this.outputName], n));
    }
    return { windows, startsSeconds: windows.map((_, i) => i * EXAMPLE_SECONDS) };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }

  /** The [n, d] output as n rows, checked for shape and finiteness. */
  private rows(value: unknown, n: number): Float32Array[] {
    const tensor = value as { dims?: readonly number[]; data?: unknown } | undefined;
    const data = tensor?.data;
    if (!(data instanceof Float32Array) || !tensor?.dims) {
      throw new ModelTaskError('bad_output', `The VGGish model returned no float32 ${this.outputName}.`);
    }
    const [batch, size, ...rest] = tensor.dims;
    if (batch !== n || !size || rest.length > 0 || (this.embeddingSize !== null && size !== this.embeddingSize)) {
      throw new ModelTaskError(
        'bad_output',
        `The VGGish model returned ${this.outputName} of shape [${tensor.dims.join(', ')}], not [${n}, ${this.embeddingSize ?? 'd'}].`,
      );
    }
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]))
        throw new ModelTaskError('bad_output', 'The VGGish model returned a non-finite embedding.');
    }
    // Copies: the rows outlive the output buffer and cross to the engine by structured clone.
    return Array.from({ length: n }, (_, i) => data.slice(i * size, (i + 1) * size));
  }
}

async function readConfig(path: string, what: string): Promise<z.infer<typeof VggishConfigSchema>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelTaskError('load_failed', `${what}: config.json is not JSON: ${messageOf(error)}`);
  }
  const parsed = VggishConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ModelTaskError('load_failed', `${what}: config.json does not fit the VGGish front end (${issues}).`);
  }
  return parsed.data;
}
