// What training did inside an experiment, per method, from its runs' metrics.jsonl: the sampled
// success and grounding of the policy's own train-task rollouts at exploration (the BC policy) and
// at each PPO iteration, the KL to the reference, the entropy, and the estimator's fit. The
// experiment's results table only has the greedy test evaluation at the end; this shows whether
// PPO moved the policy at all on the tasks it trained on.
//   npx tsx scripts/experiment-trace.ts /tmp/exp/household [--json]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Row = Record<string, unknown> & { iteration: number; stage: string };

const dir = process.argv[2];
if (!dir || !existsSync(join(dir, 'runs'))) {
  console.error('usage: npx tsx scripts/experiment-trace.ts <experiment --out dir> [--json]');
  process.exit(2);
}
const asJson = process.argv.includes('--json');

const num = (r: Row | undefined, k: string): number | null => (r && typeof r[k] === 'number' ? (r[k] as number) : null);
const mean = (xs: Array<number | null>): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};
const fmt = (x: number | null, d = 3): string => (x === null ? '–' : x.toFixed(d));
const pct = (x: number | null): string => (x === null ? '–' : (100 * x).toFixed(1));

/** run name "spa-s1" → method "spa". */
const runs = readdirSync(join(dir, 'runs')).filter((n) => existsSync(join(dir, 'runs', n, 'metrics.jsonl'))).sort();
const byMethod = new Map<string, Row[][]>();
for (const name of runs) {
  const method = name.replace(/-s\d+$/, '');
  const rows = readFileSync(join(dir, 'runs', name, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
  byMethod.set(method, [...(byMethod.get(method) ?? []), rows]);
}

const out: Array<Record<string, unknown>> = [];
for (const [method, seeds] of byMethod) {
  const explore = seeds.map((rows) => rows.find((r) => r.stage === 'estimator' && r.iteration === 0));
  const ppo = seeds.map((rows) => rows.filter((r) => r.stage === 'ppo').sort((a, b) => a.iteration - b.iteration));
  const iterations = Math.max(0, ...ppo.map((p) => p.length));
  const at = (i: number, k: string) => mean(ppo.map((p) => num(p[i], k)));
  out.push({
    method,
    seeds: seeds.length,
    explore_success: mean(explore.map((r) => num(r, 'success_rate'))),
    explore_grounding: mean(explore.map((r) => num(r, 'grounding_acc'))),
    estimator_mse_train: mean(explore.map((r) => num(r, 'estimator/mse_train'))),
    estimator_mse_heldout: mean(explore.map((r) => num(r, 'estimator/mse_heldout'))),
    ppo: Array.from({ length: iterations }, (_, i) => ({
      iteration: i + 1,
      success: at(i, 'success_rate'),
      grounding: at(i, 'grounding_acc'),
      entropy: at(i, 'actor/entropy'),
      kl: at(i, 'actor/kl_loss'),
      clipfrac: at(i, 'actor/pg_clipfrac'),
      explained_var: at(i, 'critic/explained_var'),
    })),
  });
}

if (asJson) {
  console.log(JSON.stringify({ dir, methods: out }, null, 1));
} else {
  console.log(`${dir}: sampled train-task rollouts, mean over seeds (success %, grounding %); PPO iterations 1…n roll out the policy before that iteration's update`);
  console.log('| method | explore (BC policy) | PPO iterations: success / grounding | last KL | last entropy | estimator MSE train / held-out |');
  console.log('|---|---|---|---|---|---|');
  for (const m of out) {
    const ppo = m.ppo as Array<Record<string, number | null>>;
    const last = ppo.at(-1);
    console.log(`| ${m.method} | ${pct(m.explore_success as number | null)} / ${pct(m.explore_grounding as number | null)} | ${ppo.map((p) => `${pct(p.success)} / ${pct(p.grounding)}`).join(' → ') || '–'} | ${fmt(last?.kl ?? null, 4)} | ${fmt(last?.entropy ?? null)} | ${fmt(m.estimator_mse_train as number | null)} / ${fmt(m.estimator_mse_heldout as number | null)} |`);
  }
}
