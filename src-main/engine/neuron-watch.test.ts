import { describe, expect, it } from 'vitest';
import type { AxonInfo, Metagraph, Neuron } from '../chain/types.js';
import { AlertBook, chainAlerts, chainStatsOf } from './neuron-watch.js';

const axon = (ip: string, port: number): AxonInfo => ({ block: 1, version: 1, ip, port, ipType: 4, protocol: 4 });

function neuron(uid: number, patch: Partial<Neuron> = {}): Neuron {
  return {
    uid,
    hotkey: `5Hotkey${uid}`,
    coldkey: `5Coldkey${uid}`,
    active: true,
    axon: axon('10.0.0.1', 8091),
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

/** Subnet at `block` with tempo 10: a validator (uid 0), us (uid 1), and miners with the given incentives. */
function metagraph(block: number, us: Partial<Neuron>, others: number[] = [0.2, 0.3, 0.5]): Metagraph {
  return {
    netuid: 50,
    block,
    tempo: 10,
    neurons: [
      neuron(0, { validatorPermit: true, incentive: 0 }),
      neuron(1, { hotkey: '5Us', ...us }),
      ...others.map((incentive, i) => neuron(i + 2, { incentive })),
    ],
  };
}

const input = (m: Metagraph) => ({
  metagraph: m,
  uid: 1,
  hotkey: '5Us',
  netuid: 50,
  immunityPeriod: 100,
  axon: { externalIp: '10.0.0.1', externalPort: 8091 },
});

describe('chainStatsOf', () => {
  it('reads our stake, incentive, emission and the immunity left, amounts exact as text', () => {
    const m = metagraph(130, {
      alphaStake: 12_345_678_901_234_567_890n,
      incentive: 0.25,
      emission: 7n,
      blockAtRegistration: 50,
    });
    expect(chainStatsOf(m, 1, '5Us', 100)).toEqual({
      stake: '12345678901234567890',
      incentive: 0.25,
      emission: '7',
      trust: null,
      immunityBlocksLeft: 20,
      block: 130,
    });
    expect(chainStatsOf(metagraph(400, { blockAtRegistration: 50 }), 1, '5Us', 100)?.immunityBlocksLeft).toBe(0);
  });

  it('is null when our uid holds another hotkey', () => {
    expect(chainStatsOf(metagraph(10, { hotkey: '5Newcomer' }), 1, '5Us', 100)).toBeNull();
  });
});

describe('chainAlerts', () => {
  it('is quiet for a served, immune-enough or well-paid miner', () => {
    expect(chainAlerts(input(metagraph(60, { blockAtRegistration: 50 })))).toEqual([]);
    // Immunity ending but the incentive is above the median miner's (0.3).
    expect(chainAlerts(input(metagraph(140, { blockAtRegistration: 50, incentive: 0.4 })))).toEqual([]);
  });

  it('warns when immunity ends within two epochs while the incentive is below the median', () => {
    const alerts = chainAlerts(input(metagraph(140, { blockAtRegistration: 50, incentive: 0.1 })));
    expect(alerts).toMatchObject([{ kind: 'immunity_ending', severity: 'warning' }]);
    expect(alerts[0]?.message).toMatch(/Immunity ends in 10 blocks .*0\.1000.*median \(0\.3000\)/);
    // Past immunity it is no longer "ending".
    expect(chainAlerts(input(metagraph(200, { blockAtRegistration: 50, incentive: 0.1 })))).toEqual([]);
  });

  it('says deregistered when our uid went to another hotkey', () => {
    expect(chainAlerts(input(metagraph(10, { hotkey: '5Newcomer' })))).toMatchObject([
      { kind: 'deregistered', severity: 'error', message: expect.stringMatching(/5Us lost uid 1 on subnet 50/) },
    ]);
  });

  it('tells an axon the chain does not know from one served at another address', () => {
    expect(chainAlerts(input(metagraph(10, { axon: axon('0.0.0.0', 0) })))).toMatchObject([
      { kind: 'axon_not_served' },
    ]);
    expect(chainAlerts(input(metagraph(10, { axon: axon('10.9.9.9', 8091) })))).toMatchObject([
      { kind: 'axon_address_mismatch', message: expect.stringMatching(/10\.9\.9\.9:8091 .* 10\.0\.0\.1:8091/) },
    ]);
  });
});

describe('AlertBook', () => {
  it('keeps when an alert was first raised, reports changes, and replaces a group', () => {
    let now = new Date('2026-12-02T10:00:00Z');
    const book = new AlertBook(() => now);
    expect(book.raise({ kind: 'worker_failed', severity: 'error', message: 'crashed' })).toBe(true);
    now = new Date('2026-12-02T10:05:00Z');
    expect(book.raise({ kind: 'worker_failed', severity: 'error', message: 'crashed' })).toBe(false);
    expect(book.raise({ kind: 'worker_failed', severity: 'error', message: 'crashed again' })).toBe(true);
    expect(book.list()).toEqual([
      { kind: 'worker_failed', severity: 'error', message: 'crashed again', since: '2026-12-02T10:00:00.000Z' },
    ]);
    expect(
      book.replace(['axon_not_served', 'deregistered'], [{ kind: 'deregistered', severity: 'error', message: 'x' }]),
    ).toBe(true);
    expect(book.replace(['axon_not_served', 'deregistered'], [])).toBe(true);
    expect(book.list().map((a) => a.kind)).toEqual(['worker_failed']);
    expect(book.clear('worker_failed')).toBe(true);
    expect(book.clear('worker_failed')).toBe(false);
  });
});
