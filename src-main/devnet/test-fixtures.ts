/** Shared set-up for the devnet tests: a chain with one subnet and funded development keys. */
import type { Keyring } from '@polkadot/keyring';
import type { Netuid, Submission, Uid } from '../chain/types.js';
import { devnetKeyring, devParticipant, type DemoParticipant } from './demo.js';
import { DevnetChain, type DevnetChainOptions } from './devnet-chain.js';
import type { DevnetEvent, DevnetSubnetConfig } from './state.js';

export const TAO = 1_000_000_000n;

/**
 * Test subnet: tempo 10 (epochs in blocks 8, 19, 30, … for netuid 1), no rate limits, flat burn,
 * plain set_weights, one weight is enough. Tests override what they exercise.
 */
export const TEST_SUBNET: Partial<DevnetSubnetConfig> = {
  tempo: 10,
  immunityPeriod: 0,
  weightsRateLimit: 0,
  servingRateLimit: 0,
  minAllowedWeights: 1,
  commitRevealEnabled: false,
  burnIncreaseMult: 1,
  burnHalfLife: 0,
  burn: TAO / 10n,
};

export interface TestNet {
  chain: DevnetChain;
  netuid: Netuid;
  keyring: Keyring;
  events: DevnetEvent[];
  /** A development participant (`//Name`, `//Name//hotkey`) whose coldkey holds 1000 TAO. */
  actor(name: string): DemoParticipant;
  /** Registers and returns the uid; fails the test when the chain refuses. */
  register(participant: DemoParticipant): Promise<Uid>;
}

export async function testNet(
  config: Partial<DevnetSubnetConfig> = {},
  options: DevnetChainOptions = {},
  netuid: Netuid = 1,
): Promise<TestNet> {
  const keyring = await devnetKeyring();
  const chain = new DevnetChain(options);
  chain.createSubnet(netuid, { ...TEST_SUBNET, ...config });
  const events: DevnetEvent[] = [];
  chain.onEvent((event) => events.push(event));
  const actor = (name: string): DemoParticipant => {
    const participant = devParticipant(keyring, name);
    chain.endow(participant.coldkey.address, 1000n * TAO);
    return participant;
  };
  const register = async (participant: DemoParticipant): Promise<Uid> => {
    const result = await chain.burnedRegister(participant.coldkey, netuid, participant.hotkey.address);
    if (!result.ok) throw new Error(`registration failed: ${result.error.name}`);
    const uid = await chain.uidOf(netuid, participant.hotkey.address);
    if (uid === undefined) throw new Error('registration left no uid');
    return uid;
  };
  return { chain, netuid, keyring, events, actor, register };
}

/** The error name of a failed submission, or 'ok'. */
export function outcome(result: Submission): string {
  return result.ok ? 'ok' : result.error.name;
}

/** `items[index]`, failing loudly when it is missing (tests index arrays the chain returns). */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at index ${index}`);
  return item;
}
