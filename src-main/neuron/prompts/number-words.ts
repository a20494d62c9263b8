/**
 * The reference's "digits become words" rule (scoring.md §1.1; `AIModelService.convert_numeric_values`
 * in BittAudio's `ttm/aimodel.py`), with numbers spelled the way Python's `inflect` spells them
 * (`number_to_words`): "one thousand, two hundred and thirty-four". Miners see the prompt as the
 * reference would have sent it, so a model tuned on the subnet meets the same wording.
 *
 * What the reference leaves alone stays alone: dates (12/05/2024, 2024-05-12), digits glued to
 * letters ("808s", "120bpm") and digits next to "/", "-" or "," ("4/4", "120-130"). Ordinals of one
 * or two digits become ordinal words ("21st" → "twenty-first").
 *
 * Two reference bugs are not copied: it replaces each number's first occurrence anywhere in the
 * text (so "4/4 at 4 beats" became "four/4 at 4 beats"), and a year-first date made it insert its
 * placeholder between every character. Here each number is replaced where it was found.
 */

const UNITS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = [
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
/** inflect's group names, thousand to decillion. */
const GROUPS = [
  '',
  ' thousand',
  ' million',
  ' billion',
  ' trillion',
  ' quadrillion',
  ' quintillion',
  ' sextillion',
  ' septillion',
  ' octillion',
  ' nonillion',
  ' decillion',
];

function belowHundred(n: number): string {
  if (n < 10) return UNITS[n] ?? '';
  if (n < 20) return TEENS[n - 10] ?? '';
  const unit = n % 10;
  return `${TENS[Math.floor(n / 10)] ?? ''}${unit === 0 ? '' : `-${UNITS[unit] ?? ''}`}`;
}

function belowThousand(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds === 0) return belowHundred(rest);
  return `${UNITS[hundreds] ?? ''} hundred${rest === 0 ? '' : ` and ${belowHundred(rest)}`}`;
}

/**
 * A whole number (given as its decimal digits, so any length works) in words, as
 * `inflect.engine().number_to_words` writes it. Null past the decillions, where inflect stops too.
 */
export function numberToWords(digits: string): string | null {
  if (!/^\d+$/.test(digits)) throw new RangeError(`not a whole number: ${digits}`);
  const trimmed = digits.replace(/^0+(?=\d)/, '');
  if (trimmed === '0') return 'zero';
  const groups: number[] = [];
  for (let end = trimmed.length; end > 0; end -= 3) groups.unshift(Number(trimmed.slice(Math.max(0, end - 3), end)));
  if (groups.length > GROUPS.length) return null;
  const parts: string[] = [];
  groups.forEach((value, i) => {
    if (value !== 0) parts.push(`${belowThousand(value)}${GROUPS[groups.length - 1 - i] ?? ''}`);
  });
  const text = parts.join(', ');
  // inflect joins a lone last word with "and": "one thousand and one", "two thousand and twenty-four".
  return text.replace(/, (\S+)$/, ' and $1');
}

const ORDINAL_ENDINGS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** "twenty-one" → "twenty-first", "forty" → "fortieth", as inflect's `ordinal=True`. */
export function ordinalWords(digits: string): string | null {
  const words = numberToWords(digits);
  if (words === null) return null;
  return words.replace(/[a-z]+$/, (last) => {
    const irregular = ORDINAL_ENDINGS[last];
    if (irregular !== undefined) return irregular;
    if (last.endsWith('y')) return `${last.slice(0, -1)}ieth`;
    return `${last}th`;
  });
}

// The reference's patterns, kept as it wrote them (Python `re` semantics carry over: ASCII input,
// and JavaScript supports the same lookbehind).
const DATE = /\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|\b\d{2,4}[/-]\d{1,2}[/-]\d{1,2}\b/g;
const ORDINAL = /\b(\d{1,2})(st|nd|rd|th)\b/g;
const NUMBER = /\b(?<![\d,/-])(\d{1,3}(?:,\d{3})*|\d+)(?![,\d/-])(?!\d*(?:st|nd|rd|th))\b/g;

/** Digits → words, as the reference does before it sends a prompt. */
export function numbersToWords(prompt: string): string {
  // Dates are kept whole; the rest is converted piece by piece around them.
  let out = '';
  let at = 0;
  for (const match of prompt.matchAll(DATE)) {
    out += convertOutsideDates(prompt.slice(at, match.index));
    out += match[0];
    at = match.index + match[0].length;
  }
  return out + convertOutsideDates(prompt.slice(at));
}

function convertOutsideDates(text: string): string {
  const withOrdinals = text.replace(ORDINAL, (whole, digits: string) => ordinalWords(digits) ?? whole);
  return withOrdinals.replace(NUMBER, (whole, digits: string) => numberToWords(digits.replaceAll(',', '')) ?? whole);
}
