// The frozen splits. Each split is a committed list of task seeds (splits.v1.json); the
// generator turns "<pool>:<seed>" into a task. `freezeSplits` is how that file was made, and a
// test checks that the committed file still matches it, so a generator change that would
// silently alter the splits fails loudly instead.

import type { SplitName } from '../env';
import { LAYOUTS_PER_ROOM, layoutFor, taskFor, type Pool, type TaskDef } from './generate';
import { ROOM_NAMES } from './catalog';
import frozen from './splits.v1.json';

export type HouseholdSplit = 'train' | 'seen-test' | 'unseen-test';
export const HOUSEHOLD_SPLITS: readonly HouseholdSplit[] = ['train', 'seen-test', 'unseen-test'];

/** Sizes of ALFWorld's splits: 3,553 train games, 140 valid_seen and 134 valid_unseen. */
export const SPLIT_SIZES: Record<HouseholdSplit, number> = { train: 3553, 'seen-test': 140, 'unseen-test': 134 };
export const SPLIT_POOL: Record<HouseholdSplit, Pool> = { train: 'train', 'seen-test': 'seen', 'unseen-test': 'unseen' };

export interface FrozenSplits {
  version: number;
  generator: number;
  train: number[];
  'seen-test': number[];
  'unseen-test': number[];
}

export const FROZEN: FrozenSplits = frozen as FrozenSplits;

export function isHouseholdSplit(s: string): s is HouseholdSplit {
  return (HOUSEHOLD_SPLITS as readonly string[]).includes(s);
}

export function taskIdAt(split: SplitName, index: number): string {
  if (!isHouseholdSplit(split)) {
    throw new RangeError(`household has no split "${split}"; splits are ${HOUSEHOLD_SPLITS.join(', ')}`);
  }
  const seeds = FROZEN[split];
  if (!Number.isInteger(index) || index < 0 || index >= seeds.length) {
    throw new RangeError(`household ${split} task index ${index} out of range [0, ${seeds.length - 1}]`);
  }
  return `${SPLIT_POOL[split]}:${seeds[index]}`;
}

/** What makes two tasks the same task: scene, goal and the objects in the room. */
export function taskSignature(def: TaskDef): string {
  const g = def.goal;
  const objs: number[] = Array.from(def.objType);
  return `${def.layout.id}|${g.kind}|${g.objType}|${g.destType}|${g.lampType}|${objs.join(',')}`;
}

/** Rebuild the split seed lists from the generator (seeds 0,1,2,… of each pool, dropping duplicates). */
export function freezeSplits(): FrozenSplits {
  const pick = (pool: Pool, n: number): number[] => {
    const seen = new Set<string>();
    const out: number[] = [];
    for (let seed = 0; out.length < n; seed++) {
      if (seed > n * 4) throw new Error(`household: too many duplicate tasks in pool ${pool}`);
      const sig = taskSignature(taskFor(`${pool}:${seed}`));
      if (seen.has(sig)) continue;
      seen.add(sig);
      out.push(seed);
    }
    return out;
  };
  return {
    version: 1,
    generator: 1,
    train: pick('train', SPLIT_SIZES.train),
    'seen-test': pick('seen', SPLIT_SIZES['seen-test']),
    'unseen-test': pick('unseen', SPLIT_SIZES['unseen-test']),
  };
}

/** Layout signatures of a pool, to check that test layouts never occur in training. */
export function layoutSignatures(pool: Pool): Set<string> {
  const out = new Set<string>();
  for (let room = 0; room < ROOM_NAMES.length; room++) {
    for (let k = 0; k < LAYOUTS_PER_ROOM[pool]; k++) out.add(layoutFor(pool, room as 0 | 1 | 2 | 3, k).signature);
  }
  return out;
}
