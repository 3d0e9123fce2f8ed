// Episode scoring in trie passes (a context's appended tokens and all its candidates, as a trie,
// in one row with range attention; see episode-scoring.ts) against the two-pass per-candidate rows, on the bundled model's weights written
// with the current graph contract (the committed model.onnx may predate it): the same ℓ(a|s),
// φ(s) and ψ(a) under both scorings, round after round of growing household prompts, and
// transformers.js still generating and scoring with the rewritten graph.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEnvSpec } from '../envs/registry';
import { Backbone } from './backbone';
import { bundledModelDir } from './backbone-node';
import type { CandidateScore, ItemScore } from './backbone-types';
import { fromHfConfig } from './decoder-arch';
import type { EpisodeItem, EpisodeScoreOptions } from './episode-scoring';
import { BUNDLED_MODEL_ID } from './model-catalogue';
import { readDecoderOnnxWeights } from './onnx-decoder-reader';
import { type WriteOptions, writeDecoderOnnx } from './onnx-decoder-writer';
import { anchoredMessages, type PromptState } from './prompts';

/** The bundled model folder with its model.onnx rewritten by the current writer from its own weights. */
function rewrittenBundledModel(root: string, options: WriteOptions = {}): void {
  const src = join(bundledModelDir(), BUNDLED_MODEL_ID);
  const dst = join(root, BUNDLED_MODEL_ID);
  mkdirSync(join(dst, 'onnx'), { recursive: true });
  for (const f of readdirSync(src)) if (f.endsWith('.json')) copyFileSync(join(src, f), join(dst, f));
  const config = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8')) as Record<string, unknown>;
  const arch = fromHfConfig(config);
  const weights = readDecoderOnnxWeights(readFileSync(join(src, 'onnx', 'model.onnx')), arch);
  writeFileSync(join(dst, 'onnx', 'model.onnx'), writeDecoderOnnx(arch, weights, options));
}

