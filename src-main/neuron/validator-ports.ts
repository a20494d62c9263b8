/**
 * The validator's parts as interfaces (issue #12), so the round loop (`validator.ts`), the prompt
 * sources (`prompts/`) and the weight setter (`weight-setter.ts`) are built and tested apart.
 */
import type { DecodedAudio } from '../audio/decode.js';

/** One prompt for a round, after the reference's rules (digits as words, ≤ 256 characters). */
export interface ValidatorPrompt {
  /** Stable within its source (row index, file name), for the store and the page. */
  readonly id: string;
  readonly text: string;
  /** The reference clip that came with the prompt (ttm-validation-dataset, a local folder). */
  readonly reference: (DecodedAudio & { readonly name: string }) | null;
  /** Which source gave it: 'bundled', 'hub:etechgrid/prompts_for_TTM', 'folder:/…', 'llm', … */
  readonly source: string;
}

export interface PromptSource {
  /** For the log and the Overview, e.g. "bundled (120 prompts)". */
  describe(): string;
  /** The next prompt; a source that cannot answer throws (the caller falls back to the bundled set). */
  next(signal?: AbortSignal): Promise<ValidatorPrompt>;
}

/** How weights reach the chain, as the subnet's hyperparameters require. */
export type WeightsMode = 'plain' | 'commit-reveal' | 'timelocked';

export interface WeightsSubmission {
  readonly id: number;
  readonly mode: WeightsMode;
  /** Block the submission was made at. */
  readonly block: number;
  readonly uids: readonly number[];
  /** u16 weights as sent. */
  readonly weights: readonly number[];
  readonly extrinsic: string | null;
  /** submitted → included / failed; commit-reveal and timelocked go on to revealed or reveal_missing. */
  readonly state: 'submitted' | 'included' | 'failed' | 'committed' | 'revealed' | 'reveal_missing';
  readonly error: string | null;
  /** ISO 8601. */
  readonly time: string;
}

export interface WeightsStatus {
  readonly mode: WeightsMode | null;
  readonly last: WeightsSubmission | null;
  /** The first block at which the next submission is allowed (rate limit, reference floor). */
  readonly nextBlock: number | null;
  /** Commits waiting for their reveal window. */
  readonly pendingReveals: number;
  readonly alerts: readonly string[];
}

export interface WeightSetter {
  /**
   * Called on every new block with the current moving-average scores by uid: submits when the
   * cadence allows (never the same weights twice after a restart), reveals pending commits in
   * their window, and checks timelocked reveals. Returns the submission made now, if any.
   */
  onBlock(block: number, scores: ReadonlyMap<number, number>): Promise<WeightsSubmission | null>;
  status(): WeightsStatus;
}
