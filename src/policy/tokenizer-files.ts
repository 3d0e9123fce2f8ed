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

/**
 * The BpeModel back from a tokenizer.json this module wrote (the bundled model's), so code that
 * cannot load transformers.js (SFT data, coverage figures) encodes with the same merges.
 */
export function bpeModelFromTokenizerJson(json: unknown): BpeModel {
  const root = json as { model?: { type?: string; vocab?: Record<string, number>; merges?: unknown[] }; added_tokens?: Array<{ id: number; content: string; special?: boolean }> };
  const m = root.model;
  if (!m || m.type !== 'BPE' || !m.vocab || !Array.isArray(m.merges)) throw new Error('tokenizer.json: not a BPE model');
  const merges = m.merges.map((entry, i): [string, string] => {
    // The HF format allows "a b" strings (older files) or [a, b] pairs (what tokenizerFiles writes).
    const pair = typeof entry === 'string' ? entry.split(' ') : entry;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw new Error(`tokenizer.json: merge ${i} is not a pair`);
    return [pair[0], pair[1]];
  });
  const specials = (root.added_tokens ?? []).filter((t) => t.special !== false).sort((a, b) => a.id - b.id);
  const vocab = new Map<string, number>(Object.entries(m.vocab).sort((a, b) => a[1] - b[1]));
  for (const t of specials) if (vocab.get(t.content) !== t.id) throw new Error(`tokenizer.json: special token ${t.content} is not id ${t.id} in the vocabulary`);
  return { vocab, merges, specialTokens: specials.map((t) => t.content) };
}
