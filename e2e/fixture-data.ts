// Data the e2e specs import through the UI, built here from the pipeline's own exporters so the
// files are exactly what the lab writes: trajectories as per-step JSONL (with recorded training
// values), and runs as Compare's run bundles with training and evaluation rows.

import type { StepRecord, Trajectory } from '../src/rl/trajectory';
import { defaultRunConfig } from '../src/run/config';
import { exportTrajectories } from '../src/run/export';
import type { MetricRow } from '../src/run/persistence/store';
import { METRICS as M } from '../src/run/protocol';
import { bundlesToJson, toBundle } from '../src/ui/compare/run-bundle';

/** Markup that runs script if anything renders imported text as HTML. */
export const XSS = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function trajectory(i: number, iteration: number, won: boolean, rnd: () => number): Trajectory {
  const n = 4 + (i % 4);
  const steps: StepRecord[] = Array.from({ length: n }, (_, t) => {
    const admissible = ['look', `go to countertop ${t + 1}`, 'take apple 1 from countertop 1', 'open fridge 1', ...(i === 2 ? [XSS] : [])];
    const logits = admissible.map(() => rnd());
    const z = logits.reduce((a, b) => a + Math.exp(b), 0);
    const probs = logits.map((l) => Math.exp(l) / z);
    const action = (t + i) % admissible.length;
    const last = t === n - 1;
    const valid = t % 3 !== 2;
    return {
      observation: i === 2 && t === 0 ? `You see ${XSS} on the table.` : `Step ${t}: You are in the middle of a room. You see a countertop ${t + 1}.`,
      admissible, action, logpOld: Math.log(probs[action]), probs, value: 0.1 * t, valid,
      reward: last && won ? 1 : 0, done: last, won: last && won, stateKey: `s${i}-${t}`,
      progress: (won ? 1 : 0) / n + (rnd() - 0.5) * 0.1,
    };
  });
  return {
    id: `it${iteration}/household:${i % 3 === 0 ? 'unseen-test' : 'train'}:${i}/k0`, env: 'household', taskId: `household-task-${i}`, seed: i, iteration,
    goal: i === 2 ? `put a ${XSS} in fridge.` : `put a hot apple in fridge (task ${i}).`, steps, finalReward: won ? 1 : 0, won,
  };
}

export function trajectoriesFixture(count = 40): Trajectory[] {
  const rnd = lcg(5);
  return Array.from({ length: count }, (_, i) => trajectory(i, i < count / 2 ? 0 : 1, i % 2 === 0, rnd));
}

/** Per-step JSONL with recorded ratio and clip status on every step. */
export function stepsJsonl(trajs = trajectoriesFixture()): string {
  return exportTrajectories(trajs, 'steps', {
    runId: 'fixture',
    annotate: (t, k) => ({ ratio: 1 + 0.05 * (k - 1), clipped: k === 3, advantage: 0.5 - 0.1 * k }),
  });
}

export const METHODS = ['spa', 'outcome', 'rloo'] as const;

/** Runs of three methods × two seeds on household, with PPO curves and a final evaluation on two splits. */
export function runBundles(): string {
  const bundles = METHODS.flatMap((method, m) => [1, 2].map((seed) => {
    const rnd = lcg(100 * m + seed);
    const config = { ...defaultRunConfig(), reward: method, seed };
    // Keys are the protocol's metric names, whatever they are today.
    const rows: MetricRow[] = Array.from({ length: 12 }, (_, it) => ({
      iteration: it,
      [M.success]: Math.min(1, 0.2 + it * (0.04 - 0.01 * m) + 0.03 * rnd()),
      [M.score]: 0.3 + it * 0.03 + 0.02 * rnd(),
      [M.grounding]: 0.6 + it * 0.02 * (1 - 0.3 * m),
      [M.estMseTrain]: 0.2 / (it + 1), [M.estMseHeldOut]: 0.25 / (it + 1) + 0.01,
      [M.pgLoss]: -0.05 + 0.01 * rnd(), [M.vfLoss]: 0.3 / (it + 1), [M.approxKl]: 0.002 * it, [M.entropy]: 1.4 - 0.05 * it, [M.clipfrac]: 0.05 + 0.01 * rnd(),
      [M.envStepsPerS]: 40 + 5 * rnd(),
      [M.calibrationSuccess]: Array.from({ length: 11 }, (_, k) => k / 10),
      [M.calibrationFailed]: Array.from({ length: 11 }, (_, k) => 0.2 * k / 10),
    }));
    for (const split of ['seen-test', 'unseen-test']) {
      rows.push({ iteration: 11, stage: 'eval', split, [M.success]: 0.7 - 0.1 * m + 0.02 * seed, [M.score]: 0.75 - 0.1 * m, [M.grounding]: 0.9 - 0.05 * m + 0.01 * seed, [M.length]: 12 });
    }
    const label = method === 'rloo' && seed === 2 ? `rloo ${XSS} seed 2` : `${method} · household · seed ${seed}`;
    const now = '2025-06-01T12:00:00.000Z';
    return toBundle({ id: `${method}-s${seed}`, label, config, status: 'finished', createdAt: now, updatedAt: now }, rows);
  }));
  return bundlesToJson(bundles);
}
