/**
 * The validator's real parts put together (issue #12 integration), for the engine's
 * ValidatorService and the `bittaudio validator` command alike:
 *
 * - the round scorer (scoring/round-scorer.ts) whose model tasks run in an inference worker
 *   process, never in the caller's: CLAP and AST, and VGGish for FAD when one is configured (else
 *   the CLAP-frame fallback, as raw-metrics.ts does it); its exact-hash ledger and near-duplicate
 *   index are the SQLite stores, so replays are caught across restarts;
 * - the chain weight setter (weight-setter.ts), which picks plain or commit-reveal from the
 *   subnet's hyperparameters and persists what it sent.
 *
 * The prompt source is the caller's: the local network brings its own (the replaying miner must
 * know the references), a real network takes `createPromptSource` with the bundled fallback.
 */
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KeyringPair } from '@polkadot/keyring/types';
import { resample as torchaudioResample } from '../audio/resample.js';
import type { SignalThresholds } from '../audio/signal-checks.js';
import type { Chain } from '../chain/chain.js';
import type { Netuid } from '../chain/types.js';
import type { ModelTaskSource } from '../inference/worker/protocol.js';
import { InferenceWorker, type SpawnWorker } from '../inference/worker/worker-client.js';
import type { Logger } from '../log/logger.js';
import { PersistentNearDuplicateIndex } from '../scoring/persistent-near-duplicate.js';
import { fadFrames, type ModelTaskRunner } from '../scoring/raw-metrics.js';
import { ModelRoundScorer, type FadEmbedder } from '../scoring/round-scorer.js';
import type { RoundScorer } from '../scoring/round-types.js';
import type { Db } from '../store/database.js';
import { DuplicateStore } from '../store/duplicate-store.js';
import { FingerprintStore } from '../store/fingerprint-store.js';
import { WeightsStore } from '../store/weights-store.js';
import { ChainWeightSetter } from './weight-setter.js';
import type { WeightSetter } from './validator-ports.js';

/** The models a round is scored with: folders and device, as resolveScoringModels gives them. */
export interface ValidatorScoringModels {
  readonly clap: ModelTaskSource;
  readonly classifier: ModelTaskSource;
  /** FAD's embedder; null → CLAP frames (10 s windows, so short clips get no FAD). */
  readonly vggish: ModelTaskSource | null;
}

export interface ValidatorPartsOptions {
  /** The data folder's database: hashes, fingerprints, weights. */
  readonly db: Db;
  readonly chain: Chain;
  readonly netuid: Netuid;
  readonly hotkey: KeyringPair;
  readonly log: Logger;
  readonly models: ValidatorScoringModels;
  /** Starts the scoring worker process (forkWorker under the daemon, utilityProcess in Electron). */
  readonly spawnWorker: SpawnWorker;
  /** Floor of the weights cadence in blocks (the local network sets weights often). */
  readonly weightsEveryBlocks?: number;
  /**
   * Null turns the reference-embedding near-duplicate check off: the tiny CLAP's embeddings of
   * half-second clips all sit near each other, so it would call every answer the reference.
   */
  readonly referenceEmbeddingThreshold?: number | null;
  /** Signal-check overrides (the local network's half-second clips are shorter than the 1 s floor). */
  readonly signalThresholds?: Partial<SignalThresholds>;
  /** The clip length asked for when it is not ~15 s: the duration penalty judges the share of it (round-scorer.ts). */
  readonly requestedSeconds?: number;
  readonly now?: () => Date;
}

export interface ValidatorParts {
  readonly scorer: RoundScorer;
  readonly weights: WeightSetter;
  /** Stops the scoring worker; call after the validator stopped. */
  close(): Promise<void>;
}

export function createValidatorParts(options: ValidatorPartsOptions): ValidatorParts {
  const worker = new InferenceWorker({ spawn: options.spawnWorker, logger: options.log.child('scoring.worker') });
  const run: ModelTaskRunner = (task) => worker.run(task);
  const index = new PersistentNearDuplicateIndex(new FingerprintStore(options.db), {
    ...(options.now ? { now: options.now } : {}),
  });
  const scorer = new ModelRoundScorer({
    run,
    ledger: new DuplicateStore(options.db),
    index,
    models: { clap: options.models.clap, classifier: options.models.classifier },
    fad: fadEmbedder(run, options.models),
    ...(options.referenceEmbeddingThreshold === undefined
      ? {}
      : { referenceEmbeddingThreshold: options.referenceEmbeddingThreshold }),
    ...(options.signalThresholds ? { signalThresholds: options.signalThresholds } : {}),
    ...(options.requestedSeconds === undefined ? {} : { requestedSeconds: options.requestedSeconds }),
  });
  const weights = new ChainWeightSetter({
    chain: options.chain,
    store: new WeightsStore(options.db),
    hotkey: options.hotkey,
    netuid: options.netuid,
    log: options.log.child('weights'),
    ...(options.weightsEveryBlocks ? { minIntervalBlocks: options.weightsEveryBlocks } : {}),
    ...(options.now ? { now: () => (options.now as () => Date)().getTime() } : {}),
  });
  return { scorer, weights, close: () => worker.close() };
}

/** VGGish frames when configured, else unit CLAP frames, through raw-metrics' own `fadFrames`. */
function fadEmbedder(run: ModelTaskRunner, models: ValidatorScoringModels): FadEmbedder {
  return {
    frames: async (clip) =>
      (
        await fadFrames(clip, models.vggish ? { clap: models.clap, vggish: models.vggish } : { clap: models.clap }, {
          run,
          resample: (samples, from, to) => torchaudioResample(samples, from, to),
        })
      ).frames,
  };
}

/**
 * The tiny CLAP, AST and VGGish shipped with the app (`models/tiny/`), found as findTinyModel
 * finds MusicGen: the local network scores with them on the CPU. Null when one is missing.
 */
export function findTinyScoringModels(
  from: string = dirname(fileURLToPath(import.meta.url)),
): ValidatorScoringModels | null {
  let dir = from;
  for (let i = 0; i < 4; i++) {
    for (const root of [join(dir, 'models', 'tiny')].flatMap((c) => [
      c.replace(/app\.asar(?=[\\/])/, 'app.asar.unpacked'),
      c,
    ])) {
      const folder = (name: string): string => join(root, name);
      if (['clap', 'ast', 'vggish'].every((name) => existsSync(folder(name)))) {
        return {
          clap: { dir: folder('clap'), device: 'cpu' },
          classifier: { dir: folder('ast'), device: 'cpu' },
          vggish: { dir: folder('vggish'), device: 'cpu' },
        };
      }
    }
    dir = dirname(dir);
  }
  return null;
}
