import { describe, expect, it } from 'vitest';
import type { Metagraph, Neuron } from '../chain/types.js';
import { permitStanding, snapshotChanged, validatorSnapshot } from './validator-standing.js';

function neuron(uid: number, patch: Partial<Neuron> = {}): Neuron {
  return {
    uid,
    hotkey: `5Hotkey${uid}`,
    coldkey: `5Cold${uid}`,
    active: true,
    axon: { block: 0, version: 0, ip: '0.0.0.0', port: 0, ipType: 4, protocol: 4 },
    validatorPermit: false,
    alphaStake: 0n,
    totalStake: 0n,
    emission: 0n,
    incentive: 0,
    dividends: 0,
    consensus: 0,
    lastUpdate: 0,
    blockAtRegistration: 0,
    ...patch,
  };
}

const graph = (neurons: Neuron[]): Metagraph => ({ netuid: 50, block: 360, tempo: 99, neurons });

describe('permitStanding', () => {
  it('compares our stake weight with the lowest permitted validator', () => {
    const metagraph = graph([
      neuron(0, { validatorPermit: true, totalStake: 9_000n }),
      neuron(1, { validatorPermit: true, totalStake: 4_000n }),
      neuron(2, { totalStake: 1_500n }),
    ]);
    expect(permitStanding(metagraph, '5Hotkey2')).toEqual({
      block: 360,
      validatorPermit: false,
      stake: '1500',
      lowestPermittedStake: '4000',
    });
    expect(permitStanding(metagraph, '5Hotkey0')?.validatorPermit).toBe(true);
  });

  it('says nothing of a hotkey that is not on the subnet, and null for a subnet with no permit', () => {
    expect(permitStanding(graph([neuron(0)]), '5Nobody')).toBeNull();
    expect(permitStanding(graph([neuron(0)]), '5Hotkey0')?.lowestPermittedStake).toBeNull();
  });
});

describe('validatorSnapshot', () => {
  it('records our dividends, permit, stake and emission at the metagraph block', () => {
    const at = new Date('2026-12-03T10:00:00.000Z');
    const metagraph = graph([
      neuron(0),
      neuron(3, { validatorPermit: true, alphaStake: 7n, emission: 11n, dividends: 0.4 }),
    ]);
    const snapshot = validatorSnapshot(metagraph, '5Hotkey3', at);
    expect(snapshot).toEqual({
      time: at.toISOString(),
      block: 360,
      netuid: 50,
      uid: 3,
      hotkey: '5Hotkey3',
      stake: '7',
      incentive: 0,
      emission: '11',
      trust: null,
      dividends: 0.4,
      validatorPermit: true,
    });
    expect(validatorSnapshot(metagraph, '5Nobody', at)).toBeNull();
  });

  it('is new only when the chain moved a figure (an epoch), not on every round', () => {
    const at = new Date('2026-12-03T10:00:00.000Z');
    const first = validatorSnapshot(graph([neuron(0, { dividends: 0.4 })]), '5Hotkey0', at);
    const sameEpoch = validatorSnapshot(graph([neuron(0, { dividends: 0.4 })]), '5Hotkey0', at);
    const nextEpoch = validatorSnapshot(graph([neuron(0, { dividends: 0.5 })]), '5Hotkey0', at);
    if (!first || !sameEpoch || !nextEpoch) throw new Error('no snapshot');
    expect(snapshotChanged(null, first)).toBe(true);
    expect(snapshotChanged(first, sameEpoch)).toBe(false);
    expect(snapshotChanged(first, nextEpoch)).toBe(true);
  });
});
