import { describe, expect, it } from 'vitest';
import { blocksUntilNextEpoch, epochIndex, isEpochBlock, nextEpochBlockAfter, revealWindow } from './epoch.js';

describe('epoch schedule (subtensor ≤ 411, as its code computes it)', () => {
  it("reproduces the table in subtensor's blocks_until_next_epoch comment (block 0)", () => {
    const table: Array<[tempo: number, netuid: number, first: number]> = [
      [1, 0, 0],
      [1, 1, 1],
      [2, 0, 1],
      [2, 1, 0],
      [100, 0, 99],
      [100, 1, 98],
    ];
    for (const [tempo, netuid, first] of table) expect(blocksUntilNextEpoch(netuid, tempo, 0)).toBe(first);
  });

  it('runs epochs tempo + 1 blocks apart, in blocks where (block + netuid + 1) % (tempo + 1) == tempo', () => {
    const blocks = Array.from({ length: 60 }, (_, b) => b).filter((b) => isEpochBlock(50, 10, b));
    expect(blocks).toEqual([3, 14, 25, 36, 47, 58]);
    for (const b of blocks) expect((b + 50 + 1) % 11).toBe(10);
  });

  it('increments the epoch index in the block after the epoch ran', () => {
    expect(epochIndex(1, 10, 8)).toBe(0);
    expect(isEpochBlock(1, 10, 8)).toBe(true);
    expect(epochIndex(1, 10, 9)).toBe(1);
    expect(epochIndex(1, 10, 19)).toBe(1);
    expect(epochIndex(1, 10, 20)).toBe(2);
  });

  it('puts the reveal window on the whole reveal epoch, ending in its epoch block', () => {
    const window = revealWindow(1, 10, 5, 1);
    expect(window).toEqual({ commitEpoch: 0, revealEpoch: 1, firstBlock: 9, lastBlock: 19 });
    expect(isEpochBlock(1, 10, window.lastBlock)).toBe(true);
    expect(revealWindow(1, 10, 9, 2)).toEqual({ commitEpoch: 1, revealEpoch: 3, firstBlock: 31, lastBlock: 41 });
  });

  it('gives the next epoch block strictly after the current block; tempo 0 never runs', () => {
    expect(nextEpochBlockAfter(1, 10, 0)).toBe(8);
    expect(nextEpochBlockAfter(1, 10, 7)).toBe(8);
    expect(nextEpochBlockAfter(1, 10, 8)).toBe(19);
    expect(nextEpochBlockAfter(1, 0, 8)).toBe(Number.MAX_SAFE_INTEGER);
    expect(isEpochBlock(1, 0, 8)).toBe(false);
  });
});
