/**
 * AudioSet class probabilities for the KL term (scoring spec §1.2, §2.2, §3.1): an AST classifier
 * through transformers.js's ASTFeatureExtractor, softmax over the 527 logits (softmax, as
 * audiocraft, not the sigmoid the model was trained with), one vector per 10.24 s window. The
 * AST input is fixed at 1024 frames, so windows of exactly that length avoid padding; a clip no
 * longer than one window is one padded window. Runs in the inference worker.
 */
import {
  AutoFeatureExtractor,
  AutoModelForAudioClassification,
  type FeatureExtractor,
  type PreTrainedModel,
} from '@huggingface/transformers';
import type { ModelTaskResults, ModelTaskSource } from '../inference/worker/protocol.js';
import { ModelTaskError } from '../inference/worker/task-error.js';
import { checkAudio, loadFromFolder, messageOf, singleRow } from './model-loading.js';
import { softmax } from './kl-divergence.js';
import { evenWindows } from './windows.js';

/** ASTFeatureExtractor's frame hop (10 ms at 16 kHz). */
const AST_HOP_SAMPLES = 160;

interface AstExtractorConfig {
  sampling_rate: number;
  max_length: number;
}

type Tensorish = { dims: number[]; data: unknown };

export class AudioClassifierRunner {
  private constructor(
    private readonly source: ModelTaskSource,
    private readonly model: PreTrainedModel,
    private readonly extractor: FeatureExtractor,
    /** The label of each class, in logit order (config.json `id2label`). */
    readonly labels: string[],
    /** Hz the feature extractor expects (16 000 for AST). */
    readonly sampleRate: number,
    /** Samples in one window: `max_length` frames × hop 160 = 163 840 (10.24 s) for AST. */
    readonly windowSamples: number,
  ) {}

  static async load(source: ModelTaskSource): Promise<AudioClassifierRunner> {
    const what = 'The audio classifier';
    const [model, extractor] = await loadFromFolder(source, what, (id, options) =>
      Promise.all([
        AutoModelForAudioClassification.from_pretrained(id, options),
        AutoFeatureExtractor.from_pretrained(id, { local_files_only: true }),
      ]),
    );
    const { sampling_rate: rate, max_length: frames } = extractor.config as Partial<AstExtractorConfig>;
    const id2label = (model.config as unknown as { id2label?: Record<string, string> }).id2label ?? {};
    const count = Object.keys(id2label).length;
    const labels = Array.from({ length: count }, (_, i) => id2label[String(i)] ?? `class ${i}`);
    if (!Number.isInteger(rate) || !Number.isInteger(frames) || !rate || !frames || count === 0) {
      await model.dispose();
      throw new ModelTaskError(
        'load_failed',
        `${what} in ${source.dir} lacks sampling_rate/max_length (preprocessor_config.json) or id2label (config.json).`,
      );
    }
    return new AudioClassifierRunner(source, model, extractor, labels, rate, frames * AST_HOP_SAMPLES);
  }

  /** softmax class probabilities per window; `audio` must be mono at `sampleRate`. Windows are at most `hopSeconds` apart (default: one window length). */
  async classify(audio: Float32Array, sampleRate: number, hopSeconds?: number): Promise<ModelTaskResults['classify']> {
    checkAudio('The audio classifier', audio, sampleRate, this.sampleRate);
    if (hopSeconds !== undefined && !(hopSeconds > 0)) {
      throw new ModelTaskError('invalid_input', `The classifier window hop must be > 0 s, got ${hopSeconds}.`);
    }
    const hop = hopSeconds === undefined ? this.windowSamples : Math.max(1, Math.round(hopSeconds * sampleRate));
    const spans = evenWindows(audio.length, this.windowSamples, hop);
    const windows: Float32Array[] = [];
    for (const { start, length } of spans) {
      const features = (await this.extractor(audio.subarray(start, start + length))) as Record<string, Tensorish>;
      let output: Record<string, Tensorish | undefined>;
      try {
        output = (await this.model(features)) as Record<string, Tensorish | undefined>;
      } catch (error) {
        throw new ModelTaskError(
          'inference_failed',
          `The audio classifier in ${this.source.dir} failed: ${messageOf(error)}`,
          { cause: error },
        );
      }
      const logits = singleRow('The audio classifier', output.logits, 'logits');
      if (logits.length !== this.labels.length) {
        throw new ModelTaskError(
          'bad_output',
          `The audio classifier returned ${logits.length} logits for ${this.labels.length} labels.`,
        );
      }
      windows.push(Float32Array.from(softmax(logits)));
    }
    return { windows, startsSeconds: spans.map((s) => s.start / sampleRate), labels: this.labels };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
