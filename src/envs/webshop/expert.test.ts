import { describe, expect, it } from 'vitest';
import type { SplitName } from '../env';
import { createWebshopEnv, webshopSpec } from './index';
import type { WebshopEnv } from './webshop-env';

interface Transcript {
  env: string;
  task: string;
  seed: number;
  goal: string;
  steps: Array<{ action: string; observation: string; valid: boolean; reward: number; done: boolean }>;
  reward: number;
  won: boolean;
}

function expertEpisode(env: WebshopEnv, split: SplitName, index: number, seed = 0): Transcript {
  const task = webshopSpec.task(split, index).id;
  const obs = env.reset(task, seed);
  const steps: Transcript['steps'] = [];
  let reward = 0;
  let won = false;
  for (let a = env.expert(); a !== null; a = env.expert()) {
    const adm = env.admissibleActions();
    if (a.startsWith('search[')) expect(adm[0], `${task}: the expert searches the first candidate`).toBe(a);
    else expect(adm, `${task}: expert action ${a} is admissible`).toContain(a);
    const r = env.step(a);
    expect(r.valid, `${task}: expert action ${a} is valid`).toBe(true);
    steps.push({ action: a, observation: r.observation.text, valid: r.valid, reward: r.reward, done: r.done });
    reward = r.reward;
    won = r.won;
    if (r.done) break;
  }
  return { env: 'webshop', task, seed, goal: obs.goal, steps, reward, won };
}

describe('webshop expert', () => {
  it('scores 1 on every test-split instruction within 10 steps', () => {
    const env = createWebshopEnv();
    const lengths: number[] = [];
    for (let i = 0; i < webshopSpec.splits.test!; i++) {
      const t = expertEpisode(env, 'test', i);
      expect(t.won, `test ${i} (${t.task}) reward ${t.reward}`).toBe(true);
      lengths.push(t.steps.length);
    }
    expect(Math.max(...lengths)).toBeLessThanOrEqual(10);
  });

  it('scores 1 on every train-split instruction', () => {
    const env = createWebshopEnv();
    let won = 0;
    for (let i = 0; i < webshopSpec.splits.train!; i++) if (expertEpisode(env, 'train', i).won) won++;
    expect(won).toBe(webshopSpec.splits.train);
  });

  it('recovers from any state: random actions first, then the expert still buys at reward 1', () => {
    const env = createWebshopEnv({ maxSteps: 60 });
    let x = 7;
    for (let i = 0; i < 150; i++) {
      env.reset(webshopSpec.task('train', (i * 37) % 1624).id, i);
      let done = false;
      for (let k = 0; k < i % 12 && !done; k++) {
        // Wander without buying.
        const adm = env.admissibleActions().filter((a) => a !== 'click[Buy Now]');
        x = (x * 1103515245 + 12345) >>> 0;
        done = env.step(adm[x % adm.length]).done;
      }
      let last = { reward: 0, done: false, won: false };
      for (let a = env.expert(); a !== null; a = env.expert()) last = env.step(a);
      expect(last.done).toBe(true);
      expect(last.reward, `task ${i}`).toBe(1);
      expect(last.won, `task ${i}`).toBe(true);
    }
  });

  it('reproduces the golden transcripts', async () => {
    const env = createWebshopEnv();
    const golden = [expertEpisode(env, 'test', 0), expertEpisode(env, 'test', 1), expertEpisode(env, 'train', 0), expertEpisode(env, 'train', 1000, 3)];
    // A purchase that needed paging or several options makes a more telling fixture.
    expect(golden.some((t) => t.steps.length >= 5)).toBe(true);
    await expect(`${JSON.stringify(golden, null, 1)}\n`).toMatchFileSnapshot('./fixtures/expert-golden.json');
  });
});
