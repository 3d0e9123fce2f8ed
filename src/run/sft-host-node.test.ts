// A tiny run with sft.enabled in the Node host's shape: the SFT stage fine-tunes the bundled
// weights for 2 steps, writes an sft metric row and <out>/model/, and every later stage scores
// with that model; a host built again for the same --out starts on the export and its SFT hook
// reuses it without training.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Gpu } from '../gpu';
import { Backbone } from '../policy/backbone';
import { bundledModelDir } from '../policy/backbone-node';
import { BUNDLED_MODEL_ID, catalogueEntry, loadRequestFor } from '../policy/model-catalogue';
import { InlineEnvs } from '../rl/rollout-envs';
import { parseRunConfig } from './config';
import { RunControl } from './control';
import { Orchestrator } from './orchestrator';
import { FileRunStore } from './persistence/file-store';
import { finishedSftModel, loadBackboneFolder, nodeSftHook, SwappableBackbone } from './sft-host-node';

const root = mkdtempSync(join(tmpdir(), 'stepwise-sft-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Shrinks the stage's data so 2 steps and the held-out pass take seconds on SwiftShader. */
const OVERRIDES = { envs: ['household'], trainEpisodes: 6, heldOutEpisodes: 1 };

const config = parseRunConfig({
  env: 'household', tasks: { count: 1 }, sft: { enabled: true, steps: 2 }, bc: { epochs: 1 }, explore: { k: 2 },
  estimator: { hidden: 8, epochs: 1 }, ppo: { iterations: 1, tasksPerIteration: 1, epochs: 1, minibatch: 16 }, eval: { tasks: 1 },
});

async function hostFor(out: string, gpu: Gpu) {
  const done = finishedSftModel(out, config);
  const first = done ? await loadBackboneFolder(done) : await Backbone.load(loadRequestFor(catalogueEntry(BUNDLED_MODEL_ID)!, 'cpu', { localModelPath: bundledModelDir() }));
  const backbone = new SwappableBackbone(first, done ?? BUNDLED_MODEL_ID);
  return { backbone, deps: { gpu, backbone, featureDim: first.info.featureDim, envs: new InlineEnvs(4), sft: nodeSftHook(out, gpu, backbone, OVERRIDES) } };
}

describe('the SFT stage in the Node host', () => {
  it('fine-tunes, exports to <out>/model, runs the later stages on it, and reuses it on resume', async () => {
    const gpu = await Gpu.create();
    const out = join(root, 'run');
    const { backbone, deps } = await hostFor(out, gpu);
    // What the later stages score with: the model folder behind every scoreEpisodes call.
    const scoredWith = new Set<string>();
    const score = backbone.scoreEpisodes.bind(backbone);
    backbone.scoreEpisodes = (items, o) => { scoredWith.add(backbone.modelFolder); return score(items, o); };
    const store = await FileRunStore.openRunDir(out);
    const t0 = performance.now();
    try {
      const outcome = await new Orchestrator({ runId: 'sft-run', config, store, deps, options: { maxSteps: 2 }, onProgress: () => {}, onMetrics: () => {} }).run();
      expect(outcome.iterations).toBe(1);
    } finally {
      await store.close();
    }
    const modelDir = join(out, 'model');
    expect(backbone.modelFolder).toBe(modelDir);
    expect([...scoredWith]).toEqual([modelDir]);
    expect(backbone.info.featureDim).toBe(deps.featureDim);
    const hf = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as { stepwise: { weights: string } };
    expect(hf.stepwise.weights).toMatch(/2 steps/);
    const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows[0].stage).toBe('sft');
    for (const k of ['sft/loss', 'sft/heldout_loss', 'sft/tokens_per_s']) expect(rows[0][k], k).toBeGreaterThan(0);
    expect(rows.map((r) => r.stage)).toEqual(['sft', 'bc', 'estimator', 'ppo', 'eval', 'eval']);
    console.log(`SFT run: ${((performance.now() - t0) / 1000).toFixed(1)} s, sft row ${JSON.stringify(rows[0])}`);
    await backbone.dispose();

    // Resume: a host for the same --out starts on the export, and the hook returns the stored metrics without training.
    const mtime = statSync(join(modelDir, 'model.safetensors')).mtimeMs;
    const again = await hostFor(out, gpu);
    expect(again.backbone.modelFolder).toBe(modelDir);
    const t1 = performance.now();
    const m = await again.deps.sft(config, new RunControl(), () => {});
    expect(performance.now() - t1).toBeLessThan(2000);
    expect(m['sft/loss']).toBe(rows[0]['sft/loss']);
    expect(statSync(join(modelDir, 'model.safetensors')).mtimeMs).toBe(mtime);
    await again.backbone.dispose();
    gpu.device.destroy();
  }, 180_000);
});
