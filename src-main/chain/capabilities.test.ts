import { describe, expect, it } from 'vitest';
import { RuntimeCapabilities } from './capabilities.js';
import { ChainError, subnetMissing } from './errors.js';

function runtime(
  specVersion: number,
  parts: { apis?: Record<string, 'typed' | 'bytes'>; calls?: string[]; storage?: string[] },
): RuntimeCapabilities {
  return new RuntimeCapabilities({
    specVersion,
    runtimeApis: new Map(Object.entries(parts.apis ?? {})),
    calls: new Set((parts.calls ?? []).map((c) => `subtensorModule.${c}`)),
    storage: new Set((parts.storage ?? []).map((c) => `subtensorModule.${c}`)),
  });
}

/** What spec 218 (raonet) offers, as far as these choices look. */
const SPEC_218 = runtime(218, {
  apis: { 'neuronInfoRuntimeApi.getNeuronsLite': 'bytes', 'subnetInfoRuntimeApi.getSubnetHyperparams': 'bytes' },
  calls: ['setWeights', 'commitWeights', 'revealWeights', 'burnedRegister', 'serveAxon'],
  storage: ['tempo', 'burn', 'networksAdded', 'keys'],
});

const SPEC_393 = runtime(393, {
  apis: {
    'subnetInfoRuntimeApi.getMetagraph': 'typed',
    'subnetInfoRuntimeApi.getSelectiveMetagraph': 'typed',
    'subnetInfoRuntimeApi.getSubnetHyperparamsV2': 'typed',
    'neuronInfoRuntimeApi.getNeuronsLite': 'typed',
  },
  calls: [
    'setWeights',
    'setMechanismWeights',
    'commitMechanismWeights',
    'revealMechanismWeights',
    'commitTimelockedMechanismWeights',
  ],
  storage: ['tempo', 'burn', 'networksAdded'],
});

function failureOf(action: () => unknown): ChainError {
  try {
    action();
  } catch (error) {
    if (error instanceof ChainError) return error;
    throw error;
  }
  throw new Error('expected a ChainError');
}

describe('runtime capabilities', () => {
  it('prefers the metagraph API, then a typed get_neurons_lite, then storage; never untyped bytes', () => {
    expect(SPEC_393.metagraphSource()).toBe('getMetagraph');
    const liteOnly = runtime(300, { apis: { 'neuronInfoRuntimeApi.getNeuronsLite': 'typed' } });
    expect(liteOnly.metagraphSource()).toBe('neuronsLite');
    expect(SPEC_218.metagraphSource()).toBe('storage');
  });

  it('a runtime without any metagraph API gets its own message, unlike a missing subnet', () => {
    const failure = failureOf(() => runtime(100, {}).metagraphSource());
    expect(failure.kind).toBe('unsupported');
    expect(failure.message).toBe(
      "This node's runtime (spec 100) cannot serve the metagraph: it has neither " +
        'SubnetInfoRuntimeApi.get_metagraph nor NeuronInfoRuntimeApi.get_neurons_lite nor the uid storage. ' +
        'Connect to a node with a newer subtensor runtime.',
    );
    expect(failure.message).not.toBe(subnetMissing(2).message);
    expect(subnetMissing(2).kind).toBe('subnet-missing');
  });

  it('reads hyperparameters from the selective metagraph, then v2, then storage; never from untyped bytes', () => {
    expect(SPEC_393.hyperparametersSource()).toBe('selectiveMetagraph');
    const v2Only = runtime(380, { apis: { 'subnetInfoRuntimeApi.getSubnetHyperparamsV2': 'typed' } });
    expect(v2Only.hyperparametersSource()).toBe('hyperparamsV2');
    expect(SPEC_218.hyperparametersSource()).toBe('storage');
  });

  it('uses the mechanism weight calls where they exist and the plain ones for mechanism 0 on older runtimes', () => {
    expect(SPEC_393.weightsCall('set', 0)).toEqual({ call: 'setMechanismWeights', withMechanism: true });
    expect(SPEC_393.weightsCall('reveal', 2)).toEqual({ call: 'revealMechanismWeights', withMechanism: true });
    expect(SPEC_218.weightsCall('set', 0)).toEqual({ call: 'setWeights', withMechanism: false });
    expect(SPEC_218.weightsCall('commit', 0)).toEqual({ call: 'commitWeights', withMechanism: false });
    expect(SPEC_218.weightsCall('reveal', 0)).toEqual({ call: 'revealWeights', withMechanism: false });
  });

  it('refuses by name what the runtime cannot do: another mechanism, or timelocked commits', () => {
    expect(failureOf(() => SPEC_218.weightsCall('set', 1)).message).toMatch(
      /^This node's runtime \(spec 218\) cannot serve weights for mechanism 1: it has no SubtensorModule\.set_mechanism_weights\./,
    );
    expect(SPEC_393.timelockedCommitCall(0)).toEqual({ call: 'commitTimelockedMechanismWeights', withMechanism: true });
    const refusal = failureOf(() => SPEC_218.timelockedCommitCall(0));
    expect(refusal.kind).toBe('unsupported');
    expect(refusal.message).toMatch(/spec 218\) cannot serve timelocked weight commits/);
  });

  it('takes the next epoch from the runtime API where it exists (spec ≥ 424), else from the schedule', () => {
    expect(SPEC_393.nextEpochSource()).toBe('schedule');
    const spec424 = runtime(424, { apis: { 'subnetInfoRuntimeApi.getNextEpochStartBlock': 'typed' } });
    expect(spec424.nextEpochSource()).toBe('runtimeApi');
  });
});
