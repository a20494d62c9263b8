import { describe, expect, it } from 'vitest';
import { at, testNet } from './test-fixtures.js';

describe('DevnetChain epochs', () => {
  for (const [netuid, tempo] of [
    [1, 10],
    [50, 10],
    [3, 4],
    [50, 360],
  ] as const) {
    it(`runs the epoch exactly at nextEpochBlock (netuid ${netuid}, tempo ${tempo})`, async () => {
      const { chain, events } = await testNet({ tempo }, {}, netuid);
      const expected: number[] = [];
      for (let i = 0; i < 3; i++) {
        const next = await chain.nextEpochBlock(netuid);
        expected.push(next);
        chain.advanceTo(next - 1);
        expect(events.filter((e) => e.type === 'EpochCompleted')).toHaveLength(i);
        chain.advance(1);
      }
      const ran = events.flatMap((e) => (e.type === 'EpochCompleted' ? [e.record.block] : []));
      expect(ran).toEqual(expected);
      expect(at(ran, 1) - at(ran, 0)).toBe(tempo + 1);
    });
  }

  it('never runs an epoch with tempo 0', async () => {
    const { chain, netuid } = await testNet({ tempo: 0 });
    chain.advance(50);
    expect(chain.epochHistory(netuid)).toEqual([]);
    expect(await chain.nextEpochBlock(netuid)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
