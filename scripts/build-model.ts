// npm run build:model — writes the bundled tiny decoder to public/models/stepwise-tiny/:
//   config.json, generation_config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx,
//   model.safetensors, README.md (model card: architecture, corpus, tokenizer coverage, the SFT
//   recipe and its held-out loss).
// Steps: fit the byte-level BPE on train-split text; run the SFT stage (src/rl/sft.ts) from
// seeded weights on the WGSL transformer, in Node on Dawn; write the trained weights through the
// ONNX writer. The same command on the same adapter gives the same bytes: the corpus and the SFT
// data come from the environments' deterministic expert episodes, BPE training breaks ties by id,
// the SFT batch order and initial weights are seeded, and the matmul variant is fixed.
//
//   npx tsx scripts/build-model.ts [--out DIR] [--check] [--steps N] [--fresh]
//     --check    rebuild in memory from scratch and fail if the committed files differ (for CI).
//     --steps N  a shorter SFT (a smoke run; writes a model that is not the committed one).
//     --fresh    ignore the SFT checkpoint a previous build left (see below).
// The SFT stage checkpoints to node_modules/.cache/stepwise-build-model/<key>/ (key: the tokenizer,
// the environments and the recipe), so an interrupted build resumes, and a finished one re-exports
// (e.g. after an ONNX writer change) without training again; the bytes are the same either way.

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_REGISTRY } from '../src/envs/registry';
import { measureCoverage, trainByteLevelBpe, type CoverageStats } from '../src/policy/bpe-trainer';
import { CHATML_SPECIAL_TOKENS, CHATML_TEMPLATE } from '../src/policy/chatml';
import { type DecoderArch, parameterCount } from '../src/policy/decoder-arch';
import { exportDecoderFiles } from '../src/policy/decoder-export';
import { fittingCorpus, fittingTexts, heldOutCorpus } from '../src/policy/env-corpus';
import { tokenizerFiles } from '../src/policy/tokenizer-files';
import { BUNDLED_MODEL_ID } from '../src/policy/model-catalogue';
import { Gpu } from '../src/gpu';
import { createBpeEncoder } from '../src/policy/bpe-trainer';
import { hashString } from '../src/core/hash';
import { type SftProgress, type SftResult, runSft } from '../src/rl/sft';
import { fileCheckpointStore } from '../src/rl/sft-checkpoint-file';
import { BUNDLED_SFT_RECIPE, sftOptionsFromRecipe } from '../src/rl/sft-recipe';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VOCAB_SIZE = BUNDLED_SFT_RECIPE.model.vocabSize;
/** Positions the exported model accepts (rotary angles are computed, so this costs no bytes). */
const MAX_POSITIONS = 4096;
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

/** Why the recipe is what it is (kept with the script that runs it; copied into the model card). */
const RECIPE_WHY = [
  '### Why this size and recipe',
  '',
  'The budget is the whole build within 20 minutes on a 2-core machine where WebGPU runs on SwiftShader, built while',
  'other work shares the machine. Measured there (load average 9 to 14), CPU time per trained token of one SFT step',
  '(forward, loss, backward, AdamW) on real packed batches of 700 to 970 tokens:',
  '',
  '| model | parameters | CPU ms per token | tokens per CPU-minute |',
  '|---|---|---|---|',
  '| 2 layers x 64 (2 heads of 32) | 0.37 M | 4.8 | 12,500 |',
  '| 3 layers x 96 (3 heads of 32) | 0.73 M | 10.3 | 5,800 |',
  '| 4 layers x 128 (4 heads of 32) | 1.4 M | 19 | 3,200 |',
  '',
  'Attention over the packed episodes dominates the step (whole episodes are sequences of 350 to 1,500 tokens), so',
  'the cost grows with layers x heads as much as with width. Under that load this process got between 0.3 and 0.9 of',
  'a core, so a 2 x 64 step of about 1,100 tokens took 4 to 16 s of wall time; a whole 80-step build took 6 min 40 s',
  '(331 CPU-seconds, about 1 minute of it the tokenizer fit, pipeline compilation, the held-out pass and the export).',
  'The build is aimed at about 14 minutes at that load, which leaves margin below 20 on an idle machine: 180 steps of',
  'the 2 x 64 model. The 80-step model reached a held-out loss of 4.67 but picked actions in loops, so the steps go',
  'to updates rather than width: the larger models would get 40 to 90 steps in the same time. Batches hold',
  'up to 1,536 tokens, so the longest WebShop episodes fit whole. The prompt without the admissible-action list grows',
  'only by appending, so one sequence trains every step of an episode: about 19 tokens per trained action token,',
  'against about 90 when every step is its own prompt with the list. Weights are fp32, so the files stay far below 30 MB.',
];

