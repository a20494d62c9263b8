/**
 * The demo network for `npm start`: subnet 50 with a short tempo, a staked validator, a few
 * registered miners and a funded spare coldkey, all from the well-known development URIs.
 *
 * Keys: the coldkey of each participant is `//Name`, its hotkey `//Name//hotkey`.
 * - validator: Alice (stake 1000 alpha, validator permit from the start)
 * - miners: Bob, Charlie, Dave (then `//Miner4`, `//Miner5`, … when more are asked for)
 * - spare: Eve, funded but not registered (to try registration from the app)
 * - subnet owner: Ferdie (its hotkey is not registered; it receives the owner cut)
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Netuid, Uid } from '../chain/types.js';
import { DevnetChain, type DevnetChainOptions } from './devnet-chain.js';
import { DevnetError } from './errors.js';
import type { DevnetSubnetConfig } from './state.js';

export interface DemoParticipant {
  name: string;
  coldkeyUri: string;
  hotkeyUri: string;
  coldkey: KeyringPair;
  hotkey: KeyringPair;
}

export interface RegisteredParticipant extends DemoParticipant {
  uid: Uid;
}

export interface DemoDevnet {
  chain: DevnetChain;
  netuid: Netuid;
  validator: RegisteredParticipant;
  miners: RegisteredParticipant[];
  spare: DemoParticipant;
  owner: DemoParticipant;
}

export interface DemoDevnetOptions {
  /** Default 50. */
  netuid?: Netuid;
  /** Registered miners (default 3). */
  miners?: number;
  /** Subnet overrides on top of DEMO_SUBNET. */
  subnet?: Partial<DevnetSubnetConfig>;
  /** Validator stake, alpha rao (default 1000 alpha). */
  validatorStake?: bigint;
  /** Free TAO given to every coldkey, rao (default 100 TAO). */
  endowment?: bigint;
  chain?: DevnetChainOptions;
  /** When set, blocks are produced every this many milliseconds from the start. */
  blockTimeMs?: number;
}

/**
 * Demo-friendly subnet settings: epochs every 11 blocks (tempo 10), weights every 5 blocks, plain
 * set_weights (commit-reveal off), one weight is enough, 16 uids, 1 alpha per block.
 */
export const DEMO_SUBNET: Readonly<Partial<DevnetSubnetConfig>> = Object.freeze({
  tempo: 10,
  immunityPeriod: 100,
  weightsRateLimit: 5,
  minAllowedWeights: 1,
  commitRevealEnabled: false,
  servingRateLimit: 5,
  maxAllowedUids: 16,
  maxAllowedValidators: 4,
  activityCutoff: 5000,
  burnHalfLife: 100,
  alphaEmissionPerBlock: 1_000_000_000n,
});

const MINER_NAMES = ['Bob', 'Charlie', 'Dave'];
const TAO = 1_000_000_000n;

/** An sr25519 keyring with the SS58 prefix 42, after the crypto WASM is ready. */
export async function devnetKeyring(): Promise<Keyring> {
  await cryptoWaitReady();
  return new Keyring({ type: 'sr25519', ss58Format: 42 });
}

/** Coldkey `//Name` and hotkey `//Name//hotkey` of a development participant. */
export function devParticipant(keyring: Keyring, name: string): DemoParticipant {
  const coldkeyUri = name.startsWith('//') ? name : `//${name}`;
  const hotkeyUri = `${coldkeyUri}//hotkey`;
  return {
    name: coldkeyUri.slice(2),
    coldkeyUri,
    hotkeyUri,
    coldkey: keyring.addFromUri(coldkeyUri),
    hotkey: keyring.addFromUri(hotkeyUri),
  };
}

export async function createDemoDevnet(options: DemoDevnetOptions = {}): Promise<DemoDevnet> {
  const keyring = await devnetKeyring();
  const netuid = options.netuid ?? 50;
  const minerCount = options.miners ?? 3;
  if (!Number.isInteger(minerCount) || minerCount < 0) throw new DevnetError('miners must be a count >= 0');
  const endowment = options.endowment ?? 100n * TAO;

  const validator = devParticipant(keyring, 'Alice');
  const miners = Array.from({ length: minerCount }, (_, i) =>
    devParticipant(keyring, MINER_NAMES[i] ?? `Miner${i + 1}`),
  );
  const spare = devParticipant(keyring, 'Eve');
  const owner = devParticipant(keyring, 'Ferdie');

  const subnet: Partial<DevnetSubnetConfig> = {
    ...DEMO_SUBNET,
    owner: { coldkey: owner.coldkey.address, hotkey: owner.hotkey.address },
    ...options.subnet,
  };
  const needed = minerCount + 1;
  if ((subnet.maxAllowedUids ?? 0) < needed) subnet.maxAllowedUids = needed;

  const chain = new DevnetChain(options.chain);
  chain.createSubnet(netuid, subnet);
  for (const p of [validator, ...miners, spare, owner]) chain.endow(p.coldkey.address, endowment);

  const register = async (p: DemoParticipant): Promise<RegisteredParticipant> => {
    const result = await chain.burnedRegister(p.coldkey, netuid, p.hotkey.address);
    if (!result.ok) throw new DevnetError(`demo registration of ${p.name} failed: ${result.error.message}`);
    const uid = await chain.uidOf(netuid, p.hotkey.address);
    if (uid === undefined) throw new DevnetError(`demo registration of ${p.name} left no uid`);
    return { ...p, uid };
  };
  const registeredValidator = await register(validator);
  const registeredMiners: RegisteredParticipant[] = [];
  for (const miner of miners) registeredMiners.push(await register(miner));

  chain.addStake(netuid, validator.hotkey.address, options.validatorStake ?? 1000n * TAO);
  chain.refreshValidatorPermits(netuid);
  if (options.blockTimeMs !== undefined) chain.startBlockProduction(options.blockTimeMs);

  return { chain, netuid, validator: registeredValidator, miners: registeredMiners, spare, owner };
}
