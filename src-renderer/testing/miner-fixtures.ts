/** Miner data as the engine sends them (each checked against its schema by the tests that use it). */
import type { StoredGenerationItem, GenerationEvent } from '../../src-shared/schemas/generation.js';
import type { NetworkStatus } from '../../src-shared/schemas/network.js';
import type { NeuronStatus, RewardSnapshot } from '../../src-shared/schemas/neuron.js';

export const HOTKEY = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
export const VALIDATOR = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';

export function neuronStatus(patch: Partial<NeuronStatus> = {}): NeuronStatus {
  return {
    role: 'miner',
    state: 'stopped',
    hotkey: HOTKEY,
    uid: null,
    netuid: 50,
    axon: null,
    model: null,
    device: null,
    worker: { state: 'stopped', restarts: 0, lastError: null },
    queue: { queued: 0, running: 0 },
    answered: 0,
    failed: 0,
    chain: null,
    alerts: [],
    error: null,
    ...patch,
  };
}

export const RUNNING_NEURON: NeuronStatus = neuronStatus({
  state: 'running',
  uid: 3,
  axon: { host: '0.0.0.0', port: 8091, externalIp: '127.0.0.1', externalPort: 8091, servedOnChain: true },
  model: 'musicgen-tiny',
  device: 'cpu',
  worker: { state: 'ready', restarts: 1, lastError: null },
  queue: { queued: 2, running: 1 },
  answered: 12,
  failed: 1,
  chain: {
    stake: '1500000000',
    incentive: 0.25,
    emission: '123456789',
    trust: null,
    immunityBlocksLeft: 4000,
    block: 120,
  },
});

export function networkStatus(patch: Partial<NetworkStatus> = {}): NetworkStatus {
  return {
    kind: 'local',
    state: 'running',
    endpoint: 'local',
    netuid: 50,
    block: 120,
    tempo: 99,
    blocksUntilEpoch: 30,
    blockTimeMs: 1000,
    localMiners: 2,
    testValidator: { hotkey: VALIDATOR, queries: 40, answered: 38, lastWeightsBlock: 100 },
    error: null,
    ...patch,
  };
}

export function stored(id: number, patch: Partial<StoredGenerationItem> = {}): StoredGenerationItem {
  return {
    id,
    time: '2026-12-02T16:00:00.000Z',
    role: 'miner',
    caller: VALIDATOR,
    prompt: `prompt ${id}`,
    durationTokens: 253,
    durationSeconds: 5,
    model: 'musicgen-tiny',
    device: 'cpu',
    status: 'ok',
    error: null,
    queuedMs: 12,
    generateMs: 850,
    audioBytes: 160_044,
    mediaPath: `generations/${id}.wav`,
    ...patch,
  };
}

export function job(id: string, patch: Partial<GenerationEvent> = {}): GenerationEvent {
  return {
    id,
    state: 'running',
    step: 10,
    steps: 253,
    stepsPerSecond: 50,
    etaMs: 4860,
    prompt: 'lo-fi beat',
    durationSeconds: 5,
    caller: VALIDATOR,
    ...patch,
  };
}

export function reward(block: number, incentive: number, emission: string): RewardSnapshot {
  return {
    time: '2026-12-02T16:00:00.000Z',
    block,
    netuid: 50,
    uid: 3,
    hotkey: HOTKEY,
    stake: '1500000000',
    incentive,
    emission,
    trust: null,
  };
}
