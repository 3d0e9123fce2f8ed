// Loading a causal LM through the transformers.js adapter and finding out what it is: the
// architecture check, the facts ModelInfo reports (sizes, KV layout, feature source, chat
// template, special tokens) and the warm-up run that surfaces out-of-memory at load time.

import type { LoadProgress, LoadRequest, ModelInfo } from './backbone-types';
import { missingModelFiles } from './memory-model';
import { ModelError, classifyModelError } from './model-errors';
import { type ChatMessage, endOfTurnMarker } from './prompts';
import {
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type SessionLike,
  configureEnv,
  decoderSession,
  disposeGpuOutputs,
  generationEos,
  hasChatTemplate,
  int64,
  loadCausalLm,
  loadConfig,
  loadTokenizer,
  progressCallback,
  releaseMemoryModel,
  runModel,
  supportsCausalLm,
} from './transformers-adapter';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export interface LoadedModel {
  info: ModelInfo;
  model: PreTrainedModel;
  tokenizer: PreTrainedTokenizer;
}

export function renderChat(tokenizer: PreTrainedTokenizer, messages: ChatMessage[], addGenerationPrompt: boolean): string {
  return tokenizer.apply_chat_template(messages as Array<{ role: string; content: string }>, {
    tokenize: false,
    add_generation_prompt: addGenerationPrompt,
  }) as string;
}

/** transformers.js' dtype → file suffix (onnx/model_<suffix>.onnx), for error messages. */
function dtypeSuffix(dtype: string): string {
  const map: Record<string, string> = { fp16: 'fp16', q8: 'quantized', int8: 'int8', uint8: 'uint8', q4: 'q4', q4f16: 'q4f16', bnb4: 'bnb4' };
  return map[dtype] ?? dtype;
}

/** ModelInfo from the config, the decoder session's inputs/outputs and the tokenizer (timings 0). */
export function inspectModel(req: LoadRequest, config: Record<string, unknown>, session: SessionLike, model: PreTrainedModel, tokenizer: PreTrainedTokenizer): ModelInfo {
  const c = config as Record<string, number | undefined>;
  const hasHidden = session.outputNames.includes('last_hidden_state');
  const hiddenSize = Number(c.hidden_size ?? c.n_embd ?? 0);
  const numHeads = Number(c.num_attention_heads ?? c.n_head ?? 1);
  const chat = hasChatTemplate(tokenizer);
  const eos = generationEos(model) ?? c.eos_token_id;
  const eosTokenIds = (Array.isArray(eos) ? eos : eos === undefined ? [] : [eos]).map(Number);
  return {
    modelId: req.modelId,
    source: req.source,
    device: req.device,
    dtype: req.dtype,
    modelType: String(config.model_type ?? ''),
    vocabSize: Number(c.vocab_size ?? 0),
    hiddenSize,
    numLayers: Number(c.num_hidden_layers ?? c.n_layer ?? 0),
    numKvHeads: Number(c.num_key_value_heads ?? numHeads),
    headDim: Number(c.head_dim ?? hiddenSize / numHeads),
    featureSource: hasHidden ? 'hidden-state' : 'logit-sketch',
    featureDim: hasHidden ? hiddenSize : (req.sketchDim ?? 256),
    hasChatTemplate: chat,
    endOfTurn: chat ? endOfTurnMarker((m, g) => renderChat(tokenizer, m, g)) : '',
    eosTokenIds,
    padTokenId: Number(c.pad_token_id ?? eosTokenIds[0] ?? 0),
    supportsLogitsToKeep: session.inputNames.includes('num_logits_to_keep'),
    // token_logprobs is this project's writer's output, written together with range attention;
    // trie rows also need explicit positions and the hidden states for φ(s) and ψ(a).
    supportsRangeAttention: session.outputNames.includes('token_logprobs') && hasHidden && session.inputNames.includes('position_ids'),
    supportsTreeLogprobs: session.outputNames.includes('tree_logprobs') && session.outputNames.includes('new_key_values.0.key'),
    loadMs: 0,
    warmupMs: 0,
  };
}

/**
 * Loads config, tokenizer and weights, checks the model can score, and warms it up. A request
 * with `files` (an in-memory model folder) is checked for its required files first; its bytes
 * are dropped after the load, since ORT keeps its own copy of the graph.
 */
export async function loadModel(req: LoadRequest, onProgress: (p: LoadProgress) => void): Promise<LoadedModel> {
  if (req.files) {
    const missing = missingModelFiles(req.files);
    if (missing.length) {
      throw new ModelError('bad-input', req.modelId, `The model "${req.modelId}" was given as files but lacks ${missing.join(', ')}; it cannot be loaded.`, `files: ${Object.keys(req.files).join(', ')}`);
    }
  }
  try {
    return await loadConfigured(req, onProgress);
  } finally {
    if (req.files) releaseMemoryModel();
  }
}

async function loadConfigured(req: LoadRequest, onProgress: (p: LoadProgress) => void): Promise<LoadedModel> {
  const t0 = now();
  configureEnv(req);
  const common = { revision: req.revision ?? 'main', local_files_only: req.source === 'local', progress_callback: progressCallback(onProgress) };

  let config: Record<string, unknown>;
  try {
    config = await loadConfig(req.modelId, common);
  } catch (e) {
    throw classifyModelError(e, req.modelId, 'load', 'config.json');
  }
  const modelType = String(config.model_type ?? '');
  if (!supportsCausalLm(modelType)) {
    throw new ModelError(
      'unsupported-architecture',
      req.modelId,
      `Model "${req.modelId}" is a "${modelType || 'unknown'}" model, which transformers.js cannot run as a causal language model. Stepwise needs a decoder-only LM such as llama, qwen2 or mistral.`,
      `model_type=${modelType}`,
      'config.json',
    );
  }

  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  try {
    tokenizer = await loadTokenizer(req.modelId, common);
  } catch (e) {
    throw classifyModelError(e, req.modelId, 'load');
  }
  try {
    model = await loadCausalLm(req.modelId, common, req.device, req.dtype);
  } catch (e) {
    throw classifyModelError(e, req.modelId, 'load', `onnx/model${req.dtype === 'fp32' ? '' : `_${dtypeSuffix(req.dtype)}`}.onnx`);
  }

  const session = decoderSession(model);
  if (!session) {
    await model.dispose();
    throw new ModelError('unsupported-architecture', req.modelId, `Model "${req.modelId}" has no decoder session; Stepwise needs a decoder-only causal LM.`);
  }
  if (!session.inputNames.some((n) => n.startsWith('past_key_values.'))) {
    await model.dispose();
    throw new ModelError(
      'unsupported-architecture',
      req.modelId,
      `Model "${req.modelId}" was exported without a KV cache (no past_key_values inputs). Stepwise needs the cache to score candidates and to generate; re-export it "with past".`,
      `inputs: ${session.inputNames.join(', ')}`,
    );
  }
  const info = inspectModel(req, config, session, model, tokenizer);

  // Warm-up: compiles kernels (shaders on WebGPU) and surfaces out-of-memory at load time.
  onProgress({ status: 'warmup' });
  const tw = now();
  try {
    const pad = info.padTokenId;
    const ids = [[pad, pad]];
    disposeGpuOutputs(await runModel(model, { input_ids: int64(ids, 2, () => pad), attention_mask: int64(ids, 2, () => 1) }));
  } catch (e) {
    await model.dispose().catch(() => {});
    throw classifyModelError(e, req.modelId, 'run');
  }
  info.warmupMs = now() - tw;
  info.loadMs = now() - t0;
  onProgress({ status: 'ready' });
  return { info, model, tokenizer };
}
