/**
 * Small validator parts that stay after the integration of issue #12 (the validator itself runs
 * the real ones: `prompts/`, `scoring/round-scorer.ts` in the inference worker, `weight-setter.ts`,
 * put together by validator-assembly.ts):
 *
 * - `FixedPromptSource`: the LOCAL NETWORK's prompt source, a fixed prompt list, each with a
 *   synthetic reference clip (a chord that differs per prompt), so the round's reference checks
 *   have something to compare to and the replaying local miner knows the reference to send back.
 * - `SignalRoundScorer` and `PlainWeightSetter`: model-free stand-ins that the round loop's own
 *   tests (validator.test.ts) use to check the loop's bookkeeping without loading models. An answer
 *   with usable audio scores 1 (times the profile's duration multiplier when `durationPenalty` is
 *   on); a missing answer is punished; empty, non-finite or silent audio scores 0; the round's
 *   reference again (fingerprint similarity ≥ NEAR_DUPLICATE_THRESHOLD) is punished and scores 0.
 *   The setter sends `set_weights` with the scores max-upscaled to u16 every `everyBlocks` blocks.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { MUSIC_SAMPLE_RATE } from '../../src-shared/synapse/music-generation.js';
import { mixToMono } from '../audio/channels.js';
import type { DecodedAudio } from '../audio/decode.js';
import { checkSignal, type SignalProblem } from '../audio/signal-checks.js';
import type { Chain } from '../chain/chain.js';
import type { Netuid } from '../chain/types.js';
import { convertWeightsAndUidsForEmit } from '../chain/weights.js';
import type { Logger } from '../log/logger.js';
import { durationMultiplier, type Judgement } from '../scoring/aggregation.js';
import { exactAudioHash } from '../scoring/audio-hash.js';
import { audioFingerprint, fingerprintSimilarity, NEAR_DUPLICATE_THRESHOLD } from '../scoring/near-duplicate.js';
import type { RoundInput, RoundScorer, ScoredAnswer } from '../scoring/round-types.js';
import type {
  PromptSource,
  ValidatorPrompt,
  WeightsStatus,
  WeightSetter,
  WeightsSubmission,
} from './validator-ports.js';

/** The bundled prompts of the interim source (the real bundled set comes with `prompts/`). */
export const INTERIM_PROMPTS: readonly string[] = Object.freeze([
  'lo-fi hip hop beat with mellow piano and vinyl crackle',
  'upbeat electronic dance track with a driving bassline',
  'calm acoustic guitar melody by a campfire',
  'epic orchestral theme with brass and timpani',
  'jazz trio with brushed drums and walking bass',
  'ambient synth pad with slow evolving textures',
  'funky disco groove with slap bass and strings',
  'solo cello playing a sad slow melody',
]);

/** A chord of three partials, different for every index, with a slow tremolo: distinct fingerprints. */
export function syntheticReference(index: number, seconds: number, sampleRate = MUSIC_SAMPLE_RATE): Float32Array {
  const length = Math.max(1, Math.round(seconds * sampleRate));
  const base = 110 * 2 ** ((index * 5) / 12);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const t = i / sampleRate;
    const tremolo = 0.6 + 0.4 * Math.sin(2 * Math.PI * (1 + (index % 3)) * t);
    out[i] =
      0.3 *
      tremolo *
      (Math.sin(2 * Math.PI * base * t) +
        0.5 * Math.sin(2 * Math.PI * base * 1.5 * t) +
        0.25 * Math.sin(2 * Math.PI * base * 2.25 * t));
  }
  return out;
}

/** Cycles through a fixed list; each prompt's reference clip is `syntheticReference(index)`. */
export class FixedPromptSource implements PromptSource {
  private next_ = 0;
  private readonly references = new Map<number, Float32Array>();

  constructor(
    private readonly prompts: readonly string[] = INTERIM_PROMPTS,
    /** Length of the reference clips, seconds (the reference's clips are about 15 s). */
    private readonly referenceSeconds = 15,
  ) {
    if (prompts.length === 0) throw new Error('a prompt source needs at least one prompt');
  }

  describe(): string {
    return `bundled (${this.prompts.length} prompts)`;
  }

  /** The reference clip of a prompt text, or null (the local network's replaying miner looks it up). */
  referenceFor(text: string): Float32Array | null {
    const index = this.prompts.indexOf(text);
    return index < 0 ? null : this.reference(index);
  }

  next(): Promise<ValidatorPrompt> {
    const index = this.next_++ % this.prompts.length;
    return Promise.resolve({
      id: `bundled:${index}`,
      text: this.prompts[index] ?? '',
      reference: {
        container: 'wav',
        sampleRate: MUSIC_SAMPLE_RATE,
        channelData: [this.reference(index)],
        name: `synthetic-${index}.wav`,
      },
      source: 'bundled',
    });
  }

  private reference(index: number): Float32Array {
    let clip = this.references.get(index);
    if (!clip) {
      clip = syntheticReference(index, this.referenceSeconds);
      this.references.set(index, clip);
    }
    return clip;
  }
}

const FAILING_PROBLEMS: readonly SignalProblem[] = ['empty', 'non-finite', 'silent'];

function judgement(punish: boolean, update: number | null, note: Judgement['note'], multiplier = 1): Judgement {
  return {
    punish,
    update,
    normalizedKld: 0,
    normalizedFad: 0,
    quality: update ?? 0,
    gatedScore: update ?? 0,
    durationMultiplier: multiplier,
    note,
  };
}