export interface BuiltModel {
  files: Record<string, Uint8Array>;
  summary: string[];
}

function progressLine(e: SftProgress): string | null {
  switch (e.kind) {
    case 'data':
      return `sft data: ${e.train.map((s) => `${s.env} ${s.sequences} seqs/${s.tokens} tokens/${s.lossTokens} trained${s.tooLong ? ` (${s.tooLong} too long)` : ''}`).join(', ')}; ${e.batchesPerEpoch} batches/epoch (${e.seconds.toFixed(1)} s)`;
    case 'step':
      return e.step === 1 || e.step % 10 === 0 || e.step === e.steps
        ? `sft step ${e.step}/${e.steps} loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)} |g| ${e.gradNorm.toFixed(3)} ${e.tokensPerSecond.toFixed(0)} tok/s eta ${e.etaSeconds.toFixed(0)} s`
        : null;
    case 'eval':
      return `sft held-out after step ${e.step}: ${e.loss.toFixed(4)}`;
    case 'resumed':
      return `sft resumed from the checkpoint after step ${e.step}`;
    default:
      return null;
  }
}

function fmt(x: number): string {
  return x.toFixed(4);
}

interface StepRecord {
  loss: number;
  tokens: number;
}

/** Steps between SFT checkpoints (a checkpoint costs one readback of the weights and Adam moments). */
const CHECKPOINT_EVERY = 20;

