// The frozen task lists. `splits.v1.json` was written by freeze-splits.ts from split-gen.ts and is
// never edited by hand; a test checks that regenerating gives the same lists.

import type { SplitName, TaskRef } from '../env';
import frozen from './splits.v1.json';
import { parseTaskId } from './tasks';

export type VirtualHomeSplit = 'train' | 'seen-test' | 'unseen-test';

export const SPLITS: Readonly<Record<VirtualHomeSplit, readonly string[]>> = {
  train: frozen.train,
  'seen-test': frozen['seen-test'],
  'unseen-test': frozen['unseen-test'],
};
export const SPLITS_VERSION = frozen.version;

/**
 * SPA calls the two test sets "seen" and "unseen", and evaluates on unseen; the generic tooling
 * asks for 'seen-test' / 'unseen-test' / 'test'. All of these name the same frozen lists.
 */
const ALIASES: Record<string, VirtualHomeSplit> = {
  train: 'train',
  'seen-test': 'seen-test',
  seen: 'seen-test',
  'unseen-test': 'unseen-test',
  unseen: 'unseen-test',
  test: 'unseen-test',
};

export function canonicalSplit(split: SplitName | string): VirtualHomeSplit {
  const s = ALIASES[split];
  if (!s) throw new RangeError(`virtualhome: unknown split "${split}" (train, seen-test, unseen-test; aliases seen, unseen, test)`);
  return s;
}

export function taskRef(split: SplitName | string, index: number): TaskRef {
  const list = SPLITS[canonicalSplit(split)];
  if (!Number.isInteger(index) || index < 0 || index >= list.length) {
    throw new RangeError(`virtualhome: task index ${index} out of range for split "${split}" (0..${list.length - 1})`);
  }
  const id = list[index];
  const { template, family, variant } = parseTaskId(id);
  return { id, label: `${template.title} (${family}.${String(variant).padStart(4, '0')})` };
}
