// Tuning harness (train split only): the e2e test's setup (hashed backbone, 8 household train tasks,
// 10-step episodes, partial BC, 6 PPO iterations, K = 8) for one reward variant and PPO overrides.
//   npx tsx scripts/ppo-tune.ts reward=spa ppo='{"lr":3e-3}' [bc='{"epochs":40}'] [beta=0.5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testGpu } from '../src/gpu/testing';
import type { RewardVariant } from '../src/rl/rewards';
import { InlineEnvs } from '../src/rl/rollout-envs';
import { HashedBackbone } from '../src/rl/test-backbone';
import { parseRunConfig } from '../src/run/config';
import { Orchestrator } from '../src/run/orchestrator';
import { FileRunStore } from '../src/run/persistence/file-store';

const arg = Object.fromEntries(process.argv.slice(2).map((a) => { const i = a.indexOf('='); return [a.slice(0, i), a.slice(i + 1)]; }));
const TASKS = Number(arg.tasks ?? 8);
async function main() {
  const root = mkdtempSync(join(tmpdir(), 'stepwise-tune-'));
  const store = await FileRunStore.open(root);
  const reward = (arg.reward ?? 'outcome') as RewardVariant;
  const c = parseRunConfig({
    env: 'household', seed: Number(arg.seed ?? 0), reward, tasks: { start: 0, count: TASKS },
    bc: { epochs: 40, lr: 1e-2, ...JSON.parse(arg.bc ?? '{}') }, explore: { k: 8 }, estimator: { hidden: 32, epochs: 20 },
    ...(arg.beta ? { beta: Number(arg.beta) } : {}),
    ppo: { iterations: 6, tasksPerIteration: TASKS, epochs: 4, minibatch: 64, lr: 3e-3, ...JSON.parse(arg.ppo ?? '{}') },
    eval: { splits: ['train'], tasks: TASKS },
  });
  const t0 = performance.now();
  const backbone = new HashedBackbone(64);
  const o = new Orchestrator({ runId: 'r', config: c, store, options: { maxSteps: 10, headHidden: [32] },
    deps: { gpu: await testGpu(), backbone, featureDim: backbone.dim, envs: new InlineEnvs(32) } });
  const out = await o.run();
  const rows = await store.metrics('r');
  const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : String(x));
  for (const r of rows) {
    if (r.stage === 'bc') console.log('bc', f(r['bc/accuracy']), 'entropy', f(r['bc/entropy']));
    if (r.stage === 'ppo' || r.stage === 'estimator') console.log(r.stage, r.iteration, 'succ', f(r.success_rate), 'len', f(r.episode_length), 'H', f(r['actor/entropy']), 'kl', f(r['actor/kl_loss']), 'A', f(r['critic/advantages_mean']), 'ev', f(r['critic/explained_var']), 'R', f(r['critic/rewards_mean']), 'valid', f(r.grounding_acc ?? r['grounding']));
  }
  const t = out.results.train!;
  console.log(`RESULT ${reward} ${arg.ppo ?? ''} greedy train ${t.solved}/${t.tasks} len ${t.mean_length.toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}
main().catch((e) => { console.error(e); process.exit(1); });
