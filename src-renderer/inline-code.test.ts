import { describe, expect, it } from 'vitest';
import { splitInlineCode } from './inline-code.js';

describe('splitInlineCode', () => {
  it('marks the words between backticks as code', () => {
    expect(splitInlineCode('In the folder run `npm run cuda:install` (needs internet).')).toEqual([
      { code: false, text: 'In the folder run ' },
      { code: true, text: 'npm run cuda:install' },
      { code: false, text: ' (needs internet).' },
    ]);
    expect(splitInlineCode('`nvidia-smi` must list the GPU')).toEqual([
      { code: true, text: 'nvidia-smi' },
      { code: false, text: ' must list the GPU' },
    ]);
  });

  it('leaves text without backticks, and an unpaired backtick, as text', () => {
    expect(splitInlineCode('plain')).toEqual([{ code: false, text: 'plain' }]);
    expect(splitInlineCode('')).toEqual([]);
    expect(splitInlineCode('a `b` c `d')).toEqual([
      { code: false, text: 'a ' },
      { code: true, text: 'b' },
      { code: false, text: ' c `d' },
    ]);
    expect(splitInlineCode('it`s')).toEqual([{ code: false, text: 'it`s' }]);
  });
});
