import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_REGISTRY } from '../envs/registry';
import { createBpeEncoder, measureCoverage } from './bpe-trainer';
import { HELD_OUT_SPLITS, HeldOutLeakError, fittingCorpus, fittingTexts, heldOutCorpus } from './env-corpus';
import { bpeModelFromTokenizerJson, tokenizerFiles } from './tokenizer-files';

const specs = [...ENV_REGISTRY.values()];
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

describe('the tokenizer corpus holds train text only', () => {
  it('fits on the train split of every environment and refuses held-out text', () => {
    const train = fittingCorpus(specs, 3);
    expect(train.map((c) => c.split)).toEqual(specs.map(() => 'train'));
    expect(train.map((c) => c.env)).toEqual(specs.map((s) => s.name));
    const held = heldOutCorpus(specs, 2);
    // Every held-out split each environment has is measured.
    expect(held.map((c) => `${c.env}/${c.split}`)).toEqual(
      specs.flatMap((s) => HELD_OUT_SPLITS.filter((x) => s.splits[x]).map((x) => `${s.name}/${x}`)),
    );
    expect(fittingTexts(train).length).toBeGreaterThan(0);
    for (const c of held) expect(() => fittingTexts([...train, c])).toThrow(HeldOutLeakError);
  });

  it('the bundled tokenizer covers every held-out split (figures printed)', () => {
    const json: unknown = JSON.parse(readFileSync(new URL('../../public/models/stepwise-tiny/tokenizer.json', import.meta.url), 'utf8'));
    const bpe = bpeModelFromTokenizerJson(json);
    expect(bpe.vocab.size).toBe(4096);
    // The loader returns the model tokenizerFiles wrote: writing it again gives the same file.
    expect(tokenizerFiles(bpe, { eos: '<|im_end|>', pad: '<|endoftext|>', modelMaxLength: 1, chatTemplate: '' }).tokenizerJson).toEqual(json);
    const encode = createBpeEncoder(bpe);
    expect(encode('<|im_end|>')).toEqual([bpe.vocab.get('<|im_end|>')]);
    for (const c of heldOutCorpus(specs, 20)) {
      const s = measureCoverage(bpe, c.texts);
      console.log(`[bundled] ${c.env}/${c.split}: words ${s.words}, chars ${s.chars}, unknown ${s.unknownTokens}, one-token words ${pct(s.singleTokenWordRate)}, tokens/char ${s.tokensPerChar.toFixed(4)}, words without byte fallback ${pct(1 - s.byteFallbackWordRate)}, chars ${pct(1 - s.byteFallbackCharRate)}`);
      expect(s.unknownTokens).toBe(0);
      expect(1 - s.byteFallbackWordRate).toBeGreaterThan(0.9);
    }
  });
});
