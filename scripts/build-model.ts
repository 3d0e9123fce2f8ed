// npm run build:model — writes the bundled tiny decoder to public/models/stepwise-tiny/:
//   config.json, generation_config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx,
//   README.md (model card: architecture, corpus, tokenizer coverage, provenance).
// The same command gives the same bytes: the corpus comes from the environments' deterministic
// expert episodes, BPE training breaks ties by id, and the weights come from a fixed seed.
//
//   npx tsx scripts/build-model.ts [--out DIR] [--check]
//     --check  rebuild in memory and fail if the committed files differ (for CI).

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_REGISTRY } from '../src/envs/registry';
import { measureCoverage, trainByteLevelBpe, type CoverageStats } from '../src/policy/bpe-trainer';
import { CHATML_SPECIAL_TOKENS, CHATML_TEMPLATE } from '../src/policy/chatml';
import { type DecoderArch, parameterCount, toHfConfig } from '../src/policy/decoder-arch';
import { initDecoderWeights } from '../src/policy/decoder-init';
import { fittingCorpus, fittingTexts, heldOutCorpus } from '../src/policy/env-corpus';
import { writeDecoderOnnx } from '../src/policy/onnx-decoder-writer';
import { tokenizerFiles } from '../src/policy/tokenizer-files';
import { BUNDLED_MODEL_ID } from '../src/policy/model-catalogue';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VOCAB_SIZE = 4096;
const WEIGHT_SEED = 1;
/** Expert episodes of each train split used to fit the tokenizer. */
const TRAIN_EPISODES = 300;
/** Expert episodes of each held-out split (seen-test, unseen-test, test) used only to measure it. */
const HELD_OUT_EPISODES = 60;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

function coverageRow(label: string, s: CoverageStats): string {
  return `| ${label} | ${s.words} | ${s.chars} | ${s.unknownTokens} | ${pct(s.singleTokenWordRate)} | ${s.tokensPerWord.toFixed(3)} | ${s.tokensPerChar.toFixed(4)} | ${pct(1 - s.byteFallbackWordRate)} | ${pct(1 - s.byteFallbackCharRate)} |`;
}

export interface BuiltModel {
  files: Record<string, Uint8Array>;
  summary: string[];
}

