import type { FakeSubtensorNode } from './fake-node.js';

function metagraphAnswer(
  node: FakeSubtensorNode,
  hotkeys: [string, string],
  overrides: Record<string, unknown>,
): Uint8Array {
  const type = node.runtimeOutputType('SubnetInfoRuntimeApi', 'get_metagraph');
  return node.registry
    .createType(type, {
      netuid: 50,
      block: 4_000_000,
      tempo: 360,
      hotkeys,
      coldkeys: [hotkeys[1], hotkeys[0]],
      axons: [
        { block: 3_999_000, version: 10002000, ip: 3325256724n, port: 8091, ipType: 4, protocol: 4 },
        { block: 0, version: 0, ip: 0, port: 0, ipType: 0, protocol: 0 },
      ],
      active: [true, false],
      validatorPermit: [true, false],
      lastUpdate: [3_999_900, 12],
      emission: [1_500_000_000n, 0],
      dividends: [65535, 0],
      incentives: [0, 32768],
      consensus: [0, 65535],
      blockAtRegistration: [100, 200],
      alphaStake: [123_456_789_000n, 5],
      totalStake: [200_000_000_000n, 5],
      weightsVersion: 10002000,
      weightsRateLimit: 100,
      minAllowedWeights: 8,
      maxWeightsLimit: 65535,
      commitRevealWeightsEnabled: true,
      commitRevealPeriod: 1,
      servingRateLimit: 50,
      maxValidators: 64,
      maxUids: 256,
      activityCutoff: 5000,
      registrationAllowed: true,
      immunityPeriod: 4096,
      burn: 250_000_000n,
      ...overrides,
    })
    .toU8a();
}

/** Makes the node answer get_metagraph and get_selective_metagraph for a two-uid subnet 50. */
export function answerMetagraph(
  node: FakeSubtensorNode,
  hotkeys: [string, string],
  overrides: Record<string, unknown> = {},
): void {
  const full = metagraphAnswer(node, hotkeys, overrides);
  node.runtimeCalls.set('SubnetInfoRuntimeApi_get_metagraph', () => full);
  // Selective reads get every field as Some(...): the same struct, each value wrapped.
  const selectiveType = node.runtimeOutputType('SubnetInfoRuntimeApi', 'get_selective_metagraph');
  const decoded = node.registry.createType(
    node.runtimeOutputType('SubnetInfoRuntimeApi', 'get_metagraph'),
    full,
  ) as unknown as {
    unwrap(): { toJSON(): Record<string, unknown> };
  };
  const selective = node.registry.createType(selectiveType, decoded.unwrap().toJSON()).toU8a();
  node.runtimeCalls.set('SubnetInfoRuntimeApi_get_selective_metagraph', () => selective);
}
