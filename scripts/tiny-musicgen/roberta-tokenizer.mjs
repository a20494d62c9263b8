/**
 * A tiny RoBERTa-style byte-level BPE tokenizer for the CLAP text tower (scoring spec §1.4: the
 * reference tokenises with `roberta-base`). Its vocabulary holds the five special tokens, the 256
 * byte symbols of GPT-2's byte-to-unicode table (so no text is ever unknown) and a few merges that
 * build whole music words, so that real prompts give a mix of word and byte tokens.
 */
const WORDS = ['music', 'rock', 'jazz', 'piano', 'guitar', 'drums', 'calm', 'with', 'and', 'the'];

/** GPT-2's reversible byte → printable character table, as the ByteLevel pre-tokenizer uses. */
function byteSymbols() {
  const printable = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const symbols = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    symbols[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return symbols;
}

export function robertaTokenizerFiles() {
  const specials = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'];
  const vocab = {};
  for (const token of specials) vocab[token] = Object.keys(vocab).length;
  for (const symbol of byteSymbols()) vocab[symbol] = Object.keys(vocab).length;
  // Merges left to right: "Ġ" (the space byte) + "m" → "Ġm", "Ġm" + "u" → "Ġmu", … → "Ġmusic".
  const merges = [];
  for (const word of WORDS) {
    let prefix = 'Ġ';
    for (const char of word) {
      merges.push([prefix, char]);
      prefix += char;
      if (vocab[prefix] === undefined) vocab[prefix] = Object.keys(vocab).length;
    }
  }
  const special = (id, content) => ({
    id,
    content,
    single_word: false,
    lstrip: content === '<mask>',
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((token, id) => special(id, token)),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['</s>', 2],
      cls: ['<s>', 0],
      trim_offsets: true,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  const config = {
    tokenizer_class: 'RobertaTokenizer',
    model_max_length: 512,
    bos_token: '<s>',
    eos_token: '</s>',
    sep_token: '</s>',
    cls_token: '<s>',
    unk_token: '<unk>',
    pad_token: '<pad>',
    mask_token: '<mask>',
    add_prefix_space: false,
    clean_up_tokenization_spaces: true,
  };
  return { tokenizer, config, vocabSize: Object.keys(vocab).length, padId: 1 };
}
