/**
 * What the chain says of our miner, and the alerts a user should act on, as plain functions of a
 * metagraph (so they are tested without a chain), plus the book that keeps each alert's `since`.
 */
import type { Alert, AlertKind, NeuronChainStats } from '../../src-shared/schemas/neuron.js';
import type { Metagraph, Neuron, Ss58, Uid } from '../chain/types.js';

export type AlertDraft = Pick<Alert, 'kind' | 'severity' | 'message'>;

/** Our uid's stake, incentive, emission and immunity at the metagraph's block; null when the uid is not ours. */
export function chainStatsOf(
  metagraph: Metagraph,
  uid: Uid,
  hotkey: Ss58,
  immunityPeriod: number,
): NeuronChainStats | null {
  const neuron = ownNeuron(metagraph, uid, hotkey);
  if (!neuron) return null;
  return {
    stake: neuron.alphaStake.toString(),
    incentive: clamp01(neuron.incentive),
    emission: neuron.emission.toString(),
    // The metagraph this client reads has no trust column (subtensor dropped it from the runtime API).
    trust: null,
    immunityBlocksLeft: immunityBlocksLeft(neuron, immunityPeriod, metagraph.block),
    block: metagraph.block,
  };
}

export function immunityBlocksLeft(
  neuron: Pick<Neuron, 'blockAtRegistration'>,
  immunityPeriod: number,
  block: number,
): number {
  return Math.max(0, neuron.blockAtRegistration + immunityPeriod - block);
}

export interface ChainAlertInput {
  metagraph: Metagraph;
  uid: Uid;
  hotkey: Ss58;
  netuid: number;
  immunityPeriod: number;
  /** The address we serve and announced. */
  axon: { externalIp: string; externalPort: number };
}

/**
 * The chain-derived alerts (wire-protocol §6 for the axon fields):
 * - deregistered: our uid now holds another hotkey (pruned for a newcomer);
 * - immunity_ending: at most two epochs (or a tenth of the period) of immunity left while our
 *   incentive is below the subnet's median miner incentive, the ones pruned first once immunity ends;
 * - axon_not_served: the chain has no address for our uid (0.0.0.0 / port 0);
 * - axon_address_mismatch: it has another one (another machine serves this hotkey, or the IP changed).
 */
export function chainAlerts(input: ChainAlertInput): AlertDraft[] {
  const { metagraph, uid, hotkey, netuid } = input;
  const neuron = ownNeuron(metagraph, uid, hotkey);
  if (!neuron) {
    return [
      {
        kind: 'deregistered',
        severity: 'error',
        message:
          `The hotkey ${hotkey} lost uid ${uid} on subnet ${netuid} (deregistered: pruned for a new registration). ` +
          'Register again to keep mining: bittaudio wallet register.',
      },
    ];
  }
  const alerts: AlertDraft[] = [];
  const left = immunityBlocksLeft(neuron, input.immunityPeriod, metagraph.block);
  const soon = Math.max(2 * (metagraph.tempo + 1), Math.ceil(input.immunityPeriod / 10));
  const median = medianMinerIncentive(metagraph, uid);
  if (left > 0 && left <= soon && neuron.incentive < median) {
    alerts.push({
      kind: 'immunity_ending',
      severity: 'warning',
      message:
        `Immunity ends in ${left} blocks and the incentive (${neuron.incentive.toFixed(4)}) is below the subnet's median ` +
        `(${median.toFixed(4)}): the uid may be deregistered. Check that validators reach the axon and the model answers in time.`,
    });
  }
  const served = neuron.axon;
  if (served.port === 0 || served.ip === '0.0.0.0' || served.ip === '::') {
    alerts.push({
      kind: 'axon_not_served',
      severity: 'error',
      message: `The chain has no axon address for uid ${uid}: validators cannot reach this miner.`,
    });
  } else if (served.ip !== input.axon.externalIp || served.port !== input.axon.externalPort) {
    alerts.push({
      kind: 'axon_address_mismatch',
      severity: 'warning',
      message:
        `The chain announces ${served.ip}:${served.port} for uid ${uid}, but this miner serves ` +
        `${input.axon.externalIp}:${input.axon.externalPort}. Another machine may serve this hotkey; stop one of them.`,
    });
  }
  return alerts;
}

function ownNeuron(metagraph: Metagraph, uid: Uid, hotkey: Ss58): Neuron | undefined {
  const neuron = metagraph.neurons.find((n) => n.uid === uid);
  return neuron?.hotkey === hotkey ? neuron : undefined;
}

function medianMinerIncentive(metagraph: Metagraph, ownUid: Uid): number {
  const values = metagraph.neurons
    .filter((n) => n.uid !== ownUid && !n.validatorPermit)
    .map((n) => n.incentive)
    .sort((a, b) => a - b);
  if (values.length === 0) return 0;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? (values[mid] ?? 0) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** The alerts in force, each with the time it was first raised; changes are reported to decide on events. */
export class AlertBook {
  private readonly alerts = new Map<AlertKind, Alert>();

  constructor(private readonly now: () => Date) {}

  /** Raises (or rewords) one alert; true when something changed. */
  raise(draft: AlertDraft): boolean {
    const current = this.alerts.get(draft.kind);
    if (current && current.message === draft.message && current.severity === draft.severity) return false;
    this.alerts.set(draft.kind, { ...draft, since: current?.since ?? this.now().toISOString() });
    return true;
  }

  clear(...kinds: AlertKind[]): boolean {
    let changed = false;
    for (const kind of kinds) changed = this.alerts.delete(kind) || changed;
    return changed;
  }

  /** Makes `drafts` the alerts in force among `kinds`: raises those given, clears the rest. */
  replace(kinds: readonly AlertKind[], drafts: readonly AlertDraft[]): boolean {
    let changed = false;
    for (const draft of drafts) changed = this.raise(draft) || changed;
    const keep = new Set(drafts.map((d) => d.kind));
    for (const kind of kinds) if (!keep.has(kind)) changed = this.clear(kind) || changed;
    return changed;
  }

  has(kind: AlertKind): boolean {
    return this.alerts.has(kind);
  }

  list(): Alert[] {
    return [...this.alerts.values()];
  }
}
