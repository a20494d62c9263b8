/**
 * The local network's stand-in validator (not the real one: that comes with scoring). Every few
 * blocks it sends each served miner one signed `MusicGeneration` query from a small bundled prompt
 * list, over HTTP through the real dendrite, and sets weights on the chain from one rule:
 *
 *   score(uid) ← (1 − α)·score(uid) + α·ok,  ok = 1 when the miner answered 200 with exactly the
 *   audio length asked for (finite samples), before the timeout; 0 otherwise. α = 0.5.
 *
 * Weights are the scores, max-upscaled to u16 the way the Python SDK emits them, set whenever the
 * subnet's weights rate limit allows and some score is above zero. So a miner that answers earns
 * incentive at the next epoch; one that stops answering loses it within a few rounds.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { musicGeneration } from '../../src-shared/synapse/music-generation.js';
import type { Chain } from '../chain/chain.js';
import type { Netuid, Neuron, Uid } from '../chain/types.js';
import { convertWeightsAndUidsForEmit } from '../chain/weights.js';
import { expectedSamples, DEFAULT_FRAME_RATE } from '../inference/generate/request.js';
import type { Logger } from '../log/logger.js';
import { Dendrite } from '../net/dendrite.js';

/** Short, varied prompts; the tiny model does not care, a real one on the local network would. */
export const TEST_PROMPTS: readonly string[] = Object.freeze([
  'lo-fi hip hop beat with mellow piano and vinyl crackle',
  'upbeat electronic dance track with a driving bassline',
  'calm acoustic guitar melody by a campfire',
  'epic orchestral theme with brass and timpani',
  'jazz trio with brushed drums and walking bass',
  'ambient synth pad with slow evolving textures',
  'funky disco groove with slap bass and strings',
  'solo cello playing a sad slow melody',
]);

/** EnCodec 32 kHz: 640 samples per token (frame). */
const HOP = 32_000 / DEFAULT_FRAME_RATE;

export interface TestValidatorOptions {
  chain: Chain;
  netuid: Netuid;
  /** A registered hotkey with a validator permit and the stake miners ask of callers. */
  hotkey: KeyringPair;
  log: Logger;
  /** A round every this many blocks (default 3). */
  everyBlocks?: number;
  /** Tokens asked per query (default 28, about half a second). */
  durationTokens?: number;
  /** Per-query timeout, seconds (default 10). */
  timeoutSeconds?: number;
  /** EMA factor α (default 0.5). */
  alpha?: number;
  prompts?: readonly string[];
}

export interface TestValidatorStatus {
  hotkey: string;
  /** Requests sent / answered with audio of the right length since start. */
  queries: number;
  answered: number;
  /** Block of the last accepted set_weights; null before the first. */
  lastWeightsBlock: number | null;
  /** The EMA score of each uid queried so far. */
  scores: ReadonlyMap<Uid, number>;
}

export interface RoundResult {
  block: number;
  queried: Uid[];
  answered: Uid[];
  /** Whether set_weights was sent and accepted in this round. */
  weightsSet: boolean;
}

