import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { learningRateAt } from '../nn/lr-schedule';
import type { TransformerWeights } from '../nn/transformer-params';
import { createBpeEncoder } from '../policy/bpe-trainer';
import { bpeModelFromTokenizerJson } from '../policy/tokenizer-files';
import { type SftCheckpointStore, type SftOptions, type SftProgress, SftAbortedError, runSft } from './sft';
import { SFT_CHECKPOINT_FILE, fileCheckpointStore } from './sft-checkpoint-file';

const bpe = bpeModelFromTokenizerJson(JSON.parse(readFileSync(new URL('../../public/models/stepwise-tiny/tokenizer.json', import.meta.url), 'utf8')));
const encode = createBpeEncoder(bpe);

const options = (extra: Partial<SftOptions> = {}): SftOptions => ({
  envs: ['household', 'virtualhome'],
  model: { vocabSize: bpe.vocab.size, hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 1, numKvHeads: 1, headDim: 32, rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: true, attentionBias: false },
  init: { seed: 7 },
  tokenizer: { encode },
  trainEpisodes: 6,
  heldOutEpisodes: 1,
  steps: 6,
  batchTokens: 1024,
  lr: { peak: 1e-2, warmupSteps: 2, floor: 1e-3 },
  seed: 3,
  matmulVariant: 'regblock',
  ...extra,
});

const memoryStore = (): SftCheckpointStore & { writes: Uint8Array[] } => {
  const writes: Uint8Array[] = [];
  return { writes, read: async () => writes.at(-1) ?? null, write: async (b) => void writes.push(b.slice()) };
};

function expectSameWeights(a: TransformerWeights, b: TransformerWeights): void {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const name of Object.keys(a)) {
    const x = a[name].data, y = b[name].data;
    let differing = 0;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) differing++;
    expect(differing, name).toBe(0);
  }
}

describe('the SFT stage (WGSL transformer, Dawn)', () => {
  it('trains with progress events, reports held-out loss, and an interrupted run resumes to identical weights', async () => {
    const gpu = await testGpu();
    const events: SftProgress[] = [];
    const whole = await runSft(options(), { gpu, onProgress: (e) => events.push(e) });
    console.log(`uninterrupted: losses ${whole.losses.map((l) => l.toFixed(4)).join(' ')}, held-out ${whole.heldOutLoss.toFixed(4)} (uniform ${whole.uniformLoss.toFixed(4)}), ${whole.seconds.toFixed(1)} s`);

    const steps = events.filter((e): e is Extract<SftProgress, { kind: 'step' }> => e.kind === 'step');
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    steps.forEach((e, s) => {
      expect(e.lr).toBe(learningRateAt(s, { peak: 1e-2, warmupSteps: 2, totalSteps: 6, floor: 1e-3 }));
      expect(e.loss).toBeGreaterThan(0);
      expect(e.tokensPerSecond).toBeGreaterThan(0);
      expect(e.etaSeconds).toBeGreaterThanOrEqual(0);
    });
    expect(steps.at(-1)!.etaSeconds).toBe(0);
    // A fresh model starts near the uniform loss, and six steps at a high rate lower it.
    expect(Math.abs(whole.losses[0] - whole.uniformLoss)).toBeLessThan(1);
    expect(whole.trainLoss).toBeLessThan(whole.losses[0]);
    // Held-out loss on every test split of the chosen environments.
    expect(whole.heldOut.map((h) => `${h.env}/${h.split}`)).toEqual(['household/seen-test', 'household/unseen-test', 'virtualhome/seen-test', 'virtualhome/unseen-test']);
    for (const h of whole.heldOut) {
      expect(h.lossTokens).toBeGreaterThan(0);
      expect(Number.isFinite(h.loss)).toBe(true);
    }

    // Interrupted after step 3 (abort): a checkpoint file is written atomically, the run rejects.
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-sft-'));
    try {
      const store = fileCheckpointStore(dir);
      const controller = new AbortController();
      const first = runSft(options({ checkpoints: store, checkpointEvery: 2 }), {
        gpu,
        signal: controller.signal,
        onProgress: (e) => { if (e.kind === 'step' && e.step === 3) controller.abort(); },
      });
      await expect(first).rejects.toThrow(SftAbortedError);
      expect(readdirSync(dir)).toEqual([SFT_CHECKPOINT_FILE]);
      const resumedEvents: SftProgress[] = [];
      const resumed = await runSft(options({ checkpoints: store, checkpointEvery: 2 }), { gpu, onProgress: (e) => resumedEvents.push(e) });
      expect(resumed.resumedFrom).toBe(3);
      expect(resumedEvents.filter((e) => e.kind === 'step').map((e) => (e as { step: number }).step)).toEqual([4, 5, 6]);
      expectSameWeights(whole.weights, resumed.weights);
      expect(resumed.heldOutLoss).toBe(whole.heldOutLoss);

      // The same checkpoint with other options is refused rather than continued.
      await expect(runSft(options({ checkpoints: store, seed: 4 }), { gpu })).rejects.toThrow(/different run/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // Killed (no checkpoint at the interruption): the run resumes from its last periodic checkpoint.
    const killed = memoryStore();
    const controller = new AbortController();
    await expect(runSft(options({ checkpoints: { read: killed.read, write: async (b) => { if (!controller.signal.aborted) await killed.write(b); } }, checkpointEvery: 2 }), {
      gpu,
      signal: controller.signal,
      onProgress: (e) => { if (e.kind === 'step' && e.step === 5) controller.abort(); },
    })).rejects.toThrow(SftAbortedError);
    expect(killed.writes).toHaveLength(2); // after steps 2 and 4
    const fromKill = await runSft(options({ checkpoints: killed }), { gpu });
    expect(fromKill.resumedFrom).toBe(4);
    expectSameWeights(whole.weights, fromKill.weights);
  }, 600_000);
});