/** Three household episodes (two of them the same task, so they share contexts until they diverge), `n` rounds. */
function rounds(n: number): EpisodeItem[][] {
  const spec = getEnvSpec('household');
  const eps = [0, 0, 1].map((task, i) => {
    const env = spec.create();
    const obs = env.reset(spec.task('train', task).id, 1);
    const state: PromptState = { env: 'household', goal: obs.goal, initialObservation: obs.text, history: [] };
    return { id: `e${i}`, env, state, pick: i };
  });
  const out: EpisodeItem[][] = [];
  for (let r = 0; r < n; r++) {
    out.push(eps.map((e) => ({ episode: e.id, context: { messages: anchoredMessages(e.state, 0) }, candidates: e.env.admissibleActions() })));
    for (const e of eps) {
      const admissible = e.env.admissibleActions();
      const action = admissible[(e.pick + r) % admissible.length];
      const res = e.env.step(action);
      e.state.history.push({ action, observation: res.observation.text });
    }
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Worst differences between two scorings of the same items: ℓ per token, φ, ψ, per-token log-probs. */
function compare(a: ItemScore[], b: ItemScore[]): { logprob: number; phi: number; psi: number; token: number; candidates: number } {
  const w = { logprob: 0, phi: 0, psi: 0, token: 0, candidates: 0 };
  a.forEach((item, i) => {
    const other = b[i];
    expect(item.contextTokens).toBe(other.contextTokens);
    if (item.phi || other.phi) w.phi = Math.max(w.phi, maxDiff(item.phi!, other.phi!));
    item.candidates.forEach((c: CandidateScore, j) => {
      const o = other.candidates[j];
      expect(c.tokens).toBe(o.tokens);
      w.logprob = Math.max(w.logprob, Math.abs(c.logprobMean - o.logprobMean));
      if (c.psi || o.psi) w.psi = Math.max(w.psi, maxDiff(c.psi!, o.psi!));
      if (c.tokenLogprobs || o.tokenLogprobs) w.token = Math.max(w.token, maxDiff(c.tokenLogprobs!, o.tokenLogprobs!));
      w.candidates++;
    });
  });
  return w;
}

describe('trie passes with range attention on the bundled model (onnxruntime-node)', () => {
  let dir: string;
  let bb: Backbone;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-trie-'));
    rewrittenBundledModel(dir);
    bb = await Backbone.load({ modelId: BUNDLED_MODEL_ID, source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: dir });
  });
  afterAll(async () => {
    await bb?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is detected on the rewritten graph', () => {
    expect(bb.info.supportsRangeAttention).toBe(true);
    expect(bb.info.supportsTreeLogprobs).toBe(true);
    expect(bb.info.featureSource).toBe('hidden-state');
  });

  for (const scoring of ['exact', 'shared-prefix'] as const) {
    it(`${scoring} scoring: one trie row per context gives the per-candidate rows' ℓ(a|s), φ(s) and ψ(a), round after round`, async () => {
      const options: EpisodeScoreOptions = { features: true, tokenLogprobs: true, scoring };
      const all = rounds(4);
      let worst = { logprob: 0, phi: 0, psi: 0, token: 0, candidates: 0 };
      for (const [r, items] of all.entries()) {
        const seg = await bb.scoreEpisodes(items.map((it) => ({ ...it, episode: `seg/${it.episode}` })), { ...options, layout: 'trie' });
        const rows = await bb.scoreEpisodes(items.map((it) => ({ ...it, episode: `rows/${it.episode}` })), { ...options, layout: 'rows' });
        // One candidate row per distinct context; episodes 0 and 1 share theirs in round 0 only.
        expect(seg.candidateRows).toBe(r === 0 ? 2 : 3);
        expect(rows.candidateRows).toBeGreaterThan(seg.candidateRows);
        // One pass does what the rows layout needs an extension pass and candidate passes for.
        expect(seg.extensionPasses).toBe(0);
        expect(seg.candidatePasses).toBeLessThanOrEqual(rows.extensionPasses + rows.candidatePasses);
        // From round 0 on: the prompts' shared instructions are computed once (an anchor), then the episodes' own caches.
        expect(seg.reusedTokens).toBeGreaterThan(0);
        const w = compare(seg.items, rows.items);
        if (r === 1) {
          // A budget that fits one context per pass: more passes, the same scores.
          const small = await bb.scoreEpisodes(items.map((it) => ({ ...it, episode: `small/${it.episode}` })), { ...options, layout: 'trie', memoryBudgetBytes: 2 ** 20 });
          expect(small.candidatePasses).toBe(3);
          expect(seg.candidatePasses).toBe(1);
          expect(compare(small.items, seg.items).logprob).toBeLessThan(1e-6);
        }
        if (scoring === 'shared-prefix' && r === 0) {
          // ψ(a) (computed first by the trie rows above, then cached) is the action as the reply to the bare prompt.
          const psiPrompt = bb.frameFor({ messages: [{ role: 'user', content: 'Action:' }] }).context;
          const bare = await bb.score([{ context: { text: psiPrompt, candidatePrefix: '', candidateSuffix: '' }, candidates: items[2].candidates }], { features: true, strategy: 'full' });
          items[2].candidates.forEach((_, j) => (w.psi = Math.max(w.psi, maxDiff(seg.items[2].candidates[j].psi!, bare.items[0].candidates[j].psi!))));
        }
        worst = { logprob: Math.max(worst.logprob, w.logprob), phi: Math.max(worst.phi, w.phi), psi: Math.max(worst.psi, w.psi), token: Math.max(worst.token, w.token), candidates: worst.candidates + w.candidates };
      }
      bb.endEpisodes(all[0].flatMap((it) => [`seg/${it.episode}`, `rows/${it.episode}`, `small/${it.episode}`]));
      console.log(`trie vs rows (${scoring}): ${worst.candidates} candidates, max |Δℓ mean| ${worst.logprob.toExponential(2)}, per token ${worst.token.toExponential(2)}, φ ${worst.phi.toExponential(2)}, ψ ${worst.psi.toExponential(2)}`);
      expect(worst.candidates).toBeGreaterThan(100);
      expect(worst.logprob).toBeLessThan(2e-5);
      expect(worst.token).toBeLessThan(1e-4);
      expect(worst.phi).toBeLessThan(1e-4);
      expect(worst.psi).toBeLessThan(1e-4);
    });
  }

  it('exact trie scoring equals Backbone.score on each prompt alone', async () => {
    const items = rounds(3)[2];
    const seg = await bb.scoreEpisodes(items.map((it) => ({ ...it, episode: `alone/${it.episode}` })), { features: true });
    bb.endEpisodes(items.map((it) => `alone/${it.episode}`));
    for (const [i, it] of items.entries()) {
      const alone = await bb.score([{ context: it.context, candidates: it.candidates }], { features: true, strategy: 'full' });
      const w = compare([seg.items[i]], alone.items);
      expect(w.logprob).toBeLessThan(2e-5);
      expect(w.phi).toBeLessThan(1e-4);
      expect(w.psi).toBeLessThan(1e-4);
    }
  });

  it('transformers.js still generates greedily by the argmax of the full forward on the rewritten graph', async () => {
    const context = { text: 'You arrive at countertop 1. On the countertop 1, you see a mug 2.\nAction:' };
    const out = await bb.generate({ context, maxNewTokens: 5, temperature: 0, stop: [] });
    // The trained model may end its turn early: generation stops after the end-of-sequence token.
    const ids = bb.encode(context.text, true);
    const start = ids.length;
    for (let step = 0; step < 5; step++) {
      const { logits, dims } = await bb.forwardLogits(ids);
      const V = dims[2];
      const last = logits.subarray((ids.length - 1) * V, ids.length * V);
      let best = 0;
      for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v;
      ids.push(best);
      if (bb.info.eosTokenIds.includes(best)) break;
    }
    expect(out.tokens).toBe(ids.length - start);
    expect(bb.decode(ids.slice(start)).trim()).toBe(out.text);
  });

  it('a graph without tree_logprobs reads the trie from the fetched logits: the same scores', async () => {
    const logitsDir = mkdtempSync(join(tmpdir(), 'stepwise-notree-'));
    rewrittenBundledModel(logitsDir, { treeLogprobsOutput: false });
    const viaLogits = await Backbone.load({ modelId: BUNDLED_MODEL_ID, source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: logitsDir });
    try {
      expect(viaLogits.info.supportsRangeAttention).toBe(true);
      expect(viaLogits.info.supportsTreeLogprobs).toBe(false);
      for (const scoring of ['exact', 'shared-prefix'] as const) {
        for (const features of [true, false]) {
          const options: EpisodeScoreOptions = { features, tokenLogprobs: true, scoring };
          let worst = { logprob: 0, phi: 0, psi: 0, token: 0, candidates: 0 };
          for (const items of rounds(3)) {
            const tree = await bb.scoreEpisodes(items.map((it) => ({ ...it, episode: `tree/${it.episode}` })), options);
            const logits = await viaLogits.scoreEpisodes(items, options);
            expect(tree.candidatePasses).toBe(logits.candidatePasses);
            const w = compare(tree.items, logits.items);
            worst = { logprob: Math.max(worst.logprob, w.logprob), phi: Math.max(worst.phi, w.phi), psi: Math.max(worst.psi, w.psi), token: Math.max(worst.token, w.token), candidates: worst.candidates + w.candidates };
          }
          bb.endEpisodes(rounds(1)[0].map((it) => `tree/${it.episode}`));
          viaLogits.endEpisodes(rounds(1)[0].map((it) => it.episode));
          expect(worst.candidates).toBeGreaterThan(50);
          expect(worst.logprob).toBeLessThan(2e-5);
          expect(worst.token).toBeLessThan(1e-4);
          expect(worst.phi).toBeLessThan(1e-4);
          expect(worst.psi).toBeLessThan(1e-4);
        }
      }
    } finally {
      await viaLogits.dispose();
      rmSync(logitsDir, { recursive: true, force: true });
    }
  });

  it('a graph without token_logprobs has no range attention: rows by default, layout "trie" refused by name', async () => {
    const plainDir = mkdtempSync(join(tmpdir(), 'stepwise-norange-'));
    rewrittenBundledModel(plainDir, { tokenLogprobsOutput: false });
    const plain = await Backbone.load({ modelId: BUNDLED_MODEL_ID, source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: plainDir });
    try {
      expect(plain.info.supportsRangeAttention).toBe(false);
      const items = rounds(1)[0];
      await expect(plain.scoreEpisodes(items, { layout: 'trie' })).rejects.toThrow(/no range attention/);
      const byDefault = await plain.scoreEpisodes(items, { features: true });
      const seg = await bb.scoreEpisodes(items.map((it) => ({ ...it, episode: `plain/${it.episode}` })), { features: true });
      bb.endEpisodes(items.map((it) => `plain/${it.episode}`));
      expect(byDefault.candidateRows).toBeGreaterThan(seg.candidateRows);
      expect(compare(byDefault.items, seg.items).logprob).toBeLessThan(2e-5);
    } finally {
      await plain.dispose();
      rmSync(plainDir, { recursive: true, force: true });
    }
  });
});
