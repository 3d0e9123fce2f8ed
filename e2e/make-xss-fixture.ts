// Writes e2e/data/webshop-xss.jsonl: a WebShop episode whose pages carry markup in every product
// title, as the environment itself renders them. The catalogue's titles are poisoned in this
// process after the search index is built (so the searches rank as usual), then the expert plays
// train task 0 and the episode is exported in the lab's per-step JSONL. xss.spec.ts imports it and
// checks the markup shows as text and never runs. Run after changing the webshop pages:
//   npx tsx e2e/make-xss-fixture.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { getEnvSpec } from '../src/envs/registry';
import { getWorld } from '../src/envs/webshop/world';
import type { StepRecord, Trajectory } from '../src/rl/trajectory';
import { exportTrajectories } from '../src/run/export';
import { XSS } from './fixture-data';

const world = getWorld();
for (const p of world.products) (p as { Title: string }).Title = `${XSS} ${p.Title}`;

const spec = getEnvSpec('webshop');
const task = spec.task('train', 0);
const env = spec.create();
const first = env.reset(task.id, 0);
let observation = first.text;
const steps: StepRecord[] = [];
for (let a = env.expert(); a !== null && steps.length < spec.maxSteps; a = env.expert()) {
  const admissible = env.admissibleActions();
  const candidates = admissible.includes(a) ? admissible : [...admissible, a];
  const probs = candidates.map(() => 1 / candidates.length);
  const r = env.step(a);
  steps.push({
    observation, admissible: candidates, action: candidates.indexOf(a), logpOld: Math.log(probs[0]), probs, value: 0,
    valid: r.valid, reward: r.reward, done: r.done, won: r.won, stateKey: `s${steps.length}`, progress: r.done ? r.reward : 0,
  });
  observation = r.observation.text;
  if (r.done) break;
}
const last = steps[steps.length - 1];
const trajectory: Trajectory = {
  id: 'xss/webshop:train:0/expert', env: 'webshop', envVersion: spec.version, taskId: task.id, seed: 0, iteration: 0,
  goal: first.goal, steps, finalReward: last.reward, won: last.won,
};
if (!steps.some((s) => s.observation.includes(XSS))) throw new Error('no page of the episode shows a product title');
const dir = new URL('./data/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('webshop-xss.jsonl', dir), exportTrajectories([trajectory], 'steps', { runId: 'xss' }));
console.log(`wrote webshop-xss.jsonl: ${steps.length} steps, reward ${last.reward}`);