export function buildBundledModel(): BuiltModel {
  const t0 = performance.now();
  const specs = [...ENV_REGISTRY.values()];
  // The tokenizer sees train text only; every held-out split is measured, never fitted.
  const train = fittingCorpus(specs, TRAIN_EPISODES);
  const heldOut = heldOutCorpus(specs, HELD_OUT_EPISODES);
  const corpusTexts = fittingTexts(train);
  const tCorpus = performance.now();

  const bpe = trainByteLevelBpe(corpusTexts, { vocabSize: VOCAB_SIZE, specialTokens: [...CHATML_SPECIAL_TOKENS] });
  const tBpe = performance.now();
  const tokenIds = { pad: bpe.vocab.get('<|endoftext|>')!, eos: bpe.vocab.get('<|im_end|>')! };

  const arch: DecoderArch = {
    vocabSize: bpe.vocab.size,
    hiddenSize: 128,
    intermediateSize: 384,
    numLayers: 4,
    numHeads: 4,
    numKvHeads: 4,
    headDim: 32,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    maxPositions: 4096,
    tieWordEmbeddings: true,
    attentionBias: false,
  };
  const weights = initDecoderWeights(arch, { seed: WEIGHT_SEED });
  const envs = specs.map((s) => ({ name: s.name, version: s.version }));
  const onnx = writeDecoderOnnx(arch, weights, {
    producer: 'stepwise build-model',
    docString: `Stepwise bundled decoder; seeded random weights (seed ${WEIGHT_SEED}); tokenizer fitted to ${envs.map((e) => `${e.name}@${e.version}`).join(', ')}.`,
  });
  const tOnnx = performance.now();

  const tok = tokenizerFiles(bpe, { eos: '<|im_end|>', pad: '<|endoftext|>', modelMaxLength: arch.maxPositions, chatTemplate: CHATML_TEMPLATE });
  const config = toHfConfig(arch, { bos: null, eos: tokenIds.eos, pad: tokenIds.pad }, {
    stepwise: { weights: `seeded random (seed ${WEIGHT_SEED})`, tokenizer: 'byte-level BPE fitted to environment text', environments: envs },
  });
  const generationConfig = { eos_token_id: tokenIds.eos, pad_token_id: tokenIds.pad, bos_token_id: null, max_new_tokens: 32 };

  const coverageTrain = train.map((c) => [`${c.env}, train (fitted)`, measureCoverage(bpe, c.texts)] as const);
  const coverageHeld = heldOut.map((c) => [`${c.env}, ${c.split} (held out)`, measureCoverage(bpe, c.texts)] as const);
  const corpusChars = corpusTexts.reduce((n, t) => n + t.length, 0);
  const params = parameterCount(arch);

  const card = [
    '# stepwise-tiny',
    '',
    'The model Stepwise bundles so that everything works offline. Written by `npm run build:model`',
    '(`scripts/build-model.ts`); do not edit these files by hand. The same command reproduces them byte for byte.',
    '',
    '## Architecture',
    '',
    `Llama-style decoder: ${arch.numLayers} layers, hidden ${arch.hiddenSize}, ${arch.numHeads} heads of ${arch.headDim}, SwiGLU MLP ${arch.intermediateSize},`,
    `RMSNorm, rotary positions (theta ${arch.ropeTheta}), tied input/output embeddings, vocabulary ${arch.vocabSize}; ${params.toLocaleString('en-US')} parameters (fp32).`,
    'The ONNX graph (opset 17, primitive ops only) takes `input_ids`, `attention_mask`, `position_ids`,',
    '`past_key_values.N.key/value` and `num_logits_to_keep`, and returns `logits`, `present.N.key/value` and',
    '`last_hidden_state` (after the final norm), which Stepwise uses as feature vectors.',
    '',
    `**Weights are seeded random (seed ${WEIGHT_SEED})** until behaviour cloning writes trained ones through the same writer`,
    '(`src/policy/onnx-decoder-writer.ts`, which takes any weights in the Hugging Face Llama layout).',
    '',
    '## Tokenizer',
    '',
    `Byte-level BPE (GPT-2 scheme), ${arch.vocabSize} entries: 3 special tokens (${CHATML_SPECIAL_TOKENS.join(', ')}), 256 bytes and`,
    `${bpe.merges.length} merges learned from ${corpusChars.toLocaleString('en-US')} characters of environment text. The chat template is ChatML, as in SmolLM2 and Qwen2.5.`,
    '',
    'Why byte-level BPE rather than a closed word list: every string has an encoding, so nothing the agent or a',
    'user types (WebShop search queries, unseen-split object names, prices, typos) becomes an unknown token, while',
    'the environments\u2019 frequent words are still single tokens. transformers.js implements BPE natively; a',
    '"WordLevel" vocabulary only loads through a legacy fallback that maps unknown words to null ids.',
    '',
    'Corpus: every text an agent reads or writes in expert episodes (goals, observations, admissible actions,',
    'actions) plus one rendered prompt per episode, from the **train split only** of each environment, plus the',
    'prompt instructions. No text of a held-out split (seen-test, unseen-test, test) is fitted on:',
    '',
    '| environment | version | split | episodes | steps |',
    '|---|---|---|---|---|',
    ...train.map((c) => `| ${c.env} | ${c.version} | ${c.split} | ${c.episodes} | ${c.steps} |`),
    '',
    `Coverage, measured on the fitted text and on the first ${HELD_OUT_EPISODES} expert episodes of every held-out split`,
    '(words = letter runs as the pre-tokenizer splits them; "without byte fallback" = words whose encoding',
    'contains no lone byte, a lone byte being the nearest thing byte-level BPE has to an unknown word; by words',
    'and by the characters of those words):',
    '',
    '| text | words | characters | unknown tokens | words as one token | tokens per word | tokens per character | words without byte fallback | word characters without byte fallback |',
    '|---|---|---|---|---|---|---|---|---|',
    ...coverageTrain.map(([label, s]) => coverageRow(label, s)),
    ...coverageHeld.map(([label, s]) => coverageRow(label, s)),
    '',
  ].join('\n');

  const files: Record<string, Uint8Array> = {
    'config.json': json(config),
    'generation_config.json': json(generationConfig),
    'tokenizer.json': json(tok.tokenizerJson),
    'tokenizer_config.json': json(tok.tokenizerConfig),
    'onnx/model.onnx': onnx,
    'README.md': new TextEncoder().encode(card),
  };
  const total = Object.values(files).reduce((n, f) => n + f.byteLength, 0);
  const summary = [
    `environments: ${envs.map((e) => `${e.name}@${e.version}`).join(', ')}`,
    `corpus: ${corpusChars} chars in ${(tCorpus - t0).toFixed(0)} ms`,
    `tokenizer: ${bpe.vocab.size} entries, ${bpe.merges.length} merges in ${(tBpe - tCorpus).toFixed(0)} ms`,
    ...coverageHeld.map(([label, s]) => `${label}: unknown ${s.unknownTokens}, one-token words ${pct(s.singleTokenWordRate)}, tokens/word ${s.tokensPerWord.toFixed(3)}, tokens/char ${s.tokensPerChar.toFixed(4)}, words without byte fallback ${pct(1 - s.byteFallbackWordRate)} (chars ${pct(1 - s.byteFallbackCharRate)})`),
    `model: ${params} parameters, onnx ${onnx.byteLength} bytes in ${(tOnnx - tBpe).toFixed(0)} ms`,
    `total ${total} bytes, built in ${(performance.now() - t0).toFixed(0)} ms`,
  ];
  return { files, summary };
}

function main(): void {
  const out = resolve(ROOT, arg('--out') ?? join('public', 'models', BUNDLED_MODEL_ID));
  const { files, summary } = buildBundledModel();
  if (process.argv.includes('--check')) {
    const stale = Object.entries(files).filter(([name, bytes]) => {
      const path = join(out, name);
      return !existsSync(path) || !Buffer.from(readFileSync(path)).equals(Buffer.from(bytes));
    });
    if (stale.length) {
      console.error(`build-model --check: ${stale.map(([n]) => n).join(', ')} in ${out} differ from a fresh build; run npm run build:model.`);
      process.exit(1);
    }
    console.log(`build-model --check: ${out} is up to date.`);
    return;
  }
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(out, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  for (const line of summary) console.log(line);
  console.log(`wrote ${Object.keys(files).length} files to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
