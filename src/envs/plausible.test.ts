// plausibleActions() of every environment (Env's contract): well-formed commands over what the
// agent has met that are not admissible, so stepping one gives valid=false and leaves the world
// as it was. Walks a few seeded episodes per env (expert moves mixed with random admissible and
// random plausible ones, so the checks also run after invalid steps) and checks every state.

import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../core/random';
import type { Env, SplitName } from './env';
import { ENV_REGISTRY } from './registry';
import { VirtualHomeEnv } from './virtualhome/virtualhome-env';

const EPISODES = 4;
const STEPS = 12;

/** The key that a failed action must leave unchanged: virtualhome's binds names (SPA does), so its physical key. */
const keyOf = (env: Env): string => (env instanceof VirtualHomeEnv ? env.physicalKey() : env.stateKey());

function replay(name: string, taskId: string, seed: number, actions: readonly string[]): Env {
  const env = ENV_REGISTRY.get(name)!.create();
  env.reset(taskId, seed);
  for (const a of actions) env.step(a);
  return env;
}

for (const [name, spec] of ENV_REGISTRY) {
  describe(`${name}: plausibleActions`, () => {
    it('are sorted, unique, disjoint from the admissible actions, deterministic, and fail without changing the world', () => {
      const split = (Object.keys(spec.splits) as SplitName[])[0];
      const rng = new Mulberry32(0x5eed);
      let offered = 0;
      let steppedInvalid = 0;
      for (let ep = 0; ep < EPISODES; ep++) {
        const taskId = spec.task(split, (ep * 7) % spec.splits[split]!).id;
        const seed = ep + 1;
        const env = spec.create();
        env.reset(taskId, seed);
        const actions: string[] = [];
        for (let t = 0; t < STEPS; t++) {
          const plausible = env.plausibleActions!();
          const admissible = env.admissibleActions();
          expect(plausible).toEqual([...new Set(plausible)].sort());
          const adm = new Set(admissible);
          for (const p of plausible) {
            expect(adm.has(p), `${name} ${taskId}: "${p}" is admissible`).toBe(false);
            expect(p.trim()).toBe(p);
            expect(p.length).toBeGreaterThan(0);
          }
          // Deterministic in the episode so far: an env replaying the same actions offers the same list.
          expect(replay(name, taskId, seed, actions).plausibleActions!()).toEqual(plausible);
          offered += plausible.length;
          // Stepping each one (in a replayed copy) does nothing.
          const before = keyOf(env);
          const check = plausible.length > 10 ? Array.from({ length: 10 }, () => rng.pick(plausible)) : plausible;
          for (const p of check) {
            const copy = replay(name, taskId, seed, actions);
            const r = copy.step(p);
            expect(r.valid, `${name} ${taskId} after [${actions.join(' | ')}]: "${p}" was valid`).toBe(false);
            // The step still counts: on the env's last allowed step it ends the episode (truncation), which the key records.
            if (!r.done) expect(keyOf(copy)).toBe(before);
            else expect(r.won).toBe(false);
            steppedInvalid++;
          }
          // Next move: mostly the expert, sometimes a random admissible or plausible one.
          const u = rng.next();
          const expert = env.expert();
          const a = u < 0.15 && plausible.length ? rng.pick(plausible) : u < 0.45 || expert === null ? rng.pick(admissible) : expert;
          const r = env.step(a);
          actions.push(a);
          if (r.done) break;
        }
      }
      expect(offered).toBeGreaterThan(0);
      expect(steppedInvalid).toBeGreaterThan(0);
    });

    it('is empty once the episode is over', () => {
      const split = (Object.keys(spec.splits) as SplitName[])[0];
      const env = spec.create();
      env.reset(spec.task(split, 0).id, 1);
      for (let t = 0; t < 200; t++) {
        const a = env.expert();
        if (a === null || env.step(a).done) break;
      }
      expect(env.plausibleActions!()).toEqual([]);
    });
  });
}
