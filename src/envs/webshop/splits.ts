// Frozen task splits. Like WebShop's baselines and SPA/ETO, a split is a range of goal indices:
// test is the first 200 goals, train the remaining 1,624 (SPA's train_indices.json also holds
// 1,624 goals and test_indices.json 200). The goals themselves are pinned by the fingerprints in
// frozen.ts, so a split names the same instructions for as long as SPLITS_VERSION stands.

import type { SplitName } from '../env';
import { GOAL_COUNT } from './goals';

export const SPLITS_VERSION = 1;

export const SPLIT_RANGES = {
  test: [0, 200],
  train: [200, GOAL_COUNT],
} as const satisfies Partial<Record<SplitName, readonly [number, number]>>;

export type WebshopSplit = keyof typeof SPLIT_RANGES;

export function splitSizes(): Record<WebshopSplit, number> {
  return { train: SPLIT_RANGES.train[1] - SPLIT_RANGES.train[0], test: SPLIT_RANGES.test[1] - SPLIT_RANGES.test[0] };
}

/** Goal index of the i-th task of a split. Throws RangeError naming the valid range. */
export function goalIndexOf(split: SplitName, i: number): number {
  if (!(split in SPLIT_RANGES)) {
    throw new RangeError(`webshop has no split "${split}"; its splits are train (${splitSizes().train}) and test (${splitSizes().test})`);
  }
  const [lo, hi] = SPLIT_RANGES[split as WebshopSplit];
  if (!Number.isInteger(i) || i < 0 || i >= hi - lo) {
    throw new RangeError(`webshop ${split} task index must be an integer in [0, ${hi - lo - 1}], got ${i}`);
  }
  return lo + i;
}

export function taskId(goalIndex: number): string {
  return `g${String(goalIndex).padStart(4, '0')}`;
}

/** Inverse of taskId; throws RangeError for anything else. */
export function parseTaskId(id: string): number {
  const m = /^g(\d{4,})$/.exec(id);
  const index = m ? Number(m[1]) : Number.NaN;
  if (!m || index >= GOAL_COUNT) {
    throw new RangeError(`webshop task ids are g0000…g${GOAL_COUNT - 1} (goal indices), got "${id}"`);
  }
  return index;
}
