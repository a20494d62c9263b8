/**
 * A tiny T5-style tokenizer (musicgen spec §7): Unigram model, Lowercase normalizer, Metaspace
 * pre-tokenizer and decoder, TemplateProcessing that appends `</s>`. Whole words for a few
 * music terms, single characters for everything else, `<unk>` for what is left.
 */
const WORDS = [
  'music',
  'rock',
  'jazz',
  'pop',
  'piano',
  'guitar',
  'drums',
  'bass',
  'synth',
  'beat',
  'slow',
  'fast',
  'calm',
  'happy',
  'sad',
  'epic',
  'lofi',
  'with',
  'and',
  'the',
  'a',
  'of',
  'electronic',
  'ambient',
];
const CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789', ',', '.', '-', "'", '!', '?'];

export function tokenizerFiles() {
  const vocab = [
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
    ['▁', -2],
    ...WORDS.map((w) => [`▁${w}`, -4]),
    ...CHARS.map((c) => [c, -6]),
    ...CHARS.map((c) => [`▁${c}`, -7]),
  ];
  const special = (id, content) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: 2, vocab, byte_fallback: false },
  };
  const config = {
    tokenizer_class: 'T5Tokenizer',
    model_max_length: 512,
    eos_token: '</s>',
    pad_token: '<pad>',
    unk_token: '<unk>',
    extra_ids: 0,
    clean_up_tokenization_spaces: true,
  };
  return { tokenizer, config, vocabSize: vocab.length };
}