export interface SignalRoundScorerOptions {
  /** Apply the profile's duration multiplier (off on the local network, whose clips are short). Default true. */
  durationPenalty?: boolean;
}

export class SignalRoundScorer implements RoundScorer {
  constructor(private readonly options: SignalRoundScorerOptions = {}) {}

  scoreRound(input: RoundInput): Promise<ScoredAnswer[]> {
    const reference = input.reference ? monoOf(input.reference) : null;
    const referencePrint = reference ? audioFingerprint(reference.samples, reference.sampleRate) : null;
    return Promise.resolve(
      input.answers.map((answer): ScoredAnswer => {
        const base = { uid: answer.uid, hotkey: answer.hotkey, id: answer.id, raw: null, errors: [] };
        if (!answer.audio) {
          return {
            ...base,
            durationSeconds: null,
            duplicate: null,
            rejection: { kind: 'no_answer', detail: answer.failure ?? 'no audio' },
            // scoring.md §1.1 step 3: a failed query is punished.
            judgement: judgement(true, null, 'scored'),
          };
        }
        const clip = monoOf(answer.audio);
        const seconds = clip.samples.length / clip.sampleRate;
        const report = checkSignal(answer.audio, { minSeconds: 0, maxSeconds: Number.POSITIVE_INFINITY });
        const problems = report.problems.filter((p) => FAILING_PROBLEMS.includes(p));
        if (problems.length > 0) {
          return {
            ...base,
            durationSeconds: seconds,
            duplicate: null,
            rejection: { kind: 'bad_signal', problems },
            judgement: judgement(input.profile === 'fixed', 0, 'scored'),
          };
        }
        const hash = exactAudioHash(clip.samples);
        const match = referencePrint
          ? fingerprintSimilarity(audioFingerprint(clip.samples, clip.sampleRate), referencePrint)
          : null;
        const replay = match !== null && match.similarity >= NEAR_DUPLICATE_THRESHOLD;
        const duplicate = {
          hash,
          exact: null,
          near: replay && match ? { ...match, matched: 'reference' } : null,
          duplicate: replay,
        };
        if (replay) {
          return {
            ...base,
            durationSeconds: seconds,
            duplicate,
            rejection: null,
            judgement: judgement(true, 0, 'scored'),
          };
        }
        const multiplier = this.options.durationPenalty === false ? 1 : durationMultiplier(input.profile, seconds);
        return {
          ...base,
          durationSeconds: seconds,
          duplicate,
          rejection: null,
          judgement: judgement(false, multiplier, 'scored', multiplier),
        };
      }),
    );
  }
}

function monoOf(audio: DecodedAudio): { samples: Float32Array; sampleRate: number } {
  const samples =
    audio.channelData.length === 1 ? (audio.channelData[0] ?? new Float32Array()) : mixToMono(audio.channelData);
  return { samples, sampleRate: audio.sampleRate };
}

export interface PlainWeightSetterOptions {
  chain: Chain;
  netuid: Netuid;
  hotkey: KeyringPair;
  log: Logger;
  /** Blocks between submissions (the reference sets weights about every 120 blocks). */
  everyBlocks?: number;
  now?: () => Date;
}

export class PlainWeightSetter implements WeightSetter {
  private last: WeightsSubmission | null = null;
  private lastIncludedBlock: number | null = null;
  private busy = false;
  private ids = 0;

  constructor(private readonly options: PlainWeightSetterOptions) {}

  async onBlock(block: number, scores: ReadonlyMap<number, number>): Promise<WeightsSubmission | null> {
    const { chain, netuid, hotkey, log } = this.options;
    const every = this.options.everyBlocks ?? 120;
    if (this.busy || (this.lastIncludedBlock !== null && block - this.lastIncludedBlock < every)) return null;
    this.busy = true;
    try {
      const hyper = await chain.hyperparameters(netuid);
      if (this.lastIncludedBlock !== null && block - this.lastIncludedBlock < hyper.weightsRateLimit) return null;
      const uids = [...scores.keys()].sort((a, b) => a - b);
      const emit = convertWeightsAndUidsForEmit(
        uids,
        uids.map((uid) => scores.get(uid) ?? 0),
        { dtype: 'float64' },
      );
      if (emit.uids.length === 0) return null;
      const result = await chain.setWeights(hotkey, {
        netuid,
        uids: emit.uids,
        weights: emit.weights,
        versionKey: hyper.weightsVersionKey,
      });
      const time = (this.options.now?.() ?? new Date()).toISOString();
      const submission: WeightsSubmission = {
        id: ++this.ids,
        mode: 'plain',
        block: result.ok ? (result.blockNumber ?? block) : block,
        uids: emit.uids,
        weights: emit.weights,
        extrinsic: result.txHash ?? null,
        state: result.ok ? 'included' : 'failed',
        error: result.ok ? null : `${result.error.name}: ${result.error.message}`,
        time,
      };
      if (result.ok) this.lastIncludedBlock = submission.block;
      else log.warn('The chain refused set_weights', { error: result.error.name, message: result.error.message });
      this.last = submission;
      return submission;
    } finally {
      this.busy = false;
    }
  }

  status(): WeightsStatus {
    const every = this.options.everyBlocks ?? 120;
    return {
      mode: 'plain',
      last: this.last,
      nextBlock: this.lastIncludedBlock === null ? null : this.lastIncludedBlock + every,
      pendingReveals: 0,
      alerts: [],
    };
  }
}