export class TestValidator {
  private readonly dendrite: Dendrite;
  private readonly scores = new Map<Uid, number>();
  private queries = 0;
  private answered = 0;
  private lastWeightsBlock: number | null = null;
  private promptIndex = 0;
  private round: Promise<RoundResult> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly options: TestValidatorOptions) {
    this.dendrite = new Dendrite({ hotkey: options.hotkey, log: options.log.child('dendrite') });
  }

  /** Runs a round every `everyBlocks` blocks (a round still running makes the next trigger skip). */
  start(): void {
    const every = this.options.everyBlocks ?? 3;
    this.unsubscribe = this.options.chain.onNewBlock((block) => {
      if (block % every !== 0 || this.round) return;
      void this.runRound().catch((error: unknown) =>
        this.options.log.warn('Test validator round failed', { error: String(error) }),
      );
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.round?.catch(() => undefined);
    this.dendrite.close();
  }

  status(): TestValidatorStatus {
    return {
      hotkey: this.options.hotkey.address,
      queries: this.queries,
      answered: this.answered,
      lastWeightsBlock: this.lastWeightsBlock,
      scores: new Map(this.scores),
    };
  }

  /** Resolves when no round is running (tests that drive blocks by hand wait on it). */
  async idle(): Promise<void> {
    while (this.round) await this.round.catch(() => undefined);
  }

  /** One round now: query every served miner, update the scores, set weights if allowed. */
  runRound(): Promise<RoundResult> {
    if (this.round) return this.round;
    const round = this.doRound().finally(() => {
      if (this.round === round) this.round = null;
    });
    this.round = round;
    return round;
  }

  private async doRound(): Promise<RoundResult> {
    const { chain, netuid, hotkey, log } = this.options;
    const metagraph = await chain.metagraph(netuid);
    const targets = metagraph.neurons.filter((n) => n.hotkey !== hotkey.address && served(n));
    const durationTokens = this.options.durationTokens ?? 28;
    const expected = expectedSamples(durationTokens, HOP);
    const prompts = this.options.prompts ?? TEST_PROMPTS;
    const results = await Promise.all(
      targets.map(async (neuron) => {
        const prompt = prompts[this.promptIndex++ % prompts.length] ?? 'music';
        this.queries++;
        const answer = await this.dendrite.call(
          {
            hotkey: neuron.hotkey,
            ip: neuron.axon.ip,
            port: neuron.axon.port,
            fingerprint: `${neuron.axon.block}:${neuron.axon.version}:${neuron.axon.ip}:${neuron.axon.port}`,
          },
          musicGeneration({ text_input: prompt, duration: durationTokens }),
          { timeoutSeconds: this.options.timeoutSeconds ?? 10 },
        );
        const output = answer.music_output;
        const ok =
          answer.dendrite.status_code === 200 &&
          output !== null &&
          output.length === expected &&
          Array.prototype.every.call(output, Number.isFinite);
        if (ok) this.answered++;
        else
          log.debug('A local miner did not answer in full', {
            uid: neuron.uid,
            status: answer.dendrite.status_code,
            message: answer.dendrite.status_message,
          });
        return { uid: neuron.uid, ok };
      }),
    );
    const alpha = this.options.alpha ?? 0.5;
    for (const { uid, ok } of results) {
      const before = this.scores.get(uid) ?? 0;
      this.scores.set(uid, (1 - alpha) * before + alpha * (ok ? 1 : 0));
    }
    // Uids that left the metagraph or stopped serving keep no score.
    const present = new Set(targets.map((n) => n.uid));
    for (const uid of [...this.scores.keys()]) if (!present.has(uid)) this.scores.delete(uid);

    const block = await chain.currentBlock();
    const weightsSet = this.stopped ? false : await this.setWeightsIfAllowed(block);
    return {
      block,
      queried: results.map((r) => r.uid),
      answered: results.filter((r) => r.ok).map((r) => r.uid),
      weightsSet,
    };
  }

  private async setWeightsIfAllowed(block: number): Promise<boolean> {
    const { chain, netuid, hotkey, log } = this.options;
    const hyper = await chain.hyperparameters(netuid);
    if (this.lastWeightsBlock !== null && block - this.lastWeightsBlock < hyper.weightsRateLimit) return false;
    const uids = [...this.scores.keys()].sort((a, b) => a - b);
    const emit = convertWeightsAndUidsForEmit(
      uids,
      uids.map((uid) => this.scores.get(uid) ?? 0),
      { dtype: 'float64' },
    );
    if (emit.uids.length === 0) return false;
    const result = await chain.setWeights(hotkey, {
      netuid,
      uids: emit.uids,
      weights: emit.weights,
      versionKey: hyper.weightsVersionKey,
    });
    if (!result.ok) {
      log.warn('The test validator could not set weights', { error: result.error.name, message: result.error.message });
      return false;
    }
    this.lastWeightsBlock = result.blockNumber ?? block;
    log.debug('Test validator set weights', { block: this.lastWeightsBlock, uids: emit.uids, weights: emit.weights });
    return true;
  }
}

/** A uid whose axon is on chain (the default AxonInfo is all zeros). */
function served(neuron: Neuron): boolean {
  return neuron.axon.ip !== '0.0.0.0' && neuron.axon.port > 0;
}
