/** The validator's status, rounds, answers and weights as the engine sends them, for the renderer's tests. */
import type {
  ValidatorAnswer,
  ValidatorRound,
  ValidatorStatus,
  WeightsSubmissionWire,
} from '../../src-shared/schemas/validator.js';

export const HOTKEY_A = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
export const HOTKEY_B = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';

export function round(id: number, patch: Partial<ValidatorRound> = {}): ValidatorRound {
  return {
    id,
    started: '2026-12-03T08:00:00.000Z',
    block: 100 + id,
    promptId: `p${id}`,
    prompt: `lofi beat number ${id}`,
    promptSource: 'bundled',
    referenceName: `reference-${id}.wav`,
    profile: 'bittaudio-1.1.3',
    durationTokens: 250,
    timeoutSeconds: 30,
    uids: [1, 2],
    state: 'done',
    ended: '2026-12-03T08:00:20.000Z',
    error: null,
    referenceWavFile: `validator/${id}-reference.wav`,
    ...patch,
  };
}

export function weights(patch: Partial<WeightsSubmissionWire> = {}): WeightsSubmissionWire {
  return {
    id: 1,
    mode: 'plain',
    block: 140,
    uids: [1, 2],
    weights: [49151, 16384],
    extrinsic: '0xabcdef0123456789abcdef',
    state: 'included',
    error: null,
    time: '2026-12-03T08:01:00.000Z',
    ...patch,
  };
}

export function validatorStatus(patch: Partial<ValidatorStatus> = {}): ValidatorStatus {
  return {
    state: 'stopped',
    hotkey: null,
    netuid: null,
    profile: 'bittaudio-1.1.3',
    minersPerRound: 8,
    alpha: 0.1,
    prompts: null,
    roundsDone: 0,
    current: null,
    last: null,
    scores: [],
    lastWeights: null,
    error: null,
    nextWeightsBlock: null,
    permit: null,
    ...patch,
  };
}

export const RUNNING_VALIDATOR = validatorStatus({
  state: 'running',
  hotkey: HOTKEY_A,
  netuid: 50,
  prompts: 'bundled (8 prompts)',
  roundsDone: 3,
  current: round(4, { state: 'querying', ended: null, uids: [1, 2, 7] }),
  last: round(3),
  scores: [
    { uid: 1, hotkey: HOTKEY_A, score: 0.25, updated: '2026-12-03T08:00:20.000Z' },
    { uid: 2, hotkey: HOTKEY_B, score: 0.75, updated: '2026-12-03T08:00:20.000Z' },
  ],
  lastWeights: weights(),
  nextWeightsBlock: 260,
  permit: { block: 139, validatorPermit: true, stake: '5000000000000', lowestPermittedStake: '1000000000000' },
});

export function answer(id: number, patch: Partial<ValidatorAnswer> = {}): ValidatorAnswer {
  return {
    id,
    roundId: 3,
    time: '2026-12-03T08:00:10.000Z',
    uid: 2,
    hotkey: HOTKEY_B,
    statusCode: 200,
    statusMessage: null,
    route: 'sealed',
    elapsedMs: 1500,
    failure: null,
    samples: 160_000,
    sampleRate: 32_000,
    audioBytes: 320_044,
    wavFile: `validator/answer-${id}.wav`,
    metrics: {
      raw: { kld: 1.23456, fad: 4.5, clap: 0.31 },
      durationSeconds: 5,
      duplicate: { hash: 'ab12', exact: false, near: null, duplicate: false },
      rejection: null,
      errors: [],
    },
    judgement: {
      punish: false,
      update: 0.5,
      normalizedKld: 0.61,
      normalizedFad: 0.42,
      quality: 0.5,
      gatedScore: 0.5,
      durationMultiplier: 1,
      note: 'scored',
    },
    scoreBefore: 0.7,
    scoreAfter: 0.68,
    referenceWavFile: `validator/${patch.roundId ?? 3}-reference.wav`,
    ...patch,
  };
}