export async function buildBundledModel(options: { steps?: number; log?: (line: string) => void; resume?: boolean } = {}): Promise<BuiltModel> {
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

  if (bpe.vocab.size !== VOCAB_SIZE) throw new Error(`the tokenizer has ${bpe.vocab.size} entries, the recipe's model ${VOCAB_SIZE}`);
  const recipe = options.steps ? { ...BUNDLED_SFT_RECIPE, steps: options.steps, lr: { ...BUNDLED_SFT_RECIPE.lr, warmupSteps: Math.min(BUNDLED_SFT_RECIPE.lr.warmupSteps, options.steps) } } : BUNDLED_SFT_RECIPE;
  const arch: DecoderArch = { ...recipe.model, maxPositions: MAX_POSITIONS };
  // The SFT fingerprint covers the recipe, not the tokenizer or the episodes, so the folder is keyed by them too.
  const key = hashString(JSON.stringify({ merges: bpe.merges, envs: specs.map((s) => s.version), recipe })).toString(16).padStart(8, '0');
  const checkpointDir = join(ROOT, 'node_modules', '.cache', 'stepwise-build-model', key);
  const checkpointing = options.resume === false ? {} : { checkpoints: fileCheckpointStore(checkpointDir), checkpointEvery: CHECKPOINT_EVERY };
  const sftOptions = sftOptionsFromRecipe(recipe, { encode: createBpeEncoder(bpe) }, checkpointing);
  const gpu = await Gpu.create();
  const adapter = `${gpu.info.vendor} ${gpu.info.architecture} ${gpu.info.description}`.trim();
  // Loss and tokens of every step, kept beside the checkpoint, so a resumed build writes the same card.
  const historyPath = join(checkpointDir, 'steps.json');
  const stored: StepRecord[] = options.resume !== false && existsSync(historyPath) ? (JSON.parse(readFileSync(historyPath, 'utf8')) as StepRecord[]) : [];
  const history: StepRecord[] = [];
  let sft: SftResult;
  try {
    sft = await runSft(sftOptions, {
      gpu,
      onProgress: (e) => {
        if (e.kind === 'resumed') {
          if (stored.length < e.step) throw new Error(`${historyPath} holds ${stored.length} steps, the checkpoint ${e.step}; rebuild with --fresh`);
          history.push(...stored.slice(0, e.step));
        }
        if (e.kind === 'step') history[e.step - 1] = { loss: e.loss, tokens: e.tokens };
        if (e.kind === 'checkpoint') writeFileSync(historyPath, JSON.stringify(history.slice(0, e.step)));
        const line = progressLine(e);
        if (line) options.log?.(line);
      },
    });
  } finally {
    gpu.destroy();
  }
  const losses = history.map((h) => h.loss);
  const tail = losses.slice(-Math.max(1, Math.ceil(losses.length / 10)));
  const trainLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
  const tokensTrained = history.reduce((n, h) => n + h.tokens, 0);
  const tSft = performance.now();
  const envs = specs.map((s) => ({ name: s.name, version: s.version }));
  const tok = tokenizerFiles(bpe, { eos: '<|im_end|>', pad: '<|endoftext|>', modelMaxLength: arch.maxPositions, chatTemplate: CHATML_TEMPLATE });
  const generationConfig = { eos_token_id: tokenIds.eos, pad_token_id: tokenIds.pad, bos_token_id: null, max_new_tokens: 32 };
  const model = exportDecoderFiles(arch, sft.weights, {
    tokens: { bos: null, eos: tokenIds.eos, pad: tokenIds.pad },
    configExtra: {
      stepwise: {
        weights: `SFT on expert episodes of the train splits, ${recipe.steps} steps from seeded weights (seed ${recipe.weightSeed})`,
        // The prompt the model was trained on; the policy should be prompted the same way.
        prompt: sftOptions.prompt,
        heldOutLoss: Number(fmt(sft.heldOutLoss)),
        uniformLoss: Number(fmt(sft.uniformLoss)),
        tokenizer: 'byte-level BPE fitted to train-split environment text',
        environments: envs,
      },
    },
    safetensorsMetadata: { format: 'pt', producer: 'stepwise build-model', recipe: JSON.stringify(recipe) },
    onnx: {
      producer: 'stepwise build-model',
      docString: `Stepwise bundled decoder; SFT on expert episodes (${recipe.steps} steps); tokenizer fitted to ${envs.map((e) => `${e.name}@${e.version}`).join(', ')} (train splits).`,
    },
  });
  const onnx = model['onnx/model.onnx'];

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
    '`model.safetensors` holds the same weights under their Hugging Face names (PyTorch\'s `from_pretrained` reads it).',
    '',
    '## Training: SFT on expert episodes',
    '',
    `The weights are the result of supervised fine-tuning (\`src/rl/sft.ts\`, recipe in \`src/rl/sft-recipe.ts\`) from seeded`,
    `random weights (N(0, 0.02²), seed ${recipe.weightSeed}), run by this script in Node on WebGPU (Dawn) with Stepwise\'s own WGSL`,
    'forward and backward. `npx stepwise sft` runs the same stage.',
    '',
    '- **Data**: expert episodes of the **train split** of every environment, each rendered exactly as the policy\'s',
    '  prompt (ChatML, `src/policy/prompts.ts`), with the loss on the action tokens and their `<|im_end|>` only.',
    `  Prompt options: history of ${sftOptions.prompt!.historyLength} steps, ${sftOptions.prompt!.showAdmissible ? 'admissible actions listed' : 'no admissible-action list'}; config.json repeats them under \`stepwise.prompt\`.`,
    '',
    '| environment | train episodes | sequences | tokens | loss tokens |',
    '|---|---|---|---|---|',
    ...sft.train.map((d) => `| ${d.env} | ${d.episodes} | ${d.sequences}${d.tooLong ? ` (+${d.tooLong} too long, left out)` : ''} | ${d.tokens} | ${d.lossTokens} |`),
    '',
    `- **Optimisation**: ${recipe.steps} steps of AdamW (β 0.9/0.999, weight decay ${recipe.weightDecay} on matrices, global-norm clip ${recipe.maxGradNorm}),`,
    `  learning rate warmed up linearly over ${recipe.lr.warmupSteps} steps to ${recipe.lr.peak}, then a half cosine to ${recipe.lr.floor};`,
    `  batches packed to at most ${recipe.batchTokens} tokens (whole sequences, attention kept inside each), ${tokensTrained.toLocaleString('en-US')} tokens in all,`,
    `  batch order shuffled per epoch (seed ${recipe.seed}); matmul variant fixed (\`${sftOptions.matmulVariant}\`) so the bytes do not depend on autotuning.`,
    `- **Loss** (mean next-token cross-entropy over action tokens, nats): first step ${fmt(losses[0])}, last tenth of the run ${fmt(trainLoss)}.`,
    `  The uniform baseline is ln ${arch.vocabSize} = ${fmt(sft.uniformLoss)}.`,
    '',
    `Held-out loss on the first ${recipe.heldOutEpisodes} expert episodes of every held-out split (never trained on): **${fmt(sft.heldOutLoss)}** over all of them.`,
    '',
    '| environment | split | action tokens | loss | next-token accuracy |',
    '|---|---|---|---|---|',
    ...sft.heldOut.map((h) => `| ${h.env} | ${h.split} | ${h.lossTokens} | ${fmt(h.loss)} | ${(100 * h.accuracy).toFixed(1)}% |`),
    '',
    ...RECIPE_WHY,
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
    ...model,
    'generation_config.json': json(generationConfig),
    'tokenizer.json': json(tok.tokenizerJson),
    'tokenizer_config.json': json(tok.tokenizerConfig),
    'README.md': new TextEncoder().encode(card),
  };
  const total = Object.values(files).reduce((n, f) => n + f.byteLength, 0);
  const summary = [
    `environments: ${envs.map((e) => `${e.name}@${e.version}`).join(', ')}`,
    `corpus: ${corpusChars} chars in ${(tCorpus - t0).toFixed(0)} ms`,
    `tokenizer: ${bpe.vocab.size} entries, ${bpe.merges.length} merges in ${(tBpe - tCorpus).toFixed(0)} ms`,
    ...coverageHeld.map(([label, s]) => `${label}: unknown ${s.unknownTokens}, one-token words ${pct(s.singleTokenWordRate)}, tokens/word ${s.tokensPerWord.toFixed(3)}, tokens/char ${s.tokensPerChar.toFixed(4)}, words without byte fallback ${pct(1 - s.byteFallbackWordRate)} (chars ${pct(1 - s.byteFallbackCharRate)})`),
    `sft: ${recipe.steps} steps in ${((tSft - tBpe) / 1000).toFixed(0)} s on ${adapter}; train loss ${fmt(trainLoss)}, held-out ${fmt(sft.heldOutLoss)} (uniform ${fmt(sft.uniformLoss)})`,
    ...sft.heldOut.map((h) => `  ${h.env}/${h.split}: ${fmt(h.loss)}, accuracy ${(100 * h.accuracy).toFixed(1)}%`),
    `model: ${params} parameters, onnx ${onnx.byteLength} bytes`,
    `total ${total} bytes, built in ${(performance.now() - t0).toFixed(0)} ms`,
  ];
  return { files, summary };
}

async function main(): Promise<void> {
  const out = resolve(ROOT, arg('--out') ?? join('public', 'models', BUNDLED_MODEL_ID));
  const stepsArg = arg('--steps');
  const steps = stepsArg === undefined ? undefined : Number(stepsArg);
  if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps must be a positive integer, got "${stepsArg}"`);
  const check = process.argv.includes('--check');
  const resume = !check && !process.argv.includes('--fresh');
  const { files, summary } = await buildBundledModel({ steps, resume, log: (line) => console.log(line) });
  if (check) {
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

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    // Dawn keeps the process alive after the device is dropped; the build is done.
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
