/**
 * The validator's round loop (issue #12; scoring.md §1.1). Each round:
 *
 * 1. reads the metagraph and zeroes the moving average of uids whose axon is 0.0.0.0 or whose
 *    hotkey changed (a new hotkey on a uid starts from 0), as the reference does;
 * 2. takes the next miners (about 10) from a shuffled queue of the queryable uids (axon served,
 *    not ourselves, not 0.0.0.0), reshuffled when it runs out, so every miner is asked as often;
 * 3. sends each the same prompt with the reference's duration (755 tokens) and timeout (200 s),
 *    through the dendrite's sealed mode, which falls back to plaintext for Python miners;
 * 4. stores every answer as it arrives (row + WAV), scores them all in one `RoundScorer` call with
 *    the configured profile, applies each judgement to the moving average (punishment first), and
 *    stores the outcome and the new scores in one transaction.
 *
 * On every block the weight setter gets the moving averages. A round found open at start (a kill
 * -9) is closed as interrupted: its answers stay, the scores were never touched by it. Stopping
 * mid-round does the same rather than punishing miners for the calls we cut short.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import type { JsonValue } from '../../src-shared/schemas/json.js';
import type { ScoringProfile } from '../../src-shared/schemas/scoring.js';
import type { ValidatorRound, ValidatorRoundEvent, ValidatorScore } from '../../src-shared/schemas/validator.js';
import {
  MUSIC_SAMPLE_RATE,
  VALIDATOR_DURATION_TOKENS,
  VALIDATOR_TIMEOUT_SECONDS,
  musicGeneration,
} from '../../src-shared/synapse/music-generation.js';
import type { DecodedAudio } from '../audio/decode.js';
import type { Chain } from '../chain/chain.js';
import type { Metagraph, Netuid, Neuron } from '../chain/types.js';
import type { Logger } from '../log/logger.js';
import { Dendrite } from '../net/dendrite.js';
import { applyJudgement, EMA_ALPHA } from '../scoring/aggregation.js';
import type { RoundAnswer, RoundScorer, ScoredAnswer } from '../scoring/round-types.js';
import type { ValidatorStore } from '../store/validator-store.js';
import { BundledPromptSource } from './prompts/bundled-source.js';
import type { PromptSource, ValidatorPrompt, WeightSetter, WeightsSubmission } from './validator-ports.js';

/** The reference queries up to 10 uids per round. */
export const DEFAULT_MINERS_PER_ROUND = 10;

export interface ValidatorOptions {
  chain: Chain;
  netuid: Netuid;
  hotkey: KeyringPair;
  log: Logger;
  store: ValidatorStore;
  prompts: PromptSource;
  /** Used when `prompts` cannot answer; default the bundled prompt set. */
  fallbackPrompts?: PromptSource;
  scorer: RoundScorer;
  weights: WeightSetter;
  /** Default `bittaudio-1.1.3`. */
  profile?: ScoringProfile;
  /** The moving average keeps α of the old score (`--alpha`, default 0.1, as the reference's code). */
  alpha?: number;
  minersPerRound?: number;
  /** Tokens asked of each miner (default 755, about 15 s). */
  durationTokens?: number;
  /** Per-query timeout, seconds (default 200). */
  timeoutSeconds?: number;
  /** A round starts at the first block at least this many after the previous one started (default 1). */
  everyBlocks?: number;
  /** For the shuffles; default Math.random. */
  random?: () => number;
  now?: () => Date;
  /** A dendrite of the same hotkey (tests); default one in sealed mode with plaintext fallback. */
  dendrite?: Dendrite;
  onRound?: (event: ValidatorRoundEvent) => void;
  onWeights?: (submission: WeightsSubmission) => void;
  /** The metagraph each round read (the service derives our permit and reward snapshot from it). */
  onMetagraph?: (metagraph: Metagraph) => void;
}

export interface ValidatorRunStatus {
  hotkey: string;
  netuid: Netuid;
  roundsDone: number;
  current: ValidatorRound | null;
  last: ValidatorRound | null;
  scores: ValidatorScore[];
  lastWeights: WeightsSubmission | null;
}

export class Validator {
  readonly scope: string;
  private readonly dendrite: Dendrite;
  private readonly ownsDendrite: boolean;
  private scores = new Map<number, ValidatorScore>();
  /** Uids still to be asked in this pass over the shuffled miners. */
  private queue: number[] = [];
  private round: Promise<ValidatorRound | null> | null = null;
  private current: ValidatorRound | null = null;
  private lastRoundBlock: number | null = null;
  private roundsDone = 0;
  private lastWeights: WeightsSubmission | null = null;
  private weighing = false;
  private unsubscribe: (() => void) | null = null;
  private abort = new AbortController();
  private stopped = false;

