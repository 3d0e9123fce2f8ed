// `stepwise sft`: supervised fine-tuning of the bundled decoder on the environments' expert
// episodes, on WebGPU (Dawn in Node). Scripts outside the project call this exact form:
//   stepwise sft [--envs household,webshop,virtualhome] [--steps N] [--out dir] [--json]
// --out holds the checkpoint (a run started again with the same options resumes from it) and,
// at the end, the trained model as a transformers.js folder.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { envNames } from '../envs/registry';
import { Gpu } from '../gpu';
import { createBpeEncoder } from '../policy/bpe-trainer';
import { decoderArchOf, exportDecoderFiles } from '../policy/decoder-export';
import { BUNDLED_MODEL_ID } from '../policy/model-catalogue';
import { bpeModelFromTokenizerJson } from '../policy/tokenizer-files';
import { type SftProgress, runSft } from '../rl/sft';
import { fileCheckpointStore } from '../rl/sft-checkpoint-file';
import { BUNDLED_SFT_RECIPE, sftOptionsFromRecipe } from '../rl/sft-recipe';
import type { CommandGroup } from './command-group';
import { UsageError, type CliIO } from './io';

const USAGE = 'stepwise sft [--envs household,webshop,virtualhome] [--steps N] [--out dir] [--json]';
const MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'models', BUNDLED_MODEL_ID);
const PASS_THROUGH = ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];

function help(): string {
  return [
    `usage: ${USAGE}`,
    '',
    'Fine-tunes the bundled model\'s architecture (seeded weights, the bundled tokenizer) on expert episodes of',
    'the train splits, loss on the action tokens only, and reports the held-out loss on every test split.',
    `Defaults are the bundled model's recipe (${BUNDLED_SFT_RECIPE.steps} steps of ${BUNDLED_SFT_RECIPE.batchTokens} tokens).`,
    '--out (default runs/sft) keeps the checkpoint; running the same command again resumes from it. The',
    'trained model is written there as a transformers.js folder (onnx/model.onnx, model.safetensors, config.json,',
    'tokenizer). --json prints one JSON object with the result; progress goes to standard error.',
  ].join('\n');
}

function formatProgress(e: SftProgress): string | null {
  switch (e.kind) {
    case 'data':
      return `data: ${e.train.map((s) => `${s.env} ${s.sequences} sequences, ${s.tokens} tokens (${s.lossTokens} trained)${s.tooLong ? `, ${s.tooLong} too long` : ''}`).join('; ')}; ${e.batchesPerEpoch} batches per epoch (${e.seconds.toFixed(1)} s)`;
    case 'resumed':
      return `resumed from the checkpoint after step ${e.step}`;
    case 'step':
      return `step ${e.step}/${e.steps}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  |g| ${e.gradNorm.toFixed(3)}  ${e.tokensPerSecond.toFixed(0)} tok/s  eta ${e.etaSeconds.toFixed(0)} s`;
    case 'eval':
      return `held-out after step ${e.step}: loss ${e.loss.toFixed(4)} (${e.heldOut.map((h) => `${h.env}/${h.split} ${h.loss.toFixed(3)}`).join(', ')})`;
    case 'checkpoint':
      return `checkpoint after step ${e.step} (${(e.bytes / 1e6).toFixed(1)} MB)`;
  }
}

async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(help());
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args, options: { envs: { type: 'string' }, steps: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false });
    values = parsed.values;
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\nusage: ${USAGE}`);
  }
  const envs = typeof values.envs === 'string' ? values.envs.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  for (const name of envs ?? []) if (!envNames().includes(name)) throw new UsageError(`unknown environment "${name}" in --envs; known: ${envNames().join(', ')}`);
  if (envs && !envs.length) throw new UsageError(`--envs names no environment\nusage: ${USAGE}`);
  let steps: number | undefined;
  if (typeof values.steps === 'string') {
    if (!/^\d+$/.test(values.steps) || Number(values.steps) < 1) throw new UsageError(`--steps must be a positive integer, got "${values.steps}"`);
    steps = Number(values.steps);
  }
  const out = resolve(typeof values.out === 'string' ? values.out : join('runs', 'sft'));

  const tokenizerJson = readFileSync(join(MODEL_DIR, 'tokenizer.json'));
  const bpe = bpeModelFromTokenizerJson(JSON.parse(tokenizerJson.toString('utf8')));
  const encode = createBpeEncoder(bpe);
  const options = sftOptionsFromRecipe(BUNDLED_SFT_RECIPE, { encode }, {
    ...(envs ? { envs } : {}),
    ...(steps ? { steps, lr: { ...BUNDLED_SFT_RECIPE.lr, warmupSteps: Math.min(BUNDLED_SFT_RECIPE.lr.warmupSteps, steps) } } : {}),
    checkpoints: fileCheckpointStore(out),
    checkpointEvery: 25,
  });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  try {
    const gpu = await Gpu.create();
    const result = await runSft(options, {
      gpu,
      signal: controller.signal,
      onProgress: (e) => {
        const line = formatProgress(e);
        if (line) io.err(line);
      },
    });
    const files = exportDecoderFiles(decoderArchOf(options.model, options.batchTokens), result.weights, {
      tokens: { bos: null, eos: bpe.vocab.get('<|im_end|>')!, pad: bpe.vocab.get('<|endoftext|>')! },
      passThrough: Object.fromEntries(PASS_THROUGH.map((f) => [f, new Uint8Array(readFileSync(join(MODEL_DIR, f)))])),
      configExtra: { stepwise: { weights: `SFT, ${result.steps} steps`, prompt: options.prompt, heldOutLoss: result.heldOutLoss } },
    });
    for (const [name, bytes] of Object.entries(files)) {
      const path = join(out, 'model', name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    const summary = {
      steps: result.steps, resumed_from: result.resumedFrom, train_loss: result.trainLoss, held_out_loss: result.heldOutLoss,
      uniform_loss: result.uniformLoss, held_out: result.heldOut, tokens: result.tokens, seconds: result.seconds, out: join(out, 'model'),
    };
    if (values.json) io.out(JSON.stringify(summary));
    else {
      io.out(`trained ${result.steps} steps in ${result.seconds.toFixed(0)} s: train loss ${result.trainLoss.toFixed(4)}, held-out loss ${result.heldOutLoss.toFixed(4)} (uniform ${result.uniformLoss.toFixed(4)})`);
      for (const h of result.heldOut) io.out(`  ${h.env}/${h.split}: loss ${h.loss.toFixed(4)}, next-token accuracy ${(100 * h.accuracy).toFixed(1)}% over ${h.lossTokens} action tokens`);
      io.out(`model written to ${join(out, 'model')}`);
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
  }
}

export const sftCommands: CommandGroup = { summary: 'fine-tune the bundled model on expert episodes (WebGPU)', run };
