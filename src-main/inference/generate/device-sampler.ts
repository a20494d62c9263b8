/**
 * The sampler graph (sampler-graph.ts) as onnxruntime sessions beside the decoder (issue #14,
 * WebGPU): one small session per variant (guided or not, greedy or sampling), created on first
 * use and kept for the model's life. A step feeds the decoder's logits, still on the GPU, and a
 * few host numbers (the guidance scale, the temperature, k, one uniform draw per row), and gets
 * back one int64 token per row.
 *
 * The sessions are created with CPU fallback disabled: a node the provider did not take would run
 * on the CPU and copy the logits across behind our back, which is what this module exists to avoid.
 */
import type * as OrtModuleNamespace from 'onnxruntime-node';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { ExecutionProvider } from '../../../src-shared/schemas/gpu.js';
import { GenerationError, messageOf } from './errors.js';
import { SAMPLER, samplerModel, type SamplerFloat } from './sampler-graph.js';
import type { SeededRandom } from './sampling.js';

type OrtModule = typeof OrtModuleNamespace;

/** What one step of token choice needs besides the logits. */
export interface SamplerStep {
  /** Unguided rows (B·K); the logits have 2·rows when guided. */
  rows: number;
  vocab: number;
  /** Guidance scale, or null without guidance. */
  guidanceScale: number | null;
  /** Null for greedy decoding; else the generator of each row (row i draws from `randoms[i]`). */
  sampling: { temperature: number; topK: number; randoms: readonly SeededRandom[] } | null;
}

export class DeviceSampler {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();

  constructor(
    private readonly ort: OrtModule,
    private readonly device: ExecutionProvider,
    private readonly float: SamplerFloat,
  ) {}

  /**
   * Chooses one token per row from `logits` ([2·rows or rows, 1, vocab], on the device). Returns
   * the tokens and the host feeds it uploaded (for the transfer counts); a token outside
   * [0, vocab) marks a row with non-finite scores.
   */
  async choose(
    logits: OrtTensor,
    step: SamplerStep,
  ): Promise<{ tokens: BigInt64Array; feeds: Record<string, OrtTensor>; outputs: Record<string, OrtTensor> }> {
    const { Tensor } = this.ort;
    const { rows, vocab, guidanceScale, sampling } = step;
    const session = await this.session(guidanceScale !== null, sampling === null, vocab);
    const feeds: Record<string, OrtTensor> = { [SAMPLER.logits]: logits };
    if (guidanceScale !== null)
      feeds[SAMPLER.guidanceScale] = new Tensor('float32', Float32Array.of(guidanceScale), []);
    if (sampling) {
      const { temperature, topK, randoms } = sampling;
      feeds[SAMPLER.temperature] = new Tensor('float32', Float32Array.of(temperature), []);
      // As sampleTopK: at least one and at most the whole vocabulary.
      const k = Math.max(1, Math.min(Math.floor(topK), vocab));
      feeds[SAMPLER.topK] = new Tensor('int64', BigInt64Array.of(BigInt(k)), [1]);
      feeds[SAMPLER.topKFloat] = new Tensor('float32', Float32Array.of(k), []);
      // Drawn in row order, one per row from its prompt's generator: the host sampler's order.
      const uniform = Float32Array.from({ length: rows }, (_, i) => (randoms[i] as SeededRandom).next());
      feeds[SAMPLER.uniform] = new Tensor('float32', uniform, [rows, 1]);
    }
    let out: Record<string, OrtTensor | undefined>;
    try {
      out = (await session.run(feeds)) as Record<string, OrtTensor | undefined>;
    } catch (error) {
      throw new GenerationError('generation_failed', `MusicGen failed while sampling: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const tokens = out[SAMPLER.tokens];
    if (!tokens || tokens.type !== 'int64' || tokens.dims.length !== 1 || tokens.dims[0] !== rows) {
      throw new GenerationError('bad_output', `The sampler returned tokens of shape [${tokens?.dims.join(', ')}].`);
    }
    return { tokens: tokens.data as BigInt64Array, feeds, outputs: { [SAMPLER.tokens]: tokens } };
  }

  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s.catch(() => null))?.release()));
  }

  private session(guided: boolean, greedy: boolean, vocab: number): Promise<InferenceSession> {
    const key = `${guided}/${greedy}/${vocab}`;
    let session = this.sessions.get(key);
    if (!session) {
      const model = samplerModel({ guided, greedy, float: this.float, vocab });
      session = this.ort.InferenceSession.create(model, {
        executionProviders: [this.device],
        logSeverityLevel: 3,
        // (On the CPU provider itself every node is a "fallback" node: the flag is for devices.)
        ...(this.device === 'cpu' ? {} : { extra: { session: { disable_cpu_ep_fallback: '1' } } }),
      }).catch((error: unknown) => {
        this.sessions.delete(key);
        throw new GenerationError(
          'load_failed',
          `The on-device sampler could not be created on ${this.device}: ${messageOf(error)}`,
          { cause: error },
        );
      });
      this.sessions.set(key, session);
    }
    return session;
  }
}
