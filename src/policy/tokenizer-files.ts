// The tokenizer.json / tokenizer_config.json pair for a byte-level BPE model, in the layout the
// HF tokenizers library (and therefore transformers.js) reads.

import type { BpeModel } from './bpe-trainer';

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

export function tokenizerFiles(model: BpeModel, opts: { eos: string; pad: string; modelMaxLength: number; chatTemplate?: string }): TokenizerFiles {
  const added = model.specialTokens.map((content) => ({
    id: model.vocab.get(content)!,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(model.vocab),
      merges: model.merges.map(([a, b]) => [a, b]),
    },
  };
  const tokenizerConfig: Record<string, unknown> = {
    tokenizer_class: 'GPT2Tokenizer',
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: null,
    eos_token: opts.eos,
    pad_token: opts.pad,
    unk_token: null,
    model_max_length: opts.modelMaxLength,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
    ...(opts.chatTemplate ? { chat_template: opts.chatTemplate } : {}),
  };
  return { tokenizerJson, tokenizerConfig };
}
