import { describe, expect, it } from 'vitest';
import { ordinal, pickPositions, wrongAnswers } from './mnemonic-check.js';

const MNEMONIC = 'old leopard transfer rib spatial phone calm indicate online fire caution review';

describe('mnemonic check', () => {
  it('picks three distinct positions in order, inside the mnemonic, even when the generator repeats itself', () => {
    const values = [0.5, 0.5, 0.99, 0.0, 0.5];
    let i = 0;
    const positions = pickPositions(12, () => values[i++ % values.length] ?? 0);
    expect(positions).toEqual([0, 6, 11]);
    for (let seed = 0; seed < 50; seed++) {
      const p = pickPositions(12);
      expect(new Set(p).size).toBe(3);
      expect(p.every((x) => x >= 0 && x < 12)).toBe(true);
    }
    expect(() => pickPositions(2)).toThrow(/cannot be checked/);
  });

  it('accepts the right words in any case and names the wrong positions', () => {
    expect(wrongAnswers(MNEMONIC, [0, 5, 11], ['OLD', ' phone ', 'review'])).toEqual([]);
    expect(wrongAnswers(MNEMONIC, [0, 5, 11], ['old', 'phones', ''])).toEqual([5, 11]);
  });

  it('counts positions as people do', () => {
    expect([0, 1, 2, 3, 10, 11, 12, 20, 21].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
    ]);
  });
});
