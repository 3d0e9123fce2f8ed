import { describe, expect, it } from 'vitest';
import { HELD_OUT_MASK, TASK_KIND_NAMES } from './catalog';
import { taskFor } from './generate';
import { HouseholdEnv } from './household-env';
import { householdSpec } from './index';
import { FROZEN, HOUSEHOLD_SPLITS, SPLIT_SIZES, freezeSplits, layoutSignatures, taskSignature } from './splits';

describe('household splits', () => {
  it('have at least ALFWorld-sized splits', () => {
    expect(householdSpec.splits.train).toBeGreaterThanOrEqual(3000);
    expect(householdSpec.splits['seen-test']).toBeGreaterThanOrEqual(140);
    expect(householdSpec.splits['unseen-test']).toBeGreaterThanOrEqual(134);
    for (const s of HOUSEHOLD_SPLITS) expect(FROZEN[s].length).toBe(SPLIT_SIZES[s]);
  });

  it('the committed seed lists are what the generator freezes (a generator change must bump the version)', () => {
    expect(freezeSplits()).toEqual(FROZEN);
  });

  it('test layouts never occur in training', () => {
    const train = layoutSignatures('train');
    const seen = layoutSignatures('seen');
    const unseen = layoutSignatures('unseen');
    for (const s of seen) expect(train.has(s)).toBe(false);
    for (const s of unseen) {
      expect(train.has(s)).toBe(false);
      expect(seen.has(s)).toBe(false);
    }
  });

  it('held-out object types appear only in unseen-test, and every unseen goal uses one', () => {
    for (const split of ['train', 'seen-test'] as const) {
      for (let i = 0; i < householdSpec.splits[split]!; i++) {
        const def = taskFor(householdSpec.task(split, i).id);
        for (const t of def.objType) expect(HELD_OUT_MASK[t]).toBe(false);
      }
    }
    for (let i = 0; i < householdSpec.splits['unseen-test']!; i++) {
      const def = taskFor(householdSpec.task('unseen-test', i).id);
      expect(HELD_OUT_MASK[def.goal.objType]).toBe(true);
    }
  });

  it('every split has all six task types, and tasks within a split are distinct', () => {
    for (const split of HOUSEHOLD_SPLITS) {
      const kinds = new Set<number>();
      const sigs = new Set<string>();
      for (let i = 0; i < householdSpec.splits[split]!; i++) {
        const def = taskFor(householdSpec.task(split, i).id);
        kinds.add(def.goal.kind);
        sigs.add(taskSignature(def));
      }
      expect(kinds.size, split).toBe(TASK_KIND_NAMES.length);
      expect(sigs.size).toBe(householdSpec.splits[split]);
    }
  });

  it('task refs: labels, ids, and clear range errors', () => {
    const ref = householdSpec.task('seen-test', 0);
    expect(ref.id).toBe('seen:0');
    expect(ref.label).toContain('pick_heat_then_place_in_recep');
    expect(() => householdSpec.task('train', 3553)).toThrow(RangeError);
    expect(() => householdSpec.task('train', 3553)).toThrow(/\[0, 3552\]/);
    expect(() => householdSpec.task('train', -1)).toThrow(RangeError);
    expect(() => householdSpec.task('test', 0)).toThrow(/no split "test"/);
    expect(() => new HouseholdEnv().reset('bogus', 0)).toThrow(/bad task id/);
  });

  it('the expert solves every task of every split (episode seed 0), and the test splits with seeds 1-3', () => {
    const env = new HouseholdEnv();
    let worst = 0;
    const run = (split: (typeof HOUSEHOLD_SPLITS)[number], seed: number) => {
      for (let i = 0; i < householdSpec.splits[split]!; i++) {
        env.reset(householdSpec.task(split, i).id, seed);
        let a: string | null;
        let n = 0;
        while ((a = env.expert()) !== null) {
          env.step(a);
          n++;
        }
        expect(env.isWon, `${split} ${i} seed ${seed}`).toBe(true);
        worst = Math.max(worst, n);
      }
    };
    for (const split of HOUSEHOLD_SPLITS) run(split, 0);
    for (const seed of [1, 2, 3]) {
      run('seen-test', seed);
      run('unseen-test', seed);
    }
    // Well inside the 40-step budget, leaving room for a learner's detours.
    expect(worst).toBeLessThanOrEqual(20);
  });
});
