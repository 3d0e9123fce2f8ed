import { afterEach, describe, expect, it } from 'vitest';
import { nodeSpawner } from '../../envs/pool/spawn-node';
import { PlaygroundSession, filterActions } from './playground-session';

describe('playground session (on the worker pool)', () => {
  let s: PlaygroundSession | null = null;
  afterEach(() => {
    s?.dispose();
    s = null;
  });

  it('plays a household task to success by following the expert hint', async () => {
    s = new PlaygroundSession(nodeSpawner, { env: 'household', split: 'seen-test', task: 0, seed: 0 });
    let changes = 0;
    s.onChange(() => changes++);
    await s.reset();
    expect(s.status).toBe('playing');
    expect(s.goal).toBe('Your task is to: put a hot apple in fridge.');
    expect(s.log[0].text).toMatch(/^You are in the middle of a room/);
    expect(s.admissible).toContain('look');
    await s.act('xyzzy', 'typed');
    expect(s.log.at(-1)).toMatchObject({ step: 1, action: 'xyzzy', valid: false, text: 'Nothing happens.' });
    while (s.status === 'playing') await s.act(s.expert!, 'expert');
    expect(s.status).toBe('won');
    expect(s.reward).toBe(1);
    expect(s.steps).toBe(8);
    expect(s.validSteps).toBe(7);
    expect(changes).toBeGreaterThan(10);
    // After the end, actions are ignored.
    await s.act('look', 'typed');
    expect(s.steps).toBe(8);
  });

  it('reads success from the step result: a part-reward purchase ends the episode as over, not won', async () => {
    s = new PlaygroundSession(nodeSpawner, { env: 'webshop', split: 'test', task: 6, seed: 0 });
    await s.reset();
    // Follow the expert to the product, then buy before it picks the goal's options.
    while (s.status === 'playing') {
      const onItem = s.admissible.includes('click[Buy Now]');
      await s.act(onItem ? 'click[Buy Now]' : s.expert!, onItem ? 'clicked' : 'expert');
    }
    expect(s.reward).toBeGreaterThan(0);
    expect(s.reward).toBeLessThan(1);
    expect(s.status).toBe('over');
  });

  it('select clamps the task to the split and resets; switching env falls back to its first split', async () => {
    s = new PlaygroundSession(nodeSpawner);
    await s.select({ split: 'unseen-test', task: 10_000, seed: 3 });
    expect(s.selection).toMatchObject({ env: 'household', split: 'unseen-test', task: 133, seed: 3 });
    expect(s.status).toBe('playing');
    expect(s.taskLabel).toContain(' · ');
    await s.select({ task: -5 });
    expect(s.selection.task).toBe(0);
  });

  it('filters actions ignoring case and surrounding spaces', () => {
    const actions = ['search[towel]', 'click[Buy Now]', 'click[B0BLUE0001]', 'click[< Prev]'];
    expect(filterActions(actions, ' buy ')).toEqual(['click[Buy Now]']);
    expect(filterActions(actions, 'b0blue')).toEqual(['click[B0BLUE0001]']);
    expect(filterActions(actions, 'CLICK[')).toHaveLength(3);
    expect(filterActions(actions, '  ')).toBe(actions);
  });
});
