/**
 * CLAP embeddings for prompt adherence (scoring spec §1.4, §2.1, §3.1): text at 77 tokens and
 * audio in deterministic 10 s windows, each L2-normalised, through transformers.js's
 * ClapFeatureExtractor and the two projection towers. The reference takes one random 10 s crop
 * of a longer clip; the mean over evenly spaced windows is that score's expected value without its
 * variance. Runs in the inference worker.
 */
import {
  AutoFeatureExtractor,
  AutoTokenizer,
  ClapAudioModelWithProjection,
  ClapTextModelWithProjection,
  type FeatureExtractor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import type { ModelTaskResults, ModelTaskSource } from '../inference/worker/protocol.js';
import { ModelTaskError } from '../inference/worker/task-error.js';
import { checkAudio, loadFromFolder, messageOf, singleRow } from './model-loading.js';
import { l2Normalize, meanVector } from './cosine.js';
import { evenWindows } from './windows.js';

/** audiocraft tokenises prompts with `max_length=77` (scoring spec §2.1); the HF tokenizer allows more. */
export const CLAP_TEXT_TOKENS = 77;
/** Window starts at most 2.5 s apart: 0, 2.5 and 5 s for a 15 s clip (scoring spec §3.1). */
export const CLAP_DEFAULT_HOP_SECONDS = 2.5;

interface ClapExtractorConfig {
  sampling_rate: number;
  nb_max_samples: number;
}

type Tensorish = { dims: number[]; data: unknown };

export class ClapRunner {
  private constructor(
    private readonly source: ModelTaskSource,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly textModel: PreTrainedModel,
    private readonly audioModel: PreTrainedModel,
    private readonly extractor: FeatureExtractor,
    /** Hz the feature extractor expects (48 000 for LAION CLAP). */
    readonly sampleRate: number,
    /** Samples in one window (480 000 = 10 s at 48 kHz). */
    readonly windowSamples: number,
  ) {}

  static async load(source: ModelTaskSource): Promise<ClapRunner> {
    const what = 'The CLAP model';
    const [tokenizer, textModel, audioModel, extractor] = await loadFromFolder(source, what, (id, options) =>
      Promise.all([
        AutoTokenizer.from_pretrained(id, { local_files_only: true }),
        ClapTextModelWithProjection.from_pretrained(id, options),
        ClapAudioModelWithProjection.from_pretrained(id, options),
        AutoFeatureExtractor.from_pretrained(id, { local_files_only: true }),
      ]),
    );
    const config = extractor.config as Partial<ClapExtractorConfig>;
    const { sampling_rate: rate, nb_max_samples: window } = config;
    if (!Number.isInteger(rate) || !Number.isInteger(window) || !rate || !window) {
      throw new ModelTaskError(
        'load_failed',
        `${what} in ${source.dir} has no sampling_rate or nb_max_samples in preprocessor_config.json.`,
      );
    }
    return new ClapRunner(source, tokenizer, textModel, audioModel, extractor, rate, window);
  }

  /** One L2-normalised embedding per text, each tokenised to exactly 77 tokens (padded or truncated). */
  async embedText(texts: string[]): Promise<ModelTaskResults['embed-text']> {
    if (texts.length === 0) throw new ModelTaskError('invalid_input', 'CLAP got no text to embed.');
    const embeddings: Float32Array[] = [];
    for (const text of texts) {
      const inputs = this.tokenizer([text], { padding: 'max_length', truncation: true, max_length: CLAP_TEXT_TOKENS });
      const output = await this.run('text', () => this.textModel(inputs));
      embeddings.push(
        Float32Array.from(l2Normalize(singleRow('The CLAP text model', output.text_embeds, 'text_embeds'))),
      );
    }
    return { embeddings };
  }

  /**
   * One L2-normalised embedding per window of `windowSamples` (the whole clip when shorter: the
   * extractor then repeats and pads it to 10 s, as the reference does), and the mean of those unit
   * vectors. `audio` must be mono at `sampleRate`.
   */
  async embedAudio(
    audio: Float32Array,
    sampleRate: number,
    hopSeconds = CLAP_DEFAULT_HOP_SECONDS,
  ): Promise<ModelTaskResults['embed-audio']> {
    checkAudio('CLAP', audio, sampleRate, this.sampleRate);
    if (!(hopSeconds > 0))
      throw new ModelTaskError('invalid_input', `The CLAP window hop must be > 0 s, got ${hopSeconds}.`);
    const hop = Math.max(1, Math.round(hopSeconds * sampleRate));
    const spans = evenWindows(audio.length, this.windowSamples, hop);
    const windows: Float32Array[] = [];
    for (const { start, length } of spans) {
      const features = (await this.extractor(audio.subarray(start, start + length))) as Record<string, Tensorish>;
      const output = await this.run('audio', () => this.audioModel(features));
      windows.push(
        Float32Array.from(l2Normalize(singleRow('The CLAP audio model', output.audio_embeds, 'audio_embeds'))),
      );
    }
    return {
      windows,
      startsSeconds: spans.map((s) => s.start / sampleRate),
      mean: Float32Array.from(meanVector(windows)),
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.textModel.dispose(), this.audioModel.dispose()]);
  }

  private async run(tower: string, work: () => Promise<unknown>): Promise<Record<string, Tensorish | undefined>> {
    try {
      return (await work()) as Record<string, Tensorish | undefined>;
    } catch (error) {
      throw new ModelTaskError(
        'inference_failed',
        `The CLAP ${tower} model in ${this.source.dir} failed: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}
