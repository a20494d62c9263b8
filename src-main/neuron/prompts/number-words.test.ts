import { describe, expect, it } from 'vitest';
import { numberToWords, numbersToWords, ordinalWords } from './number-words.js';

describe('numberToWords (as inflect.number_to_words spells numbers)', () => {
  it.each([
    ['0', 'zero'],
    ['7', 'seven'],
    ['13', 'thirteen'],
    ['21', 'twenty-one'],
    ['40', 'forty'],
    ['99', 'ninety-nine'],
    ['100', 'one hundred'],
    ['101', 'one hundred and one'],
    ['120', 'one hundred and twenty'],
    ['1000', 'one thousand'],
    ['1001', 'one thousand and one'],
    ['1100', 'one thousand, one hundred'],
    ['1234', 'one thousand, two hundred and thirty-four'],
    ['1990', 'one thousand, nine hundred and ninety'],
    ['2024', 'two thousand and twenty-four'],
    ['101000', 'one hundred and one thousand'],
    ['1000000', 'one million'],
    ['1500000', 'one million, five hundred thousand'],
    ['1000021', 'one million and twenty-one'],
    ['007', 'seven'],
  ])('%s → %s', (digits, words) => {
    expect(numberToWords(digits)).toBe(words);
  });

  it('gives up past the decillions, as inflect does, and refuses what is not a whole number', () => {
    expect(numberToWords('1'.padEnd(37, '0'))).toBeNull();
    expect(numberToWords('1'.padEnd(34, '0'))).toBe('one decillion');
    expect(() => numberToWords('1.5')).toThrow(RangeError);
  });

  it.each([
    ['1', 'first'],
    ['2', 'second'],
    ['3', 'third'],
    ['5', 'fifth'],
    ['8', 'eighth'],
    ['9', 'ninth'],
    ['11', 'eleventh'],
    ['12', 'twelfth'],
    ['20', 'twentieth'],
    ['21', 'twenty-first'],
    ['40', 'fortieth'],
    ['99', 'ninety-ninth'],
  ])('ordinal %s → %s', (digits, words) => {
    expect(ordinalWords(digits)).toBe(words);
  });
});

describe('numbersToWords (the reference round rule, scoring.md §1.1)', () => {
  it.each([
    ['A 120 BPM house track', 'A one hundred and twenty BPM house track'],
    ['Music of the 21st century, 3 guitars', 'Music of the twenty-first century, three guitars'],
    ['1,000 voices in a choir', 'one thousand voices in a choir'],
    ['A 2024 remix', 'A two thousand and twenty-four remix'],
  ])('converts standalone numbers: %s', (prompt, expected) => {
    expect(numbersToWords(prompt)).toBe(expected);
  });

  it.each([
    ['120bpm techno'],
    ['1990s grunge'],
    ['Roland 808s'],
    ['120-130 bpm'],
    ['a 4/4 groove'],
    ['recorded on 12/05/2024'],
    ['recorded on 2024-05-12'],
  ])('leaves digits glued to letters, ranges, fractions and dates alone: %s', (prompt) => {
    expect(numbersToWords(prompt)).toBe(prompt);
  });

  it('replaces each number where it stands (the reference replaced the first occurrence anywhere)', () => {
    expect(numbersToWords('a 4/4 groove with 4 drummers')).toBe('a 4/4 groove with four drummers');
  });

  it('keeps a year-first date whole and still converts the numbers around it', () => {
    expect(numbersToWords('2 songs from 2024-05-12 and 3 more')).toBe('two songs from 2024-05-12 and three more');
  });

  it('leaves text without digits unchanged', () => {
    expect(numbersToWords('Warm lo-fi beat, mellow Rhodes')).toBe('Warm lo-fi beat, mellow Rhodes');
  });
});
