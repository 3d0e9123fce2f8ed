// The typed success flag across every registered environment: `won` is true on the step that
// ends a solved episode and on no other step, so rollouts, the playground and the CLI can read
// it instead of guessing from the reward. Failures per environment (partial purchases, step
// limits) are tested next to each environment.

import { describe, expect, it } from 'vitest';
import type { SplitName, StepResult } from './env';
import { playEpisode } from './play';
import { ENV_REGISTRY } from './registry';

/** Tasks spread over each test split, so the sample covers several task kinds and scenes. */
const TASKS_PER_SPLIT = 12;

function testSplits(splits: Partial<Record<SplitName, number>>): [SplitName, number][] {
  return (Object.entries(splits) as [SplitName, number][]).filter(([name]) => name !== 'train');
}

describe('won: true exactly on the expert\'s final step of a solved task', () => {
  for (const spec of ENV_REGISTRY.values()) {
    it(spec.name, () => {
      const env = spec.create();
      let episodes = 0;
      for (const [split, size] of testSplits(spec.splits)) {
        const stride = Math.max(1, Math.floor(size / TASKS_PER_SPLIT));
        for (let index = 0; index < size; index += stride) {
          env.reset(spec.task(split, index).id, index);
          const results: StepResult[] = [];
          for (let a = env.expert(); a !== null; a = env.expert()) results.push(env.step(a));
          const where = `${split} ${index}`;
          expect(results.length, where).toBeGreaterThan(0);
          expect(results.map((r) => r.won), where).toEqual(results.map((_, i) => i === results.length - 1));
          expect(results.at(-1), where).toMatchObject({ done: true, reward: 1 });
          // Like the reward, success is reported once: a step sent after the end is not a win.
          expect(env.step('look').won, where).toBe(false);
          episodes++;
        }
      }
      expect(episodes).toBeGreaterThanOrEqual(TASKS_PER_SPLIT);
    });
  }
});

describe('won: a transcript takes it from the last step', () => {
  for (const spec of ENV_REGISTRY.values()) {
    it(spec.name, () => {
      const [split] = testSplits(spec.splits)[0];
      expect(playEpisode(spec, split, 0, 0, { kind: 'expert' }).won).toBe(true);
      // One invalid action, then the list runs out: the episode is not over, so not won.
      expect(playEpisode(spec, split, 0, 0, { kind: 'actions', actions: ['xyzzy'] }).won).toBe(false);
      // Running into the step limit with actions that change nothing is a loss.
      const stall = Array.from({ length: spec.maxSteps }, () => 'xyzzy');
      const t = playEpisode(spec, split, 0, 0, { kind: 'actions', actions: stall });
      expect(t.steps.at(-1)?.done).toBe(true);
      expect(t.won).toBe(false);
    });
  }
});
