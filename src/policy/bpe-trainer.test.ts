import { describe, expect, it } from 'vitest';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBpeEncoder, measureCoverage, trainByteLevelBpe } from './bpe-trainer';
import { CHATML_SPECIAL_TOKENS, CHATML_TEMPLATE, renderChatML } from './chatml';
import { tokenizerFiles } from './tokenizer-files';
import type { ChatMessage } from './prompts';

const corpus = [
  'You arrive at cabinet 1. On the cabinet 1, you see a mug 2, a cellphone 1, and a pencil 3.',
  'go to cabinet 1', 'take mug 2 from cabinet 1', 'put mug 2 in/on coffeemachine 1', 'heat mug 2 with microwave 1',
  'WebShop [SEP] Instruction: [SEP] i need a long lasting 6.76 fl oz bottle of l\'eau d\'issey, and price lower than 100.00 dollars [SEP] Search',
  'search[l\'eau d\'issey 6.76 fl oz]', 'click[B000VOHH8I]', 'click[Buy Now]', 'Price: $64.98',
  'walk to kitchen', 'grab cup', 'switch on television', 'Nothing happens.',
].flatMap((s) => Array(5).fill(s) as string[]);

describe('byte-level BPE', () => {
  const model = trainByteLevelBpe(corpus, { vocabSize: 400, specialTokens: [...CHATML_SPECIAL_TOKENS] });

  it('is deterministic and fills the budget from frequent pairs', () => {
    const again = trainByteLevelBpe(corpus, { vocabSize: 400, specialTokens: [...CHATML_SPECIAL_TOKENS] });
    expect(again.merges).toEqual(model.merges);
    expect(model.vocab.size).toBeLessThanOrEqual(400);
    expect(model.merges.length).toBeGreaterThan(60);
    const encode = createBpeEncoder(model);
    // Frequent whole words become single tokens.
    expect(encode(' cabinet')).toHaveLength(1);
    expect(encode('<|im_start|>')).toEqual([1]);
  });

  it('exports a tokenizer.json that transformers.js encodes identically and round-trips any text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bpe-'));
    try {
      const files = tokenizerFiles(model, { eos: '<|im_end|>', pad: '<|endoftext|>', modelMaxLength: 2048, chatTemplate: CHATML_TEMPLATE });
      mkdirSync(join(dir, 'tok'));
      writeFileSync(join(dir, 'tok', 'tokenizer.json'), JSON.stringify(files.tokenizerJson));
      writeFileSync(join(dir, 'tok', 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig));
      env.localModelPath = dir;
      env.allowRemoteModels = false;
      const tok = await AutoTokenizer.from_pretrained('tok', { local_files_only: true });
      const encode = createBpeEncoder(model);
      const samples = [
        ...corpus.slice(0, 14),
        'An unseen word: xylophone 42, émigré café ☕ and tabs\tand  double  spaces\n\nnew lines',
        '<|im_start|>user\nObservation: Nothing happens.<|im_end|>\n<|im_start|>assistant\n',
      ];
      for (const text of samples) {
        const ids = tok.encode(text, { add_special_tokens: false });
        expect(ids).toEqual(encode(text));
        expect(tok.decode(ids, { skip_special_tokens: false })).toBe(text);
      }
      const messages: ChatMessage[] = [
        { role: 'system', content: 'Act.' },
        { role: 'user', content: 'Observation: a room' },
        { role: 'assistant', content: 'look' },
        { role: 'user', content: 'Observation: still a room' },
      ];
      for (const addGenerationPrompt of [true, false]) {
        const viaTemplate = tok.apply_chat_template(messages, { tokenize: false, add_generation_prompt: addGenerationPrompt });
        expect(viaTemplate).toBe(renderChatML(messages, addGenerationPrompt));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports coverage: no unknown tokens even for unseen text', () => {
    const stats = measureCoverage(model, ['go to cabinet 1', 'a zebra quietly xylophones']);
    expect(stats.unknownTokens).toBe(0);
    expect(stats.words).toBe(7);
    expect(stats.singleTokenWordRate).toBeGreaterThan(0.3);
    expect(stats.singleTokenWordRate).toBeLessThan(1);
    expect(stats.byteFallbackWordRate).toBeGreaterThan(0); // 'zebra' etc. are spelled out
    expect(stats.byteFallbackWordRate).toBeLessThan(1);
  });
});