  constructor(private readonly options: ValidatorOptions) {
    const alpha = options.alpha ?? EMA_ALPHA;
    if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`--alpha is between 0 and 1, not ${alpha}`);
    const miners = options.minersPerRound ?? DEFAULT_MINERS_PER_ROUND;
    if (!(Number.isInteger(miners) && miners >= 1))
      throw new RangeError(`miners per round: a whole number ≥ 1, not ${miners}`);
    this.scope = `${options.hotkey.address}@${options.netuid}`;
    this.ownsDendrite = options.dendrite === undefined;
    this.dendrite =
      options.dendrite ?? new Dendrite({ hotkey: options.hotkey, log: options.log.child('dendrite'), sealed: {} });
  }

  /** Closes rounds a crash left open, loads the moving averages, and runs on the chain's blocks. */
  start(): void {
    const { store, chain, log } = this.options;
    const interrupted = store.interruptOpenRounds(this.scope, this.nowIso());
    if (interrupted.length > 0) {
      log.warn('Closed rounds the last run left open; their answers are kept, the scores were not touched', {
        rounds: interrupted.map((r) => r.id),
      });
    }
    this.scores = store.scores(this.scope);
    this.stopped = false;
    this.abort = new AbortController();
    this.unsubscribe = chain.onNewBlock((block) => this.onBlock(block));
    log.info('Validator running', {
      netuid: this.options.netuid,
      hotkey: this.options.hotkey.address,
      profile: this.profile,
      minersPerRound: this.minersPerRound,
      prompts: this.options.prompts.describe(),
    });
  }

  /** Stops at once: the round in progress is closed as interrupted (nobody is punished for it). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.abort.abort();
    await this.round?.catch(() => undefined);
    this.options.store.interruptOpenRounds(this.scope, this.nowIso());
    if (this.ownsDendrite) this.dendrite.close();
  }

  get profile(): ScoringProfile {
    return this.options.profile ?? 'bittaudio-1.1.3';
  }

  get promptsDescription(): string {
    return this.options.prompts.describe();
  }

  get minersPerRound(): number {
    return this.options.minersPerRound ?? DEFAULT_MINERS_PER_ROUND;
  }

  status(): ValidatorRunStatus {
    return {
      hotkey: this.options.hotkey.address,
      netuid: this.options.netuid,
      roundsDone: this.roundsDone,
      current: this.current,
      last: this.options.store.lastRound(this.scope, { ended: true }) ?? null,
      scores: [...this.scores.values()].sort((a, b) => a.uid - b.uid),
      lastWeights: this.lastWeights,
    };
  }

  /** The moving averages by uid, as the weight setter gets them. */
  scoreMap(): Map<number, number> {
    return new Map([...this.scores.values()].map((s) => [s.uid, s.score]));
  }

  /** Resolves when no round is running (tests that drive blocks by hand wait on it). */
  async idle(): Promise<void> {
    while (this.round) await this.round.catch(() => undefined);
  }

  /** One round now (or the one running); null when no miner could be asked. */
  runRound(): Promise<ValidatorRound | null> {
    if (this.round) return this.round;
    const round = this.doRound().finally(() => {
      if (this.round === round) this.round = null;
    });
    this.round = round;
    return round;
  }

  private onBlock(block: number): void {
    if (this.stopped) return;
    if (!this.weighing) {
      this.weighing = true;
      this.options.weights
        .onBlock(block, this.scoreMap())
        .then((submission) => {
          if (!submission) return;
          this.lastWeights = submission;
          this.options.onWeights?.(submission);
        })
        .catch((error: unknown) => this.options.log.warn('Setting weights failed', { error: errorText(error) }))
        .finally(() => {
          this.weighing = false;
        });
    }
    const every = this.options.everyBlocks ?? 1;
    if (this.round || (this.lastRoundBlock !== null && block - this.lastRoundBlock < every)) return;
    this.lastRoundBlock = block;
    this.runRound().catch((error: unknown) =>
      this.options.log.warn('Validator round failed', { error: errorText(error) }),
    );
  }

  private async doRound(): Promise<ValidatorRound | null> {
    const { chain, netuid, store, log } = this.options;
    const signal = this.abort.signal;
    const metagraph = await chain.metagraph(netuid);
    this.options.onMetagraph?.(metagraph);
    this.forgetStaleScores(metagraph);
    const targets = this.chooseMiners(metagraph);
    if (targets.length === 0) {
      log.debug('No miner to query this round');
      return null;
    }
    const prompt = await this.nextPrompt(signal);
    const durationTokens = this.options.durationTokens ?? VALIDATOR_DURATION_TOKENS;
    const timeoutSeconds = this.options.timeoutSeconds ?? VALIDATOR_TIMEOUT_SECONDS;
    if (this.stopped) return null;
    let round = store.openRound({
      scope: this.scope,
      started: this.nowIso(),
      block: metagraph.block,
      promptId: prompt.id,
      prompt: prompt.text,
      promptSource: prompt.source,
      referenceName: prompt.reference?.name ?? null,
      profile: this.profile,
      durationTokens,
      timeoutSeconds,
      uids: targets.map((n) => n.uid),
    });
    if (prompt.reference) round = this.keepReference(round, prompt.reference);
    this.current = round;
    this.emitRound(round);
    try {
      const answers = await Promise.all(
        targets.map((neuron) => this.ask(round.id, neuron, prompt.text, durationTokens, timeoutSeconds, signal)),
      );
      // Stopped mid-round: the cut-short calls are not the miners' fault (stop() closes the round).
      if (this.stopped) return null;
      store.setRoundState(round.id, 'scoring');
      const scored = await this.options.scorer.scoreRound(
        {
          prompt: prompt.text,
          reference: prompt.reference,
          profile: this.profile,
          answers: answers.filter((a): a is RoundAnswer => a !== null),
          time: this.nowIso(),
        },
        signal,
      );
      if (this.stopped) return null;
      this.applyRound(round.id, scored);
      round = store.round(round.id) ?? round;
      this.roundsDone++;
      log.info('Round scored', {
        round: round.id,
        prompt: prompt.text,
        scores: Object.fromEntries(scored.map((s) => [s.uid, this.scores.get(s.uid)?.score ?? 0])),
      });
      this.emitRound(round);
      return round;
    } catch (error) {
      if (this.stopped) return null;
      store.failRound(round.id, this.nowIso(), errorText(error));
      this.emitRound(store.round(round.id) ?? round);
      throw error;
    } finally {
      this.current = null;
    }
  }

  /**
   * The round's reference clip as a WAV beside its answers, so the page can play both. Only for
   * listening: a clip that cannot be written is logged and the round goes on (scoring has the
   * decoded clip in memory).
   */
  private keepReference(round: ValidatorRound, reference: NonNullable<ValidatorPrompt['reference']>): ValidatorRound {
    try {
      return this.options.store.addReference(round.id, reference);
    } catch (error) {
      this.options.log.warn("Could not keep the round's reference clip; the round goes on without it", {
        round: round.id,
        reference: reference.name,
        error: errorText(error),
      });
      return round;
    }
  }

  /**
   * One miner's call, stored as it comes back. A 403 (the miner's blacklist refused us) is kept
   * but not scored: the reference punishes any status but 200 and 403.
   */
  private async ask(
    roundId: number,
    neuron: Neuron,
    text: string,
    durationTokens: number,
    timeoutSeconds: number,
    signal: AbortSignal,
  ): Promise<RoundAnswer | null> {
    const started = performance.now();
    const result = await this.dendrite.callDetailed(
      {
        hotkey: neuron.hotkey,
        ip: neuron.axon.ip,
        port: neuron.axon.port,
        fingerprint: `${neuron.axon.block}:${neuron.axon.version}:${neuron.axon.ip}:${neuron.axon.port}`,
      },
      musicGeneration({ text_input: text, duration: durationTokens }),
      { timeoutSeconds, signal },
    );
    const { status_code: statusCode, status_message: statusMessage } = result.synapse.dendrite;
    const output = result.synapse.music_output;
    const samples = output === null ? null : output instanceof Float32Array ? output : Float32Array.from(output);
    let failure: string | null = null;
    if (statusCode !== 200) failure = `status ${statusCode ?? 'none'}: ${statusMessage ?? 'no message'}`;
    else if (!samples || samples.length === 0) failure = 'answered 200 without audio';
    const audio = failure === null && samples ? { samples, sampleRate: MUSIC_SAMPLE_RATE } : undefined;
    const id = this.options.store.addAnswer(
      roundId,
      {
        time: this.nowIso(),
        uid: neuron.uid,
        hotkey: neuron.hotkey,
        statusCode,
        statusMessage,
        route: result.route,
        elapsedMs: performance.now() - started,
        failure,
      },
      audio,
    );
    if (statusCode === 403) return null;
    const decoded: DecodedAudio | null = audio
      ? { container: 'wav', sampleRate: audio.sampleRate, channelData: [audio.samples] }
      : null;
    return {
      uid: neuron.uid,
      hotkey: neuron.hotkey,
      audio: decoded,
      ...(failure === null ? {} : { failure }),
      id: String(id),
    };
  }

  /** Judgements onto the moving averages (punishment first, as the reference orders them), stored at once. */
  private applyRound(roundId: number, scored: readonly ScoredAnswer[]): void {
    const alpha = this.options.alpha ?? EMA_ALPHA;
    const updated = this.nowIso();
    const next = new Map(this.scores);
    const outcomes = scored.map((answer) => {
      const previous = next.get(answer.uid);
      const before = previous && previous.hotkey === answer.hotkey ? previous.score : 0;
      const after = applyJudgement(before, answer.judgement, alpha);
      next.set(answer.uid, { uid: answer.uid, hotkey: answer.hotkey, score: after, updated });
      return {
        answerId: Number(answer.id),
        metrics: {
          raw: answer.raw ? { ...answer.raw } : null,
          durationSeconds: answer.durationSeconds,
          duplicate: answer.duplicate
            ? {
                hash: answer.duplicate.hash,
                exact: answer.duplicate.exact !== null,
                near: answer.duplicate.near
                  ? { matched: answer.duplicate.near.matched, similarity: answer.duplicate.near.similarity }
                  : null,
                duplicate: answer.duplicate.duplicate,
              }
            : null,
          rejection: rejectionJson(answer.rejection),
          errors: [...answer.errors],
        },
        judgement: { ...answer.judgement },
        scoreBefore: before,
        scoreAfter: after,
      };
    });
    const changed = scored.map((a) => next.get(a.uid)).filter((s): s is ValidatorScore => s !== undefined);
    this.options.store.closeRound(roundId, updated, outcomes, changed);
    this.scores = next;
  }

  /** scoring.md §1.1 step 11 and the reference's resync: 0.0.0.0 axons and replaced hotkeys start from 0. */
  private forgetStaleScores(metagraph: Metagraph): void {
    const byUid = new Map(metagraph.neurons.map((n) => [n.uid, n]));
    const updated = this.nowIso();
    const reset: ValidatorScore[] = [];
    for (const score of this.scores.values()) {
      const neuron = byUid.get(score.uid);
      if (!neuron) continue;
      const replaced = neuron.hotkey !== score.hotkey;
      if ((replaced || neuron.axon.ip === '0.0.0.0') && (score.score !== 0 || replaced)) {
        reset.push({ uid: score.uid, hotkey: neuron.hotkey, score: 0, updated });
      }
    }
    if (reset.length === 0) return;
    this.options.store.setScores(this.scope, reset, updated);
    for (const score of reset) this.scores.set(score.uid, score);
    this.options.log.info('Zeroed the scores of replaced or unserved uids', { uids: reset.map((s) => s.uid) });
  }

  /** The next miners of the shuffled pass; a new pass (a new shuffle) when this one runs out. */
  private chooseMiners(metagraph: Metagraph): Neuron[] {
    const queryable = new Map(
      metagraph.neurons.filter((n) => n.hotkey !== this.options.hotkey.address && served(n)).map((n) => [n.uid, n]),
    );
    const chosen: Neuron[] = [];
    const want = Math.min(this.minersPerRound, queryable.size);
    let refilled = false;
    while (chosen.length < want) {
      if (this.queue.length === 0) {
        if (refilled) break;
        this.queue = shuffle(
          [...queryable.keys()].filter((uid) => !chosen.some((n) => n.uid === uid)),
          this.options.random ?? Math.random,
        );
        refilled = true;
      }
      const uid = this.queue.shift() as number;
      const neuron = queryable.get(uid);
      if (neuron && !chosen.includes(neuron)) chosen.push(neuron);
    }
    return chosen;
  }

  private async nextPrompt(signal: AbortSignal): Promise<ValidatorPrompt> {
    try {
      return await this.options.prompts.next(signal);
    } catch (error) {
      const fallback = this.options.fallbackPrompts ?? new BundledPromptSource(Date.now() >>> 0);
      this.options.log.warn(`The prompt source failed; using ${fallback.describe()}`, { error: errorText(error) });
      return fallback.next(signal);
    }
  }

  private emitRound(round: ValidatorRound): void {
    this.options.onRound?.({ round, scores: [...this.scores.values()].sort((a, b) => a.uid - b.uid) });
  }

  private nowIso(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}

/** A uid whose axon is on chain (the default AxonInfo is all zeros). */
function served(neuron: Neuron): boolean {
  return neuron.axon.ip !== '0.0.0.0' && neuron.axon.port > 0;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function rejectionJson(rejection: ScoredAnswer['rejection']): JsonValue {
  if (!rejection) return null;
  if (rejection.kind === 'bad_signal') return { kind: rejection.kind, problems: [...rejection.problems] };
  return { kind: rejection.kind, detail: rejection.detail };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
