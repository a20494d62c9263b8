/**
 * Who may call the axon (wire-protocol §7.3): registered hotkeys with enough stake, optionally only
 * validators. The metagraph is read through a small synchronous interface, so the check happens
 * without awaiting anything between the nonce check and storing the nonce.
 */
import { RAO_PER_TAO } from '../../src-shared/domain/units.js';
import type { Chain } from '../chain/chain.js';
import type { Netuid, Ss58, Uid } from '../../src-shared/domain/ids.js';
import type { Metagraph, Neuron } from '../chain/types.js';

/** A verified caller as the axon knows it from the metagraph. */
export interface Caller {
  hotkey: Ss58;
  uid: Uid;
  /** The stake the policy and the priority use, rao. */
  stake: bigint;
  validatorPermit: boolean;
}

/** The axon's view of the subnet: undefined for a hotkey that is not registered. */
export interface MetagraphProvider {
  caller(hotkey: Ss58): Caller | undefined;
}

export interface BlacklistPolicy {
  /** Callers with less stake get 403 "Low stake". BittAudio's MIN_STAKE is 10 000 (§7.3). */
  minStakeRao: bigint;
  /** Also refuse registered callers without a validator permit. Off in BittAudio. */
  requireValidatorPermit: boolean;
}

export const DEFAULT_MIN_STAKE_RAO = 10_000n * RAO_PER_TAO;

export const DEFAULT_BLACKLIST_POLICY: Readonly<BlacklistPolicy> = Object.freeze({
  minStakeRao: DEFAULT_MIN_STAKE_RAO,
  requireValidatorPermit: false,
});

/**
 * The reason a caller is refused, in BittAudio's words, or undefined when it is accepted. The axon
 * answers 403 `Forbidden. Key is blacklisted: {reason}.`
 */
export function blacklistReason(caller: Caller | undefined, policy: BlacklistPolicy): string | undefined {
  if (!caller) return 'Unrecognized hotkey';
  if (policy.requireValidatorPermit && !caller.validatorPermit) return 'No validator permit';
  if (caller.stake < policy.minStakeRao) return 'Low stake';
  return undefined;
}

export interface MetagraphCallersOptions {
  /**
   * Which stake counts, rao. Default: the hotkey's alpha on the subnet. BittAudio compares
   * `metagraph.S`, which newer SDKs fill with the total stake weight (`totalStake`; §12).
   */
  stakeOf?: (neuron: Neuron) => bigint;
}

/** A MetagraphProvider over the latest metagraph read from the chain. */
export class MetagraphCallers implements MetagraphProvider {
  private byHotkey = new Map<Ss58, Caller>();
  private readonly stakeOf: (neuron: Neuron) => bigint;
  block: number | undefined;

  constructor(metagraph?: Metagraph, options: MetagraphCallersOptions = {}) {
    this.stakeOf = options.stakeOf ?? ((neuron) => neuron.alphaStake);
    if (metagraph) this.update(metagraph);
  }

  update(metagraph: Metagraph): void {
    const next = new Map<Ss58, Caller>();
    for (const neuron of metagraph.neurons) {
      next.set(neuron.hotkey, {
        hotkey: neuron.hotkey,
        uid: neuron.uid,
        stake: this.stakeOf(neuron),
        validatorPermit: neuron.validatorPermit,
      });
    }
    this.byHotkey = next;
    this.block = metagraph.block;
  }

  /** Reads the subnet's metagraph now and uses it from then on. */
  async refresh(chain: Pick<Chain, 'metagraph'>, netuid: Netuid): Promise<void> {
    this.update(await chain.metagraph(netuid));
  }

  caller(hotkey: Ss58): Caller | undefined {
    return this.byHotkey.get(hotkey);
  }
}
